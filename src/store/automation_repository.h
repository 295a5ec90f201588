// Automations, the occurrences they fired and the staff tasks, stored; plus the few bulk reads
// the daily pass needs besides the in-memory order aggregates (birthdays, anniversaries, tier
// promotions, referral rewards, expiring points, open prospects), each one statement per business,
// never one per customer. Constructed over a transaction's connection. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/automation.h"
#include "domain/customer.h"
#include "store/sql.h"

namespace crm::store {

// One fired occurrence as stored.
struct OccurrenceRecord {
  AutomationId automation_id;
  CustomerId customer_id;      // 0 for a prospect
  std::optional<ProspectId> prospect_id;
  std::string occurrence;
  domain::OccurrenceGroup group = domain::OccurrenceGroup::kTreated;
  int32_t due_day = 0;
  int32_t fired_day = 0;
  Timestamp fired_at;
  std::optional<MessageId> message_id;
  std::optional<TaskId> task_id;
  std::optional<int64_t> coupon_id;
};

// What one occurrence's customer did in the report window after it fired: visits (sales) and net
// revenue (sales less returns), as the campaign report counts them.
struct OccurrenceOutcome {
  CustomerId customer_id;
  domain::OccurrenceGroup group = domain::OccurrenceGroup::kTreated;
  int64_t visits = 0;
  int64_t revenue = 0;
  bool redeemed = false;  // the occurrence's coupon was redeemed within the window
};
// A visit (sale) of a customer whose first visit fell in the asked range.
struct NewCustomerVisit {
  CustomerId customer_id;
  Timestamp at;
};

struct BirthdayRow {
  CustomerId customer_id;
  domain::Birthday birthday;
};
struct AnniversaryRow {
  CustomerId customer_id;
  Date date;
};
// A dated event of one customer: a tier promotion (with the index and name of the tier reached),
// a referral reward, the expiry of points.
struct CustomerEvent {
  CustomerId customer_id;
  Timestamp at;
  int64_t tier_index = -1;
  std::string tier_name;
};
struct ProspectRow {
  ProspectId id;
  StaffId staff_id;
  Timestamp created_at;
};

struct TaskFilter {
  std::optional<domain::TaskStatus> status;
  std::optional<StaffId> assignee_or_unassigned;  // staff: theirs and nobody's
  std::optional<CustomerId> customer_id;
  int limit = 200;
};

class AutomationRepository {
 public:
  explicit AutomationRepository(SqlConnection& connection) : connection_(connection) {}

  // Stores a new automation; returns it with its id. kFailedPrecondition for a coupon template
  // not the business's.
  Result<domain::Automation> Create(domain::Automation automation);
  // Replaces every field but id, business, created_at; kNotFound.
  Result<domain::Automation> Update(const domain::Automation& automation);
  // kNotFound when the automation is not the business's.
  Result<domain::Automation> Get(BusinessId business, AutomationId id);
  // Locks the row on PostgreSQL (FOR UPDATE) so that two passes do not run it at once.
  Result<domain::Automation> GetForUpdate(BusinessId business, AutomationId id);
  Result<std::vector<domain::Automation>> List(BusinessId business);
  // The businesses with an active automation, ascending.
  Result<std::vector<BusinessId>> BusinessesWithActive();
  // Records that the pass for local day `day` ran at `at`.
  Status MarkRun(BusinessId business, AutomationId id, Timestamp at, int32_t day);
  // The local day of the last pass, if any.
  Result<std::optional<int32_t>> LastRunDay(BusinessId business, AutomationId id);

  // True when the calling transaction holds the business's automation lock: PostgreSQL's
  // pg_try_advisory_xact_lock (released at commit), so that of several servers exactly one
  // evaluates a business at a time; always true on SQLite, whose single writer serialises passes.
  Result<bool> TryLockBusiness(BusinessId business);

  // Stores a fired occurrence; false (nothing written) when that key fired before for that
  // customer or prospect, which is how nothing fires twice.
  Result<bool> InsertOccurrence(BusinessId business, const OccurrenceRecord& record);
  // Sets the message, task or coupon of a stored occurrence.
  Status AttachToOccurrence(BusinessId business, const OccurrenceRecord& record);
  // The automation's occurrences fired on or after local day `since_day`.
  Result<std::vector<OccurrenceRecord>> FiredSince(BusinessId business, AutomationId automation, int32_t since_day);
  // All its occurrences (reports).
  Result<std::vector<OccurrenceRecord>> Occurrences(BusinessId business, AutomationId automation);

  // Reports. Per customer occurrence, visits and revenue in [fired_at, fired_at + window).
  Result<std::vector<OccurrenceOutcome>> Outcomes(BusinessId business, AutomationId automation, int64_t window_micros);
  // Messages of the automation accepted by the provider (sent or delivered), per channel.
  Result<std::vector<std::pair<domain::Channel, int64_t>>> SentMessages(BusinessId business, AutomationId automation);
  // The visits before `visits_until` of the customers whose first visit was in [from, until), in
  // order of customer and time.
  Result<std::vector<NewCustomerVisit>> NewCustomerVisits(BusinessId business, Timestamp from, Timestamp until,
                                                          Timestamp visits_until);

  // Bulk facts of the business for the daily pass.
  Result<std::vector<BirthdayRow>> Birthdays(BusinessId business);
  Result<std::vector<AnniversaryRow>> Anniversaries(BusinessId business);
  // Promotions (to a higher tier) made in [since, until).
  Result<std::vector<CustomerEvent>> TierPromotions(BusinessId business, Timestamp since, Timestamp until);
  // Rewards of referrals in [since, until), for the friend and for the referrer.
  Result<std::vector<CustomerEvent>> ReferralRewards(BusinessId business, Timestamp since, Timestamp until);
  // Per customer, the earliest expiry in [since, until) of points earned (a simplification:
  // points already spent from that award are not subtracted).
  Result<std::vector<CustomerEvent>> PointsExpiring(BusinessId business, Timestamp since, Timestamp until);
  // Prospects made in [since, until) that are not customers yet.
  Result<std::vector<ProspectRow>> OpenProspects(BusinessId business, Timestamp since, Timestamp until);

 private:
  SqlConnection& connection_;
};

class TaskRepository {
 public:
  explicit TaskRepository(SqlConnection& connection) : connection_(connection) {}

  // Stores a task; returns it with its id. kFailedPrecondition for a customer or staff member not
  // the business's.
  Result<domain::StaffTask> Create(domain::StaffTask task);
  // kNotFound.
  Result<domain::StaffTask> Get(BusinessId business, TaskId id);
  // Newest due first... open tasks by due date, then id.
  Result<std::vector<domain::StaffTask>> List(BusinessId business, const TaskFilter& filter);
  // Closes an open task; kFailedPrecondition (reason "task_closed") when it is closed already.
  Result<domain::StaffTask> Close(BusinessId business, TaskId id, domain::TaskStatus status, StaffId by,
                                  const std::string& note, Timestamp at);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
