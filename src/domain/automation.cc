#include "domain/automation.h"

#include <array>

#include <fmt/format.h>

#include "domain/lunar_calendar.h"

namespace crm::domain {
namespace {

template <typename Enum, size_t N>
const char* NameOf(const std::array<const char*, N>& names, Enum value) {
  const auto index = static_cast<size_t>(value) - 1;
  return index < N ? names[index] : "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> ParseName(const std::array<const char*, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<Enum>(i + 1);
  }
  return std::nullopt;
}

constexpr std::array<const char*, 11> kTriggerNames{
    "first_visit", "days_after_visit", "no_second_visit", "birthday",        "anniversary", "overdue",
    "churn_risk",  "tier_promotion",   "points_expiring", "referral_reward", "prospect_not_converted"};
constexpr std::array<const char*, 2> kActionNames{"message", "task"};
constexpr std::array<const char*, 2> kStateNames{"paused", "active"};
constexpr std::array<const char*, 3> kTaskStatusNames{"open", "done", "skipped"};
constexpr std::array<const char*, 3> kTaskKindNames{"call", "counter", "follow_up"};
constexpr std::array<const char*, 3> kTaskSourceNames{"automation", "prospect", "manual"};
constexpr std::array<const char*, 2> kSkipNames{"already_sent", "frequency_cap"};

bool NeedsDays(TriggerKind kind) {
  return kind == TriggerKind::kDaysAfterVisit || kind == TriggerKind::kNoSecondVisit ||
         kind == TriggerKind::kPointsExpiring || kind == TriggerKind::kProspectNotConverted;
}

std::string DayText(int32_t day) { return CivilFromDays(day).ToString(); }

int32_t DayOf(int year, int month, int day) { return static_cast<int32_t>(DaysFromCivil(year, month, day)); }

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// A solar month-day in `year`; 29 February is kept on 28 February in other years.
int32_t SolarDayIn(int year, int month, int day) {
  if (month == 2 && day == 29 && !IsLeapYear(year)) day = 28;
  return DayOf(year, month, day);
}

// Collects the candidates of one customer: the earliest firing day in the window wins.
// Occurrences that fired before are passed over (a customer with two visits in the window gets the
// second once the first has gone).
class Candidates {
 public:
  Candidates(int32_t low, int32_t high, const FiredOccurrences& fired, int64_t customer_id)
      : low_(low), high_(high), fired_(fired), customer_id_(customer_id) {}
  // `fire_day` is when it goes (due day minus lead days); `due_day` the day it is about.
  void Offer(int32_t fire_day, int32_t due_day, std::string key) {
    if (fire_day < low_ || fire_day > high_) return;
    if (!key_.empty() && fire_day >= fire_day_) return;
    if (fired_.Contains(customer_id_, key)) {
      if (fired_key_.empty()) fired_key_ = std::move(key);
      fired_due_day_ = due_day;
      return;
    }
    fire_day_ = fire_day;
    due_day_ = due_day;
    key_ = std::move(key);
  }
  bool empty() const { return key_.empty(); }
  int32_t due_day() const { return due_day_; }
  std::string& key() { return key_; }
  // An occurrence in the window that fired before, when no other is due.
  bool saw_fired() const { return !fired_key_.empty(); }
  int32_t fired_due_day() const { return fired_due_day_; }
  std::string& fired_key() { return fired_key_; }

 private:
  int32_t low_;
  int32_t high_;
  const FiredOccurrences& fired_;
  int64_t customer_id_;
  std::string fired_key_;
  int32_t fired_due_day_ = 0;
  int32_t fire_day_ = 0;
  int32_t due_day_ = 0;
  std::string key_;
};

}  // namespace

const char* ToString(TriggerKind value) { return NameOf(kTriggerNames, value); }
const char* ToString(AutomationAction value) { return NameOf(kActionNames, value); }
const char* ToString(AutomationState value) { return NameOf(kStateNames, value); }
const char* ToString(TaskStatus value) { return NameOf(kTaskStatusNames, value); }
const char* ToString(TaskKind value) { return NameOf(kTaskKindNames, value); }
const char* ToString(TaskSource value) { return NameOf(kTaskSourceNames, value); }
const char* ToString(SkipReason value) { return NameOf(kSkipNames, value); }
std::optional<TriggerKind> ParseTriggerKind(std::string_view text) { return ParseName<TriggerKind>(kTriggerNames, text); }
std::optional<AutomationAction> ParseAutomationAction(std::string_view text) {
  return ParseName<AutomationAction>(kActionNames, text);
}
std::optional<AutomationState> ParseAutomationState(std::string_view text) {
  return ParseName<AutomationState>(kStateNames, text);
}
std::optional<TaskStatus> ParseTaskStatus(std::string_view text) { return ParseName<TaskStatus>(kTaskStatusNames, text); }
std::optional<TaskKind> ParseTaskKind(std::string_view text) { return ParseName<TaskKind>(kTaskKindNames, text); }

