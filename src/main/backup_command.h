// `dangol backup --db URL --business SLUG --output FILE` writes every row of one business to a
// versioned JSON-lines file; `dangol restore --db URL --input FILE` loads it into a database that
// does not hold that business (migrated first), in one transaction, with the same ids. A file that
// is not a complete, unaltered backup, a business that exists already or a backup of a newer
// schema is one line on standard error and exit code 2, with nothing written.
//
// `backup --encrypt --key-file KEY` (or `--passphrase-file FILE`, Argon2id) seals the file with
// common/sealed_stream.h; `restore` recognises a sealed file and needs the same key, and refuses a
// wrong key or a changed or cut-off file with nothing written. `dangol backup-key --output KEY`
// writes a new key file (mode 0600).
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>

#include "common/sealed_stream.h"

namespace crm::cli {

class BackupCommand {
 public:
  // Adds the `backup` and `restore` subcommands to `app`.
  void Define(CLI::App& app);
  bool Parsed() const {
    return (backup_ != nullptr && backup_->parsed()) || (restore_ != nullptr && restore_->parsed()) ||
           (key_ != nullptr && key_->parsed());
  }
  // Runs the parsed command; returns the exit code (see commands.h).
  int Run(std::ostream& out, std::ostream& err);

 private:
  int RunBackup(std::ostream& out, std::ostream& err);
  int RunRestore(std::ostream& out, std::ostream& err);
  int RunKey(std::ostream& out, std::ostream& err);
  // The key from --key-file or --passphrase-file; nullopt when neither was given.
  Result<std::optional<SealKey>> ReadKey() const;

  CLI::App* backup_ = nullptr;
  CLI::App* restore_ = nullptr;
  CLI::App* key_ = nullptr;
  bool encrypt_ = false;
  std::string key_file_;
  std::string passphrase_file_;
  std::string db_url_;
  std::string business_;
  std::string path_;
};

}  // namespace crm::cli
