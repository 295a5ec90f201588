// Writing a table out: the rows of an export as CSV (UTF-8 with a byte-order mark and CRLF line
// ends, so Excel opens it as UTF-8) or as an XLSX workbook (libxlsxwriter, in its constant-memory
// mode: each row goes to a temporary file as it is added, so a million rows do not stay in
// memory). A cell is text or a whole number; numbers are numbers in the workbook. Not
// thread-safe: one writer per export.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"

namespace crm::importing {

using Cell = std::variant<std::string, int64_t>;

class TableWriter {
 public:
  virtual ~TableWriter() = default;
  // Adds one row (the first row is the header). kDataLoss when the output cannot be written.
  virtual Status AddRow(const std::vector<Cell>& cells) = 0;
  // Completes the file. kDataLoss when it cannot be written. No row may follow.
  virtual Status Finish() = 0;
};

// CSV to `out`, which must outlive the writer. A text cell that a spreadsheet would read as a
// formula (starting with =, @, or + or - not followed by a digit) gets a leading apostrophe.
std::unique_ptr<TableWriter> NewCsvWriter(std::ostream& out);

// An XLSX workbook at `path` with one sheet named `sheet`. kInvalidArgument ("output") when the
// file cannot be created.
Result<std::unique_ptr<TableWriter>> NewXlsxWriter(const std::string& path, const std::string& sheet);

inline constexpr const char* kCsvMediaType = "text/csv; charset=utf-8";
inline constexpr const char* kXlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace crm::importing
