#include "store/automation_repository.h"

namespace crm::store {
namespace {

#define TASK_COLUMNS                                                                                         \
  "id, business_id, customer_id, prospect_id, title, kind, due_date, assignee_staff_id, source, source_id, " \
  "status, note, created_at, closed_at, closed_by"

constexpr Statement kInsert{
    "task.insert",
    "INSERT INTO staff_tasks (business_id, customer_id, prospect_id, title, kind, due_date, assignee_staff_id, "
    "source, source_id, status, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "RETURNING id"};
constexpr Statement kGet{"task.get", "SELECT " TASK_COLUMNS " FROM staff_tasks WHERE business_id = $1 AND id = $2"};
// Optional filters are NULL parameters: status $2, assignee $3 (theirs or nobody's), customer $4.
constexpr Statement kList{
    "task.list",
    "SELECT " TASK_COLUMNS " FROM staff_tasks WHERE business_id = $1 AND ($2 IS NULL OR status = $2) AND "
    "($3 IS NULL OR assignee_staff_id = $3 OR assignee_staff_id IS NULL) AND ($4 IS NULL OR customer_id = $4) "
    "ORDER BY due_date, id LIMIT $5",
    "SELECT " TASK_COLUMNS " FROM staff_tasks WHERE business_id = $1 AND ($2::BIGINT IS NULL OR status = $2) AND "
    "($3::BIGINT IS NULL OR assignee_staff_id = $3 OR assignee_staff_id IS NULL) AND "
    "($4::BIGINT IS NULL OR customer_id = $4) ORDER BY due_date, id LIMIT $5"};
constexpr Statement kClose{
    "task.close",
    "UPDATE staff_tasks SET status = $3, note = $4, closed_at = $5, closed_by = $6 WHERE business_id = $1 AND "
    "id = $2 AND status = 1 RETURNING id"};

domain::StaffTask FromRow(const Row& row) {
  domain::StaffTask t;
  t.id = TaskId(row.GetInt(0));
  t.business_id = BusinessId(row.GetInt(1));
  if (auto v = row.GetOptionalInt(2)) t.customer_id = CustomerId(*v);
  if (auto v = row.GetOptionalInt(3)) t.prospect_id = ProspectId(*v);
  t.title = row.GetText(4);
  t.kind = static_cast<domain::TaskKind>(row.GetInt(5));
  if (auto date = Date::Parse(row.GetText(6)); date.ok()) t.due_date = *date;
  if (auto v = row.GetOptionalInt(7)) t.assignee_staff_id = StaffId(*v);
  t.source = static_cast<domain::TaskSource>(row.GetInt(8));
  t.source_id = row.GetOptionalInt(9);
  t.status = static_cast<domain::TaskStatus>(row.GetInt(10));
  t.note = row.GetText(11);
  t.created_at = Timestamp::FromMicros(row.GetInt(12));
  if (auto v = row.GetOptionalInt(13)) t.closed_at = Timestamp::FromMicros(*v);
  if (auto v = row.GetOptionalInt(14)) t.closed_by = StaffId(*v);
  return t;
}

}  // namespace

Result<domain::StaffTask> TaskRepository::Create(domain::StaffTask t) {
  CRM_ASSIGN_OR_RETURN(
      auto rows,
      connection_.Query(kInsert, {Int(t.business_id.value()), t.customer_id ? Int(t.customer_id->value()) : Null(),
                                  t.prospect_id ? Int(t.prospect_id->value()) : Null(), Text(t.title),
                                  Int(static_cast<int64_t>(t.kind)), Text(t.due_date.ToString()),
                                  t.assignee_staff_id ? Int(t.assignee_staff_id->value()) : Null(),
                                  Int(static_cast<int64_t>(t.source)), t.source_id ? Int(*t.source_id) : Null(),
                                  Int(static_cast<int64_t>(t.status)), Text(t.note), Int(t.created_at.micros())}));
  t.id = TaskId(rows.at(0).GetInt(0));
  return t;
}

Result<domain::StaffTask> TaskRepository::Get(BusinessId business, TaskId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGet, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("task not found");
  return FromRow(rows[0]);
}

Result<std::vector<domain::StaffTask>> TaskRepository::List(BusinessId business, const TaskFilter& filter) {
  CRM_ASSIGN_OR_RETURN(
      auto rows,
      connection_.Query(kList, {Int(business.value()), OptionalInt(filter.status),
                                filter.assignee_or_unassigned ? Int(filter.assignee_or_unassigned->value()) : Null(),
                                filter.customer_id ? Int(filter.customer_id->value()) : Null(), Int(filter.limit)}));
  std::vector<domain::StaffTask> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(FromRow(row));
  return out;
}

Result<domain::StaffTask> TaskRepository::Close(BusinessId business, TaskId id, domain::TaskStatus status, StaffId by,
                                                const std::string& note, Timestamp at) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kClose, {Int(business.value()), Int(id.value()),
                                                             Int(static_cast<int64_t>(status)), Text(note),
                                                             Int(at.micros()), by.valid() ? Int(by.value()) : Null()}));
  if (rows.empty()) {
    CRM_RETURN_IF_ERROR(Get(business, id).status());
    return FailedPrecondition("the task is closed already").WithReason("task_closed");
  }
  return Get(business, id);
}

}  // namespace crm::store