Status ValidateAutomation(const Automation& a) {
  if (a.name.empty() || a.name.size() > 200) return InvalidArgument("name must be 1-200 bytes", "name");
  const Trigger& t = a.trigger;
  if (t.days < 0 || t.days > 365) return InvalidArgument("trigger.days must be 0-365", "trigger.days");
  if (NeedsDays(t.kind) && t.days < 1) return InvalidArgument("this trigger needs trigger.days >= 1", "trigger.days");
  if (t.kind == TriggerKind::kChurnRisk && !(t.threshold > 0.0 && t.threshold < 1.0)) {
    return InvalidArgument("trigger.threshold must be between 0 and 1", "trigger.threshold");
  }
  if (a.send_hour < 0 || a.send_hour > 23) return InvalidArgument("send_hour must be 0-23", "send_hour");
  if (a.frequency_cap_days < 0 || a.frequency_cap_days > 365) {
    return InvalidArgument("frequency_cap_days must be 0-365", "frequency_cap_days");
  }
  if (a.control_share_permille < 0 || a.control_share_permille > 900) {
    return InvalidArgument("control_share_permille must be 0-900", "control_share_permille");
  }
  if (a.action == AutomationAction::kTask) {
    if (a.task.title.empty() || a.task.title.size() > 200) {
      return InvalidArgument("task.title must be 1-200 bytes", "task.title");
    }
    if (a.task.assignee == TaskAssignee::kStaff && !(a.task.staff_id && a.task.staff_id->valid())) {
      return InvalidArgument("task.assignee must name a staff member", "task.assignee");
    }
    return Status::Ok();
  }
  if (t.kind == TriggerKind::kProspectNotConverted) {
    return InvalidArgument("a prospect has not agreed to messages: use action \"task\"", "action")
        .WithReason("prospect_task_only");
  }
  if (a.body.empty()) return InvalidArgument("body must not be empty", "template.body");
  if (a.channel == Channel::kAlimTalk && a.purpose == Purpose::kAdvertising) {
    return InvalidArgument("AlimTalk cannot carry advertising (MSG-02)", "purpose").WithReason("rule_msg_02");
  }
  if (a.fallback_channel &&
      !(a.channel == Channel::kAlimTalk && (*a.fallback_channel == Channel::kSms || *a.fallback_channel == Channel::kLms))) {
    return InvalidArgument("only AlimTalk falls back, to SMS", "fallback_channel");
  }
  if (a.purpose == Purpose::kAdvertising && a.channel != Channel::kEmail && (a.send_hour < 8 || a.send_hour > 20)) {
    return InvalidArgument("advertising is not sent 21:00-08:00 (ADV-02)", "send_hour").WithReason("night_hours");
  }
  return Status::Ok();
}

void FiredOccurrences::Add(int64_t customer_id, const std::string& key, int32_t day, bool messaged) {
  keys_.insert(fmt::format("{}/{}", customer_id, key));
  if (!messaged) return;
  auto [it, inserted] = last_day_.emplace(customer_id, day);
  if (!inserted && it->second < day) it->second = day;
}

bool FiredOccurrences::Contains(int64_t customer_id, const std::string& key) const {
  if (keys_.empty()) return false;
  return keys_.contains(fmt::format("{}/{}", customer_id, key));
}

int32_t FiredOccurrences::LastDay(int64_t customer_id) const {
  auto it = last_day_.find(customer_id);
  return it == last_day_.end() ? kNoDay : it->second;
}

std::optional<Date> SolarBirthdays::Lunar(int year, int month, int day, bool leap) {
  const int64_t key = (static_cast<int64_t>(year) * 100 + month) * 100 * 2 + day * 2 + (leap ? 1 : 0);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  auto solar = LunarBirthdayIn(year, month, day, leap);
  std::optional<Date> value = solar.ok() ? *solar : std::nullopt;
  cache_.emplace(key, value);
  return value;
}

