// `dangol retention run --business SLUG [--dry-run]`: the retention job of one business by hand
// (the server runs it daily): erases the customers inactive past the business's retention period
// and prints how many, or with --dry-run prints how many it would erase and masked samples.
// Counts only: never a name, phone or e-mail in clear. Refusals are one line on standard error.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

namespace crm::cli {

class RetentionCommand {
 public:
  // Adds `retention run` to `app`.
  void Define(CLI::App& app);
  bool Parsed() const { return run_ != nullptr && run_->parsed(); }
  // Runs the parsed command; returns the exit code (see commands.h).
  int Run(std::ostream& out, std::ostream& err);

 private:
  CLI::App* run_ = nullptr;
  std::string db_url_;
  std::string business_;
  bool dry_run_ = false;
};

}  // namespace crm::cli
