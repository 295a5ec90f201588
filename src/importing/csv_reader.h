// CsvReader: streams the records of a delimited text file. Detects the encoding (see
// text_decoder.h) and the delimiter (`,` `;` tab or `|`, whichever splits the first lines into the
// same number of fields most often) unless told; reads RFC 4180 quoting (quoted fields may hold
// delimiters, newlines and doubled quotes) and tolerates ragged rows and stray quotes. Blank lines
// are skipped. Not thread-safe.
#pragma once

#include <istream>
#include <memory>
#include <string>

#include "importing/row_source.h"
#include "importing/text_decoder.h"

namespace crm::importing {

struct CsvOptions {
  Encoding encoding = Encoding::kAuto;
  char delimiter = 0;  // 0: detect
};

// Where the parse of one record stands, so that it resumes after more text arrives instead of
// starting the record again. Internal to the reader.
struct RecordCursor {
  bool active = false;      // a record is in progress
  size_t start = 0;         // where it starts in the text
  size_t position = 0;      // the next byte to look at
  size_t next = 0;          // once complete: where the following record starts
  std::string field;        // the field being read
  bool field_start = true;
  bool in_quotes = false;
  int64_t newlines = 0;
  bool unterminated_quote = false;
};

class CsvReader final : public RowSource {
 public:
  // Reads the first block of `input` to detect what is not given. `input` must outlive the reader.
  // kDataLoss when the input cannot be read or converted; kInvalidArgument ("file") when it holds
  // binary bytes (NUL, most control characters) and so is not text.
  static Result<std::unique_ptr<CsvReader>> Open(std::istream& input, const CsvOptions& options = {});

  // As RowSource::Next; also kInvalidArgument ("file") naming the line of a record longer than
  // 1 MiB (what a quote never closed makes of the rest of a file).
  Result<bool> Next(Record& record) override;
  char delimiter() const { return delimiter_; }
  // How many bytes of decoded text the parser has looked at: each once, so never more than the
  // text holds, whatever its quoting.
  int64_t scanned_bytes() const { return scanned_bytes_; }
  Encoding encoding() const { return decoder_->encoding(); }

 private:
  CsvReader(std::istream& input, std::unique_ptr<TextDecoder> decoder)
      : input_(input), decoder_(std::move(decoder)) {}
  // Appends the next block of decoded text; sets eof_ after the last.
  Status Refill();

  std::istream& input_;
  std::unique_ptr<TextDecoder> decoder_;
  std::string text_;
  size_t position_ = 0;
  int64_t line_ = 1;
  int64_t row_ = 0;  // records so far, blank ones included
  RecordCursor cursor_;
  int64_t scanned_bytes_ = 0;
  bool eof_ = false;
  char delimiter_ = ',';
};

// Splits `text` into records with `delimiter` and returns the field count of each of the first
// `max_records`; exposed for the delimiter guess and its tests.
std::vector<size_t> FieldCounts(std::string_view text, char delimiter, size_t max_records);

}  // namespace crm::importing
