// `dangol token list` and `dangol token revoke`: the operator's view of a business's API tokens
// (name, role, creation, last use, revocation; never the secret) and revoking one by id. A token
// revoked here fails at its next request to a running server within its credential cache time
// (AuthSettings::credential_cache_seconds); through the API, at once. Refusals are one line on
// standard error and exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace crm::cli {

class TokenCommand {
 public:
  // Adds `list` and `revoke` under the existing `token` subcommand of `app`.
  void Define(CLI::App& app);
  bool Parsed() const { return (list_ != nullptr && list_->parsed()) || (revoke_ != nullptr && revoke_->parsed()); }
  // Runs the parsed command; returns the exit code (see commands.h).
  int Run(std::ostream& out, std::ostream& err);

 private:
  int RunList(std::ostream& out, std::ostream& err);
  int RunRevoke(std::ostream& out, std::ostream& err);

  CLI::App* list_ = nullptr;
  CLI::App* revoke_ = nullptr;
  std::string db_url_;
  std::string business_;
  int64_t token_id_ = 0;
};

}  // namespace crm::cli
