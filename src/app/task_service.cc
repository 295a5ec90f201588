#include "app/task_service.h"

#include "domain/korean_text.h"
#include "store/automation_repository.h"
#include "store/customer_repository.h"
#include "store/staff_repository.h"
#include "store/transaction.h"

namespace crm::app {

Result<std::vector<TaskView>> TaskService::Named(store::Transaction& tx, BusinessId business,
                                                 std::vector<domain::StaffTask> tasks) {
  std::vector<TaskView> out;
  out.reserve(tasks.size());
  for (domain::StaffTask& task : tasks) {
    TaskView view;
    if (task.customer_id) {
      auto customer = tx.customers().Get(business, *task.customer_id);
      if (customer.ok()) view.customer_name = domain::MaskName(customer->name);
    }
    view.task = std::move(task);
    out.push_back(std::move(view));
  }
  return out;
}

Result<std::vector<TaskView>> TaskService::List(const Principal& principal, const TaskQuery& query) {
  if (query.all) CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  store::TaskFilter filter;
  filter.status = query.status.value_or(domain::TaskStatus::kOpen);
  filter.customer_id = query.customer_id;
  if (!query.all) {
    // A token without a staff member sees the unassigned tasks only.
    filter.assignee_or_unassigned = principal.staff_id.value_or(StaffId(-1));
  }
  return ReadValue<std::vector<TaskView>>(database_, [&](store::Transaction& tx) -> Result<std::vector<TaskView>> {
    CRM_ASSIGN_OR_RETURN(auto tasks, store::TaskRepository(tx.connection()).List(principal.business_id, filter));
    return Named(tx, principal.business_id, std::move(tasks));
  });
}

Result<TaskView> TaskService::Create(const Principal& principal, CustomerId customer, std::string title, Date due_date,
                                     std::optional<StaffId> assignee) {
  if (title.empty() || title.size() > 200) return InvalidArgument("title must be 1-200 bytes", "title");
  if (!due_date.IsValid()) return InvalidArgument("due_date must be a date", "due_date");
  const Timestamp now = clock_.Now();
  return WriteValue<TaskView>(database_, [&](store::Transaction& tx) -> Result<TaskView> {
    auto found = tx.customers().Get(principal.business_id, customer);
    if (!found.ok()) {
      if (found.status().code() != StatusCode::kNotFound) return found.status();
      return InvalidArgument("no such customer", "customer_id");
    }
    if (assignee) {
      auto staff = tx.staff().Get(principal.business_id, *assignee);
      if (!staff.ok()) {
        if (staff.status().code() != StatusCode::kNotFound) return staff.status();
        return InvalidArgument("no such staff member", "assignee_staff_id");
      }
    }
    domain::StaffTask task;
    task.business_id = principal.business_id;
    task.customer_id = customer;
    task.title = std::move(title);
    task.kind = domain::TaskKind::kCall;
    task.due_date = due_date;
    task.assignee_staff_id = assignee;
    task.source = domain::TaskSource::kManual;
    task.created_at = now;
    CRM_ASSIGN_OR_RETURN(task, store::TaskRepository(tx.connection()).Create(std::move(task)));
    return TaskView{std::move(task), domain::MaskName(found->name)};
  });
}

Result<TaskView> TaskService::Close(const Principal& principal, TaskId id, domain::TaskStatus status,
                                    const std::string& note) {
  if (note.size() > 1000) return InvalidArgument("note must be at most 1000 bytes", "note");
  const Timestamp now = clock_.Now();
  return WriteValue<TaskView>(database_, [&](store::Transaction& tx) -> Result<TaskView> {
    store::TaskRepository tasks(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::StaffTask task, tasks.Get(principal.business_id, id));
    const bool manager = principal.Require(domain::Role::kManager).ok();
    if (!manager && task.assignee_staff_id && task.assignee_staff_id != principal.staff_id) {
      return PermissionDenied("the task is another staff member's");
    }
    CRM_ASSIGN_OR_RETURN(task, tasks.Close(principal.business_id, id, status, principal.staff_id.value_or(StaffId()),
                                           note, now));
    CRM_ASSIGN_OR_RETURN(auto named, Named(tx, principal.business_id, {std::move(task)}));
    return std::move(named.front());
  });
}

Result<std::vector<TaskView>> TaskService::OpenFor(const Principal& principal, CustomerId customer) {
  TaskQuery query;
  query.customer_id = customer;
  query.all = principal.Require(domain::Role::kManager).ok();
  return List(principal, query);
}

}  // namespace crm::app
