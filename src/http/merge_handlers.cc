// Handlers for the duplicate review queue and for merging customers: the queue (and dismissing a
// pair from it), the preview of a merge, the merge with per-field choices, the merge history and
// undo. Managers and owners only (the service checks the role).
#include <optional>
#include <string>
#include <vector>

#include "http/import_handlers.h"
#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "merges";

Json ChoicesJson(const std::vector<std::pair<std::string, std::string>>& choices) {
  Json json = Json::object();
  for (const auto& [field, side] : choices) json[field] = side;
  return json;
}

Json ChoicesJson(const std::vector<domain::MergeChoice>& choices) {
  Json json = Json::object();
  for (const domain::MergeChoice& choice : choices)
    json[domain::ToString(choice.field)] = domain::ToString(choice.side);
  return json;
}

Json OptionalTime(const std::optional<Timestamp>& at) { return at ? Json(at->ToIso8601()) : Json(nullptr); }

Json MergeRecordJson(const store::MergeRecord& record) {
  return Json{{"id", record.id},
              {"survivor_id", record.survivor_id.value()},
              {"merged_id", record.merged_id.value()},
              {"staff_id", record.staff_id ? Json(record.staff_id->value()) : Json(nullptr)},
              {"token_id", record.token_id ? Json(record.token_id->value()) : Json(nullptr)},
              {"choices", ChoicesJson(record.choices)},
              {"created_at", record.created_at.ToIso8601()},
              {"undone_at", OptionalTime(record.undone_at)}};
}

Json ProfileJson(RequestContext& context, const domain::Customer& customer) {
  return CustomerToJson(customer, context.services.customers.StageOf(customer), CustomerView::kProfile);
}

// {"other_id": N, "keep": {"name": "other", ...}}
struct MergeRequest {
  CustomerId other;
  std::vector<domain::MergeChoice> keep;
};

Result<MergeRequest> ParseMergeRequest(const nlohmann::json& body) {
  FieldReader reader(body);
  MergeRequest request;
  request.other = CustomerId(reader.Id("other_id", Presence::kRequired).value_or(0));
  if (const nlohmann::json* keep = reader.Object("keep")) {
    for (auto it = keep->begin(); it != keep->end(); ++it) {
      const std::string field_name = "keep." + it.key();
      std::optional<domain::MergeField> field = domain::ParseMergeField(it.key());
      if (!field) return InvalidArgument("is not a field a merge chooses", field_name);
      std::optional<domain::MergeSide> side;
      if (it.value().is_string()) side = domain::ParseMergeSide(it.value().get<std::string>());
      if (!side) return InvalidArgument("expected \"this\", \"other\" or (for lists) \"both\"", field_name);
      request.keep.push_back({*field, *side});
    }
  }
  if (!reader.ok()) return reader.status();
  return request;
}

Result<Response> ListDuplicates(RequestContext& context) {
  int limit = 100;
  if (std::optional<std::string> text = context.query.Get("limit"); text && !text->empty()) {
    std::optional<int64_t> number = ParsePositiveId(*text);
    if (!number || *number > 1000) return InvalidArgument("expected an integer from 1 to 1000", "limit");
    limit = static_cast<int>(*number);
  }
  CRM_ASSIGN_OR_RETURN(auto candidates, context.services.merges.Duplicates(context.principal(), limit));
  std::vector<CustomerId> ids;
  for (const importing::DuplicateCandidate& candidate : candidates) {
    ids.emplace_back(candidate.first);
    ids.emplace_back(candidate.second);
  }
  CRM_ASSIGN_OR_RETURN(auto names, context.services.customers.MaskedNames(context.principal(), std::move(ids)));
  Json body = DuplicateCandidatesJson(candidates);
  // The back office shows a pair by its masked names, never by bare ids.
  for (Json& item : body["items"]) {
    for (const char* side : {"first", "second"}) {
      auto name = names.find(CustomerId(item[std::string(side) + "_id"].get<int64_t>()));
      item[std::string(side) + "_name"] = name != names.end() ? Json(name->second) : Json(nullptr);
    }
  }
  return Response::Of(std::move(body));
}

Result<Response> DismissDuplicate(RequestContext& context) {
  FieldReader reader(context.body);
  const CustomerId first(reader.Id("first_id", Presence::kRequired).value_or(0));
  const CustomerId second(reader.Id("second_id", Presence::kRequired).value_or(0));
  if (!reader.ok()) return reader.status();
  CRM_RETURN_IF_ERROR(context.services.merges.Dismiss(context.principal(), first, second));
  return Response::Of(Json{{"first_id", std::min(first, second).value()},
                           {"second_id", std::max(first, second).value()},
                           {"dismissed", true}});
}

