#include "app/import_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "app/import_writer.h"
#include "domain/korean_text.h"
#include "importing/cleanser.h"
#include "importing/csv_writer.h"
#include "importing/fingerprint.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

using import_internal::ImportWriter;
using import_internal::WriteSettings;

constexpr int64_t kProgressEveryRows = 5000;

// The rejects file is held in memory beside the import: bounded, like everything an import holds.
constexpr size_t kMaxRejectsBytes = size_t{32} << 20;

std::string FieldsText(const std::vector<importing::Field>& fields) {
  std::string text;
  for (size_t i = 0; i < fields.size(); ++i) text += (i > 0 ? "," : "") + std::string(importing::FieldName(fields[i]));
  return text;
}

std::optional<std::vector<importing::Field>> ParseFieldsText(const std::string& text) {
  std::vector<importing::Field> fields;
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = std::min(text.find(',', start), text.size());
    auto field = importing::ParseField(std::string_view(text).substr(start, comma - start));
    if (!field) return std::nullopt;
    fields.push_back(*field);
    start = comma + 1;
  }
  return fields;
}

Result<std::string> HashInput(std::istream& input, int64_t* size) {
  importing::Fingerprint fingerprint;
  std::string buffer(1 << 16, '\0');
  *size = 0;
  while (input.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || input.gcount() > 0) {
    fingerprint.Add(std::string_view(buffer.data(), static_cast<size_t>(input.gcount())));
    *size += input.gcount();
  }
  if (input.bad()) return DataLoss("the file could not be read");
  input.clear();
  input.seekg(0);
  if (!input) return InvalidArgument("the file cannot be read twice", "file");
  return fingerprint.Hex();
}

// A column whose header names a field Dangol knows but which the mapping ignores would lose that
// data without a word: the run stops until the user confirms (ImportRequest::confirm_ignored).
Status CheckIgnoredColumns(const importing::ColumnMapping& mapping, importing::ImportKind kind) {
  const importing::ColumnMapping guess = importing::GuessMapping(mapping.headers, kind);
  for (size_t column = 0; column < mapping.fields.size(); ++column) {
    const importing::Field guessed = guess.fields[column];
    if (mapping.fields[column] != importing::Field::kIgnore || guessed == importing::Field::kIgnore ||
        guessed == importing::Field::kAttribute) {
      continue;
    }
    return FailedPrecondition(fmt::format("column \"{}\" looks like {} but is mapped to ignore: map it, or confirm "
                                          "that it is to be left out (--confirm-ignored)",
                                          mapping.headers[column], importing::FieldName(guess.fields[column])),
                              "mapping")
        .WithReason("ignored_known_column");
  }
  return Status::Ok();
}

// Every column no field takes is named once, on the header's row, so that nothing is dropped unseen.
void ReportUnmappedColumns(const importing::ColumnMapping& mapping, importing::ImportReport& report) {
  for (size_t column = 0; column < mapping.fields.size(); ++column) {
    if (mapping.fields[column] != importing::Field::kIgnore) continue;
    report.Add({1, mapping.headers[column], importing::IssueCode::kUnmappedColumn,
                "not imported: no field takes this column"});
  }
}

// A file of which most rows fail for one reason was read with the wrong settings or mapping, not
// written with many mistakes: such a run stops before anything is written and says what to change.
Status MostRowsFail(const importing::ImportReport& report, int exponent, int excess_decimals) {
  constexpr int64_t kFewestRows = 10;
  if (report.rows_read < kFewestRows || report.rows_rejected * 2 <= report.rows_read) return Status::Ok();
  const int64_t too_precise = report.Count(importing::IssueCode::kTooManyDecimals);
  if (too_precise * 2 > report.rows_read && excess_decimals > exponent) {
    return FailedPrecondition(fmt::format("{} of {} rows have amounts with more decimals than the currency allows "
                                          "({}): the amounts have {} decimals: set the business currency or pass "
                                          "--currency-exponent {}; nothing was imported",
                                          too_precise, report.rows_read, exponent, excess_decimals, excess_decimals),
                              "currency_exponent")
        .WithReason("most_rows_rejected");
  }
  importing::IssueCode worst = importing::IssueCode::kInvalidText;
  for (size_t code = 0; code < importing::kIssueCodeCount; ++code) {
    const auto candidate = static_cast<importing::IssueCode>(code);
    if (importing::SeverityOf(candidate) != importing::Severity::kError) continue;
    if (report.Count(candidate) > report.Count(worst)) worst = candidate;
  }
  if (report.Count(worst) * 2 <= report.rows_read) return Status::Ok();
  return FailedPrecondition(fmt::format("{} of {} rows are rejected as {}: check the column mapping, the encoding and "
                                        "the options; nothing was imported",
                                        report.Count(worst), report.rows_read, importing::IssueCodeName(worst)),
                            "file")
      .WithReason("most_rows_rejected");
}

