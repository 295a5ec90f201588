#include "main/merge_command.h"

#include <fmt/format.h>

#include <ostream>

#include "domain/merge.h"
#include "main/commands.h"

namespace crm::cli {
namespace {

// The parent command's options cannot be required: `merge undo` carries them itself.
void AddTarget(CLI::App& command, std::string& db_url, std::string& business, bool required) {
  command.add_option("--db", db_url, "Database URL: sqlite:PATH or postgresql://... (default: $DANGOL_DB)")
      ->envname("DANGOL_DB")
      ->required(required);
  command.add_option("--business", business, "The business's slug, e.g. demo")->required(required);
}

// "name=other" → {kName, kOther}; kInvalidArgument naming "keep" otherwise.
Result<std::vector<domain::MergeChoice>> ParseKeep(const std::vector<std::string>& options) {
  std::vector<domain::MergeChoice> choices;
  for (const std::string& option : options) {
    const size_t equals = option.find('=');
    std::optional<domain::MergeField> field;
    std::optional<domain::MergeSide> side;
    if (equals != std::string::npos) {
      field = domain::ParseMergeField(std::string_view(option).substr(0, equals));
      side = domain::ParseMergeSide(std::string_view(option).substr(equals + 1));
    }
    if (!field || !side) {
      return InvalidArgument(fmt::format("expected FIELD=this|other|both, e.g. name=other (got \"{}\")", option),
                             "keep");
    }
    choices.push_back({*field, *side});
  }
  return choices;
}

}  // namespace

void MergeCommand::Define(CLI::App& app) {
  command_ = app.add_subcommand("merge", "Merge customer --from into customer --into (undo: dangol merge undo)");
  command_->require_subcommand(0, 1);
  AddTarget(*command_, db_url_, business_, false);
  command_->add_option("--into", into_, "The customer who stays")->check(CLI::PositiveNumber);
  command_->add_option("--from", from_, "The customer merged into it")->check(CLI::PositiveNumber);
  command_->add_option("--keep", keep_,
                       "FIELD=this|other: whose value to keep (name, phone, email, birthday, gender, address, "
                       "source, referrer_id; tags and anniversaries also take both). Repeatable");
  undo_ = command_->add_subcommand("undo", "Undo a merge: both customers as they were");
  AddTarget(*undo_, db_url_, business_, true);
  undo_->add_option("--id", merge_id_, "The merge's id")->required()->check(CLI::PositiveNumber);
}

int MergeCommand::Run(std::ostream& out, std::ostream& err) {
  return undo_ != nullptr && undo_->parsed() ? RunUndo(out, err) : RunMerge(out, err);
}

int MergeCommand::RunMerge(std::ostream& out, std::ostream& err) {
  if (db_url_.empty() || business_.empty())
    return ReportFailure(err, InvalidArgument("--db and --business are required"));
  if (into_ <= 0 || from_ <= 0) return ReportFailure(err, InvalidArgument("--into and --from are required"));
  auto keep = ParseKeep(keep_);
  if (!keep.ok()) return ReportFailure(err, keep.status());
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  auto outcome = (*session)->services->merges.Merge((*session)->principal, CustomerId(into_), CustomerId(from_), *keep);
  if (!outcome.ok()) return ReportFailure(err, outcome.status());
  std::string choices;
  for (const domain::MergeChoice& choice : outcome->choices) {
    choices += fmt::format("{}{}={}", choices.empty() ? "" : " ", domain::ToString(choice.field),
                           domain::ToString(choice.side));
  }
  out << fmt::format("merge {}: customer {} merged into customer {} ({})\n", outcome->merge_id, from_, into_, choices);
  out << fmt::format("undo with: dangol merge undo --db URL --business {} --id {}\n", business_, outcome->merge_id);
  return kExitOk;
}

int MergeCommand::RunUndo(std::ostream& out, std::ostream& err) {
  auto session = OpenOperatorSession(db_url_, business_);
  if (!session.ok()) return ReportFailure(err, session.status());
  auto record = (*session)->services->merges.Undo((*session)->principal, merge_id_);
  if (!record.ok()) return ReportFailure(err, record.status());
  out << fmt::format("merge {} undone: customers {} and {} restored\n", record->id, record->survivor_id.value(),
                     record->merged_id.value());
  return kExitOk;
}

}  // namespace crm::cli
