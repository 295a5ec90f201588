#include "store/order_repository.h"

#include <algorithm>

namespace crm::store {
namespace {

#define ORDER_COLUMNS                                                                                      \
  "id, business_id, branch_id, staff_id, customer_id, kind, original_order_id, ordered_at, total, channel, " \
  "external_source, external_id, created_at"

constexpr Statement kInsert{
    "order.insert",
    "INSERT INTO orders (business_id, branch_id, staff_id, customer_id, kind, original_order_id, ordered_at, total, "
    "channel, external_source, external_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "RETURNING id"};
// The next change sequence number of the business. The counter row stays locked until the
// transaction ends, so numbers become visible in the order they were taken.
constexpr Statement kNextChangeSeq{
    "order.next_change_seq",
    "INSERT INTO order_change_counters (business_id, last_seq) VALUES ($1, 1) ON CONFLICT (business_id) "
    "DO UPDATE SET last_seq = order_change_counters.last_seq + 1 RETURNING last_seq"};
constexpr Statement kStampChangeSeq{
    "order.stamp_change_seq", "UPDATE orders SET change_seq = $2 WHERE business_id = $1 AND change_seq = 0"};
// Both of the above in one statement, for PostgreSQL (one round trip instead of two).
constexpr Statement kSequenceNewOrders{
    "order.sequence_new_orders",
    "WITH next AS (INSERT INTO order_change_counters (business_id, last_seq) VALUES ($1, 1) ON CONFLICT (business_id) "
    "DO UPDATE SET last_seq = order_change_counters.last_seq + 1 RETURNING last_seq) "
    "UPDATE orders SET change_seq = (SELECT last_seq FROM next) WHERE business_id = $1 AND change_seq = 0"};
constexpr Statement kInsertLine{
    "order.insert_line",
    "INSERT INTO order_lines (business_id, order_id, line_no, product, category, quantity, unit_price) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"};
constexpr Statement kSelect{"order.get", "SELECT " ORDER_COLUMNS " FROM orders WHERE business_id = $1 AND id = $2"};
constexpr Statement kSelectExternal{
    "order.by_external",
    "SELECT " ORDER_COLUMNS " FROM orders WHERE business_id = $1 AND external_source = $2 AND external_id = $3 "
    "AND external_id <> ''"};  // the index is partial: say so, or SQLite scans every order
constexpr Statement kExistsExternal{
    "order.exists_external",
    "SELECT id FROM orders WHERE business_id = $1 AND external_source = $2 AND external_id = $3 "
    "AND external_id <> ''"};
constexpr Statement kSelectLines{
    "order.lines",
    "SELECT product, category, quantity, unit_price FROM order_lines WHERE business_id = $1 AND order_id = $2 "
    "ORDER BY line_no"};
constexpr Statement kListForCustomer{
    "order.list_customer",
    "SELECT " ORDER_COLUMNS " FROM orders WHERE business_id = $1 AND customer_id = $2 AND id < $3 "
    "ORDER BY id DESC LIMIT $4"};
constexpr Statement kListRange{
    "order.list_range",
    "SELECT " ORDER_COLUMNS " FROM orders WHERE business_id = $1 AND id > $2 AND ordered_at >= $3 AND ordered_at < $4 "
    "AND (CAST($5 AS BIGINT) IS NULL OR branch_id = CAST($5 AS BIGINT)) ORDER BY id LIMIT $6"};
constexpr Statement kLinesInRange{
    "order.lines_range",
    "SELECT order_id, product, category, quantity, unit_price FROM order_lines WHERE business_id = $1 "
    "AND order_id >= $2 AND order_id <= $3 ORDER BY order_id, line_no"};
constexpr Statement kRefunded{
    "order.refunded",
    "SELECT COALESCE(SUM(-total), 0) FROM orders WHERE business_id = $1 AND original_order_id = $2 "
    "AND original_order_id IS NOT NULL AND kind = 2"};
constexpr Statement kCountSales{
    "order.count_sales",
    "SELECT COUNT(*) FROM orders WHERE business_id = $1 AND customer_id = $2 AND kind = 1 AND ordered_at >= $3 "
    "AND ordered_at < $4"};
constexpr Statement kLockOrder{"order.lock", "SELECT id FROM orders WHERE business_id = $1 AND id = $2",
                               "SELECT id FROM orders WHERE business_id = $1 AND id = $2 FOR UPDATE"};
constexpr Statement kNetSpend{
    "order.net_spend",
    "SELECT COALESCE(SUM(total), 0) FROM orders WHERE business_id = $1 AND customer_id = $2 AND ordered_at >= $3 "
    "AND ordered_at < $4"};
constexpr Statement kCount{"order.count", "SELECT COUNT(*) FROM orders WHERE business_id = $1"};

domain::Order OrderFromRow(const Row& row) {
  domain::Order order;
  order.id = OrderId(row.GetInt(0));
  order.business_id = BusinessId(row.GetInt(1));
  order.branch_id = BranchId(row.GetInt(2));
  if (auto staff = row.GetOptionalInt(3)) order.staff_id = StaffId(*staff);
  if (auto customer = row.GetOptionalInt(4)) order.customer_id = CustomerId(*customer);
  order.kind = static_cast<domain::OrderKind>(row.GetInt(5));
  if (auto original = row.GetOptionalInt(6)) order.original_order_id = OrderId(*original);
  order.ordered_at = Timestamp::FromMicros(row.GetInt(7));
  order.total = Money(row.GetInt(8));
  order.channel = static_cast<domain::OrderChannel>(row.GetInt(9));
  order.external_source = row.GetText(10);
  order.external_id = row.GetText(11);
  order.created_at = Timestamp::FromMicros(row.GetInt(12));
  return order;
}

}  // namespace

Result<OrderId> OrderRepository::Insert(const domain::Order& order) {
  const SqlValue business = Int(order.business_id.value());
  auto rows = connection_.Query(
      kInsert, {business, Int(order.branch_id.value()), order.staff_id ? Int(order.staff_id->value()) : Null(),
                order.customer_id ? Int(order.customer_id->value()) : Null(), Int(static_cast<int>(order.kind)),
                order.original_order_id ? Int(order.original_order_id->value()) : Null(),
                Int(order.ordered_at.micros()), Int(order.total.minor_units()), Int(static_cast<int>(order.channel)),
                Text(order.external_source), Text(order.external_id), Int(order.created_at.micros())});
  if (!rows.ok()) {
    if (rows.status().code() == StatusCode::kFailedPrecondition) {
      return NotFound("branch, customer or original order not found");
    }
    if (rows.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("an order with this external id exists", "external_id").WithReason("external_id_taken");
    }
    return rows.status();
  }
  const OrderId id(rows->at(0).GetInt(0));
  if (std::find(unsequenced_businesses_.begin(), unsequenced_businesses_.end(), order.business_id) ==
      unsequenced_businesses_.end()) {
    unsequenced_businesses_.push_back(order.business_id);
  }
  for (size_t i = 0; i < order.lines.size(); ++i) {
    const domain::OrderLine& line = order.lines[i];
    CRM_RETURN_IF_ERROR(connection_.Execute(kInsertLine, {business, Int(id.value()), Int(static_cast<int64_t>(i)),
                                                          Text(line.product), Text(line.category), Int(line.quantity),
                                                          Int(line.unit_price.minor_units())}));
  }
  return id;
}

Status OrderRepository::SequenceNewOrders() {
  for (BusinessId business : unsequenced_businesses_) {
    if (connection_.dialect() == Dialect::kPostgres) {
      CRM_RETURN_IF_ERROR(connection_.Execute(kSequenceNewOrders, {Int(business.value())}));
      continue;
    }
    CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kNextChangeSeq, {Int(business.value())}));
    CRM_RETURN_IF_ERROR(connection_.Execute(kStampChangeSeq, {Int(business.value()), Int(rows.at(0).GetInt(0))}));
  }
  unsequenced_businesses_.clear();
  return Status::Ok();
}

