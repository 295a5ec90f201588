// `dangol import`: imports customers, orders, order lines or combined transactions from a CSV or
// XLSX file into a business, printing the report (text or JSON). A dry run writes nothing; a real
// run writes everything or, with --valid-rows, the valid rows plus a rejects CSV to fix and import
// again. Bad input (an unreadable file, a mapping that does not fit, rejected rows in an
// all-or-nothing run) is one line on standard error and exit code 2.
// `dangol duplicates`: the review queue of customer pairs that may be one person, with reasons.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>

namespace crm::cli {

class ImportCommand {
 public:
  // Adds the `import` and `duplicates` subcommands to `app`.
  void Define(CLI::App& app);
  bool Parsed() const {
    return (command_ != nullptr && command_->parsed()) || (duplicates_ != nullptr && duplicates_->parsed());
  }
  // Runs the parsed command; returns the exit code (see commands.h).
  int Run(std::ostream& out, std::ostream& err);

 private:
  int RunImport(std::ostream& out, std::ostream& err);
  int RunDuplicates(std::ostream& out, std::ostream& err);

  CLI::App* command_ = nullptr;
  CLI::App* duplicates_ = nullptr;
  int limit_ = 100;
  std::string db_url_;
  std::string business_;
  std::string kind_;
  std::string file_;
  std::string format_ = "text";
  std::string encoding_ = "auto";
  std::string delimiter_;
  std::string sheet_;
  std::string mapping_;
  std::string source_ = "import";
  std::string branch_;
  std::string rejects_;
  bool dry_run_ = false;
  bool valid_rows_ = false;
  bool confirm_ignored_ = false;
  std::string shared_phone_ = "auto";
  std::optional<int> currency_exponent_;
  std::optional<int> utc_offset_minutes_;
};

}  // namespace crm::cli
