// Columnar input of the analytics module: one batch of order lines as a struct of vectors, the
// way the app streams them out of the store and the command line reads them out of files. No
// heap object per row; every function of the module reads these columns and never opens a file
// or the database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace crm::analytics {

// Order lines: row i is (customer_id[i], order_id[i], ordered_at_micros[i], amount_minor[i]).
// Several rows may share an order id (one per item line). Amounts are Money minor units (won for
// KRW, cents for USD). Not thread-safe for writing; const access from many threads is fine.
struct TransactionColumns {
  std::vector<int64_t> customer_id;
  std::vector<int64_t> order_id;
  std::vector<int64_t> ordered_at_micros;  // UTC, microseconds since the Unix epoch
  std::vector<int64_t> amount_minor;

  size_t size() const { return customer_id.size(); }
  void Reserve(size_t rows);
  void Append(int64_t customer, int64_t order, int64_t at_micros, int64_t amount) {
    customer_id.push_back(customer);
    order_id.push_back(order);
    ordered_at_micros.push_back(at_micros);
    amount_minor.push_back(amount);
  }
  // Ok when all four columns have the same length, else kInvalidArgument.
  Status Validate() const;
};

inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

// floor(a / b) for b > 0, also for negative a.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// Orders grouped by customer, in compressed-row layout: the orders of customers[c] are
// [order_begin[c], order_begin[c + 1]), sorted by time, then by order id. An order's time is the
// earliest of its lines, its last time the latest of them, and its amount the sum of its lines. Immutable once built; thread-safe
// for reading.
struct OrderHistory {
  std::vector<int64_t> customers;  // ascending
  std::vector<size_t> order_begin;  // customers.size() + 1 entries
  std::vector<int64_t> order_at_micros;
  std::vector<int64_t> order_last_micros;
  std::vector<int64_t> order_amount_minor;
  std::vector<int64_t> order_id;

  size_t customer_count() const { return customers.size(); }
  size_t OrderCount(size_t c) const { return order_begin[c + 1] - order_begin[c]; }
};

// Groups the order lines by customer and by order. Fails with kInvalidArgument when the columns
// differ in length; an empty batch gives an empty history.
Result<OrderHistory> BuildOrderHistory(const TransactionColumns& transactions);

}  // namespace crm::analytics
