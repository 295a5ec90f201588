#include "main/import_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <ostream>

#include "app/services.h"
#include "http/import_handlers.h"
#include "main/commands.h"
#include "store/database.h"

namespace crm::cli {
namespace {

const std::vector<std::string> kKinds = {"customers", "orders", "order_lines", "transactions"};

Result<std::optional<std::vector<importing::Field>>> ParseMappingOption(const std::string& text) {
  if (text.empty()) return std::optional<std::vector<importing::Field>>();
  std::vector<importing::Field> fields;
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string name = text.substr(start, comma - start);
    auto field = importing::ParseField(name);
    if (!field) return InvalidArgument(fmt::format("unknown field \"{}\"", name), "mapping");
    fields.push_back(*field);
    start = comma + 1;
  }
  return std::optional<std::vector<importing::Field>>(std::move(fields));
}

Result<char> ParseDelimiter(const std::string& text) {
  if (text.empty()) return '\0';
  if (text == "tab" || text == "\\t") return '\t';
  if (text == "," || text == ";" || text == "|") return text[0];
  return InvalidArgument("must be , ; | or tab", "delimiter");
}

// Shows rows and share of the file read on a terminal; stays quiet when standard error is a file.
std::function<void(const app::ImportProgress&)> ProgressPrinter(std::ostream& err) {
  if (!isatty(STDERR_FILENO)) return nullptr;
  return [&err](const app::ImportProgress& progress) {
    const int percent =
        progress.bytes_total > 0 ? static_cast<int>(progress.bytes_read * 100 / progress.bytes_total) : 0;
    const int filled = percent / 5;
    err << fmt::format("\rimport [{:<20}] {:3}%  {} rows", std::string(filled, '#'), percent, progress.rows)
        << (progress.bytes_read >= progress.bytes_total ? "\n" : "") << std::flush;
  };
}

void PrintText(const app::ImportOutcome& outcome, app::ImportAction action, std::ostream& out) {
  out << fmt::format("file: {}, {}, delimiter '{}'\n", importing::FileFormatName(outcome.format),
                     importing::EncodingName(outcome.encoding),
                     outcome.delimiter == '\t' ? std::string("tab") : std::string(1, outcome.delimiter));
  out << "mapping:";
  for (size_t i = 0; i < outcome.mapping.headers.size(); ++i) {
    out << fmt::format(" {}→{}", outcome.mapping.headers[i], importing::FieldName(outcome.mapping.fields[i]));
  }
  const importing::ImportReport& report = outcome.report;
  const app::ImportCounts& counts = outcome.counts;
  out << fmt::format("\nrows: {} read, {} rejected, {} skipped as duplicates\n", report.rows_read,
                     report.rows_rejected, report.rows_skipped);
  out << fmt::format("customers: {} created, {} updated, {} unchanged\n", counts.customers_created,
                     counts.customers_updated, counts.customers_unchanged);
  out << fmt::format("orders: {} created ({} refunds, {} linked to their sale), {} already imported\n",
                     counts.orders_created, counts.refunds_created, counts.refunds_linked, counts.orders_existing);
  if (counts.write_offs_created + counts.write_offs_existing > 0) {
    out << fmt::format("stock write-offs: {} stored, {} already imported (not refunds: no customer's spend)\n",
                       counts.write_offs_created, counts.write_offs_existing);
  }
  for (size_t index = 0; index < importing::kIssueCodeCount; ++index) {
    const auto code = static_cast<importing::IssueCode>(index);
    if (report.Count(code) == 0) continue;
    out << fmt::format("  {} ({}): {}\n", importing::IssueCodeName(code),
                       importing::SeverityName(importing::SeverityOf(code)), report.Count(code));
    int shown = 0;
    for (const importing::RowIssue& issue : report.issues()) {
      if (issue.code != code || ++shown > 3) continue;
      out << fmt::format("    row {}{}: {}\n", issue.row, issue.column.empty() ? "" : " " + issue.column, issue.message);
    }
  }
  if (outcome.previous_run_id) out << fmt::format("this file was imported before (run {})\n", *outcome.previous_run_id);
  if (action == app::ImportAction::kDryRun) {
    out << "dry run: nothing was written\n";
  } else if (outcome.committed) {
    out << fmt::format("imported as run {}\n", outcome.run_id.value_or(0));
  }
}

void DefineDuplicates(CLI::App& app, std::string& db_url, std::string& business, int& limit, std::string& format,
                      CLI::App** command) {
  *command = app.add_subcommand("duplicates", "List customer pairs that may be one person, best first");
  (*command)->add_option("--db", db_url, "Database URL: sqlite:PATH or postgresql://... (default: $DANGOL_DB)")
      ->envname("DANGOL_DB")
      ->required();
  (*command)->add_option("--business", business, "The business's slug, e.g. demo")->required();
  (*command)->add_option("--limit", limit, "At most this many pairs")->check(CLI::Range(1, 100000))->capture_default_str();
  (*command)->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
}

}  // namespace