Status OrderRepository::LoadLines(domain::Order& order) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectLines, {Int(order.business_id.value()), Int(order.id.value())}));
  order.lines.clear();
  for (const Row& row : rows) {
    order.lines.push_back({row.GetText(0), row.GetText(1), row.GetInt(2), Money(row.GetInt(3))});
  }
  return Status::Ok();
}

Result<domain::Order> OrderRepository::Get(BusinessId business, OrderId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelect, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("order not found");
  domain::Order order = OrderFromRow(rows[0]);
  CRM_RETURN_IF_ERROR(LoadLines(order));
  return order;
}

Result<std::optional<domain::Order>> OrderRepository::FindByExternalId(BusinessId business, const std::string& source,
                                                                       const std::string& external_id) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kSelectExternal, {Int(business.value()), Text(source), Text(external_id)}));
  if (rows.empty()) return std::optional<domain::Order>();
  domain::Order order = OrderFromRow(rows[0]);
  CRM_RETURN_IF_ERROR(LoadLines(order));
  return std::optional<domain::Order>(std::move(order));
}

Result<bool> OrderRepository::ExistsByExternalId(BusinessId business, const std::string& source,
                                                 const std::string& external_id) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kExistsExternal, {Int(business.value()), Text(source), Text(external_id)}));
  return !rows.empty();
}

