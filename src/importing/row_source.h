// RowSource: the records of a tabular file (CSV or an XLSX sheet), one at a time, as UTF-8 text
// fields. The first record is the header. Readers stream: memory does not grow with the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace crm::importing {

struct Record {
  std::vector<std::string> fields;
  int64_t line = 0;                 // where the record starts in the file (CSV line, XLSX row number)
  // The row a spreadsheet shows the record on: the header is row 1 and blank rows count (a CSV
  // record with quoted line breaks is one row).
  int64_t row = 0;
  bool unterminated_quote = false;  // CSV: the file ended inside a quoted field
};

class RowSource {
 public:
  virtual ~RowSource() = default;
  // Fills `record` and returns true, or returns false at the end. kDataLoss when the file cannot
  // be read further (a broken zip member, an I/O error).
  virtual Result<bool> Next(Record& record) = 0;
};

}  // namespace crm::importing