void ImportCommand::Define(CLI::App& app) {
  command_ = app.add_subcommand("import", "Import customers or sales from a CSV or XLSX file");
  command_->add_option("--db", db_url_, "Database URL: sqlite:PATH or postgresql://... (default: $DANGOL_DB)")
      ->envname("DANGOL_DB")
      ->required();
  command_->add_option("--business", business_, "The business's slug, e.g. demo")->required();
  command_->add_option("--kind", kind_, "customers, orders, order_lines or transactions")
      ->required()
      ->check(CLI::IsMember(kKinds));
  command_->add_option("FILE", file_, "The CSV or XLSX file")->required();
  command_->add_flag("--dry-run", dry_run_, "Read and check everything, write nothing, print the report");
  command_->add_option("--format", format_, "Report format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command_->add_flag("--valid-rows", valid_rows_,
                     "Import the valid rows and write the rejected ones to --rejects (default: all or nothing)");
  command_->add_option("--rejects", rejects_, "Where --valid-rows writes the rejected rows (default: FILE.rejects.csv)");
  command_->add_option("--encoding", encoding_, "auto, utf-8, cp949 (euc-kr), utf-16le or utf-16be")
      ->capture_default_str();
  command_->add_option("--delimiter", delimiter_, "CSV delimiter: , ; | or tab (default: detected)");
  command_->add_option("--sheet", sheet_, "XLSX sheet name (default: the first)");
  command_->add_option("--mapping", mapping_,
                       "Field of each column, comma-separated, e.g. name,phone,ignore (default: remembered or guessed)");
  command_->add_flag("--confirm-ignored", confirm_ignored_,
                     "Leave out the columns mapped to ignore although their header names a known field");
  command_->add_option("--shared-phone", shared_phone_,
                       "A customer row with the phone of another name: auto (merge when the names match, else "
                       "family), merge, family (a separate customer sharing the number) or alias")
      ->check(CLI::IsMember({"auto", "merge", "family", "alias"}))
      ->capture_default_str();
  command_->add_option("--source", source_, "Name of the system the file comes from; keys re-imports")
      ->capture_default_str();
  command_->add_option("--branch", branch_, "Branch for imported orders (default: the first)");
  command_->add_option("--currency-exponent", currency_exponent_, "Decimals of the currency: 0 for KRW, 2 for GBP (default: the business's currency's)")
      ->check(CLI::Range(0, 4));
  command_->add_option("--utc-offset-minutes", utc_offset_minutes_,
                       "How the file's local times are read (default: the business's time zone)")
      ->check(CLI::Range(-14 * 60, 14 * 60));
  DefineDuplicates(app, db_url_, business_, limit_, format_, &duplicates_);
}

int ImportCommand::Run(std::ostream& out, std::ostream& err) {
  return duplicates_ != nullptr && duplicates_->parsed() ? RunDuplicates(out, err) : RunImport(out, err);
}

