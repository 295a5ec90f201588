// Runs every case under tests/data/import/<case>/: the input file (input.csv or input.xlsx) is
// read and cleansed as expected.json's "kind" and "options" say, and the report must equal its
// "expect". With DANGOL_UPDATE_IMPORT_CASES=1 the test writes what it found into expected.json
// instead, for a person to review.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "importing/cleanser.h"
#include "importing/source_opener.h"

namespace crm::importing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A customer's history as the cleanser gave it, for the cases that ask for "details".
json HistoryJson(const CustomerRecord& customer) {
  const OpeningRecord& opening = customer.opening;
  json preferences = json::array();
  for (const PreferenceText& preference : customer.preferences) {
    preferences.push_back({domain::ToString(preference.kind), preference.subject});
  }
  auto time = [](const std::optional<Timestamp>& at) { return at ? json(at->ToIso8601()) : json(); };
  return {{"row", customer.row},
          {"name", customer.name},
          {"visits", opening.visit_count},
          {"spend", opening.total_spend},
          {"first_visit", time(opening.first_visit_at)},
          {"last_visit", time(opening.last_visit_at)},
          {"points", opening.points ? json(*opening.points) : json()},
          {"tier", opening.tier},
          {"note", customer.note},
          {"preferences", preferences}};
}

class CountingSink final : public RecordSink {
 public:
  Status OnCustomer(CustomerRecord customer) override {
    ++customers;
    details.push_back(HistoryJson(customer));
    return Status::Ok();
  }
  Status OnWriteOff(WriteOffRecord write_off) override {
    ++write_offs;
    write_off_units += write_off.line.quantity;
    return Status::Ok();
  }
  Status OnOrder(OrderRecord order) override {
    ++orders;
    refunds += order.kind == domain::OrderKind::kRefund;
    linked_refunds += !order.original_external_id.empty();
    anonymous_orders += !order.customer.HasKey();
    lines += static_cast<int64_t>(order.lines.size());
    total += order.total.minor_units();
    return Status::Ok();
  }
  json details = json::array();
  int64_t write_offs = 0, write_off_units = 0;
  int64_t customers = 0, orders = 0, refunds = 0, linked_refunds = 0, anonymous_orders = 0, lines = 0, total = 0;
};

json RunCase(const fs::path& directory, const json& spec) {
  const fs::path input = fs::exists(directory / "input.xlsx") ? directory / "input.xlsx" : directory / "input.csv";
  std::ifstream file(input, std::ios::binary);
  SourceOptions source_options;
  const json options = spec.value("options", json::object());
  if (options.contains("encoding")) source_options.encoding = *ParseEncoding(options["encoding"].get<std::string>());
  source_options.sheet = options.value("sheet", "");
  auto source = OpenSource(file, source_options);
  if (!source.ok()) return json{{"error", source.status().message()}};
  const ImportKind kind = *ParseImportKind(spec["kind"].get<std::string>());
  ColumnMapping mapping = GuessMapping(source->headers, kind);
  json result;
  result["format"] = FileFormatName(source->format);
  result["encoding"] = EncodingName(source->encoding);
  for (Field field : mapping.fields) result["mapping"].push_back(FieldName(field));
  if (Status valid = ValidateMapping(mapping, kind); !valid.ok()) {
    result["error"] = valid.message();
    return result;
  }
  CleanseOptions cleanse;
  cleanse.kind = kind;
  cleanse.currency_exponent = options.value("currency_exponent", 0);
  cleanse.utc_offset_minutes = options.value("utc_offset_minutes", 540);
  // Line files are read twice, as the import does: a scan of the invoices, then the records.
  InvoicePlan plan;
  if (kind == ImportKind::kOrderLines || kind == ImportKind::kTransactions) {
    ImportReport scratch;
    Cleanser scanner(mapping, cleanse, scratch, CleanserPass::kScanInvoices);
    CountingSink nothing;
    Record record;
    while (*source->rows->Next(record)) EXPECT_TRUE(scanner.Add(record, record.row, nothing).ok());
    EXPECT_TRUE(scanner.Finish(nothing).ok());
    plan = scanner.TakePlan();
    file.clear();
    file.seekg(0);
    source = OpenSource(file, source_options);
  }
  ImportReport report;
  Cleanser cleanser(mapping, cleanse, report, CleanserPass::kRecords, std::move(plan));
  CountingSink sink;
  Record record;
  while (*source->rows->Next(record)) EXPECT_TRUE(cleanser.Add(record, record.row, sink).ok());
  EXPECT_TRUE(cleanser.Finish(sink).ok());
  result["rows_read"] = report.rows_read;
  result["rows_rejected"] = report.rows_rejected;
  result["rows_skipped"] = report.rows_skipped;
  result["customers"] = sink.customers;
  result["orders"] = sink.orders;
  result["refunds"] = sink.refunds;
  result["linked_refunds"] = sink.linked_refunds;
  result["anonymous_orders"] = sink.anonymous_orders;
  result["lines"] = sink.lines;
  result["total"] = sink.total;
  if (sink.write_offs > 0) result["write_offs"] = {{"lines", sink.write_offs}, {"units", sink.write_off_units}};
  if (spec.value("details", false)) result["customers_detail"] = sink.details;
  result["counts"] = json::object();
  for (size_t code = 0; code < kIssueCodeCount; ++code) {
    const int64_t count = report.Count(static_cast<IssueCode>(code));
    if (count > 0) result["counts"][IssueCodeName(static_cast<IssueCode>(code))] = count;
  }
  result["issues"] = json::array();
  for (const RowIssue& issue : report.issues()) {
    result["issues"].push_back({{"row", issue.row}, {"column", issue.column}, {"code", IssueCodeName(issue.code)},
                                {"message", issue.message}});
  }
  return result;
}

TEST(ImportCasesTest, EveryCaseGivesItsExpectedReport) {
  const fs::path root(DANGOL_IMPORT_CASES);
  ASSERT_TRUE(fs::exists(root));
  const bool update = std::getenv("DANGOL_UPDATE_IMPORT_CASES") != nullptr;
  int cases = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory() || !fs::exists(entry.path() / "expected.json")) continue;
    std::ifstream expected_file(entry.path() / "expected.json");
    json spec = json::parse(expected_file);
    const json actual = RunCase(entry.path(), spec);
    ++cases;
    if (update) {
      spec["expect"] = actual;
      std::ofstream(entry.path() / "expected.json") << spec.dump(2) << "\n";
      continue;
    }
    EXPECT_EQ(actual, spec["expect"]) << entry.path().filename() << ":\n" << actual.dump(2);
  }
  EXPECT_GT(cases, 0);
}

}  // namespace
}  // namespace crm::importing
