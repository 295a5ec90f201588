#include "store/analytics_repository.h"

#include <algorithm>

namespace crm::store {
namespace {

constexpr Statement kOrderFacts{
    "analytics.order_facts",
    "SELECT o.id, COALESCE(o.customer_id, 0), o.branch_id, COALESCE(o.staff_id, 0), o.kind, o.ordered_at, "
    "o.total, COALESCE(r.ordered_at, 0), COALESCE(r.staff_id, 0), o.change_seq FROM orders o "
    "LEFT JOIN orders r ON r.business_id = o.business_id AND r.id = o.original_order_id "
    "WHERE o.business_id = $1 AND o.change_seq >= $2 AND (o.change_seq > $2 OR o.id > $3) "
    "ORDER BY o.change_seq, o.id LIMIT $4"};
constexpr Statement kOrderProducts{
    "analytics.order_products",
    "SELECT l.order_id, l.product, o.change_seq FROM orders o "
    "JOIN order_lines l ON l.business_id = o.business_id AND l.order_id = o.id "
    "WHERE o.business_id = $1 AND o.change_seq >= $2 AND o.change_seq <= $3 "
    "ORDER BY o.change_seq, o.id, l.line_no"};
constexpr Statement kCustomerProducts{
    "analytics.customer_products",
    "SELECT l.product, COUNT(DISTINCT l.order_id) AS n FROM order_lines l "
    "JOIN (SELECT id FROM orders WHERE business_id = $1 AND customer_id = $2 AND kind = 1 "
    "ORDER BY ordered_at DESC, id DESC LIMIT $3) o ON l.order_id = o.id "
    "WHERE l.business_id = $1 GROUP BY l.product ORDER BY n DESC, l.product LIMIT $4"};

}  // namespace

Result<OrderFactBatch> AnalyticsRepository::ReadOrderFacts(BusinessId business, ChangePosition after, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kOrderFacts, {Int(business.value()), Int(after.change_seq),
                                                       Int(after.order_id), Int(std::clamp(limit, 1, 100'000))}));
  OrderFactBatch batch;
  const size_t n = rows.size();
  batch.order_id.reserve(n);
  batch.customer_id.reserve(n);
  batch.branch_id.reserve(n);
  batch.staff_id.reserve(n);
  batch.kind.reserve(n);
  batch.ordered_at_micros.reserve(n);
  batch.total_minor.reserve(n);
  batch.original_ordered_at_micros.reserve(n);
  batch.original_staff_id.reserve(n);
  batch.change_seq.reserve(n);
  for (const Row& row : rows) {
    batch.order_id.push_back(row.GetInt(0));
    batch.customer_id.push_back(row.GetInt(1));
    batch.branch_id.push_back(row.GetInt(2));
    batch.staff_id.push_back(row.GetInt(3));
    batch.kind.push_back(static_cast<uint8_t>(row.GetInt(4)));
    batch.ordered_at_micros.push_back(row.GetInt(5));
    batch.total_minor.push_back(row.GetInt(6));
    batch.original_ordered_at_micros.push_back(row.GetInt(7));
    batch.original_staff_id.push_back(row.GetInt(8));
    batch.change_seq.push_back(row.GetInt(9));
  }
  return batch;
}

Result<OrderProducts> AnalyticsRepository::ReadOrderProducts(BusinessId business, int64_t first_seq,
                                                             int64_t last_seq) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kOrderProducts, {Int(business.value()), Int(first_seq), Int(last_seq)}));
  OrderProducts products;
  products.order_id.reserve(rows.size());
  products.product.reserve(rows.size());
  products.change_seq.reserve(rows.size());
  for (const Row& row : rows) {
    products.order_id.push_back(row.GetInt(0));
    products.product.push_back(row.GetText(1));
    products.change_seq.push_back(row.GetInt(2));
  }
  return products;
}

Result<std::vector<ProductCount>> AnalyticsRepository::ReadCustomerProducts(BusinessId business, CustomerId customer,
                                                                          int recent_orders, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCustomerProducts,
                                                    {Int(business.value()), Int(customer.value()),
                                                     Int(std::clamp(recent_orders, 1, 1000)),
                                                     Int(std::clamp(limit, 1, 1000))}));
  std::vector<ProductCount> products;
  products.reserve(rows.size());
  for (const Row& row : rows) products.push_back({row.GetText(0), row.GetInt(1)});
  return products;
}

}  // namespace crm::store
