// Handlers for customers: the list, create and edit, the counter lookup, the full profile (alerts
// first), preferences and notes.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "http/customer_query.h"
#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {

Json TaskJson(const app::TaskView& view);  // http/automation_handlers.cc

namespace {

constexpr char kTag[] = "customers";

// The profile with the customer's loyalty standing (null when the business has no program).
// What imports kept beyond the profile's fields: the opening balance of the old system, a phone
// shared with another customer, and the columns kept as attributes.
void AddImportedJson(const app::ImportedProfile& imported, Json& json) {
  auto time = [](const std::optional<Timestamp>& at) { return at ? Json(at->ToIso8601()) : Json(nullptr); };
  Json openings = Json::array();
  for (const store::OpeningBalance& opening : imported.opening_balances) {
    openings.push_back(Json{{"source", opening.source},
                            {"visit_count", opening.visit_count},
                            {"total_spend", opening.total_spend},
                            {"first_visit_at", time(opening.first_visit_at)},
                            {"last_visit_at", time(opening.last_visit_at)},
                            {"points", opening.points},
                            {"tier", opening.tier.empty() ? Json(nullptr) : Json(opening.tier)}});
  }
  json["opening_balances"] = std::move(openings);
  Json shares = Json::array();
  for (const store::PhoneShare& share : imported.phone_shares) {
    shares.push_back(Json{{"customer_id", share.customer_id.value()},
                          {"holder_id", share.holder_id.value()},
                          {"phone", share.phone_e164},
                          {"relation", share.kind == store::PhoneShareKind::kAlias ? "alias" : "family"},
                          {"alias", share.alias.empty() ? Json(nullptr) : Json(share.alias)}});
  }
  json["phone_shares"] = std::move(shares);
  Json attributes = Json::array();
  for (const store::CustomerAttribute& attribute : imported.attributes) {
    attributes.push_back(Json{{"key", attribute.key}, {"value", attribute.value}, {"source", attribute.source}});
  }
  json["attributes"] = std::move(attributes);
}

Result<Json> ProfileJson(RequestContext& context, const domain::Customer& customer) {
  Json json = CustomerToJson(customer, context.services.customers.StageOf(customer), CustomerView::kProfile);
  CRM_ASSIGN_OR_RETURN(auto loyalty, context.services.loyalty.Summary(context.principal(), customer.id));
  json["loyalty"] = loyalty ? Json{{"unit", loyalty->unit},
                                   {"balance", loyalty->balance},
                                   {"tier", loyalty->tier ? Json(*loyalty->tier) : Json(nullptr)}}
                            : Json(nullptr);
  // The card shows the follow-ups staff should do for this customer (theirs and unassigned ones;
  // managers see all).
  CRM_ASSIGN_OR_RETURN(auto tasks, context.services.tasks.OpenFor(context.principal(), customer.id));
  Json open_tasks = Json::array();
  for (const app::TaskView& task : tasks) open_tasks.push_back(TaskJson(task));
  json["open_tasks"] = std::move(open_tasks);
  CRM_ASSIGN_OR_RETURN(app::ImportedProfile imported, context.services.imports.CustomerImports(context.principal(), customer.id));
  AddImportedJson(imported, json);
  return json;
}

// A sorted page (?sort=, ?order=, ?offset= or ?q= without a cursor): the rows with their points
// and tier, and the total.
Result<Response> ListSortedCustomers(RequestContext& context, const app::CustomerQuery& query,
                                     const SortedPageRequest& request, int limit, app::PersonalData personal_data) {
  CRM_ASSIGN_OR_RETURN(app::CustomerSortedPage page,
                       context.services.customers.ListSorted(context.principal(), query, request.order,
                                                             request.offset, limit));
  Json items = Json::array();
  for (const app::CustomerListEntry& entry : page.entries) {
    Json item =
        CustomerToJson(entry.customer, context.services.customers.StageOf(entry.customer), CustomerView::kSummary);
    if (personal_data == app::PersonalData::kMasked) MaskPersonalData(item);
    item["points"] = entry.points;
    item["tier"] = entry.tier.empty() ? Json(nullptr) : Json(entry.tier);
    items.push_back(std::move(item));
  }
  CRM_RETURN_IF_ERROR(context.services.customers.RecordListRead(context.principal(), "customers",
                                                                page.entries.size(), personal_data));
  Json body = PageJson(std::move(items), std::nullopt);
  body["total"] = page.total;
  body["offset"] = request.offset;
  return Response::Of(std::move(body));
}

Result<Response> ListCustomers(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PageRequest page, ReadPage(context.query));
  CRM_ASSIGN_OR_RETURN(app::CustomerQuery query, ReadCustomerQuery(context.query));
  CRM_ASSIGN_OR_RETURN(app::PersonalData personal_data, ReadUnmask(context));
  CRM_ASSIGN_OR_RETURN(std::optional<SortedPageRequest> sorted, ReadSortedPage(context.query));
  if (!sorted && query.text) sorted = SortedPageRequest{};
  if (sorted && !page.cursor) return ListSortedCustomers(context, query, *sorted, page.limit, personal_data);
  std::optional<CustomerId> after;
  if (page.cursor) after = CustomerId(*page.cursor);
  CRM_ASSIGN_OR_RETURN(app::CustomerPage result,
                       context.services.customers.List(context.principal(), after, page.limit, query));
  Json items = Json::array();
  for (const domain::Customer& customer : result.customers) {
    Json item = CustomerToJson(customer, context.services.customers.StageOf(customer), CustomerView::kSummary);
    if (personal_data == app::PersonalData::kMasked) MaskPersonalData(item);
    items.push_back(std::move(item));
  }
  CRM_RETURN_IF_ERROR(context.services.customers.RecordListRead(context.principal(), "customers",
                                                                result.customers.size(), personal_data));
  std::optional<int64_t> next;
  if (result.next_cursor) next = result.next_cursor->value();
  return Response::Of(PageJson(std::move(items), next));
}

