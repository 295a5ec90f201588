#include "store/access_log_repository.h"

#include <algorithm>

namespace crm::store {
namespace {

constexpr Statement kAppend{
    "access_log.append",
    "INSERT INTO access_log (business_id, at, actor_staff_id, actor_token_id, customer_id, action, ip, detail) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr Statement kList{
    "access_log.list",
    "SELECT id, business_id, at, actor_staff_id, actor_token_id, customer_id, action, ip, detail FROM access_log "
    "WHERE business_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"};
constexpr Statement kListForCustomer{
    "access_log.list_customer",
    "SELECT id, business_id, at, actor_staff_id, actor_token_id, customer_id, action, ip, detail FROM access_log "
    "WHERE business_id = $1 AND id < $2 AND customer_id = $4 ORDER BY id DESC LIMIT $3"};

}  // namespace

Status AccessLogRepository::Append(const domain::AccessLogEntry& entry) {
  return connection_.Execute(
      kAppend, {Int(entry.business_id.value()), Int(entry.at.micros()),
                entry.staff_id ? Int(entry.staff_id->value()) : Null(),
                entry.token_id ? Int(entry.token_id->value()) : Null(),
                entry.customer_id ? Int(entry.customer_id->value()) : Null(), Int(static_cast<int>(entry.action)),
                Text(entry.ip), Text(entry.detail)});
}

Result<std::vector<domain::AccessLogEntry>> AccessLogRepository::List(BusinessId business,
                                                                      std::optional<CustomerId> customer,
                                                                      std::optional<int64_t> before, int limit) {
  std::vector<SqlValue> params{Int(business.value()), Int(before.value_or(INT64_MAX)), Int(std::clamp(limit, 1, 500))};
  if (customer) params.push_back(Int(customer->value()));
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(customer ? kListForCustomer : kList, params));
  std::vector<domain::AccessLogEntry> entries;
  for (const Row& row : rows) {
    domain::AccessLogEntry entry;
    entry.id = row.GetInt(0);
    entry.business_id = BusinessId(row.GetInt(1));
    entry.at = Timestamp::FromMicros(row.GetInt(2));
    if (auto staff = row.GetOptionalInt(3)) entry.staff_id = StaffId(*staff);
    if (auto token = row.GetOptionalInt(4)) entry.token_id = TokenId(*token);
    if (auto id = row.GetOptionalInt(5)) entry.customer_id = CustomerId(*id);
    entry.action = static_cast<domain::AccessAction>(row.GetInt(6));
    entry.ip = row.GetText(7);
    entry.detail = row.GetText(8);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace crm::store
