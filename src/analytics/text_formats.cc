#include "analytics/text_formats.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include <fmt/format.h>

namespace crm::analytics {
namespace {

// Splits text into lines, dropping a trailing '\r'. Calls visit(line, line_number) until it
// returns a non-OK status.
template <typename Visit>
Status ForEachLine(std::string_view text, Visit&& visit) {
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;
    CRM_RETURN_IF_ERROR(visit(line, line_number));
  }
  return Status::Ok();
}

bool ParseInt(std::string_view text, int64_t& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

bool Digits(std::string_view text, size_t pos, size_t count, int& value) {
  value = 0;
  if (pos + count > text.size()) return false;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS" followed by "Z" or "+HH:MM"/"-HH:MM"; anything else goes to the general
// parser in common/.
bool ParseTimestamp(std::string_view text, int64_t& micros) {
  int year, month, day, hour, minute, second, offset_hour, offset_minute;
  const bool head = text.size() >= 20 && Digits(text, 0, 4, year) && text[4] == '-' &&
                    Digits(text, 5, 2, month) && text[7] == '-' && Digits(text, 8, 2, day) &&
                    (text[10] == 'T' || text[10] == ' ') && Digits(text, 11, 2, hour) &&
                    text[13] == ':' && Digits(text, 14, 2, minute) && text[16] == ':' &&
                    Digits(text, 17, 2, second) && month >= 1 && month <= 12 && day >= 1 &&
                    day <= 31 && hour < 24 && minute < 60 && second < 61;
  int64_t offset_seconds = 0;
  bool tail = false;
  if (head && text.size() == 20 && text[19] == 'Z') {
    tail = true;
  } else if (head && text.size() == 25 && (text[19] == '+' || text[19] == '-') && text[22] == ':' &&
             Digits(text, 20, 2, offset_hour) && Digits(text, 23, 2, offset_minute)) {
    tail = true;
    offset_seconds = (text[19] == '-' ? -1 : 1) * (offset_hour * 3600 + offset_minute * 60);
  }
  if (head && tail && Date{year, month, day}.IsValid()) {
    const int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                            second - offset_seconds;
    micros = seconds * 1'000'000;
    return true;
  }
  Result<Timestamp> parsed = Timestamp::ParseIso8601(text);
  if (!parsed.ok()) return false;
  micros = parsed->micros();
  return true;
}

// Splits one CSV record into fields; quoted fields lose their quotes ("" becomes ").
bool SplitCsv(std::string_view line, std::vector<std::string_view>& fields,
              std::string& scratch) {
  fields.clear();
  size_t pos = 0;
  while (true) {
    if (pos < line.size() && line[pos] == '"') {
      // Rare in our inputs: unquote into the scratch buffer (reserved, so views stay valid).
      size_t start = scratch.size();
      ++pos;
      while (pos < line.size()) {
        if (line[pos] == '"' && pos + 1 < line.size() && line[pos + 1] == '"') {
          scratch.push_back('"');
          pos += 2;
        } else if (line[pos] == '"') {
          break;
        } else {
          scratch.push_back(line[pos++]);
        }
      }
      if (pos >= line.size()) return false;
      fields.push_back(std::string_view(scratch).substr(start));
      ++pos;
      if (pos < line.size() && line[pos] != ',') return false;
    } else {
      const size_t end = std::min(line.find(',', pos), line.size());
      fields.push_back(line.substr(pos, end - pos));
      pos = end;
    }
    if (pos >= line.size()) return true;
    ++pos;  // the comma
  }
}

struct PeerColumns {
  int order = -1, customer = -1, ordered_at = -1, amount = -1;
  size_t needed = 0;
};

Result<PeerColumns> FindPeerColumns(const std::vector<std::string_view>& header) {
  PeerColumns columns;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "order_id") columns.order = static_cast<int>(i);
    if (header[i] == "customer_id") columns.customer = static_cast<int>(i);
    if (header[i] == "ordered_at") columns.ordered_at = static_cast<int>(i);
    if (header[i] == "amount_krw") columns.amount = static_cast<int>(i);
  }
  if (columns.order < 0 || columns.customer < 0 || columns.ordered_at < 0 || columns.amount < 0) {
    return InvalidArgument(
        "the header must name order_id, customer_id, ordered_at and amount_krw");
  }
  columns.needed = static_cast<size_t>(
      std::max({columns.order, columns.customer, columns.ordered_at, columns.amount}) + 1);
  return columns;
}

Status BadLine(size_t line_number, std::string_view what) {
  return InvalidArgument(fmt::format("line {}: {}", line_number, what));
}

}  // namespace

