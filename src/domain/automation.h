// Automations: messages (or staff tasks) that go by themselves when something happens to a
// customer: a first visit, N days after a visit, no second visit, a birthday (solar or lunar), an
// anniversary, a customer overdue by their own rhythm, churn risk, a tier promotion, points about
// to expire, a referral reward, a prospect not converted. This module holds the definition, its
// validation, and the pure daily evaluation: given per-customer facts and the occurrences already
// fired, which customers are due on a local date, with the "once per occurrence" key of each
// (`birthday-2026`, `visit-2026-11-16+21`), and why the others that were due are skipped
// (already fired, the automation's own frequency cap). Consent, night hours and the control group
// are decided afterwards by the campaigns' rules (domain::CheckRecipient, InControlGroup).
// Types and pure functions only: no storage, clock or I/O. Days are local days since 1970-01-01.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/coupon.h"
#include "domain/message.h"

namespace crm {
using TaskId = Id<struct TaskTag>;
}  // namespace crm

namespace crm::domain {

// Persisted: the values never change.
enum class TriggerKind {
  kFirstVisit = 1,
  kDaysAfterVisit = 2,
  kNoSecondVisit = 3,
  kBirthday = 4,
  kAnniversary = 5,
  kOverdue = 6,
  kChurnRisk = 7,
  kTierPromotion = 8,
  kPointsExpiring = 9,
  kReferralReward = 10,
  kProspectNotConverted = 11,
};
enum class AutomationAction { kMessage = 1, kTask = 2 };
enum class AutomationState { kPaused = 1, kActive = 2 };
// Who a task goes to: nobody in particular, the staff member behind the trigger (a prospect
// card's author), or a named staff member.
enum class TaskAssignee { kNone = 1, kAuthor = 2, kStaff = 3 };
enum class TaskStatus { kOpen = 1, kDone = 2, kSkipped = 3 };
enum class TaskKind { kCall = 1, kCounter = 2, kFollowUp = 3 };
enum class TaskSource { kAutomation = 1, kProspect = 2, kManual = 3 };
// Whether an occurrence went to the customer or was held back as control. Persisted.
enum class OccurrenceGroup { kTreated = 1, kControl = 2 };

const char* ToString(TriggerKind value);
const char* ToString(AutomationAction value);
const char* ToString(AutomationState value);
const char* ToString(TaskStatus value);
const char* ToString(TaskKind value);
const char* ToString(TaskSource value);
std::optional<TriggerKind> ParseTriggerKind(std::string_view text);
std::optional<AutomationAction> ParseAutomationAction(std::string_view text);
std::optional<AutomationState> ParseAutomationState(std::string_view text);
std::optional<TaskStatus> ParseTaskStatus(std::string_view text);
std::optional<TaskKind> ParseTaskKind(std::string_view text);

struct Trigger {
  TriggerKind kind = TriggerKind::kFirstVisit;
  // N for days_after_visit, no_second_visit, points_expiring, prospect_not_converted, overdue
  // (extra days past the rhythm); days before the day for birthday and anniversary (0: the day).
  int days = 0;
  double threshold = 0.7;  // churn_risk: probability of having churned, 0 < t < 1
  std::string tier;        // tier_promotion: only promotions to this tier; empty: any
};

struct TaskSpec {
  std::string title;  // "전화: 안부 묻기"; the masked name is added
  TaskAssignee assignee = TaskAssignee::kNone;
  std::optional<StaffId> staff_id;  // with kStaff
  TaskKind kind = TaskKind::kCall;
};

struct Automation {
  AutomationId id;
  BusinessId business_id;
  std::string name;
  Trigger trigger;
  AutomationAction action = AutomationAction::kMessage;
  int send_hour = 11;  // local hour 0-23
  Channel channel = Channel::kSms;  // kSms stands for text: SMS or LMS by length
  std::optional<Channel> fallback_channel;
  Purpose purpose = Purpose::kInformational;
  std::string subject;
  std::string body;
  std::optional<CouponTemplateId> coupon_template_id;
  int frequency_cap_days = 30;  // at most one of this automation's messages per customer per N days
  int control_share_permille = 100;
  int64_t seed = 0;  // of the control group, drawn at creation
  TaskSpec task;
  AutomationState state = AutomationState::kPaused;
  std::string preset;  // "cafe/welcome" when made by a preset
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> activated_at;
  std::optional<Timestamp> last_run_at;
};

// kInvalidArgument naming the field: name, trigger.kind-specific fields (trigger.days within
// 0..365, 1.. for the "after N days" kinds; trigger.threshold in (0, 1)), send_hour 0..23 (an
// advertising SMS/Kakao message outside 08-20 local is refused, reason "night_hours", ADV-02),
// body for messages, task.title for tasks, frequency_cap_days 0..365, control_share_permille
// 0..900, AlimTalk never advertising (MSG-02, reason "rule_msg_02"), a fallback only from AlimTalk
// to SMS, a prospect trigger only as a task (prospects have given no consent to receive messages).
Status ValidateAutomation(const Automation& automation);

// A follow-up for staff: a call, a word at the counter, a prospect to follow up.
struct StaffTask {
  TaskId id;
  BusinessId business_id;
  std::optional<CustomerId> customer_id;
  std::optional<ProspectId> prospect_id;
  std::string title;  // "전화: 김*수"
  TaskKind kind = TaskKind::kCall;
  Date due_date;
  std::optional<StaffId> assignee_staff_id;
  TaskSource source = TaskSource::kManual;
  std::optional<int64_t> source_id;  // the automation or prospect
  TaskStatus status = TaskStatus::kOpen;
  std::string note;  // why it was skipped
  Timestamp created_at;
  std::optional<Timestamp> closed_at;
  std::optional<StaffId> closed_by;
};

// What the daily pass knows of one customer (or, for prospect_not_converted, one prospect).
// Absent days are kNoDay. Kept flat (no strings, no heap) so a million fit in a few tens of MB.
inline constexpr int32_t kNoDay = INT32_MIN;
struct CustomerFacts {
  int64_t customer_id = 0;  // the prospect id for prospect facts
  int32_t first_visit_day = kNoDay;
  int32_t last_visit_day = kNoDay;
  int32_t visit_count = 0;  // sales
  // Visit days in [visits_begin, visits_end) of FactsTable::visit_days, ascending: only the recent
  // ones the pass needs (days_after_visit).
  uint32_t visits_begin = 0;
  uint32_t visits_end = 0;
  // Birthday: month 0 when unknown; lunar dates are converted by the caller (solar_birthday_*).
  int8_t birthday_month = 0;
  int8_t birthday_day = 0;
  bool lunar_birthday = false;
  bool leap_month = false;
  // Anniversaries: [anniversaries_begin, anniversaries_end) of FactsTable::anniversaries.
  uint32_t anniversaries_begin = 0;
  uint32_t anniversaries_end = 0;
  // The day the customer became overdue by their own rhythm (last visit + 2 x median gap).
  int32_t overdue_since_day = kNoDay;
  float churn_probability = -1.0f;  // 1 - P(alive); negative when unknown
  int32_t tier_promoted_day = kNoDay;
  int32_t tier_index = -1;  // the tier promoted to, an index into the business's tiers
  int32_t points_expiring_day = kNoDay;  // the first day with points expiring
  int32_t referral_reward_day = kNoDay;
  int32_t prospect_created_day = kNoDay;  // prospects not yet customers
  int64_t author_staff_id = 0;            // prospects: who wrote the card
};

// A month and day (solar) for anniversaries.
struct MonthDay {
  int8_t month = 0;
  int8_t day = 0;
};

struct FactsTable {
  std::vector<CustomerFacts> rows;
  std::vector<int32_t> visit_days;
  std::vector<MonthDay> anniversaries;
};

// What has fired before for one automation: the occurrence keys per customer, and the last day a
// message of the automation went to each (for its frequency cap).
class FiredOccurrences {
 public:
  // `messaged`: a message went (treated), so the day counts for the frequency cap.
  void Add(int64_t customer_id, const std::string& key, int32_t day, bool messaged);
  bool Contains(int64_t customer_id, const std::string& key) const;
  // kNoDay when the customer got nothing.
  int32_t LastDay(int64_t customer_id) const;

