#include "importing/csv_reader.h"

#include <fmt/format.h>

#include <array>

namespace crm::importing {
namespace {

constexpr size_t kBlockBytes = 1 << 16;
constexpr size_t kSniffRecords = 50;
// A record (a row with its quoted line breaks) may hold this much text; a quote that is never
// closed would otherwise make the rest of the file one record held in memory.
constexpr size_t kMaxRecordBytes = size_t{1} << 20;

enum class ParseOutcome { kRecord, kNeedMore, kEnd, kTooLong };

// Reads a quoted field from `cursor.position`, after its opening quote, until its closing quote
// or the end of the text. Returns false when the text ends first (the cursor then resumes later).
bool ReadQuoted(std::string_view text, bool eof, RecordCursor& cursor) {
  size_t& i = cursor.position;
  while (i < text.size()) {
    const size_t quote = text.find('"', i);
    const size_t stop = quote == std::string_view::npos ? text.size() : quote;
    for (size_t k = i; k < stop; ++k) cursor.newlines += text[k] == '\n';
    cursor.field.append(text.substr(i, stop - i));
    if (quote == std::string_view::npos) {
      i = text.size();
      return false;
    }
    if (quote + 1 >= text.size() && !eof) {
      i = quote;  // cannot tell a closing quote from the first of a doubled one yet
      return false;
    }
    if (quote + 1 < text.size() && text[quote + 1] == '"') {
      cursor.field.push_back('"');
      i = quote + 2;
      continue;
    }
    i = quote + 1;
    return true;
  }
  return false;
}

// Parses one record of `text`, resuming where `cursor` stopped (it starts a record when idle). At
// the end of the text without `eof`, keeps its progress in `cursor` and asks for more, so that no
// byte is looked at twice. kTooLong past kMaxRecordBytes.
ParseOutcome ParseRecord(std::string_view text, size_t start, bool eof, char delimiter,
                         std::vector<std::string>& fields, RecordCursor& cursor) {
  if (!cursor.active) {
    fields.clear();
    cursor = RecordCursor{};
    cursor.start = cursor.position = start;
    if (start >= text.size()) return eof ? ParseOutcome::kEnd : ParseOutcome::kNeedMore;
    cursor.active = true;
  }
  size_t& i = cursor.position;
  const auto need_more = [&] {
    return i - cursor.start > kMaxRecordBytes ? ParseOutcome::kTooLong : ParseOutcome::kNeedMore;
  };
  const auto end_record = [&](size_t next) {
    fields.push_back(std::move(cursor.field));
    cursor.field.clear();
    cursor.next = next;
    cursor.position = next;
    cursor.active = false;
    return ParseOutcome::kRecord;
  };
  while (true) {
    if (cursor.in_quotes) {
      if (!ReadQuoted(text, eof, cursor)) {
        if (!eof) return need_more();
        cursor.unterminated_quote = true;
        i = text.size();
      }
      cursor.in_quotes = false;
      continue;
    }
    if (i >= text.size()) {
      if (!eof) return need_more();
      return end_record(i);
    }
    const char c = text[i];
    if (cursor.field_start && c == '"') {
      ++i;
      cursor.in_quotes = true;
      cursor.field_start = false;
      continue;
    }
    cursor.field_start = false;
    if (c == delimiter) {
      fields.push_back(std::move(cursor.field));
      cursor.field.clear();
      cursor.field_start = true;
      ++i;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 >= text.size() && !eof) return need_more();
      ++cursor.newlines;
      return end_record(i + ((c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1));
    } else {
      cursor.field.push_back(c);
      ++i;
    }
  }
}

// Text files hold no NUL and few control characters; executables, images and archives hold many.
bool LooksBinary(std::string_view prefix, Encoding encoding) {
  if (encoding == Encoding::kUtf16Le || encoding == Encoding::kUtf16Be) return false;
  size_t controls = 0;
  for (const char c : prefix) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0) return true;
    const bool allowed = byte == '\t' || byte == '\n' || byte == '\r' || byte == '\f' || byte == 0x1A;
    controls += (byte < 0x20 && !allowed) || byte == 0x7F;
  }
  return controls * 100 > prefix.size();
}

