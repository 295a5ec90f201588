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

// What one workbook may hold. With the workbook's own bytes they bound the reader's memory for
// any input: the shared strings, one row in flight, the rows of one paused parse and one XML token
// in expat's buffer (about 75 MiB beside the workbook with these defaults).
struct XlsxLimits {
  size_t max_decompressed_bytes = size_t{1} << 30;  // all parts together, unpacked
  size_t max_shared_string_bytes = size_t{64} << 20;  // their text plus 64 bytes of overhead each
  size_t max_cell_bytes = size_t{128} << 10;          // Excel's own limit is 32,767 characters
  size_t max_row_bytes = size_t{1} << 20;
  size_t max_sheet_text_bytes = size_t{1} << 30;  // all rows' text, shared strings expanded
  size_t max_token_bytes = size_t{1} << 20;       // one tag, comment or declaration
  size_t ready_row_bytes = size_t{4} << 20;       // parsed rows held before parsing pauses
  int max_columns = 1024;
  int max_depth = 32;  // XML elements nested
};

class XlsxReader final : public RowSource {
 public:
  // Opens the workbook in `bytes` (which the reader keeps) at the sheet named `sheet`, or at the
  // first sheet when `sheet` is empty. kInvalidArgument ("file") when it is not a workbook, is
  // damaged (a member that cannot be unpacked, XML that is not well-formed, a DTD) or goes past
  // `limits`; kInvalidArgument ("sheet") when it has no such sheet.
  static Result<std::unique_ptr<XlsxReader>> Open(std::string bytes, const std::string& sheet = {},
                                                  const XlsxLimits& limits = {});
  ~XlsxReader() override;

  // As RowSource::Next; kInvalidArgument ("file") for a damaged sheet or one past the limits.
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