namespace {

// Offers the yearly occurrences (birthday, anniversary) of a month-day around the window.
template <typename SolarOf>
void OfferYearly(Candidates& c, int year, int lead_days, const char* prefix, const std::string& label,
                 SolarOf&& solar_of) {
  for (int y = year - 1; y <= year + 1; ++y) {
    const std::optional<int32_t> day = solar_of(y);
    if (!day) continue;
    c.Offer(*day - lead_days, *day, label.empty() ? fmt::format("{}-{}", prefix, y)
                                                  : fmt::format("{}-{}-{}", prefix, label, y));
  }
}

void OfferCandidates(const Automation& a, const FactsTable& facts, const CustomerFacts& f,
                     const EvaluationOptions& options, SolarBirthdays& birthdays, Candidates& c) {
  const Trigger& t = a.trigger;
  const int year = CivilFromDays(options.today).year;
  switch (t.kind) {
    case TriggerKind::kFirstVisit:
      if (f.first_visit_day != kNoDay) c.Offer(f.first_visit_day + t.days, f.first_visit_day, "first-visit");
      return;
    case TriggerKind::kDaysAfterVisit:
      for (uint32_t i = f.visits_begin; i < f.visits_end; ++i) {
        const int32_t visit = facts.visit_days[i];
        c.Offer(visit + t.days, visit, fmt::format("visit-{}+{}", DayText(visit), t.days));
      }
      return;
    case TriggerKind::kNoSecondVisit:
      if (f.first_visit_day != kNoDay && f.last_visit_day == f.first_visit_day) {
        c.Offer(f.first_visit_day + t.days, f.first_visit_day, "no-second-visit");
      }
      return;
    case TriggerKind::kBirthday:
      if (f.birthday_month == 0) return;
      OfferYearly(c, year, t.days, "birthday", "", [&](int y) -> std::optional<int32_t> {
        if (!f.lunar_birthday) return SolarDayIn(y, f.birthday_month, f.birthday_day);
        auto solar = birthdays.Lunar(y, f.birthday_month, f.birthday_day, f.leap_month);
        if (!solar) return std::nullopt;
        return DayOf(solar->year, solar->month, solar->day);
      });
      return;
    case TriggerKind::kAnniversary:
      for (uint32_t i = f.anniversaries_begin; i < f.anniversaries_end; ++i) {
        const MonthDay md = facts.anniversaries[i];
        OfferYearly(c, year, t.days, "anniversary", fmt::format("{:02}{:02}", md.month, md.day),
                    [&](int y) -> std::optional<int32_t> { return SolarDayIn(y, md.month, md.day); });
      }
      return;
    case TriggerKind::kOverdue:
      if (f.overdue_since_day != kNoDay) {
        c.Offer(f.overdue_since_day + t.days, f.overdue_since_day, fmt::format("overdue-{}", DayText(f.overdue_since_day)));
      }
      return;
    case TriggerKind::kChurnRisk:
      if (f.churn_probability >= t.threshold && f.last_visit_day != kNoDay) {
        c.Offer(options.today, options.today, fmt::format("churn-{}", DayText(f.last_visit_day)));
      }
      return;
    case TriggerKind::kTierPromotion:
      if (f.tier_promoted_day == kNoDay) return;
      if (options.tier_index && *options.tier_index != f.tier_index) return;
      c.Offer(f.tier_promoted_day, f.tier_promoted_day, fmt::format("tier-{}", DayText(f.tier_promoted_day)));
      return;
    case TriggerKind::kPointsExpiring:
      if (f.points_expiring_day != kNoDay) {
        c.Offer(f.points_expiring_day - t.days, f.points_expiring_day,
                fmt::format("points-{}", DayText(f.points_expiring_day)));
      }
      return;
    case TriggerKind::kReferralReward:
      if (f.referral_reward_day != kNoDay) {
        c.Offer(f.referral_reward_day, f.referral_reward_day, fmt::format("referral-{}", DayText(f.referral_reward_day)));
      }
      return;
    case TriggerKind::kProspectNotConverted:
      if (f.prospect_created_day != kNoDay) {
        c.Offer(f.prospect_created_day + t.days, f.prospect_created_day, fmt::format("prospect-{}", f.customer_id));
      }
      return;
  }
}

}  // namespace

Evaluation Evaluate(const Automation& a, const FactsTable& facts, const FiredOccurrences& fired,
                    const EvaluationOptions& options, SolarBirthdays& birthdays) {
  Evaluation out;
  const int32_t low = options.today - std::max(0, options.lookback_days);
  for (const CustomerFacts& f : facts.rows) {
    Candidates c(low, options.today, fired, f.customer_id);
    OfferCandidates(a, facts, f, options, birthdays, c);
    if (c.empty()) {
      if (c.saw_fired()) {
        out.skipped.push_back(
            {DueOccurrence{f.customer_id, std::move(c.fired_key()), c.fired_due_day(), f.author_staff_id},
             SkipReason::kAlreadySent});
      }
      continue;
    }
    DueOccurrence due{f.customer_id, std::move(c.key()), c.due_day(), f.author_staff_id};
    if (a.action == AutomationAction::kMessage && a.frequency_cap_days > 0) {
      const int32_t last = fired.LastDay(f.customer_id);
      if (last != kNoDay && options.today - last < a.frequency_cap_days) {
        out.skipped.push_back({std::move(due), SkipReason::kFrequencyCap});
        continue;
      }
    }
    out.due.push_back(std::move(due));
  }
  return out;
}

}  // namespace crm::domain