Result<TransactionColumns> ParsePeerTransactionsCsv(std::string_view text) {
  TransactionColumns columns;
  columns.Reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')));
  std::vector<std::string_view> fields;
  std::string scratch;
  PeerColumns layout;
  bool have_header = false;
  Status status = ForEachLine(text, [&](std::string_view line, size_t number) -> Status {
    if (line.empty()) return Status::Ok();
    scratch.clear();
    scratch.reserve(line.size());
    if (!SplitCsv(line, fields, scratch)) return BadLine(number, "unbalanced quotes");
    if (!have_header) {
      have_header = true;
      CRM_ASSIGN_OR_RETURN(layout, FindPeerColumns(fields));
      return Status::Ok();
    }
    if (fields.size() < layout.needed) return BadLine(number, "too few fields");
    int64_t customer, order, at, amount;
    if (!ParseInt(fields[layout.customer], customer)) return BadLine(number, "bad customer_id");
    if (!ParseInt(fields[layout.order], order)) return BadLine(number, "bad order_id");
    if (!ParseInt(fields[layout.amount], amount)) return BadLine(number, "bad amount_krw");
    if (!ParseTimestamp(fields[layout.ordered_at], at)) return BadLine(number, "bad ordered_at");
    columns.Append(customer, order, at, amount);
    return Status::Ok();
  });
  CRM_RETURN_IF_ERROR(status);
  if (!have_header) return InvalidArgument("the input is empty: no header");
  return columns;
}

Result<int64_t> ParseUtcOffset(std::string_view text) {
  if (text == "Z") return int64_t{0};
  int hours = 0, minutes = 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' || !Digits(text, 1, 2, hours) ||
      !Digits(text, 4, 2, minutes) || hours > 18 || minutes > 59) {
    return InvalidArgument("a UTC offset is +HH:MM or -HH:MM, e.g. +09:00");
  }
  return int64_t{(text[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60)};
}

Result<int64_t> PeerCsvUtcOffsetSeconds(std::string_view text) {
  std::vector<std::string_view> fields;
  std::string scratch;
  int column = -1;
  int64_t offset = 0;
  bool done = false;
  Status status = ForEachLine(text, [&](std::string_view line, size_t number) -> Status {
    if (done || line.empty()) return Status::Ok();
    scratch.clear();
    if (!SplitCsv(line, fields, scratch)) return BadLine(number, "unbalanced quotes");
    if (column < 0) {
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i] == "ordered_at") column = static_cast<int>(i);
      }
      if (column < 0) return InvalidArgument("the header must name ordered_at");
      return Status::Ok();
    }
    done = true;
    if (fields.size() <= static_cast<size_t>(column)) return Status::Ok();
    const std::string_view at = fields[static_cast<size_t>(column)];
    if (at.size() >= 6) {
      Result<int64_t> parsed = ParseUtcOffset(at.substr(at.size() - 6));
      if (parsed.ok()) offset = *parsed;
    }
    return Status::Ok();
  });
  CRM_RETURN_IF_ERROR(status);
  if (column < 0) return InvalidArgument("the input is empty: no header");
  return offset;
}

