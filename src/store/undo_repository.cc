#include "store/undo_repository.h"

namespace crm::store {
namespace {

// Every statement takes $1 business, $2 customer, $3 staff (0: anyone), $4 from, $5 to and
// answers at most one row: id, staff, time, amount, label.
constexpr Statement kLatestOrder{
    "undo.latest_order",
    "SELECT o.id, o.staff_id, o.created_at, o.total, '' FROM orders o "
    "WHERE o.business_id = $1 AND o.customer_id = $2 AND o.kind = 1 "
    "AND (CAST($3 AS BIGINT) = 0 OR o.staff_id = $3) AND o.created_at >= $4 AND o.created_at < $5 "
    "AND NOT EXISTS (SELECT 1 FROM orders r WHERE r.business_id = o.business_id AND r.original_order_id = o.id) "
    "AND NOT EXISTS (SELECT 1 FROM undone_actions u WHERE u.business_id = o.business_id AND u.kind = 1 "
    "AND u.target_id = o.id) "
    "ORDER BY o.created_at DESC, o.id DESC LIMIT 1"};
constexpr Statement kLatestRedemption{
    "undo.latest_redemption",
    "SELECT e.id, e.staff_id, e.created_at, -e.amount, '' FROM ledger_entries e "
    "WHERE e.business_id = $1 AND e.customer_id = $2 AND e.kind = 2 AND e.order_id IS NULL "
    "AND (CAST($3 AS BIGINT) = 0 OR e.staff_id = $3) AND e.created_at >= $4 AND e.created_at < $5 "
    "AND NOT EXISTS (SELECT 1 FROM undone_actions u WHERE u.business_id = e.business_id AND u.kind = 2 "
    "AND u.target_id = e.id) "
    "ORDER BY e.created_at DESC, e.id DESC LIMIT 1"};
constexpr Statement kLatestCouponUse{
    "undo.latest_coupon_use",
    "SELECT c.id, c.redeemed_by, c.redeemed_at, 0, c.name FROM coupons c "
    "WHERE c.business_id = $1 AND c.customer_id = $2 AND c.status = 2 "
    "AND (CAST($3 AS BIGINT) = 0 OR c.redeemed_by = $3) AND c.redeemed_at >= $4 AND c.redeemed_at < $5 "
    "AND NOT EXISTS (SELECT 1 FROM undone_actions u WHERE u.business_id = c.business_id AND u.kind = 3 "
    "AND u.target_id = c.id) "
    "ORDER BY c.redeemed_at DESC, c.id DESC LIMIT 1"};
constexpr Statement kLatestNote{
    "undo.latest_note",
    "SELECT n.id, n.author_id, n.created_at, 0, n.text FROM notes n "
    "WHERE n.business_id = $1 AND n.customer_id = $2 "
    "AND (CAST($3 AS BIGINT) = 0 OR n.author_id = $3) AND n.created_at >= $4 AND n.created_at < $5 "
    "ORDER BY n.created_at DESC, n.id DESC LIMIT 1"};
constexpr Statement kLatestPreference{
    "undo.latest_preference",
    "SELECT p.id, p.created_by, p.created_at, 0, p.subject FROM preferences p "
    "WHERE p.business_id = $1 AND p.customer_id = $2 "
    "AND (CAST($3 AS BIGINT) = 0 OR p.created_by = $3) AND p.created_at >= $4 AND p.created_at < $5 "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 1"};
constexpr Statement kIsUndone{
    "undo.is_undone",
    "SELECT 1 FROM undone_actions WHERE business_id = $1 AND kind = $2 AND target_id = $3"};
constexpr Statement kMarkUndone{
    "undo.mark",
    "INSERT INTO undone_actions (business_id, kind, target_id, customer_id, undone_by, undone_at, target_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (business_id, kind, target_id) DO UPDATE SET "
    "customer_id = excluded.customer_id, undone_by = excluded.undone_by, undone_at = excluded.undone_at, "
    "target_at = excluded.target_at"};

struct KindStatement {
  domain::CounterActionKind kind;
  const Statement* statement;
};

constexpr KindStatement kLatest[] = {
    {domain::CounterActionKind::kOrder, &kLatestOrder},
    {domain::CounterActionKind::kRedemption, &kLatestRedemption},
    {domain::CounterActionKind::kCouponUse, &kLatestCouponUse},
    {domain::CounterActionKind::kNote, &kLatestNote},
    {domain::CounterActionKind::kPreference, &kLatestPreference},
};

}  // namespace

Result<std::vector<domain::CounterAction>> UndoRepository::LatestActions(BusinessId business, CustomerId customer,
                                                                          std::optional<StaffId> staff,
                                                                          Timestamp from, Timestamp to) {
  const std::vector<SqlValue> params = {Int(business.value()), Int(customer.value()),
                                        Int(staff ? staff->value() : 0), Int(from.micros()), Int(to.micros())};
  std::vector<domain::CounterAction> actions;
  for (const KindStatement& latest : kLatest) {
    CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(*latest.statement, params));
    if (rows.empty()) continue;
    const Row& row = rows[0];
    domain::CounterAction action;
    action.kind = latest.kind;
    action.id = row.GetInt(0);
    action.customer_id = customer;
    if (auto by = row.GetOptionalInt(1); by && *by > 0) action.staff_id = StaffId(*by);
    action.at = Timestamp::FromMicros(row.GetInt(2));
    action.amount = row.GetInt(3);
    action.label = row.GetText(4);
    actions.push_back(std::move(action));
  }
  return actions;
}

Result<bool> UndoRepository::IsUndone(BusinessId business, domain::CounterActionKind kind, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kIsUndone, {Int(business.value()), Int(static_cast<int64_t>(kind)), Int(id)}));
  return !rows.empty();
}

Status UndoRepository::MarkUndone(BusinessId business, const domain::CounterAction& action,
                                  std::optional<StaffId> by, Timestamp at) {
  return connection_.Execute(kMarkUndone, {Int(business.value()), Int(static_cast<int64_t>(action.kind)),
                                           Int(action.id), Int(action.customer_id.value()),
                                           by ? Int(by->value()) : Null(), Int(at.micros()),
                                           Int(action.at.micros())});
}

}  // namespace crm::store
