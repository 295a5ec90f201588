// Import outcomes and duplicate candidates as JSON, for the API and the command line.
#include "http/import_handlers.h"

#include <algorithm>
#include <string>

#include "http/errors.h"
#include "http/route.h"

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
    mapping.push_back(
        Json{{"column", outcome.mapping.headers[i]}, {"field", importing::FieldName(outcome.mapping.fields[i])}});
  }
  const app::ImportCounts& counts = outcome.counts;
  return Json{
      {"dry_run", action == app::ImportAction::kDryRun},
      {"committed", outcome.committed},
      {"run_id", OptionalId(outcome.run_id)},
      {"previous_run_id", OptionalId(outcome.previous_run_id)},
      {"file", Json{{"format", importing::FileFormatName(outcome.format)},
                    {"encoding", importing::EncodingName(outcome.encoding)},
                    {"delimiter", std::string(1, outcome.delimiter)},
                    {"hash", outcome.file_hash}}},
      {"mapping", std::move(mapping)},
      {"rows", Json{{"read", outcome.report.rows_read},
                    {"rejected", outcome.report.rows_rejected},
                    {"skipped", outcome.report.rows_skipped}}},
      {"customers", Json{{"created", counts.customers_created},
                         {"updated", counts.customers_updated},
                         {"unchanged", counts.customers_unchanged}}},
      {"orders", Json{{"created", counts.orders_created},
                      {"refunds", counts.refunds_created},
                      {"refunds_linked", counts.refunds_linked},
                      {"existing", counts.orders_existing}}},
      {"write_offs", Json{{"created", counts.write_offs_created}, {"existing", counts.write_offs_existing}}},
      {"issues", IssuesJson(outcome.report)},
  };
}

Json DuplicateCandidatesJson(const std::vector<importing::DuplicateCandidate>& candidates) {
  Json items = Json::array();
  for (const importing::DuplicateCandidate& candidate : candidates) {
    Json reasons = Json::array();
    for (importing::DuplicateReason reason : candidate.reasons)
      reasons.push_back(importing::DuplicateReasonName(reason));
    items.push_back(Json{{"first_id", candidate.first},
                         {"second_id", candidate.second},
                         {"score", candidate.score},
                         {"reasons", std::move(reasons)}});
  }
  return Json{{"items", std::move(items)}};
}

}  // namespace crm::http

