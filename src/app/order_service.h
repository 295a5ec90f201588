// OrderService: posting sales and refunds. A sale with an external id is idempotent per source:
// posting it again returns the first order. The customer's visit count, spend and stage change
// in the same transaction as the order. Thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "app/loyalty_posting.h"
#include "app/principal.h"
#include "common/time.h"
#include "domain/order.h"
#include "store/database.h"
#include "store/transaction.h"

namespace crm::app {

// Told about every sale and refund OrderService commits, after the commit (not about replays).
class OrderObserver {
 public:
  virtual ~OrderObserver() = default;
  // `original` is the refunded sale for a refund, else null. Called on the writing thread: must
  // be cheap and cannot fail the write.
  virtual void OnOrderCommitted(const domain::Order& order, const domain::Order* original) = 0;
};

struct PostedOrder {
  domain::Order order;
  bool replayed = false;  // true when an order with the same external id already existed
  std::optional<SaleLoyalty> loyalty;  // what the sale earned and spent; unset without a program
};

struct OrderPage {
  std::vector<domain::Order> orders;
  std::optional<OrderId> next_cursor;
};

// The refund of `amount` of an order (the whole rest when unset) inside the caller's transaction:
// the refund row, the customer's stats and the loyalty reversal (see OrderService::Refund). Claims
// no idempotency key.
Result<PostedOrder> RefundInTransaction(store::Transaction& tx, const Principal& principal, OrderId original_id,
                                        std::optional<Money> amount, const std::string& external_source,
                                        const std::string& external_id, Timestamp now);

class OrderService {
 public:
  OrderService(store::Database& database, const Clock& clock);

  // Stores a sale (ordered_at defaults to now; total defaults to the sum of the lines).
  // kInvalidArgument naming the field; kNotFound for a branch or customer not of the business;
  // kPermissionDenied for a branch the principal may not use. The sale earns loyalty units in the
  // same transaction and spends `points_redeemed` of the customer's balance on itself
  // (kFailedPrecondition "points_redeemed" when a program rule forbids it).
  Result<PostedOrder> PostSale(const Principal& principal, domain::Order order, int64_t points_redeemed = 0);
  // Refunds `amount` of the original (the whole rest when unset). kFailedPrecondition ("amount")
  // when more than what is left would be refunded. Takes back the refunded share of the loyalty
  // units the original earned and gives back the share it spent.
  Result<PostedOrder> Refund(const Principal& principal, OrderId original, std::optional<Money> amount,
                             std::string external_source, std::string external_id);
  Result<domain::Order> Get(const Principal& principal, OrderId id);
  Result<OrderPage> ListForCustomer(const Principal& principal, CustomerId customer, std::optional<OrderId> before,
                                    int limit);
  // Set once while the services are wired, before any request.
  void SetObserver(OrderObserver* observer) { observer_ = observer; }

 private:
  store::Database& database_;
  const Clock& clock_;
  OrderObserver* observer_ = nullptr;
};

}  // namespace crm::app