// The scan of a line file: where each invoice ends and which invoices have a bad line.
Result<importing::InvoicePlan> PlanInvoices(std::istream& input, const ImportRequest& request,
                                            const importing::ColumnMapping& mapping,
                                            const importing::CleanseOptions& options) {
  input.clear();
  input.seekg(0);
  CRM_ASSIGN_OR_RETURN(importing::OpenedSource source, importing::OpenSource(input, request.source));
  importing::ImportReport scratch;
  importing::Cleanser scanner(mapping, options, scratch, importing::CleanserPass::kScanInvoices);
  // The scan hands nothing over; its sink is never called.
  struct Discard final : importing::RecordSink {
    Status OnCustomer(importing::CustomerRecord) override { return Status::Ok(); }
    Status OnOrder(importing::OrderRecord) override { return Status::Ok(); }
  } discard;
  importing::Record record;
  int64_t row = 0;
  while (true) {
    CRM_ASSIGN_OR_RETURN(bool more, source.rows->Next(record));
    if (!more) break;
    ++row;
    CRM_RETURN_IF_ERROR(scanner.Add(record, record.row > 0 ? record.row : row + 1, discard).status());
  }
  CRM_RETURN_IF_ERROR(scanner.Finish(discard));
  return scanner.TakePlan();
}

// One pass over the file (after the scan, for line files): cleanse every row, hand the records to
// the writer, collect rejects.
// `excess_decimals` is set to the decimals most too-precise amounts had (see MostRowsFail).
Status CleanseFile(std::istream& input, const ImportRequest& request, const importing::ColumnMapping& mapping,
                   const importing::CleanseOptions& options, int64_t file_size, ImportWriter& writer,
                   ImportOutcome& outcome, int& excess_decimals) {
  importing::InvoicePlan plan;
  if (request.kind == importing::ImportKind::kOrderLines || request.kind == importing::ImportKind::kTransactions) {
    CRM_ASSIGN_OR_RETURN(plan, PlanInvoices(input, request, mapping, options));
  }
  input.clear();
  input.seekg(0);
  CRM_ASSIGN_OR_RETURN(importing::OpenedSource source, importing::OpenSource(input, request.source));
  importing::Cleanser cleanser(mapping, options, outcome.report, importing::CleanserPass::kRecords, std::move(plan));
  std::vector<std::string> rejects_header = mapping.headers;
  rejects_header.push_back("reason");
  outcome.rejects_csv = std::string(importing::kUtf8Bom) + importing::CsvLine(rejects_header);
  importing::Record record;
  int64_t row = 0;
  while (true) {
    CRM_ASSIGN_OR_RETURN(bool more, source.rows->Next(record));
    if (!more) break;
    ++row;
    // Reports name the row as the spreadsheet shows it (the header is row 1).
    const int64_t sheet_row = record.row > 0 ? record.row : row + 1;
    CRM_ASSIGN_OR_RETURN(importing::RowOutcome result, cleanser.Add(record, sheet_row, writer));
    if (result.rejected && outcome.rejects_csv.size() < kMaxRejectsBytes) {
      record.fields.push_back(result.reason);
      outcome.rejects_csv += importing::CsvLine(record.fields);
    } else if (result.rejected) {
      outcome.rejects_truncated = true;
    }
    if (request.on_progress && row % kProgressEveryRows == 0) {
      const std::streamoff at = input.tellg();
      request.on_progress(ImportProgress{row, at < 0 ? file_size : static_cast<int64_t>(at), file_size});
    }
  }
  CRM_RETURN_IF_ERROR(cleanser.Finish(writer));
  excess_decimals = cleanser.CommonExcessDecimals();
  if (request.on_progress) request.on_progress(ImportProgress{row, file_size, file_size});
  return writer.Finish();
}

}  // namespace

