// Handlers for the business itself: its branches and staff, API tokens, prospect cards with the
// daily goal, and the access log.
#include <optional>
#include <vector>

#include "http/json_mapping.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "business";

template <typename T>
Json ItemsJson(const std::vector<T>& values) {
  Json items = Json::array();
  for (const T& value : values) items.push_back(ToJson(value));
  return items;
}

Result<Response> GetBusiness(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Business business, context.services.businesses.GetBusiness(context.principal()));
  return Response::Of(ToJson(business));
}

Result<Response> ListBranches(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(std::vector<domain::Branch> branches,
                       context.services.businesses.ListBranches(context.principal()));
  return Response::Of(PageJson(ItemsJson(branches), std::nullopt));
}

Result<Response> CreateBranch(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(std::string name, ParseBranchName(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Branch branch, context.services.businesses.CreateBranch(context.principal(), name));
  return Response::Of(ToJson(branch), 201);
}

Result<Response> ListStaff(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(std::vector<domain::Staff> staff, context.services.businesses.ListStaff(context.principal()));
  return Response::Of(PageJson(ItemsJson(staff), std::nullopt));
}

Result<Response> AddStaff(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::NewStaff request, ParseNewStaff(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Staff staff, context.services.businesses.AddStaff(context.principal(), request));
  return Response::Of(ToJson(staff), 201);
}

Result<Response> UpdateStaff(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::StaffChange change, ParseStaffChange(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Staff staff, context.services.businesses.UpdateStaff(
                                                context.principal(), context.PathId<StaffId>("id"), change));
  return Response::Of(ToJson(staff));
}

Result<Response> CreateToken(RequestContext& context) {
  CRM_RETURN_IF_ERROR(context.principal().Require(domain::Role::kOwner));
  CRM_ASSIGN_OR_RETURN(TokenRequest request, ParseTokenRequest(context.body));
  CRM_ASSIGN_OR_RETURN(app::CreatedToken token,
                       context.services.auth.CreateToken(context.principal().business_id, request.role, request.name,
                                                         context.principal().staff_id));
  Json body;
  body["id"] = token.id.value();
  body["token"] = token.secret;
  body["role"] = domain::ToString(request.role);
  body["name"] = request.name;
  return Response::Of(std::move(body), 201);
}

Result<Response> ListTokens(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(std::vector<domain::ApiToken> tokens, context.services.auth.ListTokens(context.principal()));
  Json items = Json::array();
  for (const domain::ApiToken& token : tokens) items.push_back(ToJson(token));
  return Response::Of(Json{{"items", std::move(items)}});
}

Result<Response> RevokeToken(RequestContext& context) {
  CRM_RETURN_IF_ERROR(context.services.auth.RevokeToken(context.principal(), context.PathId<TokenId>("id")));
  return Response::NoContent();
}

Result<Response> AddProspect(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Prospect request, ParseProspect(context.body));
  CRM_ASSIGN_OR_RETURN(domain::Prospect prospect,
                       context.services.businesses.AddProspect(context.principal(), std::move(request)));
  return Response::Of(ToJson(prospect), 201);
}

Result<Response> ListProspects(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PageRequest page, ReadPage(context.query));
  std::optional<ProspectId> before;
  if (page.cursor) before = ProspectId(*page.cursor);
  CRM_ASSIGN_OR_RETURN(std::vector<domain::Prospect> prospects,
                       context.services.businesses.ListProspects(context.principal(), before, page.limit));
  std::optional<int64_t> next;
  if (!prospects.empty() && static_cast<int>(prospects.size()) >= page.limit) next = prospects.back().id.value();
  return Response::Of(PageJson(ItemsJson(prospects), next));
}

Result<Response> ProspectProgress(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(std::vector<domain::ProspectProgress> progress,
                       context.services.businesses.ProspectProgress(context.principal()));
  return Response::Of(PageJson(ItemsJson(progress), std::nullopt));
}