Result<std::vector<domain::Order>> OrderRepository::ListForCustomer(BusinessId business, CustomerId customer,
                                                                    std::optional<OrderId> before, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kListForCustomer, {Int(business.value()), Int(customer.value()),
                                                            Int(before ? before->value() : INT64_MAX),
                                                            Int(std::clamp(limit, 1, 200))}));
  std::vector<domain::Order> orders;
  for (const Row& row : rows) {
    orders.push_back(OrderFromRow(row));
    CRM_RETURN_IF_ERROR(LoadLines(orders.back()));
  }
  return orders;
}

Result<std::vector<domain::Order>> OrderRepository::ListRange(BusinessId business, const OrderRange& range) {
  CRM_ASSIGN_OR_RETURN(
      auto rows,
      connection_.Query(kListRange, {Int(business.value()), Int(range.after ? range.after->value() : 0),
                                     Int(range.from ? range.from->micros() : INT64_MIN),
                                     Int(range.to ? range.to->micros() : INT64_MAX),
                                     range.branch ? Int(range.branch->value()) : Null(),
                                     Int(std::clamp(range.limit, 1, 5000))}));
  std::vector<domain::Order> orders;
  orders.reserve(rows.size());
  for (const Row& row : rows) orders.push_back(OrderFromRow(row));
  if (orders.empty()) return orders;
  // Pages are in id order, so their lines are one range scan; lines of orders outside the range
  // (another branch or time) are passed over.
  CRM_ASSIGN_OR_RETURN(auto lines, connection_.Query(kLinesInRange, {Int(business.value()),
                                                                     Int(orders.front().id.value()),
                                                                     Int(orders.back().id.value())}));
  size_t next = 0;
  for (const Row& row : lines) {
    const OrderId owner(row.GetInt(0));
    while (next < orders.size() && orders[next].id < owner) ++next;
    if (next < orders.size() && orders[next].id == owner) {
      orders[next].lines.push_back({row.GetText(1), row.GetText(2), row.GetInt(3), Money(row.GetInt(4))});
    }
  }
  return orders;
}

Result<Money> OrderRepository::RefundedTotal(BusinessId business, OrderId original) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRefunded, {Int(business.value()), Int(original.value())}));
  return Money(rows.at(0).GetInt(0));
}

Status OrderRepository::LockForUpdate(BusinessId business, OrderId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kLockOrder, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("order not found");
  return Status::Ok();
}

Result<Money> OrderRepository::NetSpend(BusinessId business, CustomerId customer, Timestamp from, Timestamp to) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kNetSpend, {Int(business.value()), Int(customer.value()),
                                                                Int(from.micros()), Int(to.micros())}));
  return Money(rows.at(0).GetInt(0));
}

Result<int64_t> OrderRepository::CountSales(BusinessId business, CustomerId customer, Timestamp from, Timestamp to) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCountSales, {Int(business.value()), Int(customer.value()),
                                                                   Int(from.micros()), Int(to.micros())}));
  return rows.at(0).GetInt(0);
}

Result<int64_t> OrderRepository::Count(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCount, {Int(business.value())}));
  return rows.at(0).GetInt(0);
}

}  // namespace crm::store