Result<Response> CreateCustomer(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::CustomerDraft draft, ParseCustomerDraft(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Customer customer, context.services.customers.Create(context.principal(), draft));
  CRM_ASSIGN_OR_RETURN(Json profile, ProfileJson(context, customer));
  return Response::Of(std::move(profile), 201);
}

Result<Response> TagCustomers(RequestContext& context) {
  FieldReader reader(context.body);
  std::optional<std::string> tag = reader.String("tag", Presence::kRequired);
  const nlohmann::json* list = reader.Array("customer_ids", Presence::kRequired);
  CRM_RETURN_IF_ERROR(reader.status());
  std::vector<CustomerId> ids;
  for (const nlohmann::json& value : *list) {
    if (!value.is_number_integer() || value.get<int64_t>() < 1) {
      return InvalidArgument("must be customer ids (integers of 1 or more)", "customer_ids");
    }
    ids.emplace_back(value.get<int64_t>());
  }
  CRM_ASSIGN_OR_RETURN(int64_t added, context.services.customers.AddTag(context.principal(), ids, *tag));
  return Response::Of(Json{{"tag", *tag}, {"added", added}});
}

Result<Response> LookupCustomers(RequestContext& context) {
  std::optional<std::string> query = context.query.Get("q");
  if (!query || query->empty()) return InvalidArgument("is required: last 4 digits, a phone number or a name", "q");
  int limit = 20;
  if (std::optional<std::string> text = context.query.Get("limit"); text && !text->empty()) {
    std::optional<int64_t> number = ParsePositiveId(*text);
    if (!number || *number > 50) return InvalidArgument("expected an integer from 1 to 50", "limit");
    limit = static_cast<int>(*number);
  }
  CRM_ASSIGN_OR_RETURN(app::LookupResult result, context.services.customers.Lookup(context.principal(), *query, limit));
  return Response::Of(ToJson(result));
}

Result<Response> GetCustomer(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Customer customer,
                       context.services.customers.Get(context.principal(), context.PathId<CustomerId>("id")));
  CRM_ASSIGN_OR_RETURN(Json profile, ProfileJson(context, customer));
  return Response::Of(std::move(profile));
}

Result<Response> UpdateCustomer(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::CustomerDraft draft, ParseCustomerDraft(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Customer customer,
                       context.services.customers.Update(context.principal(), context.PathId<CustomerId>("id"), draft));
  CRM_ASSIGN_OR_RETURN(Json profile, ProfileJson(context, customer));
  return Response::Of(std::move(profile));
}

Result<Response> AddPreference(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PreferenceRequest request, ParsePreference(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Preference preference,
                       context.services.customers.AddPreference(context.principal(), context.PathId<CustomerId>("id"),
                                                                request.kind, request.subject));
  return Response::Of(ToJson(preference), 201);
}

Result<Response> DeletePreference(RequestContext& context) {
  CRM_RETURN_IF_ERROR(context.services.customers.DeletePreference(context.principal(), context.PathId<CustomerId>("id"),
                                                                  context.PathId<PreferenceId>("pid")));
  return Response::NoContent();
}

Result<Response> ListNotes(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(std::vector<domain::Note> notes,
                       context.services.customers.ListNotes(context.principal(), context.PathId<CustomerId>("id")));
  CRM_ASSIGN_OR_RETURN(app::ImportedProfile imported,
                       context.services.imports.CustomerImports(context.principal(), context.PathId<CustomerId>("id")));
  Json items = Json::array();
  for (const domain::Note& note : notes) {
    Json item = ToJson(note);
    const auto& from_import = imported.imported_notes;
    if (std::find(from_import.begin(), from_import.end(), note.id) != from_import.end()) item["source"] = "import";
    items.push_back(std::move(item));
  }
  return Response::Of(PageJson(std::move(items), std::nullopt));
}