// Imports through the API: an upload starts a background job (202 with its id); the job answers
// its state and progress, then the same report as `dangol import --format json`, and the rejected
// rows of a valid_rows run as CSV.
namespace crm::http {
namespace {

constexpr char kTag[] = "imports";
constexpr size_t kMaxUploadBytes = size_t{64} << 20;
constexpr char kXlsxType[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// "true" or "false" (absent: `fallback`); kInvalidArgument naming `name` otherwise.
Result<bool> ReadBool(const QueryParams& query, std::string_view name, bool fallback) {
  std::optional<std::string> text = query.Get(name);
  if (!text || text->empty()) return fallback;
  if (*text == "true") return true;
  if (*text == "false") return false;
  return InvalidArgument("expected true or false", std::string(name));
}

Result<std::optional<std::vector<importing::Field>>> ReadMapping(const QueryParams& query) {
  std::optional<std::string> text = query.Get("mapping");
  if (!text || text->empty()) return std::optional<std::vector<importing::Field>>();
  std::vector<importing::Field> fields;
  for (size_t start = 0; start <= text->size();) {
    const size_t comma = std::min(text->find(',', start), text->size());
    const std::string name = text->substr(start, comma - start);
    std::optional<importing::Field> field = importing::ParseField(name);
    if (!field) return InvalidArgument("unknown field \"" + name + "\"", "mapping");
    fields.push_back(*field);
    start = comma + 1;
  }
  return std::optional<std::vector<importing::Field>>(std::move(fields));
}

Result<char> ReadDelimiter(const QueryParams& query) {
  std::optional<std::string> text = query.Get("delimiter");
  if (!text || text->empty()) return '\0';
  if (*text == "tab") return '\t';
  if (*text == "," || *text == ";" || *text == "|" || *text == "\t") return (*text)[0];
  return InvalidArgument("must be , ; | or tab", "delimiter");
}

Result<int> ReadSmallInt(const QueryParams& query, std::string_view name, int low, int high, int fallback) {
  std::optional<std::string> text = query.Get(name);
  if (!text || text->empty()) return fallback;
  const bool negative = (*text)[0] == '-';
  std::optional<int64_t> number = ParsePositiveId(negative ? text->substr(1) : *text);
  if (*text == "0") number = 0;
  if (number && negative) number = -*number;
  if (!number || *number < low || *number > high) {
    return InvalidArgument("expected an integer from " + std::to_string(low) + " to " + std::to_string(high),
                           std::string(name));
  }
  return static_cast<int>(*number);
}

// The query of POST /imports as an ImportRequest; each bad parameter a 400 naming it.
Result<app::ImportRequest> ReadImportRequest(const QueryParams& query) {
  app::ImportRequest request;
  std::optional<std::string> kind = query.Get("kind");
  if (!kind || kind->empty())
    return InvalidArgument("is required: customers, orders, order_lines or transactions", "kind");
  std::optional<importing::ImportKind> parsed_kind = importing::ParseImportKind(*kind);
  if (!parsed_kind) return InvalidArgument("must be customers, orders, order_lines or transactions", "kind");
  request.kind = *parsed_kind;
  CRM_ASSIGN_OR_RETURN(bool dry_run, ReadBool(query, "dry_run", false));
  request.action = dry_run ? app::ImportAction::kDryRun : app::ImportAction::kApply;
  CRM_ASSIGN_OR_RETURN(request.confirm_ignored, ReadBool(query, "confirm_ignored", false));
  if (const std::string shared = query.Get("shared_phone").value_or(""); !shared.empty()) {
    const std::optional<app::SharedPhonePolicy> policy = app::ParseSharedPhonePolicy(shared);
    if (!policy) return InvalidArgument("must be auto, merge, family or alias", "shared_phone");
    request.shared_phone = *policy;
  }
  const std::string mode = query.Get("mode").value_or("");
  if (mode == "valid_rows") {
    request.mode = app::ImportMode::kValidRows;
  } else if (!mode.empty() && mode != "all_or_nothing") {
    return InvalidArgument("must be all_or_nothing or valid_rows", "mode");
  }
  const std::string encoding = query.Get("encoding").value_or("");
  if (!encoding.empty()) {
    std::optional<importing::Encoding> parsed = importing::ParseEncoding(encoding);
    if (!parsed) return InvalidArgument("must be auto, utf-8, cp949 (euc-kr), utf-16le or utf-16be", "encoding");
    request.source.encoding = *parsed;
  }
  request.source.sheet = query.Get("sheet").value_or("");
  CRM_ASSIGN_OR_RETURN(request.source.delimiter, ReadDelimiter(query));
  CRM_ASSIGN_OR_RETURN(request.fields, ReadMapping(query));
  if (std::optional<std::string> source = query.Get("source"); source && !source->empty()) {
    if (source->size() > 100) return InvalidArgument("must be at most 100 characters", "source");
    request.source_name = *source;
  }
  if (query.Get("currency_exponent").value_or("") != "") {
    CRM_ASSIGN_OR_RETURN(request.currency_exponent, ReadSmallInt(query, "currency_exponent", 0, 4, 0));
  }
  if (query.Get("utc_offset_minutes").value_or("") != "") {
    CRM_ASSIGN_OR_RETURN(int offset, ReadSmallInt(query, "utc_offset_minutes", -14 * 60, 14 * 60, 0));
    request.utc_offset_minutes = offset;
  }
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> branch, ReadIdParam(query, "branch_id"));
  if (branch) request.branch = BranchId(*branch);
  return request;
}

const char* ModeName(app::ImportMode mode) {
  return mode == app::ImportMode::kValidRows ? "valid_rows" : "all_or_nothing";
}

Json JobJson(const app::ImportJobView& job) {
  const bool has_rejects = job.outcome != nullptr && job.mode == app::ImportMode::kValidRows;
  return Json{
      {"id", job.id},
      {"state", app::ImportJobStateName(job.state)},
      {"kind", importing::ImportKindName(job.kind)},
      {"dry_run", job.action == app::ImportAction::kDryRun},
      {"mode", ModeName(job.mode)},
      {"created_at", job.created_at.ToIso8601()},
      {"finished_at", job.finished_at ? Json(job.finished_at->ToIso8601()) : Json(nullptr)},
      {"progress", Json{{"rows", job.progress.rows},
                        {"bytes_read", job.progress.bytes_read},
                        {"bytes_total", job.progress.bytes_total}}},
      {"report", job.outcome != nullptr ? ImportOutcomeJson(*job.outcome, job.action) : Json(nullptr)},
      {"error", job.state == app::ImportJobState::kFailed ? ErrorBody(job.error)["error"] : Json(nullptr)},
      {"rejects_url", has_rejects ? Json("/api/v1/imports/" + std::to_string(job.id) + "/rejects") : Json(nullptr)},
  };
}

Result<Response> StartImport(RequestContext& context) {
  CRM_RETURN_IF_ERROR(context.principal().Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(app::ImportRequest request, ReadImportRequest(context.query));
  CRM_ASSIGN_OR_RETURN(
      int64_t id, context.services.import_jobs.Submit(context.principal(), std::string(context.raw_body), request));
  CRM_ASSIGN_OR_RETURN(app::ImportJobView job, context.services.import_jobs.Get(context.principal(), id));
  Response response = Response::Of(JobJson(job), 202);
  response.headers.emplace_back("Location", "/api/v1/imports/" + std::to_string(id));
  return response;
}

Result<Response> GetImport(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::ImportJobView job,
                       context.services.import_jobs.Get(context.principal(), context.PathId<int64_t>("id")));
  return Response::Of(JobJson(job));
}

Result<Response> GetRejects(RequestContext& context) {
  const int64_t id = context.PathId<int64_t>("id");
  CRM_ASSIGN_OR_RETURN(app::ImportJobView job, context.services.import_jobs.Get(context.principal(), id));
  if (job.mode != app::ImportMode::kValidRows) {
    return FailedPrecondition("only a valid_rows import has a rejects file", "mode");
  }
  if (job.outcome == nullptr) return FailedPrecondition("the import has not finished", "state");
  return Response::File(job.outcome->rejects_csv, "text/csv; charset=utf-8",
                        "import-" + std::to_string(id) + "-rejects.csv");
}

}  // namespace

std::vector<Route> ImportRoutes() {
  return {
      {{.method = Method::kPost,
        .pattern = "/api/v1/imports",
        .summary = "Start an import of the CSV or XLSX file in the body (manager or owner); poll the job",
        .tag = kTag,
        .query = {{.name = "kind", .description = "customers, orders, order_lines or transactions", .required = true},
                  {.name = "dry_run", .description = "true: read and check, write nothing (default false)"},
                  {.name = "mode", .description = "all_or_nothing (default) or valid_rows"},
                  {.name = "encoding", .description = "auto (default), utf-8, cp949, utf-16le or utf-16be"},
                  {.name = "sheet", .description = "XLSX sheet name (default: the first)"},
                  {.name = "delimiter", .description = "CSV delimiter: , ; | or tab (default: detected)"},
                  {.name = "mapping", .description = "field of each column, comma-separated (default: guessed)"},
                  {.name = "shared_phone",
                   .description = "a customer row with the phone of another name: auto (default), merge, family "
                                  "or alias"},
                  {.name = "confirm_ignored",
                   .description = "true: leave out columns mapped to ignore whose header names a known field"},
                  {.name = "source", .description = "the system the file comes from; keys re-imports"},
                  {.name = "currency_exponent", .description = "decimals of the currency, 0-4 (default: the business's currency's)", .type = "integer"},
                  {.name = "utc_offset_minutes", .description = "how local times are read", .type = "integer"},
                  {.name = "branch_id", .description = "branch of imported orders", .type = "integer"}},
        .response_schema = "ImportJob",
        .raw_request_types = {"text/csv", kXlsxType, "application/octet-stream"},
        .max_body_bytes = kMaxUploadBytes,
        .success_status = 202},
       StartImport},
      {{.method = Method::kGet,
        .pattern = "/api/v1/imports/{id}",
        .summary = "An import's state, progress and, when finished, its report",
        .tag = kTag,
        .response_schema = "ImportJob"},
       GetImport},
      {{.method = Method::kGet,
        .pattern = "/api/v1/imports/{id}/rejects",
        .summary = "The rejected rows of a finished valid_rows import, with the reason, as CSV",
        .tag = kTag,
        .raw_response_types = {"text/csv"}},
       GetRejects},
  };
}

}  // namespace crm::http
