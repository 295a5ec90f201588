// libFuzzer target for the import's readers and value parsers: the CSV reader (with encoding and
// delimiter detection), the XLSX reader, dates, amounts, quantities and e-mails, and the whole
// cleansing of a CSV as transactions and as customers. Invariants: no crash, no sanitizer report,
// a parsed date or amount reads back the same from its canonical form, and a workbook is either
// read within its limits or refused as bad input (with the default limits and with tight ones that
// the fuzzer's inputs reach).
// Build and run: see docs/import.md ("Fuzzing").
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "common/status.h"
#include "importing/cleanser.h"
#include "importing/source_opener.h"
#include "importing/value_parsers.h"
#include "importing/xlsx_reader.h"

namespace {

class NullSink final : public crm::importing::RecordSink {
 public:
  crm::Status OnCustomer(crm::importing::CustomerRecord) override { return crm::Status::Ok(); }
  crm::Status OnOrder(crm::importing::OrderRecord) override { return crm::Status::Ok(); }
};

void CheckValues(std::string_view text) {
  using namespace crm::importing;
  if (auto date = ParseDateTime(text); date.ok()) {
    auto again = ParseDateTime(date->ToString());
    CRM_CHECK(again.ok() && again->ToString() == date->ToString());
  }
  for (int exponent : {0, 2}) {
    if (auto amount = ParseAmount(text, exponent); amount.ok()) {
      CRM_CHECK(*amount > -1'000'000'000'000'000'000LL && *amount < 1'000'000'000'000'000'000LL);
    }
  }
  (void)ParseQuantity(text);
  if (auto email = ParseEmail(text); email.ok()) CRM_CHECK(ParseEmail(*email).ok());
}

void Cleanse(const std::string& bytes, crm::importing::ImportKind kind) {
  using namespace crm::importing;
  std::istringstream input(bytes);
  auto source = OpenSource(input, SourceOptions{});
  if (!source.ok()) return;
  ColumnMapping mapping = GuessMapping(source->headers, kind);
  if (!ValidateMapping(mapping, kind).ok()) {
    // Map the columns in order so that the rules still run on arbitrary headers.
    const std::vector<Field> allowed = AllowedFields(kind);
    for (size_t i = 0; i < mapping.fields.size(); ++i) mapping.fields[i] = i < allowed.size() ? allowed[i] : Field::kIgnore;
    if (!ValidateMapping(mapping, kind).ok()) return;
  }
  ImportReport report;
  CleanseOptions options;
  options.kind = kind;
  Cleanser cleanser(mapping, options, report);
  NullSink sink;
  Record record;
  int64_t row = 0;
  while (true) {
    auto more = source->rows->Next(record);
    if (!more.ok() || !*more) break;
    if (!cleanser.Add(record, ++row, sink).ok()) return;
  }
  (void)cleanser.Finish(sink);
}

// Limits small enough for inputs of a few hundred KiB (deflated: a few MiB) to reach each of them.
crm::importing::XlsxLimits TightLimits() {
  crm::importing::XlsxLimits limits;
  limits.max_decompressed_bytes = 1 << 20;
  limits.max_shared_string_bytes = 64 << 10;
  limits.max_cell_bytes = 4 << 10;
  limits.max_row_bytes = 16 << 10;
  limits.max_sheet_text_bytes = 256 << 10;
  limits.max_token_bytes = 16 << 10;
  limits.ready_row_bytes = 4 << 10;
  limits.max_columns = 64;
  limits.max_depth = 16;
  return limits;
}

// Reads a workbook to its end; a refusal must be bad input, never a broken invariant.
void ReadWorkbook(const std::string& bytes, const crm::importing::XlsxLimits& limits) {
  auto workbook = crm::importing::XlsxReader::Open(bytes, {}, limits);
  if (!workbook.ok()) {
    CRM_CHECK(workbook.status().code() == crm::StatusCode::kInvalidArgument);
    return;
  }
  crm::importing::Record record;
  while (true) {
    auto more = (*workbook)->Next(record);
    if (!more.ok()) CRM_CHECK(more.status().code() == crm::StatusCode::kInvalidArgument);
    if (!more.ok() || !*more) break;
    CRM_CHECK(static_cast<int>(record.fields.size()) <= limits.max_columns);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  CheckValues(bytes);
  Cleanse(bytes, crm::importing::ImportKind::kTransactions);
  Cleanse(bytes, crm::importing::ImportKind::kCustomers);
  Cleanse("PK\x03\x04" + bytes, crm::importing::ImportKind::kCustomers);
  ReadWorkbook(bytes, crm::importing::XlsxLimits{});
  ReadWorkbook(bytes, TightLimits());
  return 0;
}
