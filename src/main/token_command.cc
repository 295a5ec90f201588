#include "main/token_command.h"

#include <fmt/format.h>

#include <ostream>

#include "main/commands.h"

namespace crm::cli {
namespace {

void AddTarget(CLI::App& command, std::string& db_url, std::string& business) {
  command.add_option("--db", db_url, "Database URL: sqlite:PATH or postgresql://... (default: $DANGOL_DB)")
      ->envname("DANGOL_DB")
      ->required();
  command.add_option("--business", business, "The business's slug, e.g. demo")->required();
}

std::string TimeOrDash(const std::optional<Timestamp>& time) { return time ? time->ToIso8601() : "-"; }

}  // namespace

void TokenCommand::Define(CLI::App& app) {
  CLI::App* token = app.get_subcommand("token");
  list_ = token->add_subcommand("list", "List the business's API tokens with their last use (never the secrets)");
  AddTarget(*list_, db_url_, business_);
  revoke_ = token->add_subcommand("revoke", "Revoke an API token by its id (from dangol token list)");
  AddTarget(*revoke_, db_url_, business_);
  revoke_->add_option("--id", token_id_, "The token's id")->required()->check(CLI::PositiveNumber);
}

int TokenCommand::Run(std::ostream& out, std::ostream& err) {
  return revoke_->parsed() ? RunRevoke(out, err) : RunList(out, err);
}

int TokenCommand::RunList(std::ostream& out, std::ostream& err) {
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  auto tokens = (*session)->services->auth.ListTokens((*session)->principal);
  if (!tokens.ok()) return ReportFailure(err, tokens.status());
  out << "id\tname\trole\tcreated_at\tcreated_by\tlast_used_at\trevoked_at\n";
  for (const domain::ApiToken& token : *tokens) {
    out << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", token.id.value(), token.name, domain::ToString(token.role),
                       token.created_at.ToIso8601(),
                       token.created_by ? std::to_string(token.created_by->value()) : std::string("-"),
                       TimeOrDash(token.last_used_at), TimeOrDash(token.revoked_at));
  }
  return kExitOk;
}

int TokenCommand::RunRevoke(std::ostream& out, std::ostream& err) {
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  const Status revoked = (*session)->services->auth.RevokeToken((*session)->principal, TokenId(token_id_));
  if (!revoked.ok()) return ReportFailure(err, revoked);
  out << fmt::format("token {} revoked\n", token_id_);
  return kExitOk;
}

}  // namespace crm::cli