std::optional<SharedPhonePolicy> ParseSharedPhonePolicy(std::string_view text) {
  if (text == "auto") return SharedPhonePolicy::kAuto;
  if (text == "merge") return SharedPhonePolicy::kMerge;
  if (text == "family") return SharedPhonePolicy::kFamily;
  if (text == "alias") return SharedPhonePolicy::kAlias;
  return std::nullopt;
}

ImportService::ImportService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Result<ImportOutcome> ImportService::Import(const Principal& principal, std::istream& input,
                                            const ImportRequest& request) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp started = clock_.Now();
  ImportOutcome outcome;
  int64_t file_size = 0;
  CRM_ASSIGN_OR_RETURN(outcome.file_hash, HashInput(input, &file_size));
  CRM_ASSIGN_OR_RETURN(importing::OpenedSource source, importing::OpenSource(input, request.source));
  if (source.format == importing::FileFormat::kXlsx) {
    // Each sheet of a workbook is its own import: the second sheet is not "the same file again".
    importing::Fingerprint fingerprint;
    fingerprint.AddFields({outcome.file_hash, source.sheet});
    outcome.file_hash = fingerprint.Hex();
  }
  outcome.format = source.format;
  outcome.encoding = source.encoding;
  outcome.delimiter = source.delimiter;
  const int kind = static_cast<int>(request.kind);
  const std::string header_key = importing::HeaderKey(source.headers);

  WriteSettings settings{principal.business_id, BranchId(), request.source_name, request.kind, started,
                         request.shared_phone};
  importing::CleanseOptions options;
  options.kind = request.kind;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::ImportRepository imports(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::Business business, tx.businesses().Get(principal.business_id));
    options.utc_offset_minutes = request.utc_offset_minutes.value_or(business.utc_offset_minutes);
    CRM_ASSIGN_OR_RETURN(const std::string currency, imports.BusinessCurrency(principal.business_id));
    options.currency_exponent = request.currency_exponent.value_or(importing::CurrencyExponent(currency).value_or(0));
    CRM_ASSIGN_OR_RETURN(auto branches, tx.branches().List(principal.business_id));
    if (request.branch) {
      CRM_RETURN_IF_ERROR(tx.branches().Get(principal.business_id, *request.branch).status());
      settings.branch = *request.branch;
    } else if (!branches.empty()) {
      settings.branch = branches.front().id;
    }
    CRM_ASSIGN_OR_RETURN(auto previous, imports.FindRunByHash(principal.business_id, kind, outcome.file_hash));
    if (previous) outcome.previous_run_id = previous->id;
    outcome.mapping = importing::GuessMapping(source.headers, request.kind);
    std::optional<std::vector<importing::Field>> fields = request.fields;
    if (!fields) {
      CRM_ASSIGN_OR_RETURN(auto remembered, imports.FindMapping(principal.business_id, kind, header_key));
      if (remembered) fields = ParseFieldsText(*remembered);
      if (fields && !importing::ValidateMapping({source.headers, *fields}, request.kind).ok()) fields.reset();
    }
    if (fields) outcome.mapping.fields = *fields;
    return Status::Ok();
  }));
  if (request.branch && !principal.CanAccessBranch(*request.branch)) return PermissionDenied("no access to this branch");
  CRM_RETURN_IF_ERROR(importing::ValidateMapping(outcome.mapping, request.kind));
  if (!request.confirm_ignored) CRM_RETURN_IF_ERROR(CheckIgnoredColumns(outcome.mapping, request.kind));
  if (request.kind != importing::ImportKind::kCustomers && !settings.branch.valid()) {
    return FailedPrecondition("the business has no branch to put imported orders in", "branch").WithReason("no_branch");
  }

  // Ends the transaction without keeping anything: a dry run, or rejected rows in all-or-nothing mode.
  bool rolled_back = false;
  Status written = database_.Write([&](store::Transaction& tx) -> Status {
    outcome.report = importing::ImportReport();
    outcome.counts = ImportCounts();
    ReportUnmappedColumns(outcome.mapping, outcome.report);
    rolled_back = false;
    ImportWriter writer(tx, settings, outcome.report, outcome.counts);
    int excess_decimals = 0;
    CRM_RETURN_IF_ERROR(
        CleanseFile(input, request, outcome.mapping, options, file_size, writer, outcome, excess_decimals));
    if (request.action == ImportAction::kApply) {
      CRM_RETURN_IF_ERROR(MostRowsFail(outcome.report, options.currency_exponent, excess_decimals));
    }
    const bool rejected = outcome.report.rows_rejected > 0 && request.mode == ImportMode::kAllOrNothing;
    if (request.action == ImportAction::kDryRun || rejected) {
      rolled_back = true;
      return FailedPrecondition("rolled back");
    }
    store::ImportRepository imports(tx.connection());
    CRM_RETURN_IF_ERROR(imports.SaveMapping(principal.business_id, kind, header_key, FieldsText(outcome.mapping.fields),
                                            started));
    store::ImportRun run{0, principal.business_id, kind, static_cast<int>(request.mode), outcome.file_hash,
                         request.source_name, outcome.report.rows_read, outcome.report.rows_rejected,
                         outcome.report.rows_skipped, outcome.counts.customers_created,
                         outcome.counts.customers_updated, outcome.counts.orders_created,
                         outcome.counts.orders_existing, started, clock_.Now()};
    CRM_ASSIGN_OR_RETURN(outcome.run_id, imports.InsertRun(run));
    return Status::Ok();
  });
  if (!written.ok() && !rolled_back) return written;
  outcome.committed = written.ok();
  if (request.mode != ImportMode::kValidRows) outcome.rejects_csv.clear();
  return outcome;
}

