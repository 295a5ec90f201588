#include "importing/csv_reader.h"

#include <array>

namespace crm::importing {
namespace {

constexpr size_t kBlockBytes = 1 << 16;
constexpr size_t kSniffRecords = 50;

enum class ParseOutcome { kRecord, kNeedMore, kEnd };

struct ParseState {
  size_t next = 0;  // where the following record starts
  int64_t newlines = 0;
  bool unterminated_quote = false;
};

// Reads a quoted field starting after its opening quote. Returns false when the text ends first.
bool ReadQuoted(std::string_view text, size_t& i, std::string& field, int64_t& newlines) {
  while (i < text.size()) {
    const size_t quote = text.find('"', i);
    const size_t stop = quote == std::string_view::npos ? text.size() : quote;
    for (size_t k = i; k < stop; ++k) newlines += text[k] == '\n';
    field.append(text.substr(i, stop - i));
    if (quote == std::string_view::npos) {
      i = text.size();
      return false;
    }
    if (quote + 1 >= text.size()) {
      i = quote;  // cannot tell a closing quote from the first of a doubled one yet
      return false;
    }
    if (text[quote + 1] == '"') {
      field.push_back('"');
      i = quote + 2;
      continue;
    }
    i = quote + 1;
    return true;
  }
  return false;
}

// Parses one record of `text` from `start`. At the end of the text without `eof`, asks for more.
ParseOutcome ParseRecord(std::string_view text, size_t start, bool eof, char delimiter,
                         std::vector<std::string>& fields, ParseState& state) {
  fields.clear();
  state = ParseState{};
  if (start >= text.size()) return eof ? ParseOutcome::kEnd : ParseOutcome::kNeedMore;
  std::string field;
  size_t i = start;
  bool field_start = true;
  while (true) {
    if (i >= text.size()) {
      if (!eof) return ParseOutcome::kNeedMore;
      fields.push_back(std::move(field));
      state.next = i;
      return ParseOutcome::kRecord;
    }
    const char c = text[i];
    if (field_start && c == '"') {
      ++i;
      if (!ReadQuoted(text, i, field, state.newlines)) {
        if (!eof) return ParseOutcome::kNeedMore;
        state.unterminated_quote = true;
        i = text.size();
      }
      field_start = false;
      continue;
    }
    field_start = false;
    if (c == delimiter) {
      fields.push_back(std::move(field));
      field.clear();
      field_start = true;
      ++i;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 >= text.size() && !eof) return ParseOutcome::kNeedMore;
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      ++state.newlines;
      fields.push_back(std::move(field));
      state.next = i;
      return ParseOutcome::kRecord;
    } else {
      field.push_back(c);
      ++i;
    }
  }
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
  ParseState state;
  size_t position = 0;
  while (counts.size() < max_records) {
    // The sample may end mid-record: count what is there.
    if (ParseRecord(text, position, true, delimiter, fields, state) != ParseOutcome::kRecord) break;
    position = state.next;
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
  CRM_ASSIGN_OR_RETURN(auto decoder, TextDecoder::Create(encoding));
  std::unique_ptr<CsvReader> reader(new CsvReader(input, std::move(decoder)));
  reader->eof_ = input.eof();
  CRM_RETURN_IF_ERROR(reader->decoder_->Decode(prefix, reader->eof_, reader->text_));
  reader->delimiter_ = options.delimiter != 0 ? options.delimiter : GuessDelimiter(reader->text_);
  return reader;
}

Status CsvReader::Refill() {
  text_.erase(0, position_);
  position_ = 0;
  std::string block(kBlockBytes, '\0');
  input_.read(block.data(), static_cast<std::streamsize>(block.size()));
  if (input_.bad()) return DataLoss("the file could not be read");
  block.resize(static_cast<size_t>(input_.gcount()));
  eof_ = input_.eof();
  return decoder_->Decode(block, eof_, text_);
}

Result<bool> CsvReader::Next(Record& record) {
  ParseState state;
  while (true) {
    const ParseOutcome outcome = ParseRecord(text_, position_, eof_, delimiter_, record.fields, state);
    if (outcome == ParseOutcome::kNeedMore) {
      CRM_RETURN_IF_ERROR(Refill());
      continue;
    }
    if (outcome == ParseOutcome::kEnd) return false;
    record.line = line_;
    record.unterminated_quote = state.unterminated_quote;
    line_ += state.newlines;
    position_ = state.next;
    if (!IsBlank(record.fields)) return true;
  }
}

}  // namespace crm::importing
