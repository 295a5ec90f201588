// `dangol ledger verify` and `dangol loyalty expire`: the operator's loyalty jobs. `ledger verify`
// checks that every stored balance is the sum of its ledger (exit 0 when all agree, 1 listing
// each account that does not); `loyalty expire` expires every due award of a business and prints
// what it did (idempotent: a second run expires nothing). Meant for cron.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

namespace crm::cli {

class LoyaltyCommand {
 public:
  // Adds the `ledger verify` and `loyalty expire` subcommands to `app`.
  void Define(CLI::App& app);
  bool Parsed() const;
  // Runs the parsed command; returns the exit code (see commands.h).
  int Run(std::ostream& out, std::ostream& err);

 private:
  int RunVerify(std::ostream& out, std::ostream& err);
  int RunExpire(std::ostream& out, std::ostream& err);

  CLI::App* verify_ = nullptr;
  CLI::App* expire_ = nullptr;
  std::string db_url_;
  std::string business_;
};

}  // namespace crm::cli
