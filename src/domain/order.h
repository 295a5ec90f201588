// Orders (visits with what was bought) and refunds, with the pure rules that validate them and
// fold them into a customer's visit statistics. Money is integer minor units throughout.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/money.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/customer.h"

namespace crm::domain {

// Persisted: the values never change.
enum class OrderKind { kSale = 1, kRefund = 2 };
enum class OrderChannel { kCounter = 1, kPos = 2, kOnline = 3, kDelivery = 4, kPhone = 5, kImport = 6 };

const char* ToString(OrderKind kind);
const char* ToString(OrderChannel channel);
std::optional<OrderChannel> ParseOrderChannel(std::string_view text);

struct OrderLine {
  std::string product;
  std::string category;
  int64_t quantity = 1;
  Money unit_price;
  bool operator==(const OrderLine&) const = default;
};

struct Order {
  OrderId id;
  BusinessId business_id;
  BranchId branch_id;
  std::optional<StaffId> staff_id;
  std::optional<CustomerId> customer_id;  // empty for an anonymous sale
  OrderKind kind = OrderKind::kSale;
  std::optional<OrderId> original_order_id;  // set on refunds
  Timestamp ordered_at;
  Money total;  // positive for a sale, negative for a refund
  OrderChannel channel = OrderChannel::kCounter;
  std::string external_source;  // "pos-1", "smartstore"; with external_id, idempotent
  std::string external_id;
  std::vector<OrderLine> lines;
  Timestamp created_at;
};

// Largest accepted order total and line figures: far beyond any real sale, small enough that no sum
// of a customer's lifetime orders can overflow int64.
inline constexpr int64_t kMaxOrderTotal = 10'000'000'000;  // 100억 원
inline constexpr int64_t kMaxLineQuantity = 100'000;
inline constexpr size_t kMaxOrderLines = 500;

// Checks a sale before it is stored: lines well-formed (product named, quantity 1..kMaxLineQuantity,
// unit price 0..kMaxOrderTotal) and the total equal to the sum of the lines when lines are given
// (or, without lines, positive). Fails with kInvalidArgument naming the field ("lines[2].quantity").
Status ValidateSale(const Order& order);

// The refund amount allowed for `original` given what was refunded of it already (as a positive
// number); fails with kFailedPrecondition ("amount") when `requested` exceeds what is left.
Status ValidateRefund(const Order& original, Money already_refunded, Money requested);

// Folds a sale into the customer's stats. `visits_in_year_before` is the number of sales in the 365
// days before `sale.ordered_at`.
VisitStats ApplySale(const VisitStats& stats, const Order& sale, int64_t visits_in_year_before);

// Folds a refund into the stats: spend goes down by the refund; a refund that empties the original
// order cancels that visit.
VisitStats ApplyRefund(const VisitStats& stats, Money refund_amount, bool cancels_visit);

}  // namespace crm::domain
