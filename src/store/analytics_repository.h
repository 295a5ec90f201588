// What the server's analytics read from the store: the business's orders as compact facts, in
// commit order (change sequence number, then id) and in batches, with what a refund needs of its original, and the products of order
// lines for "bought together" rules, and the products a customer usually orders. Read-only; constructed over a transaction's connection
// (AnalyticsRepository(tx.connection())). Not thread-safe, like the connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ids.h"
#include "store/sql.h"

namespace crm::store {

// Order facts as columns, row i one order or refund. Absent ids are 0.
struct OrderFactBatch {
  std::vector<int64_t> order_id;
  std::vector<int64_t> customer_id;
  std::vector<int64_t> branch_id;
  std::vector<int64_t> staff_id;
  std::vector<uint8_t> kind;  // domain::OrderKind: 1 sale, 2 refund
  std::vector<int64_t> ordered_at_micros;
  std::vector<int64_t> total_minor;  // negative for a refund
  // For a refund: its original's time and staff member (0 for a sale).
  std::vector<int64_t> original_ordered_at_micros;
  std::vector<int64_t> original_staff_id;
  std::vector<int64_t> change_seq;  // OrderRepository::SequenceNewOrders

  size_t size() const { return order_id.size(); }
};

// The line products of orders, row i one line: (order_id[i], product[i]), in the order of the
// facts (change sequence number, order id), with the order's change_seq[i].
struct OrderProducts {
  std::vector<int64_t> order_id;
  std::vector<std::string> product;
  std::vector<int64_t> change_seq;
};

// A place in the business's orders in commit order: after the order `order_id` of the change
// sequence number `change_seq`. Every order of one change sequence number committed together, so
// a reader that saw one of them saw all of them.
struct ChangePosition {
  int64_t change_seq = 0;
  int64_t order_id = 0;
};

// A product of a customer's sales and in how many of them it was.
struct ProductCount {
  std::string product;
  int64_t orders = 0;
};

class AnalyticsRepository {
 public:
  explicit AnalyticsRepository(SqlConnection& connection) : connection_(connection) {}

  // Up to `limit` (1..100,000) orders of the business after `after`, ascending (change_seq, id).
  // Orders are numbered at commit under a per-business lock, so an order that commits later is
  // always after everything read before: catching up from the last position misses nothing.
  Result<OrderFactBatch> ReadOrderFacts(BusinessId business, ChangePosition after, int limit);
  // The products of the lines of the business's orders with change_seq in [first_seq, last_seq].
  Result<OrderProducts> ReadOrderProducts(BusinessId business, int64_t first_seq, int64_t last_seq);
  // The products of the customer's `recent_orders` (1..1,000) latest sales, most frequent first
  // (ties by product), at most `limit` (1..1,000). Reads through the customer's order index.
  Result<std::vector<ProductCount>> ReadCustomerProducts(BusinessId business, CustomerId customer, int recent_orders,
                                                         int limit);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
