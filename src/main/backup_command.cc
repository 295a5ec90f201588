#include "main/backup_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

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

void AddKeyOptions(CLI::App& command, std::string& key_file, std::string& passphrase_file) {
  auto* key = command.add_option("--key-file", key_file, "A key file made by `dangol backup-key`");
  command.add_option("--passphrase-file", passphrase_file, "A file holding the passphrase (its first line)")
      ->excludes(key);
}

Result<std::string> ReadSmallFile(const std::string& path, const std::string& field) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidArgument(fmt::format("cannot open {}", path), field);
  std::string text(4096, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  if (!file.eof()) return InvalidArgument(fmt::format("{} is too large for a key or a passphrase", path), field);
  return text;
}

// Only the owner may read what a backup holds.
void OwnerOnly(const std::string& path) {
  std::error_code ignored;
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ignored);
}

}  // namespace

void BackupCommand::Define(CLI::App& app) {
  backup_ = app.add_subcommand("backup", "Write every row of one business to a backup file");
  AddDatabase(*backup_, db_url_);
  backup_->add_option("--business", business_, "The business's slug, e.g. demo")->required();
  backup_->add_option("--output", path_, "The backup file to write (JSON lines)")->required();
  backup_->add_flag("--encrypt", encrypt_, "Seal the file with --key-file or --passphrase-file");
  AddKeyOptions(*backup_, key_file_, passphrase_file_);
  restore_ = app.add_subcommand("restore", "Load a backup file into a database that does not hold its business");
  AddDatabase(*restore_, db_url_);
  restore_->add_option("--input", path_, "The backup file to read")->required();
  AddKeyOptions(*restore_, key_file_, passphrase_file_);
  key_ = app.add_subcommand("backup-key", "Write a new key file for `dangol backup --encrypt`");
  key_->add_option("--output", path_, "The key file to create (it must not exist)")->required();
}

Result<std::optional<SealKey>> BackupCommand::ReadKey() const {
  if (!key_file_.empty()) {
    CRM_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(key_file_, "key_file"));
    CRM_ASSIGN_OR_RETURN(SealKey key, SealKey::FromKeyFileText(text));
    return std::optional<SealKey>(std::move(key));
  }
  if (!passphrase_file_.empty()) {
    CRM_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(passphrase_file_, "passphrase_file"));
    CRM_ASSIGN_OR_RETURN(SealKey key, SealKey::FromPassphrase(text.substr(0, text.find('\n'))));
    return std::optional<SealKey>(std::move(key));
  }
  return std::optional<SealKey>();
}

int BackupCommand::RunKey(std::ostream& out, std::ostream& err) {
  if (std::filesystem::exists(path_)) {
    return ReportFailure(err, AlreadyExists(fmt::format("{} exists already; a key is never overwritten", path_),
                                            "output"));
  }
  std::ofstream file(path_, std::ios::binary);
  if (!file) return ReportFailure(err, InvalidArgument(fmt::format("cannot write {}", path_), "output"));
  OwnerOnly(path_);
  file << SealKey::GenerateKeyFileText();
  file.close();
  if (!file) return ReportFailure(err, Unavailable(fmt::format("cannot write {}", path_)));
  out << fmt::format("a new backup key was written to {}; keep a copy away from the backups\n", path_);
  return kExitOk;
}

int BackupCommand::Run(std::ostream& out, std::ostream& err) {
  if (key_ != nullptr && key_->parsed()) return RunKey(out, err);
  return backup_ != nullptr && backup_->parsed() ? RunBackup(out, err) : RunRestore(out, err);
}

int BackupCommand::RunBackup(std::ostream& out, std::ostream& err) {
  auto key = ReadKey();
  if (!key.ok()) return ReportFailure(err, key.status());
  if (encrypt_ && !key->has_value()) {
    return ReportFailure(err, InvalidArgument("--encrypt needs --key-file or --passphrase-file", "encrypt"));
  }
  if (!encrypt_ && key->has_value()) {
    return ReportFailure(err, InvalidArgument("a key was given without --encrypt", "encrypt"));
  }
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  // Written beside the target and renamed at the end, so that FILE is either the old file or a
  // complete backup.
  const std::string partial = path_ + ".partial";
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  if (!file) return ReportFailure(err, InvalidArgument(fmt::format("cannot write {}", partial), "output"));
  OwnerOnly(partial);
  app::BackupService service(*(*session)->database);
  Result<store::BackupSummary> summary = Internal("not written");
  if (key->has_value()) {
    SealedWriter sealed(file, **key);
    summary = service.Backup((*session)->principal.business_id, sealed.stream());
    if (summary.ok()) {
      if (Status finished = sealed.Finish(); !finished.ok()) summary = finished;
    }
  } else {
    summary = service.Backup((*session)->principal.business_id, file);
  }
  file.close();
  if (!summary.ok() || !file) {
    std::remove(partial.c_str());
    return ReportFailure(err, summary.ok() ? Unavailable(fmt::format("cannot write {}", partial)) : summary.status());
  }
  if (std::rename(partial.c_str(), path_.c_str()) != 0) {
    std::remove(partial.c_str());
    return ReportFailure(err, Unavailable(fmt::format("cannot rename {} to {}", partial, path_)));
  }
  out << fmt::format("backup of {} (schema {}): {} rows in {} tables written to {}{}\n", summary->business_slug,
                     summary->schema_version, summary->rows, summary->tables.size(), path_,
                     key->has_value() ? ", sealed" : "");
  return kExitOk;
}

int BackupCommand::RunRestore(std::ostream& out, std::ostream& err) {
  std::ifstream file(path_, std::ios::binary);
  if (!file) return ReportFailure(err, InvalidArgument(fmt::format("cannot open {}", path_), "input"));
  auto key = ReadKey();
  if (!key.ok()) return ReportFailure(err, key.status());
  const bool sealed_file = IsSealedStream(file);
  if (sealed_file && !key->has_value()) {
    return ReportFailure(err, InvalidArgument(fmt::format("{} is sealed: give --key-file or --passphrase-file", path_),
                                              "key_file"));
  }
  if (!sealed_file && key->has_value()) {
    return ReportFailure(err, InvalidArgument(fmt::format("{} is not sealed, but a key was given", path_), "input"));
  }
  auto database = store::Database::Open(db_url_);
  if (!database.ok()) return ReportFailure(err, database.status());
  app::BackupService service(**database);
  Result<store::BackupSummary> summary = Internal("not read");
  if (sealed_file) {
    SealedReader reader(file, **key);
    summary = service.Restore(reader.stream(), [&reader] { return reader.status(); });
    // A wrong key or a changed file shows first as a short plaintext; say what it really is.
    if (!summary.ok() && !reader.error().ok()) summary = reader.error();
  } else {
    summary = service.Restore(file);
  }
  if (!summary.ok()) return ReportFailure(err, AsBadInput(summary.status()));
  out << fmt::format("restored {} (schema {}): {} rows in {} tables\n", summary->business_slug, summary->schema_version,
                     summary->rows, summary->tables.size());
  return kExitOk;
}

}  // namespace crm::cli
