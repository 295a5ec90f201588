#include "importing/value_parsers.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace crm::importing {
namespace {

constexpr int64_t kMaxAmountDigits = 15;
// Excel serial 25569 is 1970-01-01 in the 1900 date system (which counts a 29 February 1900).
constexpr int64_t kExcelUnixEpoch = 25569;
constexpr double kMaxExcelSerial = 2958465;  // 9999-12-31

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Replaces every occurrence of `mark` in `text` with `with`; returns whether one was found.
bool ReplaceAll(std::string& text, std::string_view mark, std::string_view with) {
  bool found = false;
  for (size_t at = text.find(mark); at != std::string::npos; at = text.find(mark, at + with.size())) {
    text.replace(at, mark.size(), with);
    found = true;
  }
  return found;
}

bool RemoveAll(std::string& text, std::string_view mark) { return ReplaceAll(text, mark, ""); }

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

// Parses "123" or "123.45" (digits only) into minor units with `exponent` decimals.
Result<int64_t> ParseDecimal(std::string_view digits, int exponent) {
  const size_t dot = digits.find('.');
  std::string_view whole = digits.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return InvalidArgument("no digits");
  if (whole.size() > kMaxAmountDigits) return InvalidArgument("too large");
  auto all_digits = [](std::string_view part) { return std::all_of(part.begin(), part.end(), IsDigit); };
  if (!all_digits(whole) || !all_digits(fraction)) return InvalidArgument("not a number");
  int64_t value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  for (int i = 0; i < exponent; ++i) {
    value = value * 10 + (static_cast<size_t>(i) < fraction.size() ? fraction[i] - '0' : 0);
  }
  for (size_t i = static_cast<size_t>(exponent); i < fraction.size(); ++i) {
    if (fraction[i] != '0') return InvalidArgument("more decimals than the currency has");
  }
  return value;
}

// The numbers in a date-time text and what surrounds them.
struct DateTokens {
  std::vector<std::string> numbers;
  int time_start = -1;  // index of the first number followed by ':'
  bool pm = false;
  bool am = false;
};

Result<DateTokens> Tokenize(std::string text) {
  DateTokens tokens;
  tokens.pm = ReplaceAll(text, "오후", " ") | ReplaceAll(text, "PM", " ") | ReplaceAll(text, "pm", " ");
  tokens.am = ReplaceAll(text, "오전", " ") | ReplaceAll(text, "AM", " ") | ReplaceAll(text, "am", " ");
  for (std::string_view mark : {"년", "월", "일", "T", "Z"}) ReplaceAll(text, mark, " ");
  size_t i = 0;
  while (i < text.size()) {
    if (IsDigit(text[i])) {
      size_t end = i;
      while (end < text.size() && IsDigit(text[end])) ++end;
      tokens.numbers.push_back(text.substr(i, end - i));
      if (end < text.size() && text[end] == ':' && tokens.time_start < 0) {
        tokens.time_start = static_cast<int>(tokens.numbers.size()) - 1;
      }
      i = end;
    } else if (std::string_view("-./:, ").find(text[i]) != std::string_view::npos) {
      ++i;
    } else {
      return InvalidArgument("not a date");
    }
  }
  return tokens;
}

Result<Date> DateFromParts(const std::string& a, const std::string& b, const std::string& c) {
  if (a.size() > 4 || b.size() > 2 || c.size() > 4) return InvalidArgument("not a date");
  Date date;
  const int first = std::stoi(a), second = std::stoi(b), third = std::stoi(c);
  if (a.size() == 4) {
    date = Date{first, second, third};
  } else if (c.size() == 4 && first > 12) {
    date = Date{third, second, first};  // day first
  } else if (c.size() == 4) {
    date = Date{third, first, second};  // month first, as US exports write it
  } else {
    return InvalidArgument("the year must have 4 digits");
  }
  if (!date.IsValid()) return InvalidArgument("no such day");
  return date;
}

Result<int> TimeFromParts(const DateTokens& tokens) {
  const auto& n = tokens.numbers;
  const size_t start = static_cast<size_t>(tokens.time_start);
  if (n.size() < start + 2 || n.size() > start + 4) return InvalidArgument("not a time");
  int hour = std::stoi(n[start].substr(0, 2));
  const int minute = std::stoi(n[start + 1].substr(0, 2));
  const int second = n.size() > start + 2 ? std::stoi(n[start + 2].substr(0, 2)) : 0;
  if (tokens.pm || tokens.am) {
    if (hour < 1 || hour > 12) return InvalidArgument("not a time");
    hour = hour % 12 + (tokens.pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return InvalidArgument("not a time");
  return hour * 3600 + minute * 60 + second;
}

Result<DateTimeValue> ParseExcelSerial(std::string_view text) {
  double serial = 0;
  try {
    serial = std::stod(std::string(text));
  } catch (const std::exception&) {
    return InvalidArgument("not a number");
  }
  if (serial < 1 || serial > kMaxExcelSerial) return InvalidArgument("out of range");
  int64_t day = static_cast<int64_t>(serial);
  if (day < 60) ++day;  // before Excel's fictitious 1900-02-29
  DateTimeValue value;
  value.date = CivilFromDays(day - kExcelUnixEpoch);
  const int64_t seconds = static_cast<int64_t>((serial - static_cast<double>(static_cast<int64_t>(serial))) * 86400 + 0.5);
  value.seconds_of_day = static_cast<int>(std::min<int64_t>(seconds, 86399));
  value.has_time = text.find('.') != std::string_view::npos;
  return value;
}

}  // namespace

std::string_view TrimText(std::string_view text) {
  auto is_space = [](std::string_view t, bool front) {
    if (t.empty()) return size_t{0};
    const unsigned char c = front ? t.front() : t.back();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return size_t{1};
    if (front ? t.starts_with("\xC2\xA0") : t.ends_with("\xC2\xA0")) return size_t{2};
    return size_t{0};
  };
  for (size_t n = is_space(text, true); n > 0; n = is_space(text, true)) text.remove_prefix(n);
  for (size_t n = is_space(text, false); n > 0; n = is_space(text, false)) text.remove_suffix(n);
  return text;
}

bool AmountNeedsNormalizing(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return !IsDigit(c) && c != '.' && c != '-'; });
}

