#include "main/retention_command.h"

#include <fmt/format.h>

#include <ostream>

#include "main/commands.h"

namespace crm::cli {

void RetentionCommand::Define(CLI::App& app) {
  CLI::App* retention = app.add_subcommand("retention", "Erase customers inactive past the retention period and prune the access log");
  retention->require_subcommand(1);
  run_ = retention->add_subcommand("run", "Run the retention job of one business now");
  run_->add_option("--db", db_url_, "sqlite:PATH or postgresql://...")->required();
  run_->add_option("--business", business_, "The business (slug)")->required();
  run_->add_flag("--dry-run", dry_run_, "Only count (and show masked samples); erase nothing");
}

int RetentionCommand::Run(std::ostream& out, std::ostream& err) {
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  app::ErasureService& erasures = (*session)->services->erasures;
  if (dry_run_) {
    auto preview = erasures.PreviewRetention((*session)->principal);
    if (!preview.ok()) return ReportFailure(err, preview.status());
    if (preview->months == 0) {
      out << "retention is off for this business: nothing would be erased\n";
      return kExitOk;
    }
    out << fmt::format("{} customers inactive since before {} ({} months) would be erased\n", preview->count,
                       preview->cutoff.ToIso8601(), preview->months);
    for (const std::string& sample : preview->samples) out << "  " << sample << "\n";
    return kExitOk;
  }
  const Timestamp now = (*session)->clock.Now();
  auto run = erasures.RunRetention((*session)->principal.business_id, now);
  if (!run.ok()) return ReportFailure(err, run.status());
  auto pruned = erasures.PruneAccessLog((*session)->principal.business_id, now);
  if (!pruned.ok()) return ReportFailure(err, pruned.status());
  out << fmt::format("erased {} inactive customers; deleted {} access-log entries past their retention\n",
                     run->erased, *pruned);
  return kExitOk;
}

}  // namespace crm::cli
