// Orders with their lines, refunds linked to their original, and the per-customer figures the
// visit statistics need.
#pragma once

#include <optional>
#include <vector>

#include "domain/order.h"
#include "store/sql.h"

namespace crm::store {

// Which orders an export reads: ordered_at in [from, to), optionally of one branch, ids after the
// cursor, at most `limit` (1..5000).
struct OrderRange {
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  std::optional<BranchId> branch;
  std::optional<OrderId> after;
  int limit = 1000;
};

class OrderRepository {
 public:
  explicit OrderRepository(SqlConnection& connection) : connection_(connection) {}
  // Stores the order and its lines; returns the id. kAlreadyExists when the external id is taken;
  // kNotFound when branch, customer or original order are not the business's. The order gets its
  // change sequence number when the write's work is done (SequenceNewOrders).
  Result<OrderId> Insert(const domain::Order& order);
  // Gives the orders this repository inserted one change sequence number per business, the next
  // of the business's counter, whose row then stays locked until the commit: every order of a
  // transaction shares its number, and numbers become visible in the order they were taken (the
  // analytics catch up by them). Taken last, so that the lock is held only until the commit.
  // FinishWrite (store/enclosing_write.h) calls it.
  Status SequenceNewOrders();
  // The order with its lines. kNotFound when it is not the business's.
  Result<domain::Order> Get(BusinessId business, OrderId id);
  Result<std::optional<domain::Order>> FindByExternalId(BusinessId business, const std::string& source,
                                                        const std::string& external_id);
  // Whether an order with this external id exists, without reading it (an import asks this for
  // every order of its file).
  Result<bool> ExistsByExternalId(BusinessId business, const std::string& source, const std::string& external_id);
  // Newest first, ids below `before` when given; with lines.
  Result<std::vector<domain::Order>> ListForCustomer(BusinessId business, CustomerId customer,
                                                     std::optional<OrderId> before, int limit);
  // The orders of the range in id order, with lines (read for the whole page in one query).
  Result<std::vector<domain::Order>> ListRange(BusinessId business, const OrderRange& range);
  // What was refunded of `original` so far, as a positive amount.
  Result<Money> RefundedTotal(BusinessId business, OrderId original);
  // Sales of the customer with ordered_at in [from, to).
  // Locks the order's row until the transaction ends (PostgreSQL; SQLite has one writer), so that
  // two refunds of one order are serialised. kNotFound when it is not the business's.
  Status LockForUpdate(BusinessId business, OrderId id);
  // Sales less refunds of the customer with ordered_at in [from, to).
  Result<Money> NetSpend(BusinessId business, CustomerId customer, Timestamp from, Timestamp to);
  Result<int64_t> CountSales(BusinessId business, CustomerId customer, Timestamp from, Timestamp to);
  Result<int64_t> Count(BusinessId business);

 private:
  Status LoadLines(domain::Order& order);
  SqlConnection& connection_;
  std::vector<BusinessId> unsequenced_businesses_;  // businesses with orders inserted, not yet numbered
};

}  // namespace crm::store
