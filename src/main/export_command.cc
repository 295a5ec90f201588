#include "main/export_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "app/services.h"
#include "http/export_handlers.h"
#include "main/commands.h"

namespace crm::cli {
namespace {

Result<std::optional<Timestamp>> ParseTimeOption(const std::string& text, const char* name) {
  if (text.empty()) return std::optional<Timestamp>();
  Result<Timestamp> time = Timestamp::ParseIso8601(text);
  if (!time.ok()) return InvalidArgument("expected a date (2024-03-01) or an RFC 3339 time", name);
  return std::optional<Timestamp>(*time);
}

// Writes to "<output>.partial" and renames it to `output` when `write` succeeds; removes it
// otherwise.
template <typename Write>
Status WriteAtomically(const std::string& output, Write write) {
  const std::string partial = output + ".partial";
  Status status = write(partial);
  std::error_code error;
  if (status.ok()) {
    std::filesystem::rename(partial, output, error);
    if (error) status = Unavailable(fmt::format("cannot write {}: {}", output, error.message()));
  }
  if (!status.ok()) std::filesystem::remove(partial, error);
  return status;
}

}  // namespace

void ExportCommand::Define(CLI::App& app) {
  command_ = app.add_subcommand("export", "Export customers or orders (CSV, XLSX) or one customer's data (JSON)");
  command_->add_option("--db", db_url_, "Database URL: sqlite:PATH or postgresql://... (default: $DANGOL_DB)")
      ->envname("DANGOL_DB")
      ->required();
  command_->add_option("--business", business_, "The business's slug, e.g. demo")->required();
  command_->add_option("--kind", kind_, "customers, orders, or customer (one customer's complete data as JSON)")
      ->required()
      ->check(CLI::IsMember({"customers", "orders", "customer"}));
  command_->add_option("--format", format_, "csv or xlsx (customer: always JSON)")
      ->check(CLI::IsMember({"csv", "xlsx"}))
      ->capture_default_str();
  command_->add_option("--output", output_, "The file to write")->required();
  command_->add_flag("--mask", mask_, "Mask names, phones and e-mails and leave out birthdays (customers)");
  command_->add_option("--customer-id", customer_id_, "The customer (kind customer)")->check(CLI::PositiveNumber);
  command_->add_option("--from", from_, "Orders at or after this date or time (orders)");
  command_->add_option("--to", to_, "Orders before this date or time (orders)");
  command_->add_option("--branch", branch_, "Only this branch's orders, by name (orders)");
}

int ExportCommand::Run(std::ostream& out, std::ostream& err) {
  if (kind_ == "customer" && customer_id_ <= 0) {
    return ReportFailure(err, InvalidArgument("--customer-id is required with --kind customer", "customer-id"));
  }
  if (kind_ != "customer" && customer_id_ > 0) {
    return ReportFailure(err, InvalidArgument("--customer-id goes with --kind customer only", "customer-id"));
  }
  if (kind_ != "orders" && (!from_.empty() || !to_.empty() || !branch_.empty())) {
    return ReportFailure(err, InvalidArgument("--from, --to and --branch go with --kind orders only", "kind"));
  }
  if (kind_ == "orders" && mask_) {
    return ReportFailure(err,
                         InvalidArgument("--mask goes with --kind customers: orders carry no personal data", "mask"));
  }
  app::OrderExportQuery orders;
  auto from = ParseTimeOption(from_, "from");
  if (!from.ok()) return ReportFailure(err, from.status());
  auto to = ParseTimeOption(to_, "to");
  if (!to.ok()) return ReportFailure(err, to.status());
  orders.from = *from;
  orders.to = *to;

  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  app::Services& services = *(*session)->services;
  const app::Principal& principal = (*session)->principal;
  if (!branch_.empty()) {
    auto branches = services.businesses.ListBranches(principal);
    if (!branches.ok()) return ReportFailure(err, branches.status());
    for (const domain::Branch& branch : *branches) {
      if (branch.name == branch_) orders.branch = branch.id;
    }
    if (!orders.branch)
      return ReportFailure(err, InvalidArgument(fmt::format("unknown branch \"{}\"", branch_), "branch"));
  }

  if (kind_ == "customer") {
    auto record = services.exports.CustomerData(principal, CustomerId(customer_id_));
    if (!record.ok()) return ReportFailure(err, record.status());
    const std::string json = http::CustomerRecordJson(*record, (*session)->clock.Now()).dump(2) + "\n";
    Status saved = WriteAtomically(output_, [&](const std::string& path) -> Status {
      std::ofstream file(path, std::ios::binary | std::ios::trunc);
      file << json;
      file.close();
      if (!file) return InvalidArgument(fmt::format("cannot write {}", output_), "output");
      return Status::Ok();
    });
    if (!saved.ok()) return ReportFailure(err, saved);
    out << fmt::format("customer {} written to {}\n", customer_id_, output_);
    return kExitOk;
  }
  int64_t rows = 0;
  Status written = WriteAtomically(output_, [&](const std::string& path) -> Status {
    std::unique_ptr<importing::TableWriter> writer;
    std::ofstream file;
    if (format_ == "xlsx") {
      CRM_ASSIGN_OR_RETURN(writer, importing::NewXlsxWriter(path, kind_));
    } else {
      file.open(path, std::ios::binary | std::ios::trunc);
      if (!file) return InvalidArgument(fmt::format("cannot create {}", output_), "output");
      writer = importing::NewCsvWriter(file);
    }
    Result<int64_t> count =
        kind_ == "customers"
            ? services.exports.Customers(principal, app::CustomerQuery{},
                                         mask_ ? app::Masking::kMasked : app::Masking::kNone, format_, *writer)
            : services.exports.Orders(principal, orders, format_, *writer);
    CRM_RETURN_IF_ERROR(count.status());
    rows = *count;
    writer.reset();
    if (file.is_open()) {
      file.close();
      if (file.fail()) return Unavailable(fmt::format("cannot write {}", output_));
    }
    return Status::Ok();
  });
  if (!written.ok()) return ReportFailure(err, written);
  out << fmt::format("{} {} written to {}\n", rows, kind_ == "customers" ? "customers" : "orders", output_);
  return kExitOk;
}

}  // namespace crm::cli
