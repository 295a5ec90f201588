// TaskService: follow-ups for staff (a call, a word at the counter, a prospect to follow up),
// made by automations and by people, closed as done or skipped. Staff see their own tasks and the
// unassigned ones; managers and owners see all. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "domain/automation.h"
#include "store/database.h"

namespace crm::app {

struct TaskQuery {
  std::optional<domain::TaskStatus> status;  // default open
  bool all = false;                          // "assignee=all": managers only
  std::optional<CustomerId> customer_id;
};

// A task with the customer's masked name, as the lists show it.
struct TaskView {
  domain::StaffTask task;
  std::string customer_name;  // masked (김*수); empty for a prospect
};

class TaskService {
 public:
  TaskService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

  // kPermissionDenied when staff ask for all.
  Result<std::vector<TaskView>> List(const Principal& principal, const TaskQuery& query);
  // A manual task. kInvalidArgument naming "title", "customer_id" (not the business's) or
  // "assignee_staff_id" (not the business's staff).
  Result<TaskView> Create(const Principal& principal, CustomerId customer, std::string title, Date due_date,
                          std::optional<StaffId> assignee);
  // kNotFound; kPermissionDenied for staff closing another's task; kFailedPrecondition (reason
  // "task_closed") when closed already.
  Result<TaskView> Close(const Principal& principal, TaskId id, domain::TaskStatus status, const std::string& note);
  // The customer's open tasks, for the counter card.
  Result<std::vector<TaskView>> OpenFor(const Principal& principal, CustomerId customer);

 private:
  Result<std::vector<TaskView>> Named(store::Transaction& tx, BusinessId business,
                                      std::vector<domain::StaffTask> tasks);

  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
