// XlsxReader: streams the rows of one sheet of an Office Open XML workbook (.xlsx) with libzip and
// expat, never building the sheet in memory. Reads shared strings (rich-text runs joined, phonetic
// guides dropped), inline strings, booleans and numbers (written back in their shortest form),
// and turns numbers whose cell style is a date format into "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS".
// Cells missing from a row come out as empty fields; empty rows are skipped. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "importing/row_source.h"

namespace crm::importing {

class XlsxReader final : public RowSource {
 public:
  // Opens the workbook in `bytes` (which the reader keeps) at the sheet named `sheet`, or at the
  // first sheet when `sheet` is empty. kInvalidArgument when it is not a workbook or has no such
  // sheet; kDataLoss when a part of it cannot be read.
  static Result<std::unique_ptr<XlsxReader>> Open(std::string bytes, const std::string& sheet = {});
  ~XlsxReader() override;

  Result<bool> Next(Record& record) override;
  const std::vector<std::string>& sheet_names() const;

  struct State;  // the parse state the expat handlers share; internal

 private:
  explicit XlsxReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// True when `bytes` start like a zip archive (and so may be a workbook).
bool LooksLikeZip(std::string_view bytes);

}  // namespace crm::importing
