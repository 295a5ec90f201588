// Opening an imported file: CSV (any encoding and delimiter) or XLSX, told apart by the zip
// signature, and its header row. Not thread-safe.
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "importing/row_source.h"
#include "importing/text_decoder.h"

namespace crm::importing {

enum class FileFormat { kCsv = 1, kXlsx = 2 };
const char* FileFormatName(FileFormat format);  // "csv", "xlsx"

struct SourceOptions {
  Encoding encoding = Encoding::kAuto;  // CSV only
  char delimiter = 0;                   // CSV only; 0: detect
  std::string sheet;                    // XLSX only; empty: the first sheet
};

struct OpenedSource {
  std::unique_ptr<RowSource> rows;
  FileFormat format = FileFormat::kCsv;
  Encoding encoding = Encoding::kUtf8;  // what the CSV was read as; UTF-8 for XLSX
  char delimiter = ',';
  std::vector<std::string> headers;  // trimmed, NFC
  std::string sheet;                 // XLSX: the name of the sheet read
};

// Opens `input` (which must outlive the source) and reads its header. kInvalidArgument ("file")
// for an empty file, a header that is not text, a broken workbook, or an old binary Excel file
// (.xls, BIFF in an OLE2 container: "save it as .xlsx or CSV"); kDataLoss when reading fails.
Result<OpenedSource> OpenSource(std::istream& input, const SourceOptions& options);

}  // namespace crm::importing
