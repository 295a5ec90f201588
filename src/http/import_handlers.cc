// Import outcomes and duplicate candidates as JSON, for the API and the command line.
#include "http/import_handlers.h"

#include <string>

namespace crm::http {
namespace {

Json OptionalId(const std::optional<int64_t>& id) { return id ? Json(*id) : Json(nullptr); }

Json IssuesJson(const importing::ImportReport& report) {
  Json codes = Json::array();
  for (size_t index = 0; index < importing::kIssueCodeCount; ++index) {
    const auto code = static_cast<importing::IssueCode>(index);
    if (report.Count(code) == 0) continue;
    Json examples = Json::array();
    for (const importing::RowIssue& issue : report.issues()) {
      if (issue.code != code) continue;
      examples.push_back(Json{{"row", issue.row}, {"column", issue.column}, {"message", issue.message}});
    }
    codes.push_back(Json{{"code", importing::IssueCodeName(code)},
                         {"severity", importing::SeverityName(importing::SeverityOf(code))},
                         {"count", report.Count(code)},
                         {"examples", std::move(examples)}});
  }
  return codes;
}

}  // namespace

Json ImportOutcomeJson(const app::ImportOutcome& outcome, app::ImportAction action) {
  Json mapping = Json::array();
  for (size_t i = 0; i < outcome.mapping.headers.size(); ++i) {
    mapping.push_back(Json{{"column", outcome.mapping.headers[i]},
                           {"field", importing::FieldName(outcome.mapping.fields[i])}});
  }
  const app::ImportCounts& counts = outcome.counts;
  return Json{
      {"dry_run", action == app::ImportAction::kDryRun},
      {"committed", outcome.committed},
      {"run_id", OptionalId(outcome.run_id)},
      {"previous_run_id", OptionalId(outcome.previous_run_id)},
      {"file",
       Json{{"format", importing::FileFormatName(outcome.format)},
            {"encoding", importing::EncodingName(outcome.encoding)},
            {"delimiter", std::string(1, outcome.delimiter)},
            {"hash", outcome.file_hash}}},
      {"mapping", std::move(mapping)},
      {"rows",
       Json{{"read", outcome.report.rows_read},
            {"rejected", outcome.report.rows_rejected},
            {"skipped", outcome.report.rows_skipped}}},
      {"customers",
       Json{{"created", counts.customers_created},
            {"updated", counts.customers_updated},
            {"unchanged", counts.customers_unchanged}}},
      {"orders",
       Json{{"created", counts.orders_created},
            {"refunds", counts.refunds_created},
            {"refunds_linked", counts.refunds_linked},
            {"existing", counts.orders_existing}}},
      {"issues", IssuesJson(outcome.report)},
  };
}

Json DuplicateCandidatesJson(const std::vector<importing::DuplicateCandidate>& candidates) {
  Json items = Json::array();
  for (const importing::DuplicateCandidate& candidate : candidates) {
    Json reasons = Json::array();
    for (importing::DuplicateReason reason : candidate.reasons) reasons.push_back(importing::DuplicateReasonName(reason));
    items.push_back(Json{{"first_id", candidate.first},
                         {"second_id", candidate.second},
                         {"score", candidate.score},
                         {"reasons", std::move(reasons)}});
  }
  return Json{{"items", std::move(items)}};
}

}  // namespace crm::http
