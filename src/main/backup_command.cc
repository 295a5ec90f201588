#include "main/backup_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <ostream>

#include "app/backup_service.h"
#include "main/commands.h"

namespace crm::cli {
namespace {

void AddDatabase(CLI::App& command, std::string& db_url) {
  command.add_option("--db", db_url, "Database URL: sqlite:PATH or postgresql://... (default: $DANGOL_DB)")
      ->envname("DANGOL_DB")
      ->required();
}

// A damaged file is bad input, like any other: exit code 2.
Status AsBadInput(const Status& status) {
  if (status.code() == StatusCode::kDataLoss) return InvalidArgument(status.message(), "input");
  return status;
}

}  // namespace

void BackupCommand::Define(CLI::App& app) {
  backup_ = app.add_subcommand("backup", "Write every row of one business to a backup file");
  AddDatabase(*backup_, db_url_);
  backup_->add_option("--business", business_, "The business's slug, e.g. demo")->required();
  backup_->add_option("--output", path_, "The backup file to write (JSON lines)")->required();
  restore_ = app.add_subcommand("restore", "Load a backup file into a database that does not hold its business");
  AddDatabase(*restore_, db_url_);
  restore_->add_option("--input", path_, "The backup file to read")->required();
}

int BackupCommand::Run(std::ostream& out, std::ostream& err) {
  return backup_ != nullptr && backup_->parsed() ? RunBackup(out, err) : RunRestore(out, err);
}

int BackupCommand::RunBackup(std::ostream& out, std::ostream& err) {
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  // Written beside the target and renamed at the end, so that FILE is either the old file or a
  // complete backup.
  const std::string partial = path_ + ".partial";
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  if (!file) return ReportFailure(err, InvalidArgument(fmt::format("cannot write {}", partial), "output"));
  app::BackupService service(*(*session)->database);
  auto summary = service.Backup((*session)->principal.business_id, file);
  file.close();
  if (!summary.ok() || !file) {
    std::remove(partial.c_str());
    return ReportFailure(err, summary.ok() ? Unavailable(fmt::format("cannot write {}", partial)) : summary.status());
  }
  if (std::rename(partial.c_str(), path_.c_str()) != 0) {
    std::remove(partial.c_str());
    return ReportFailure(err, Unavailable(fmt::format("cannot rename {} to {}", partial, path_)));
  }
  out << fmt::format("backup of {} (schema {}): {} rows in {} tables written to {}\n", summary->business_slug,
                     summary->schema_version, summary->rows, summary->tables.size(), path_);
  return kExitOk;
}

int BackupCommand::RunRestore(std::ostream& out, std::ostream& err) {
  std::ifstream file(path_, std::ios::binary);
  if (!file) return ReportFailure(err, InvalidArgument(fmt::format("cannot open {}", path_), "input"));
  auto database = store::Database::Open(db_url_);
  if (!database.ok()) return ReportFailure(err, database.status());
  app::BackupService service(**database);
  auto summary = service.Restore(file);
  if (!summary.ok()) return ReportFailure(err, AsBadInput(summary.status()));
  out << fmt::format("restored {} (schema {}): {} rows in {} tables\n", summary->business_slug, summary->schema_version,
                     summary->rows, summary->tables.size());
  return kExitOk;
}

}  // namespace crm::cli
