// `dangol export`: a business's customers (CSV or XLSX, optionally masked) or orders (CSV or
// XLSX, one row per line) into a file, and one customer's complete data as JSON (the right of
// access). The file is written beside its final name and renamed when complete, so a failed export
// leaves no half-written file. Every export is written to the access log. Bad arguments are one
// line on standard error and exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace crm::cli {

class ExportCommand {
 public:
  // Adds the `export` subcommand to `app`.
  void Define(CLI::App& app);
  bool Parsed() const { return command_ != nullptr && command_->parsed(); }
  // Runs the parsed command; returns the exit code (see commands.h).
  int Run(std::ostream& out, std::ostream& err);

 private:
  CLI::App* command_ = nullptr;
  std::string db_url_;
  std::string business_;
  std::string kind_;
  std::string format_ = "csv";
  std::string output_;
  std::string from_;
  std::string to_;
  std::string branch_;
  int64_t customer_id_ = 0;
  bool mask_ = false;
};

}  // namespace crm::cli
