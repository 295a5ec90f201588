// `dangol backup --db URL --business SLUG --output FILE` writes every row of one business to a
// versioned JSON-lines file; `dangol restore --db URL --input FILE` loads it into a database that
// does not hold that business (migrated first), in one transaction, with the same ids. A file that
// is not a complete, unaltered backup, a business that exists already or a backup of a newer
// schema is one line on standard error and exit code 2, with nothing written.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

namespace crm::cli {

class BackupCommand {
 public:
  // Adds the `backup` and `restore` subcommands to `app`.
  void Define(CLI::App& app);
  bool Parsed() const {
    return (backup_ != nullptr && backup_->parsed()) || (restore_ != nullptr && restore_->parsed());
  }
  // Runs the parsed command; returns the exit code (see commands.h).
  int Run(std::ostream& out, std::ostream& err);

 private:
  int RunBackup(std::ostream& out, std::ostream& err);
  int RunRestore(std::ostream& out, std::ostream& err);

  CLI::App* backup_ = nullptr;
  CLI::App* restore_ = nullptr;
  std::string db_url_;
  std::string business_;
  std::string path_;
};

}  // namespace crm::cli
