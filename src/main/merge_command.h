// `dangol merge`: merges one customer profile into another of the same business, with per-field
// choices (--keep name=other), and `dangol merge undo --id N` restores both profiles. Refusals
// (the same customer, another business's, one merged already, a merge undone already) are one
// line on standard error and exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace crm::cli {

class MergeCommand {
 public:
  // Adds the `merge` subcommand (and its `undo`) to `app`.
  void Define(CLI::App& app);
  bool Parsed() const { return command_ != nullptr && command_->parsed(); }
  // Runs the parsed command; returns the exit code (see commands.h).
  int Run(std::ostream& out, std::ostream& err);

 private:
  int RunMerge(std::ostream& out, std::ostream& err);
  int RunUndo(std::ostream& out, std::ostream& err);

  CLI::App* command_ = nullptr;
  CLI::App* undo_ = nullptr;
  std::string db_url_;
  std::string business_;
  int64_t into_ = 0;
  int64_t from_ = 0;
  std::vector<std::string> keep_;
  int64_t merge_id_ = 0;
};

}  // namespace crm::cli