Result<std::vector<importing::DuplicateCandidate>> ImportService::FindDuplicates(const Principal& principal,
                                                                                int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  constexpr int kPage = 1000;
  importing::DuplicateFinder finder;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::CustomerFilter filter;
    filter.limit = kPage;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.customers().List(principal.business_id, filter));
      for (const domain::Customer& customer : page) {
        std::optional<Date> birthday;
        if (customer.birthday) birthday = customer.birthday->date;
        finder.Add({customer.id.value(), customer.name, customer.phone_e164, customer.email, birthday});
      }
      if (static_cast<int>(page.size()) < kPage) return Status::Ok();
      filter.after = page.back().id;
    }
  }));
  std::vector<importing::DuplicateCandidate> candidates = finder.Candidates();
  if (static_cast<int>(candidates.size()) > limit) candidates.resize(static_cast<size_t>(std::max(limit, 0)));
  return candidates;
}

Result<ImportedProfile> ImportService::CustomerImports(const Principal& principal, CustomerId customer) {
  ImportedProfile profile;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, customer));
    if (!exists) return NotFound("customer not found");
    store::ImportRepository imports(tx.connection());
    CRM_ASSIGN_OR_RETURN(profile.opening_balances, imports.Openings(principal.business_id, customer));
    CRM_ASSIGN_OR_RETURN(profile.phone_shares, imports.SharesOf(principal.business_id, customer));
    CRM_ASSIGN_OR_RETURN(profile.attributes, imports.Attributes(principal.business_id, customer));
    CRM_ASSIGN_OR_RETURN(profile.imported_notes, tx.notes().IdsFrom(principal.business_id, customer, "import"));
    return Status::Ok();
  }));
  return profile;
}

Result<store::ImportRun> ImportService::GetRun(const Principal& principal, int64_t id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<store::ImportRun>(database_, [&](store::Transaction& tx) {
    return store::ImportRepository(tx.connection()).GetRun(principal.business_id, id);
  });
}

}  // namespace crm::app
