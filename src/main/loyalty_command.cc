#include "main/loyalty_command.h"

#include <fmt/format.h>

#include <ostream>

#include "app/services.h"
#include "main/commands.h"
#include "store/database.h"

namespace crm::cli {

void LoyaltyCommand::Define(CLI::App& app) {
  CLI::App* ledger = app.add_subcommand("ledger", "Check the loyalty ledger");
  ledger->require_subcommand(1);
  verify_ = ledger->add_subcommand("verify", "Check that every stored balance is the sum of its ledger");
  verify_->add_option("--db", db_url_, "sqlite:PATH or postgresql://...")->required();
  verify_->add_option("--business", business_, "Only this business (slug); default: every business");
  CLI::App* loyalty = app.add_subcommand("loyalty", "Loyalty jobs");
  loyalty->require_subcommand(1);
  expire_ = loyalty->add_subcommand("expire", "Expire every due award of a business (idempotent)");
  expire_->add_option("--db", db_url_, "sqlite:PATH or postgresql://...")->required();
  expire_->add_option("--business", business_, "The business (slug)")->required();
}

bool LoyaltyCommand::Parsed() const {
  return (verify_ != nullptr && verify_->parsed()) || (expire_ != nullptr && expire_->parsed());
}

int LoyaltyCommand::Run(std::ostream& out, std::ostream& err) {
  return verify_->parsed() ? RunVerify(out, err) : RunExpire(out, err);
}

int LoyaltyCommand::RunVerify(std::ostream& out, std::ostream& err) {
  auto database = store::Database::Open(db_url_);
  if (!database.ok()) return ReportFailure(err, database.status());
  SystemClock clock;
  app::Services services(**database, clock);
  std::optional<BusinessId> business;
  if (!business_.empty()) {
    auto found = services.businesses.FindBusiness(business_);
    if (!found.ok()) return ReportFailure(err, NotFound(fmt::format("unknown business \"{}\"", business_)));
    business = found->id;
  }
  auto mismatches = services.loyalty.Verify(business);
  if (!mismatches.ok()) return ReportFailure(err, mismatches.status());
  for (const store::BalanceMismatch& mismatch : *mismatches) {
    out << fmt::format("business {} customer {}: stored balance {}, ledger sum {}\n", mismatch.business_id.value(),
                       mismatch.customer_id.value(), mismatch.stored, mismatch.ledger);
  }
  if (!mismatches->empty()) {
    err << fmt::format("dangol: {} account(s) do not match their ledger\n", mismatches->size());
    return kExitFailure;
  }
  out << "ledger ok: every balance is the sum of its ledger\n";
  return kExitOk;
}

int LoyaltyCommand::RunExpire(std::ostream& out, std::ostream& err) {
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  auto run = (*session)->services->loyalty.RunExpiry((*session)->principal.business_id);
  if (!run.ok()) return ReportFailure(err, run.status());
  out << fmt::format("expired {} units in {} entries for {} customers\n", run->units, run->entries, run->customers);
  return kExitOk;
}

}  // namespace crm::cli