bool IsBlank(const std::vector<std::string>& fields) { return fields.size() == 1 && fields[0].empty(); }

char GuessDelimiter(std::string_view sample) {
  char best = ',';
  size_t best_score = 0;
  for (char candidate : {',', ';', '\t', '|'}) {
    const std::vector<size_t> counts = FieldCounts(sample, candidate, kSniffRecords);
    if (counts.empty() || counts[0] < 2) continue;
    size_t score = 0;
    for (size_t count : counts) score += count == counts[0];
    if (score > best_score) {
      best = candidate;
      best_score = score;
    }
  }
  return best;
}

}  // namespace

std::vector<size_t> FieldCounts(std::string_view text, char delimiter, size_t max_records) {
  std::vector<size_t> counts;
  std::vector<std::string> fields;
  RecordCursor cursor;
  size_t position = 0;
  while (counts.size() < max_records) {
    // The sample may end mid-record: count what is there.
    if (ParseRecord(text, position, true, delimiter, fields, cursor) != ParseOutcome::kRecord) break;
    position = cursor.next;
    if (!IsBlank(fields)) counts.push_back(fields.size());
  }
  return counts;
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(std::istream& input, const CsvOptions& options) {
  std::string prefix(kBlockBytes, '\0');
  input.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  if (input.bad()) return DataLoss("the file could not be read");
  prefix.resize(static_cast<size_t>(input.gcount()));
  const Encoding encoding = options.encoding == Encoding::kAuto ? DetectEncoding(prefix) : options.encoding;
  if (LooksBinary(prefix, encoding)) {
    return InvalidArgument("the file is not text (it holds NUL or control bytes): export the sheet as CSV or XLSX",
                           "file");
  }
  CRM_ASSIGN_OR_RETURN(auto decoder, TextDecoder::Create(encoding));
  std::unique_ptr<CsvReader> reader(new CsvReader(input, std::move(decoder)));
  reader->eof_ = input.eof();
  CRM_RETURN_IF_ERROR(reader->decoder_->Decode(prefix, reader->eof_, reader->text_));
  reader->delimiter_ = options.delimiter != 0 ? options.delimiter : GuessDelimiter(reader->text_);
  return reader;
}

Status CsvReader::Refill() {
  // The record in progress starts at position_: what is before it is done with.
  text_.erase(0, position_);
  if (cursor_.active) {
    cursor_.start -= position_;
    cursor_.position -= position_;
  }
  position_ = 0;
  std::string block(kBlockBytes, '\0');
  input_.read(block.data(), static_cast<std::streamsize>(block.size()));
  if (input_.bad()) return DataLoss("the file could not be read");
  block.resize(static_cast<size_t>(input_.gcount()));
  eof_ = input_.eof();
  return decoder_->Decode(block, eof_, text_);
}

Result<bool> CsvReader::Next(Record& record) {
  cursor_ = RecordCursor{};
  while (true) {
    const size_t scan_from = cursor_.active ? cursor_.position : position_;
    const ParseOutcome outcome = ParseRecord(text_, position_, eof_, delimiter_, record.fields, cursor_);
    scanned_bytes_ += static_cast<int64_t>(cursor_.position - scan_from);
    if (outcome == ParseOutcome::kTooLong) {
      return InvalidArgument(fmt::format("line {}: a row longer than {} KiB; a quote that is never closed?", line_,
                                         kMaxRecordBytes >> 10),
                             "file");
    }
    if (outcome == ParseOutcome::kNeedMore) {
      CRM_RETURN_IF_ERROR(Refill());
      continue;
    }
    if (outcome == ParseOutcome::kEnd) return false;
    record.line = line_;
    record.row = ++row_;
    record.unterminated_quote = cursor_.unterminated_quote;
    line_ += cursor_.newlines;
    position_ = cursor_.next;
    if (!IsBlank(record.fields)) return true;
  }
}

}  // namespace crm::importing