namespace {

// "123.45" or "-0.5" as integer cents; at most two decimals.
bool ParseCents(std::string_view text, int64_t& cents) {
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const bool negative = !whole.empty() && whole.front() == '-';
  if (negative) whole.remove_prefix(1);
  int64_t units = 0, sub = 0;
  if (whole.empty() && fraction.empty()) return false;
  if (!whole.empty() && !ParseInt(whole, units)) return false;
  if (fraction.size() > 2 || (!fraction.empty() && !ParseInt(fraction, sub))) return false;
  if (fraction.size() == 1) sub *= 10;
  cents = (units * 100 + sub) * (negative ? -1 : 1);
  return true;
}

void SplitWhitespace(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    if (pos >= line.size()) break;
    size_t end = pos;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    fields.push_back(line.substr(pos, end - pos));
    pos = end;
  }
}

}  // namespace

Result<TransactionColumns> ParseCdnowTransactions(std::string_view text) {
  TransactionColumns columns;
  std::vector<std::string_view> fields;
  int64_t next_order = 1;
  Status status = ForEachLine(text, [&](std::string_view line, size_t number) -> Status {
    SplitWhitespace(line, fields);
    if (fields.empty()) return Status::Ok();
    if (fields.size() != 4 && fields.size() != 5) return BadLine(number, "expected 4 or 5 fields");
    const size_t date_field = fields.size() - 3;
    int64_t customer, cents, yyyymmdd;
    const size_t id_field = fields.size() == 5 ? 1 : 0;
    if (!ParseInt(fields[id_field], customer) || !ParseInt(fields[date_field], yyyymmdd)) {
      if (number == 1) return Status::Ok();  // a header line
      return BadLine(number, "bad customer id or date");
    }
    const Date date{static_cast<int>(yyyymmdd / 10000), static_cast<int>(yyyymmdd / 100 % 100),
                    static_cast<int>(yyyymmdd % 100)};
    if (!date.IsValid()) return BadLine(number, "bad date");
    if (!ParseCents(fields.back(), cents)) return BadLine(number, "bad dollar value");
    const int64_t at = DaysFromCivil(date.year, date.month, date.day) * kMicrosPerDay;
    columns.Append(customer, next_order++, at, cents);
    return Status::Ok();
  });
  CRM_RETURN_IF_ERROR(status);
  return columns;
}

Result<Baskets> ParseBaskets(std::string_view text) {
  Baskets baskets;
  baskets.transaction_begin.push_back(0);
  std::unordered_map<std::string, uint32_t> ids;
  Status status = ForEachLine(text, [&](std::string_view line, size_t number) -> Status {
    const size_t begin = baskets.items.size();
    size_t pos = 0;
    while (!line.empty() && pos <= line.size()) {
      const size_t end = std::min(line.find(',', pos), line.size());
      std::string label(line.substr(pos, end - pos));
      if (label.empty()) return BadLine(number, "empty item label");
      auto [it, inserted] = ids.try_emplace(label, static_cast<uint32_t>(ids.size()));
      if (inserted) baskets.item_labels.push_back(std::move(label));
      baskets.items.push_back(it->second);
      pos = end + 1;
    }
    auto first = baskets.items.begin() + static_cast<std::ptrdiff_t>(begin);
    std::sort(first, baskets.items.end());
    baskets.items.erase(std::unique(first, baskets.items.end()), baskets.items.end());
    baskets.transaction_begin.push_back(static_cast<uint32_t>(baskets.items.size()));
    return Status::Ok();
  });
  CRM_RETURN_IF_ERROR(status);
  return baskets;
}

std::string FormatRfmCsv(const RfmTable& table) {
  std::string out = "customer_id,recency,frequency,monetary,r,f,m,segment\n";
  out.reserve(out.size() + table.size() * 48);
  char buffer[160];
  for (size_t c = 0; c < table.size(); ++c) {
    char* p = buffer;
    char* const end = buffer + sizeof(buffer);
    for (int64_t value : {table.customer_id[c], table.recency_days[c], table.frequency[c],
                          table.monetary_minor[c], int64_t{table.r[c]}, int64_t{table.f[c]},
                          int64_t{table.m[c]}}) {
      p = std::to_chars(p, end, value).ptr;
      *p++ = ',';
    }
    out.append(buffer, p);
    out.append(RfmSegmentName(table.segment[c]));
    out.push_back('\n');
  }
  return out;
}

}  // namespace crm::analytics
