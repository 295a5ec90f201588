// Handlers for the undo of the counter's last action of today: what it is, and undoing it.
#include <optional>
#include <vector>

#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "customers";
constexpr char kKinds[] = "order, redemption, coupon_use, note, preference";

Json ActionJson(const domain::CounterAction& action) {
  Json json;
  json["kind"] = domain::CounterActionKindName(action.kind);
  json["id"] = action.id;
  json["customer_id"] = action.customer_id.value();
  json["staff_id"] = action.staff_id ? Json(action.staff_id->value()) : Json(nullptr);
  json["at"] = action.at.ToIso8601();
  json["amount"] = action.amount;
  json["label"] = action.label;
  return json;
}

Result<Response> GetLastAction(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto action,
                       context.services.undo.LastAction(context.principal(), context.PathId<CustomerId>("id")));
  Json body;
  body["action"] = action ? ActionJson(*action) : Json(nullptr);
  return Response::Of(std::move(body));
}

struct UndoRequest {
  domain::CounterActionKind kind = domain::CounterActionKind::kOrder;
  int64_t id = 0;
};

Result<UndoRequest> ParseUndo(const nlohmann::json& body) {
  FieldReader reader(body);
  UndoRequest request;
  request.kind = reader
                     .Enumerated<domain::CounterActionKind>("kind", domain::ParseCounterActionKind, kKinds,
                                                            Presence::kRequired)
                     .value_or(domain::CounterActionKind::kOrder);
  request.id = reader.Id("id", Presence::kRequired).value_or(0);
  if (!reader.ok()) return reader.status();
  return request;
}

Result<Response> Undo(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(UndoRequest request, ParseUndo(context.body));
  CRM_ASSIGN_OR_RETURN(app::UndoResult result,
                       context.services.undo.Undo(context.principal(), context.PathId<CustomerId>("id"),
                                                  request.kind, request.id));
  Json body;
  body["undone"] = ActionJson(result.action);
  body["refund"] = result.refund ? ToJson(*result.refund) : Json(nullptr);
  body["balance"] = result.balance ? Json(*result.balance) : Json(nullptr);
  return Response::Of(std::move(body));
}

}  // namespace

std::vector<Route> UndoRoutes() {
  return {
      {{.method = Method::kGet,
        .pattern = "/api/v1/customers/{id}/last-action",
        .summary = "The last action of today on the customer that the caller may undo (null when none)",
        .tag = kTag,
        .response_schema = "LastAction"},
       GetLastAction},
      {{.method = Method::kPost,
        .pattern = "/api/v1/customers/{id}/undo",
        .summary = "Undo the last action of today: a sale is refunded in full, a redemption given back, a coupon "
                   "made usable again, a note or preference removed",
        .tag = kTag,
        .request_schema = "UndoInput",
        .response_schema = "UndoResult"},
       Undo},
  };
}

}  // namespace crm::http