 private:
  std::unordered_set<std::string> keys_;  // "customer/key"
  std::unordered_map<int64_t, int32_t> last_day_;
};

// Why a due customer is not taken by the pass. The consent and control reasons come later from
// the campaign rules; these are the automation's own.
enum class SkipReason { kAlreadySent = 1, kFrequencyCap = 2 };
const char* ToString(SkipReason reason);

struct DueOccurrence {
  int64_t customer_id = 0;
  std::string occurrence;  // "birthday-2026"
  int32_t due_day = 0;     // the local day the occurrence fell on (before any lead days)
  int64_t author_staff_id = 0;
};
struct SkippedOccurrence {
  DueOccurrence due;
  SkipReason reason = SkipReason::kAlreadySent;
};
struct Evaluation {
  std::vector<DueOccurrence> due;
  std::vector<SkippedOccurrence> skipped;
};

// The business's view of birthdays: the solar (month, day) of each lunar birthday for the years
// in the pass, computed once per distinct lunar date, not per customer.
class SolarBirthdays {
 public:
  // The solar date of a lunar (month, day, leap) birthday in Gregorian `year`, nullopt when there
  // is none that year (domain::LunarBirthdayIn). Caches per key. Not thread-safe.
  std::optional<Date> Lunar(int year, int month, int day, bool leap);

 private:
  std::unordered_map<int64_t, std::optional<Date>> cache_;
};

struct EvaluationOptions {
  int32_t today = 0;  // the local day evaluated
  // Occurrences due in [today - lookback_days, today] fire (catching up after downtime); older
  // ones are stale and skipped silently.
  int lookback_days = 3;
  std::optional<int32_t> tier_index;  // tier_promotion: the automation's tier, if any
};

// Who is due on `options.today` for `automation` and, of the due, who is skipped and why. Each
// customer is due at most once per pass (the oldest occurrence first when several fall in the
// lookback), and an occurrence key fires once ever (`fired`). Deterministic: ascending customer
// id in the facts' order.
// The keys: "first-visit", "visit-2026-11-16+21", "no-second-visit", "birthday-2026",
// "anniversary-0312-2026", "overdue-2026-11-30", "churn-2026-10-02" (the last visit of the lapse),
// "tier-2026-12-01", "points-2026-12-31", "referral-2026-12-01", "prospect-42".
Evaluation Evaluate(const Automation& automation, const FactsTable& facts, const FiredOccurrences& fired,
                    const EvaluationOptions& options, SolarBirthdays& birthdays);

}  // namespace crm::domain