Result<Response> AccessLog(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PageRequest page, ReadPage(context.query));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> customer, ReadIdParam(context.query, "customer_id"));
  std::optional<CustomerId> customer_id;
  if (customer) customer_id = CustomerId(*customer);
  CRM_ASSIGN_OR_RETURN(
      std::vector<domain::AccessLogEntry> entries,
      context.services.businesses.AccessLog(context.principal(), customer_id, page.cursor, page.limit));
  std::vector<CustomerId> mentioned;
  for (const domain::AccessLogEntry& entry : entries) {
    if (entry.customer_id) mentioned.push_back(*entry.customer_id);
  }
  CRM_ASSIGN_OR_RETURN(auto names, context.services.customers.MaskedNames(context.principal(), std::move(mentioned)));
  Json items = Json::array();
  for (const domain::AccessLogEntry& entry : entries) {
    Json item = ToJson(entry);
    auto name = entry.customer_id ? names.find(*entry.customer_id) : names.end();
    item["customer_name"] = name != names.end() ? Json(name->second) : Json(nullptr);
    items.push_back(std::move(item));
  }
  std::optional<int64_t> next;
  if (!entries.empty() && static_cast<int>(entries.size()) >= page.limit) next = entries.back().id;
  return Response::Of(PageJson(std::move(items), next));
}

const QueryParamInfo kCursor = {.name = "cursor", .description = "next_cursor of the previous page"};
const QueryParamInfo kLimit = {.name = "limit", .description = "items per page, 1-200 (default 50)", .type = "integer"};

}  // namespace

std::vector<Route> BusinessRoutes() {
  return {
      {{.method = Method::kGet,
        .pattern = "/api/v1/business",
        .summary = "The caller's business",
        .tag = kTag,
        .response_schema = "Business"},
       GetBusiness},
      {{.method = Method::kGet,
        .pattern = "/api/v1/branches",
        .summary = "The business's branches",
        .tag = kTag,
        .response_schema = "BranchPage"},
       ListBranches},
      {{.method = Method::kPost,
        .pattern = "/api/v1/branches",
        .summary = "Add a branch (managers and owners)",
        .tag = kTag,
        .request_schema = "BranchInput",
        .response_schema = "Branch",
        .success_status = 201},
       CreateBranch},
      {{.method = Method::kGet,
        .pattern = "/api/v1/staff",
        .summary = "The business's staff",
        .tag = kTag,
        .response_schema = "StaffPage"},
       ListStaff},
      {{.method = Method::kPost,
        .pattern = "/api/v1/staff",
        .summary = "Add a staff account (owners any role, managers staff)",
        .tag = kTag,
        .request_schema = "StaffInput",
        .response_schema = "Staff",
        .success_status = 201},
       AddStaff},
      {{.method = Method::kPatch,
        .pattern = "/api/v1/staff/{id}",
        .summary = "Change a staff account",
        .tag = kTag,
        .request_schema = "StaffChange",
        .response_schema = "Staff"},
       UpdateStaff},
      {{.method = Method::kPost,
        .pattern = "/api/v1/tokens",
        .summary = "Create an API token (owners); the secret is shown once",
        .tag = kTag,
        .request_schema = "TokenInput",
        .response_schema = "TokenCreated",
        .success_status = 201,
        .secret_fields = {"token"}},
       CreateToken},
      {{.method = Method::kGet,
        .pattern = "/api/v1/tokens",
        .summary = "The business's API tokens with their last use, revoked ones included (owners)",
        .tag = kTag,
        .response_schema = "TokenList"},
       ListTokens},
      {{.method = Method::kDelete,
        .pattern = "/api/v1/tokens/{id}",
        .summary = "Revoke an API token (owners); it fails at its next use",
        .tag = kTag,
        .success_status = 204},
       RevokeToken},
      {{.method = Method::kPost,
        .pattern = "/api/v1/prospects",
        .summary = "Record a prospect card (staff sessions)",
        .tag = kTag,
        .request_schema = "ProspectInput",
        .response_schema = "Prospect",
        .success_status = 201},
       AddProspect},
      {{.method = Method::kGet,
        .pattern = "/api/v1/prospects",
        .summary = "Prospect cards, newest first",
        .tag = kTag,
        .query = {kCursor, kLimit},
        .response_schema = "ProspectPage"},
       ListProspects},
      {{.method = Method::kGet,
        .pattern = "/api/v1/prospects/progress",
        .summary = "Each staff member's daily prospect goal and today's count",
        .tag = kTag,
        .response_schema = "ProspectProgressPage"},
       ProspectProgress},
      {{.method = Method::kGet,
        .pattern = "/api/v1/access-log",
        .summary = "Who viewed or changed which customer (owners)",
        .tag = kTag,
        .query = {{.name = "customer_id", .description = "only this customer", .type = "integer"}, kCursor, kLimit},
        .response_schema = "AccessLogPage"},
       AccessLog},
  };
}

}  // namespace crm::http