Result<int64_t> ParseAmount(std::string_view text, int exponent) {
  std::string clean(TrimText(text));
  for (std::string_view mark : {"원", "₩", "￦", "KRW", "£", "$", "€", ",", " ", "\xC2\xA0"}) RemoveAll(clean, mark);
  bool negative = false;
  if (clean.size() >= 2 && clean.front() == '(' && clean.back() == ')') {
    negative = true;
    clean = clean.substr(1, clean.size() - 2);
  }
  if (!clean.empty() && (clean.front() == '-' || clean.front() == '+')) {
    negative = negative || clean.front() == '-';
    clean.erase(0, 1);
  }
  if (clean.empty()) return InvalidArgument("no amount");
  CRM_ASSIGN_OR_RETURN(int64_t value, ParseDecimal(clean, exponent));
  return negative ? -value : value;
}

Result<int64_t> ParseQuantity(std::string_view text) {
  text = TrimText(text);
  if (text.find_first_not_of("0123456789.,-+ ") != std::string_view::npos) return InvalidArgument("not a quantity");
  return ParseAmount(text, 0);
}

std::string DateTimeValue::ToString() const {
  if (!has_time) return date.ToString();
  return fmt::format("{} {:02}:{:02}:{:02}", date.ToString(), seconds_of_day / 3600, seconds_of_day / 60 % 60,
                     seconds_of_day % 60);
}

Timestamp DateTimeValue::ToTimestamp(int utc_offset_minutes) const {
  const int64_t local = DaysFromCivil(date.year, date.month, date.day) * 86400 + seconds_of_day;
  return Timestamp::FromSeconds(local - int64_t{utc_offset_minutes} * 60);
}

Result<DateTimeValue> ParseDateTime(std::string_view text) {
  text = TrimText(text);
  if (text.empty()) return InvalidArgument("no date");
  const bool numeric = std::all_of(text.begin(), text.end(), [](char c) { return IsDigit(c) || c == '.'; }) &&
                       std::count(text.begin(), text.end(), '.') <= 1;
  if (numeric && !(text.size() == 8 && text.find('.') == std::string_view::npos)) return ParseExcelSerial(text);
  if (numeric) {  // 20240301
    DateTimeValue value;
    CRM_ASSIGN_OR_RETURN(value.date, DateFromParts(std::string(text.substr(0, 4)), std::string(text.substr(4, 2)),
                                                   std::string(text.substr(6, 2))));
    return value;
  }
  CRM_ASSIGN_OR_RETURN(DateTokens tokens, Tokenize(std::string(text)));
  const size_t date_parts = tokens.time_start < 0 ? tokens.numbers.size() : static_cast<size_t>(tokens.time_start);
  if (date_parts != 3) return InvalidArgument("not a date");
  DateTimeValue value;
  CRM_ASSIGN_OR_RETURN(value.date, DateFromParts(tokens.numbers[0], tokens.numbers[1], tokens.numbers[2]));
  if (tokens.time_start >= 0) {
    CRM_ASSIGN_OR_RETURN(value.seconds_of_day, TimeFromParts(tokens));
    value.has_time = true;
  } else if (tokens.pm || tokens.am) {
    return InvalidArgument("not a date");
  }
  return value;
}

