// The route table's vocabulary: what one API route is (method, path pattern, who may call it,
// what it reads and answers) and the handler that serves it. The same table drives routing and
// the OpenAPI document, so the document cannot miss a route.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/request_context.h"

namespace crm::http {

enum class Method { kGet, kPost, kPut, kPatch, kDelete };

// "GET", "POST", ...
const char* MethodName(Method method);
std::optional<Method> ParseMethod(std::string_view name);
// POST, PUT, PATCH and DELETE change state: with a session cookie they need the CSRF header.
bool IsStateChanging(Method method);

enum class Access {
  kPublic,         // no credentials needed
  kAuthenticated,  // a bearer token, or a session cookie (plus X-CSRF-Token when state-changing)
};

struct QueryParamInfo {
  std::string name = {};
  std::string description = {};
  std::string type = "string";  // OpenAPI type: "string" or "integer"
  bool required = false;
};

// `unmask`, read by ReadUnmask: lists show personal data masked unless a manager asks otherwise.
inline const QueryParamInfo kUnmaskParam = {
    .name = "unmask",
    .description = "true: full names, phones and e-mails (manager or owner; logged with the count); default masked"};

struct RouteInfo {
  Method method = Method::kGet;
  std::string pattern = {};  // "/api/v1/customers/{id}"; every {param} is a positive integer id
  std::string summary = {};
  std::string tag = {};  // OpenAPI grouping: "customers"
  Access access = Access::kAuthenticated;
  std::vector<QueryParamInfo> query = {};
  std::string request_schema = {};   // name under components/schemas; empty: no body
  std::string response_schema = {};  // name under components/schemas; empty: no body
  // Media types of a raw request body (an uploaded file): the body is handed to the handler as
  // bytes in RequestContext::raw_body instead of being parsed as JSON. Empty: a JSON body or none.
  std::vector<std::string> raw_request_types = {};
  // The body limit of this route in bytes; 0: the server's max_body_bytes.
  size_t max_body_bytes = 0;
  // Media types of a raw (file) success response, sent as an attachment; for the OpenAPI document.
  std::vector<std::string> raw_response_types = {};
  int success_status = 200;
  // False for the few routes that never touch the database (health, this document): they are
  // answered on the I/O thread without a hop through the worker pool.
  bool blocking = true;
  // True for the few routes a kiosk device's credential may call; every other route refuses it
  // (403, reason "kiosk_not_allowed").
  bool kiosk = false;
  // Top-level fields of the success body that hold a secret shown once (a new API token): an
  // Idempotency-Key's saved answer never keeps them, and a replay is refused (409,
  // "idempotency_secret_not_replayed") instead of answering without them.
  std::vector<std::string> secret_fields = {};
};

using Handler = std::function<Result<Response>(RequestContext&)>;

struct Route {
  RouteInfo info;
  Handler handler;
};

// The routes of each resource, defined beside their handlers.
std::vector<Route> AuthRoutes();
std::vector<Route> BusinessRoutes();
std::vector<Route> CustomerRoutes();
std::vector<Route> OrderRoutes();
std::vector<Route> LoyaltyRoutes();
std::vector<Route> MergeRoutes();  // duplicates, merge and undo
std::vector<Route> ImportRoutes();
std::vector<Route> ExportRoutes();
std::vector<Route> AnalyticsRoutes();
std::vector<Route> UndoRoutes();
std::vector<Route> KioskRoutes();
std::vector<Route> CampaignRoutes();  // campaigns, the composer's preview, reports
std::vector<Route> ConsentRoutes();   // messaging settings, consent, opt-out, suppression
std::vector<Route> OutboxRoutes();    // the outbox page: messages and their status history
std::vector<Route> ProviderRoutes();  // a business's own provider credentials
std::vector<Route> PrivacyRoutes();   // erasure and retention
std::vector<Route> AutomationRoutes();  // automations, presets, dry runs, reports and staff tasks
// Gives the campaign service what only http/ has (the customer-list query parser).
void InstallCampaignHooks(app::Services& services);
std::vector<Route> MetaRoutes();  // health and the OpenAPI document

// Every route of the API, in a stable order.
const std::vector<Route>& RouteTable();
// The descriptions of every route (for tests and the OpenAPI document).
std::vector<RouteInfo> Routes();

}  // namespace crm::http