Result<Response> AddNote(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(NoteRequest request, ParseNote(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Note note,
                       context.services.customers.AddNote(context.principal(), context.PathId<CustomerId>("id"),
                                                          request.text, request.branch_id, request.pinned));
  return Response::Of(ToJson(note), 201);
}

Result<Response> PinNote(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(bool pinned, ParsePinned(context.body));
  const NoteId note = context.PathId<NoteId>("nid");
  CRM_RETURN_IF_ERROR(
      context.services.customers.PinNote(context.principal(), context.PathId<CustomerId>("id"), note, pinned));
  Json body;
  body["id"] = note.value();
  body["pinned"] = pinned;
  return Response::Of(std::move(body));
}

const std::vector<QueryParamInfo> kPageParams = {
    {.name = "cursor", .description = "next_cursor of the previous page"},
    {.name = "limit", .description = "items per page, 1-200 (default 50)", .type = "integer"},
};

std::vector<QueryParamInfo> WithSort(std::vector<QueryParamInfo> params) {
  for (QueryParamInfo& param : SortedPageParams()) params.push_back(std::move(param));
  return params;
}

std::vector<QueryParamInfo> WithPage(std::vector<QueryParamInfo> params) {
  params.insert(params.end(), kPageParams.begin(), kPageParams.end());
  params.push_back(kUnmaskParam);
  return params;
}

}  // namespace

std::vector<Route> CustomerRoutes() {
  return {
      {{.method = Method::kGet,
        .pattern = "/api/v1/customers",
        .summary = "List customers filtered on the server: oldest first by cursor, or sorted pages with the total",
        .tag = kTag,
        .query = WithPage(WithSort(CustomerQueryParams())),
        .response_schema = "CustomerPage"},
       ListCustomers},
      {{.method = Method::kPost,
        .pattern = "/api/v1/customers/tags",
        .summary = "Give one tag to many customers (the list's bulk action)",
        .tag = kTag,
        .request_schema = "CustomerTagInput",
        .response_schema = "CustomerTagResult"},
       TagCustomers},
      {{.method = Method::kPost,
        .pattern = "/api/v1/customers",
        .summary = "Create a customer",
        .tag = kTag,
        .request_schema = "CustomerDraft",
        .response_schema = "Customer",
        .success_status = 201},
       CreateCustomer},
      {{.method = Method::kGet,
        .pattern = "/api/v1/customers/lookup",
        .summary = "Counter lookup: a masked pick list by last 4 digits, phone, name prefix or initials",
        .tag = kTag,
        .query =
            {{.name = "q", .description = "last 4 digits, a phone number, a name prefix or 초성", .required = true},
             {.name = "limit", .description = "rows, 1-50 (default 20)", .type = "integer"}},
        .response_schema = "LookupResult"},
       LookupCustomers},
      {{.method = Method::kGet,
        .pattern = "/api/v1/customers/{id}",
        .summary = "The full profile, alerts first (written to the access log)",
        .tag = kTag,
        .response_schema = "Customer"},
       GetCustomer},
      {{.method = Method::kPatch,
        .pattern = "/api/v1/customers/{id}",
        .summary = "Change a customer: absent fields stay, null clears",
        .tag = kTag,
        .request_schema = "CustomerDraft",
        .response_schema = "Customer"},
       UpdateCustomer},
      {{.method = Method::kPost,
        .pattern = "/api/v1/customers/{id}/preferences",
        .summary = "Add a preference (like, dislike, allergy, never)",
        .tag = kTag,
        .request_schema = "PreferenceInput",
        .response_schema = "Preference",
        .success_status = 201},
       AddPreference},
      {{.method = Method::kDelete,
        .pattern = "/api/v1/customers/{id}/preferences/{pid}",
        .summary = "Remove a preference",
        .tag = kTag,
        .success_status = 204},
       DeletePreference},
      {{.method = Method::kGet,
        .pattern = "/api/v1/customers/{id}/notes",
        .summary = "A customer's notes, pinned first",
        .tag = kTag,
        .response_schema = "NotePage"},
       ListNotes},
      {{.method = Method::kPost,
        .pattern = "/api/v1/customers/{id}/notes",
        .summary = "Add a note",
        .tag = kTag,
        .request_schema = "NoteInput",
        .response_schema = "Note",
        .success_status = 201},
       AddNote},
      {{.method = Method::kPatch,
        .pattern = "/api/v1/customers/{id}/notes/{nid}",
        .summary = "Pin or unpin a note",
        .tag = kTag,
        .request_schema = "NotePin",
        .response_schema = "NotePin"},
       PinNote},
  };
}

}  // namespace crm::http