int ImportCommand::RunDuplicates(std::ostream& out, std::ostream& err) {
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  app::Services& services = *(*session)->services;
  const app::Principal& principal = (*session)->principal;
  auto candidates = services.merges.Duplicates(principal, limit_);
  if (!candidates.ok()) return ReportFailure(err, candidates.status());
  if (format_ == "json") {
    out << http::DuplicateCandidatesJson(*candidates).dump(2) << "\n";
    return kExitOk;
  }
  for (const importing::DuplicateCandidate& candidate : *candidates) {
    std::string reasons;
    for (importing::DuplicateReason reason : candidate.reasons) {
      reasons += (reasons.empty() ? "" : ", ") + std::string(importing::DuplicateReasonName(reason));
    }
    out << fmt::format("{:.2f}  customer {} and {}: {}\n", candidate.score, candidate.first, candidate.second, reasons);
  }
  out << fmt::format("{} candidate pairs\n", candidates->size());
  return kExitOk;
}

int ImportCommand::RunImport(std::ostream& out, std::ostream& err) {
  app::ImportRequest request;
  request.kind = *importing::ParseImportKind(kind_);  // checked by IsMember
  request.action = dry_run_ ? app::ImportAction::kDryRun : app::ImportAction::kApply;
  request.mode = valid_rows_ ? app::ImportMode::kValidRows : app::ImportMode::kAllOrNothing;
  request.source_name = source_;
  request.confirm_ignored = confirm_ignored_;
  request.shared_phone = *app::ParseSharedPhonePolicy(shared_phone_);  // checked by IsMember
  request.currency_exponent = currency_exponent_;
  request.utc_offset_minutes = utc_offset_minutes_;
  request.source.sheet = sheet_;
  const std::optional<importing::Encoding> encoding = importing::ParseEncoding(encoding_);
  if (!encoding) return ReportFailure(err, InvalidArgument("unknown encoding", "encoding"));
  request.source.encoding = *encoding;
  auto delimiter = ParseDelimiter(delimiter_);
  if (!delimiter.ok()) return ReportFailure(err, delimiter.status());
  request.source.delimiter = *delimiter;
  auto fields = ParseMappingOption(mapping_);
  if (!fields.ok()) return ReportFailure(err, fields.status());
  request.fields = *fields;
  if (format_ == "text") request.on_progress = ProgressPrinter(err);

  std::ifstream input(file_, std::ios::binary);
  if (!input) return ReportFailure(err, InvalidArgument(fmt::format("cannot open {}", file_), "file"));
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  app::Services& services = *(*session)->services;
  const app::Principal& principal = (*session)->principal;
  if (!branch_.empty()) {
    auto branches = services.businesses.ListBranches(principal);
    if (!branches.ok()) return ReportFailure(err, branches.status());
    for (const domain::Branch& branch : *branches) {
      if (branch.name == branch_) request.branch = branch.id;
    }
    if (!request.branch) return ReportFailure(err, InvalidArgument(fmt::format("unknown branch \"{}\"", branch_), "branch"));
  }

  auto outcome = services.imports.Import(principal, input, request);
  if (!outcome.ok()) return ReportFailure(err, outcome.status());
  if (format_ == "json") {
    out << http::ImportOutcomeJson(*outcome, request.action).dump(2) << "\n";
  } else {
    PrintText(*outcome, request.action, out);
  }
  if (request.mode == app::ImportMode::kValidRows && outcome->report.rows_rejected > 0) {
    const std::string path = rejects_.empty() ? file_ + ".rejects.csv" : rejects_;
    std::ofstream rejects(path, std::ios::binary | std::ios::trunc);
    rejects << outcome->rejects_csv;
    if (!rejects) return ReportFailure(err, Unavailable(fmt::format("cannot write {}", path)));
    err << fmt::format("dangol: {} rejected rows written to {}\n", outcome->report.rows_rejected, path);
  }
  if (request.action == app::ImportAction::kApply && !outcome->committed) {
    return ReportFailure(err, InvalidArgument(fmt::format("{} rows have errors; nothing was imported (fix them, or "
                                                          "use --valid-rows to import the rest)",
                                                          outcome->report.rows_rejected)));
  }
  return kExitOk;
}

}  // namespace crm::cli
