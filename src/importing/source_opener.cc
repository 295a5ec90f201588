#include "importing/source_opener.h"

#include <iterator>

#include "domain/korean_text.h"
#include "importing/csv_reader.h"
#include "importing/xlsx_reader.h"

namespace crm::importing {
namespace {

// The workbook is held in memory while it is read: with the reader's own limits (xlsx_reader.cc)
// this keeps an import of any input within the bound docs/import.md states.
constexpr size_t kMaxWorkbookBytes = size_t{96} << 20;

Result<std::unique_ptr<XlsxReader>> OpenWorkbook(std::istream& input, const SourceOptions& options) {
  std::string bytes;
  char buffer[1 << 16];
  while (input.read(buffer, sizeof buffer) || input.gcount() > 0) {
    bytes.append(buffer, static_cast<size_t>(input.gcount()));
    if (bytes.size() > kMaxWorkbookBytes) return InvalidArgument("the workbook is larger than 96 MiB", "file");
  }
  if (input.bad()) return DataLoss("the file could not be read");
  return XlsxReader::Open(std::move(bytes), options.sheet);
}

}  // namespace

const char* FileFormatName(FileFormat format) { return format == FileFormat::kXlsx ? "xlsx" : "csv"; }

Result<OpenedSource> OpenSource(std::istream& input, const SourceOptions& options) {
  OpenedSource source;
  char signature[4] = {};
  input.read(signature, sizeof signature);
  const std::string_view start(signature, static_cast<size_t>(input.gcount()));
  const bool is_zip = LooksLikeZip(start);
  // D0 CF 11 E0: the OLE2 container of Excel 97-2003 workbooks (.xls), which is not read here.
  if (start == std::string_view("\xD0\xCF\x11\xE0", 4)) {
    return InvalidArgument("this is an old Excel workbook (.xls), which cannot be read: save it as .xlsx or CSV",
                           "file");
  }
  input.clear();
  input.seekg(0);
  if (!input) return DataLoss("the file could not be read");
  if (is_zip) {
    CRM_ASSIGN_OR_RETURN(auto workbook, OpenWorkbook(input, options));
    // The reader opens the first sheet when none is named.
    source.sheet = !options.sheet.empty()         ? options.sheet
                   : workbook->sheet_names().empty() ? std::string()
                                                     : workbook->sheet_names().front();
    source.rows = std::move(workbook);
    source.format = FileFormat::kXlsx;
  } else {
    CsvOptions csv;
    csv.encoding = options.encoding;
    csv.delimiter = options.delimiter;
    CRM_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(input, csv));
    source.encoding = reader->encoding();
    source.delimiter = reader->delimiter();
    source.rows = std::move(reader);
  }
  Record header;
  CRM_ASSIGN_OR_RETURN(bool found, source.rows->Next(header));
  if (!found) return InvalidArgument("the file is empty", "file");
  for (const std::string& field : header.fields) {
    auto text = domain::NormalizeText(field);
    if (!text.ok()) return InvalidArgument("the header is not text in the encoding read", "file");
    source.headers.push_back(std::move(text).value());
  }
  return source;
}

}  // namespace crm::importing