Result<std::string> ParseEmail(std::string_view text) {
  const std::string email = Lower(TrimText(text));
  const size_t at = email.find('@');
  if (email.size() > 254 || at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) {
    return InvalidArgument("not an e-mail address");
  }
  const std::string_view domain = std::string_view(email).substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size() || domain.find("..") != domain.npos) {
    return InvalidArgument("not an e-mail address");
  }
  for (unsigned char c : email) {
    if (c <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')') {
      return InvalidArgument("not an e-mail address");
    }
  }
  return email;
}

Result<domain::Gender> ParseGenderText(std::string_view text) {
  const std::string lower = Lower(TrimText(text));
  if (lower == "남" || lower == "남성" || lower == "남자" || lower == "m" || lower == "male") return domain::Gender::kMale;
  if (lower == "여" || lower == "여성" || lower == "여자" || lower == "f" || lower == "female") {
    return domain::Gender::kFemale;
  }
  return InvalidArgument("not a gender");
}

}  // namespace crm::importing

namespace crm::importing {
namespace {

std::optional<domain::PreferenceKind> PreferenceLabel(std::string_view label) {
  std::string lower;
  for (char c : TrimText(label)) {
    if (c != ' ') lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  using Kind = domain::PreferenceKind;
  static const std::pair<std::string_view, Kind> kLabels[] = {
      {"알레르기", Kind::kAllergy}, {"알러지", Kind::kAllergy}, {"allergy", Kind::kAllergy},
      {"allergies", Kind::kAllergy}, {"싫어함", Kind::kDislike}, {"비선호", Kind::kDislike},
      {"불호", Kind::kDislike},    {"dislike", Kind::kDislike},  {"dislikes", Kind::kDislike},
      {"금지", Kind::kNever},      {"절대", Kind::kNever},       {"never", Kind::kNever},
      {"좋아함", Kind::kLike},     {"선호", Kind::kLike},        {"like", Kind::kLike},
      {"likes", Kind::kLike}};
  for (const auto& [name, kind] : kLabels) {
    if (lower == name) return kind;
  }
  return std::nullopt;
}

}  // namespace

std::vector<PreferenceText> ParsePreferences(std::string_view text, domain::PreferenceKind default_kind) {
  std::vector<PreferenceText> preferences;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find_first_of(";|\n", start), text.size());
    std::string_view segment = text.substr(start, end - start);
    start = end + 1;
    domain::PreferenceKind kind = default_kind;
    for (std::string_view colon : {std::string_view(":"), std::string_view("\xEF\xBC\x9A")}) {  // ':' and '：'
      const size_t at = segment.find(colon);
      if (at == std::string_view::npos) continue;
      if (auto labelled = PreferenceLabel(segment.substr(0, at))) {
        kind = *labelled;
        segment.remove_prefix(at + colon.size());
      }
      break;
    }
    size_t item_start = 0;
    while (item_start <= segment.size()) {
      const size_t comma = std::min(segment.find(',', item_start), segment.size());
      const std::string_view item = TrimText(segment.substr(item_start, comma - item_start));
      if (!item.empty()) preferences.push_back({kind, std::string(item)});
      item_start = comma + 1;
    }
  }
  return preferences;
}

}  // namespace crm::importing

namespace crm::importing {

std::string FormatAmount(int64_t minor, int exponent) {
  const bool negative = minor < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  uint64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  const std::string whole = std::to_string(magnitude / scale);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(whole[i]);
  }
  std::string text = (negative ? "-" : "") + grouped;
  if (exponent > 0) text += fmt::format(".{:0{}}", magnitude % scale, exponent);
  return text;
}

}  // namespace crm::importing

namespace crm::importing {

std::optional<int> ExcessDecimals(std::string_view text, int exponent) {
  if (ParseAmount(text, exponent).ok()) return std::nullopt;
  constexpr int kMostDecimals = 9;
  for (int decimals = exponent + 1; decimals <= kMostDecimals; ++decimals) {
    if (ParseAmount(text, decimals).ok()) return decimals;
  }
  return std::nullopt;
}

}  // namespace crm::importing

namespace crm::importing {

std::optional<int> CurrencyExponent(std::string_view code) {
  static constexpr std::pair<std::string_view, int> kCurrencies[] = {
      {"KRW", 0}, {"JPY", 0}, {"VND", 0}, {"TWD", 2}, {"USD", 2}, {"GBP", 2}, {"EUR", 2}, {"CNY", 2},
      {"HKD", 2}, {"SGD", 2}, {"AUD", 2}, {"CAD", 2}, {"CHF", 2}, {"THB", 2}, {"PHP", 2}, {"KWD", 3}};
  for (const auto& [name, exponent] : kCurrencies) {
    if (name == code) return exponent;
  }
  return std::nullopt;
}

}  // namespace crm::importing
