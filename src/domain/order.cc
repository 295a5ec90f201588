#include "domain/order.h"

#include <fmt/format.h>

namespace crm::domain {

const char* ToString(OrderKind kind) { return kind == OrderKind::kRefund ? "refund" : "sale"; }

namespace {
constexpr std::pair<OrderChannel, const char*> kChannels[] = {
    {OrderChannel::kCounter, "counter"},   {OrderChannel::kPos, "pos"},     {OrderChannel::kOnline, "online"},
    {OrderChannel::kDelivery, "delivery"}, {OrderChannel::kPhone, "phone"}, {OrderChannel::kImport, "import"}};
}

const char* ToString(OrderChannel channel) {
  for (const auto& [value, name] : kChannels) {
    if (value == channel) return name;
  }
  return "unknown";
}

std::optional<OrderChannel> ParseOrderChannel(std::string_view text) {
  for (const auto& [value, name] : kChannels) {
    if (text == name) return value;
  }
  return std::nullopt;
}

Status ValidateSale(const Order& order) {
  if (order.lines.size() > kMaxOrderLines) {
    return InvalidArgument(fmt::format("an order has at most {} lines", kMaxOrderLines), "lines");
  }
  int64_t sum = 0;
  for (size_t i = 0; i < order.lines.size(); ++i) {
    const OrderLine& line = order.lines[i];
    if (line.product.empty()) return InvalidArgument("product is required", fmt::format("lines[{}].product", i));
    if (line.quantity < 1 || line.quantity > kMaxLineQuantity) {
      return InvalidArgument(fmt::format("quantity must be 1..{}", kMaxLineQuantity),
                             fmt::format("lines[{}].quantity", i));
    }
    if (line.unit_price.minor_units() < 0 || line.unit_price.minor_units() > kMaxOrderTotal) {
      return InvalidArgument("unit price must be 0 or more and within limits", fmt::format("lines[{}].unit_price", i));
    }
    sum += line.quantity * line.unit_price.minor_units();  // bounded: 1e5 * 1e10 fits int64
    if (sum > kMaxOrderTotal) return InvalidArgument("order total is too large", "total");
  }
  const int64_t total = order.total.minor_units();
  if (total < 0 || total > kMaxOrderTotal) return InvalidArgument("total must be 0 or more and within limits", "total");
  if (order.lines.empty() && total <= 0) return InvalidArgument("a sale without lines needs a positive total", "total");
  if (!order.lines.empty() && total != sum) {
    return InvalidArgument(fmt::format("total {} does not equal the sum of the lines {}", total, sum), "total");
  }
  return Status::Ok();
}

Status ValidateRefund(const Order& original, Money already_refunded, Money requested) {
  if (original.kind != OrderKind::kSale) {
    return FailedPrecondition("only a sale can be refunded", "original_order_id").WithReason("not_a_sale");
  }
  if (requested.minor_units() <= 0) return InvalidArgument("refund amount must be positive", "amount");
  const Money left = original.total - already_refunded;
  if (requested > left) {
    return FailedPrecondition(fmt::format("refund exceeds what is left of the order ({})", left.minor_units()),
                              "amount")
        .WithReason("over_refund")
        .WithFigure("left", left.minor_units());
  }
  return Status::Ok();
}

VisitStats ApplySale(const VisitStats& stats, const Order& sale, int64_t visits_in_year_before) {
  VisitStats next = stats;
  next.visit_count += 1;
  next.total_spend += sale.total;
  if (!next.first_visit_at || sale.ordered_at < *next.first_visit_at) next.first_visit_at = sale.ordered_at;
  if (!next.last_visit_at || sale.ordered_at >= *next.last_visit_at) {
    next.last_visit_at = sale.ordered_at;
    next.visits_last_year = visits_in_year_before + 1;
  }
  return next;
}

VisitStats ApplyRefund(const VisitStats& stats, Money refund_amount, bool cancels_visit) {
  VisitStats next = stats;
  next.total_spend = next.total_spend - refund_amount;
  if (cancels_visit) {
    next.visit_count = std::max<int64_t>(0, next.visit_count - 1);
    next.visits_last_year = std::max<int64_t>(0, next.visits_last_year - 1);
  }
  return next;
}

}  // namespace crm::domain