Result<Response> PreviewMerge(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> other, ReadIdParam(context.query, "other_id"));
  if (!other) return InvalidArgument("is required", "other_id");
  CRM_ASSIGN_OR_RETURN(
      app::MergePreview preview,
      context.services.merges.Preview(context.principal(), context.PathId<CustomerId>("id"), CustomerId(*other)));
  Json differing = Json::array();
  for (domain::MergeField field : preview.differing) differing.push_back(domain::ToString(field));
  return Response::Of(Json{{"survivor", ProfileJson(context, preview.survivor)},
                           {"other", ProfileJson(context, preview.other)},
                           {"differing", std::move(differing)},
                           {"defaults", ChoicesJson(preview.defaults)}});
}

Result<Response> MergeCustomers(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(MergeRequest request, ParseMergeRequest(context.body));
  CRM_ASSIGN_OR_RETURN(app::MergeOutcome outcome,
                       context.services.merges.Merge(context.principal(), context.PathId<CustomerId>("id"),
                                                     request.other, request.keep));
  return Response::Of(Json{{"merge_id", outcome.merge_id},
                           {"choices", ChoicesJson(outcome.choices)},
                           {"customer", ProfileJson(context, outcome.survivor)}});
}

Result<Response> ListMerges(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PageRequest page, ReadPage(context.query));
  CRM_ASSIGN_OR_RETURN(auto records, context.services.merges.List(context.principal(), page.cursor, page.limit + 1));
  std::optional<int64_t> next;
  if (static_cast<int>(records.size()) > page.limit) {
    records.pop_back();
    next = records.back().id;
  }
  Json items = Json::array();
  for (const store::MergeRecord& record : records) items.push_back(MergeRecordJson(record));
  return Response::Of(PageJson(std::move(items), next));
}

Result<Response> UndoMerge(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(store::MergeRecord record,
                       context.services.merges.Undo(context.principal(), context.PathId<int64_t>("id")));
  return Response::Of(MergeRecordJson(record));
}

}  // namespace

std::vector<Route> MergeRoutes() {
  return {
      {{.method = Method::kGet,
        .pattern = "/api/v1/duplicates",
        .summary = "The duplicate review queue: customer pairs with score and reasons, best first (manager)",
        .tag = kTag,
        .query = {{.name = "limit", .description = "pairs, 1-1000 (default 100)", .type = "integer"}},
        .response_schema = "DuplicateList"},
       ListDuplicates},
      {{.method = Method::kPost,
        .pattern = "/api/v1/duplicates/dismiss",
        .summary = "Take a pair off the review queue: not the same person (manager)",
        .tag = kTag,
        .request_schema = "DuplicatePair",
        .response_schema = "DuplicateDismissal"},
       DismissDuplicate},
      {{.method = Method::kGet,
        .pattern = "/api/v1/customers/{id}/merge-preview",
        .summary = "Both profiles, the fields that differ and the default choices (manager; logged)",
        .tag = kTag,
        .query = {{.name = "other_id",
                   .description = "the customer to merge into this one",
                   .type = "integer",
                   .required = true}},
        .response_schema = "MergePreview"},
       PreviewMerge},
      {{.method = Method::kPost,
        .pattern = "/api/v1/customers/{id}/merge",
        .summary = "Merge another customer into this one, choosing per field which value to keep (manager)",
        .tag = kTag,
        .request_schema = "MergeInput",
        .response_schema = "MergeResult"},
       MergeCustomers},
      {{.method = Method::kGet,
        .pattern = "/api/v1/merges",
        .summary = "Merges, newest first (manager)",
        .tag = kTag,
        .query = {{.name = "cursor", .description = "next_cursor of the previous page"},
                  {.name = "limit", .description = "items per page, 1-200 (default 50)", .type = "integer"}},
        .response_schema = "MergePage"},
       ListMerges},
      {{.method = Method::kPost,
        .pattern = "/api/v1/merges/{id}/undo",
        .summary = "Undo a merge: both customers as they were; rows created since stay with the survivor (manager)",
        .tag = kTag,
        .response_schema = "Merge"},
       UndoMerge},
  };
}

}  // namespace crm::http
