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

constexpr Statement kListRange{
    "access_log.list_range",
    "SELECT id, business_id, at, actor_staff_id, actor_token_id, customer_id, action, ip, detail FROM access_log "
    "WHERE business_id = $1 AND at >= $2 AND at < $3 AND id > $4 ORDER BY id LIMIT $5"};
constexpr Statement kCountBefore{"access_log.count_before",
                                 "SELECT COUNT(*) FROM access_log WHERE business_id = $1 AND at < $2"};
constexpr Statement kDeleteBefore{"access_log.delete_before",
                                  "DELETE FROM access_log WHERE business_id = $1 AND at < $2"};
constexpr Statement kRetentionDays{"access_log.retention", "SELECT access_log_days FROM businesses WHERE id = $1"};
constexpr Statement kSetRetentionDays{"access_log.set_retention",
                                      "UPDATE businesses SET access_log_days = $2 WHERE id = $1 RETURNING id"};
constexpr Statement kRetentionByBusiness{"access_log.retention_all",
                                         "SELECT id, access_log_days FROM businesses ORDER BY id"};

std::vector<domain::AccessLogEntry> ReadEntries(const std::vector<Row>& rows) {
  std::vector<domain::AccessLogEntry> entries;
  entries.reserve(rows.size());
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
  return ReadEntries(rows);
}

Result<std::vector<domain::AccessLogEntry>> AccessLogRepository::ListRange(BusinessId business, Timestamp from,
                                                                           Timestamp to, int64_t after, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListRange, {Int(business.value()), Int(from.micros()),
                                                                 Int(to.micros()), Int(after),
                                                                 Int(std::clamp(limit, 1, 5000))}));
  return ReadEntries(rows);
}

Result<int64_t> AccessLogRepository::DeleteBefore(BusinessId business, Timestamp cutoff) {
  const std::vector<SqlValue> params{Int(business.value()), Int(cutoff.micros())};
  CRM_ASSIGN_OR_RETURN(std::vector<Row> count, connection_.Query(kCountBefore, params));
  const int64_t n = count.empty() ? 0 : count[0].GetInt(0);
  if (n > 0) CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteBefore, params));
  return n;
}

Result<int64_t> AccessLogRepository::RetentionDays(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kRetentionDays, {Int(business.value())}));
  if (rows.empty()) return NotFound("no such business");
  return rows[0].GetInt(0);
}

Status AccessLogRepository::SetRetentionDays(BusinessId business, int64_t days) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kSetRetentionDays, {Int(business.value()), Int(days)}));
  if (rows.empty()) return NotFound("no such business");
  return Status::Ok();
}

Result<std::vector<std::pair<BusinessId, int64_t>>> AccessLogRepository::RetentionByBusiness() {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kRetentionByBusiness, {}));
  std::vector<std::pair<BusinessId, int64_t>> result;
  for (const Row& row : rows) result.emplace_back(BusinessId(row.GetInt(0)), row.GetInt(1));
  return result;
}

}  // namespace crm::store
