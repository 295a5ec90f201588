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

class CsvReader final : public RowSource {
 public:
  // Reads the first block of `input` to detect what is not given. `input` must outlive the reader.
  // kDataLoss when the input cannot be read or converted.
  static Result<std::unique_ptr<CsvReader>> Open(std::istream& input, const CsvOptions& options = {});

  Result<bool> Next(Record& record) override;
  char delimiter() const { return delimiter_; }
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
  bool eof_ = false;
  char delimiter_ = ',';
};

// Splits `text` into records with `delimiter` and returns the field count of each of the first
// `max_records`; exposed for the delimiter guess and its tests.
std::vector<size_t> FieldCounts(std::string_view text, char delimiter, size_t max_records);

}  // namespace crm::importing
