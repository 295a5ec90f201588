// Handlers for orders: posting sales (idempotent per external id), refunds, one order, and a
// customer's orders.
#include <optional>
#include <vector>

#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/loyalty_mapping.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "orders";

// 201 for a new order; 200 with the first order when the external id was posted before.
Response PostedJson(const app::PostedOrder& posted) {
  return Response::Of(OrderWithLoyalty(posted.order, posted.loyalty), posted.replayed ? 200 : 201);
}

Result<Response> PostSale(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Order order, ParseSale(context.body, context.services.clock.Now()));
  FieldReader reader(context.body);
  const int64_t points_redeemed = reader.Integer("points_redeemed", 0, domain::kMaxOrderTotal).value_or(0);
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(app::PostedOrder posted,
                       context.services.orders.PostSale(context.principal(), std::move(order), points_redeemed));
  return PostedJson(posted);
}

Result<Response> GetOrder(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Order order,
                       context.services.orders.Get(context.principal(), context.PathId<OrderId>("id")));
  return Response::Of(ToJson(order));
}

Result<Response> RefundOrder(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(RefundRequest request, ParseRefund(context.body));
  CRM_ASSIGN_OR_RETURN(
      app::PostedOrder posted,
      context.services.orders.Refund(context.principal(), context.PathId<OrderId>("id"), request.amount,
                                     std::move(request.external_source), std::move(request.external_id)));
  return PostedJson(posted);
}

Result<Response> ListCustomerOrders(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PageRequest page, ReadPage(context.query));
  std::optional<OrderId> before;
  if (page.cursor) before = OrderId(*page.cursor);
  CRM_ASSIGN_OR_RETURN(app::OrderPage result,
                       context.services.orders.ListForCustomer(context.principal(), context.PathId<CustomerId>("id"),
                                                               before, page.limit));
  Json items = Json::array();
  for (const domain::Order& order : result.orders) items.push_back(ToJson(order));
  std::optional<int64_t> next;
  if (result.next_cursor) next = result.next_cursor->value();
  return Response::Of(PageJson(std::move(items), next));
}

}  // namespace

std::vector<Route> OrderRoutes() {
  return {
      {{.method = Method::kPost,
        .pattern = "/api/v1/orders",
        .summary = "Post a sale; 201 when new, 200 with the first order when the external id was seen",
        .tag = kTag,
        .request_schema = "OrderInput",
        .response_schema = "Order",
        .success_status = 201},
       PostSale},
      {{.method = Method::kGet,
        .pattern = "/api/v1/orders/{id}",
        .summary = "One order or refund",
        .tag = kTag,
        .response_schema = "Order"},
       GetOrder},
      {{.method = Method::kPost,
        .pattern = "/api/v1/orders/{id}/refund",
        .summary = "Refund part or all of an order",
        .tag = kTag,
        .request_schema = "RefundInput",
        .response_schema = "Order",
        .success_status = 201},
       RefundOrder},
      {{.method = Method::kGet,
        .pattern = "/api/v1/customers/{id}/orders",
        .summary = "A customer's orders, newest first",
        .tag = kTag,
        .query = {{.name = "cursor", .description = "next_cursor of the previous page"},
                  {.name = "limit", .description = "items per page, 1-200 (default 50)", .type = "integer"}},
        .response_schema = "OrderPage"},
       ListCustomerOrders},
  };
}

}  // namespace crm::http
