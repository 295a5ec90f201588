#include "domain/automation.h"

#include <map>

#include <gtest/gtest.h>

namespace crm::domain {
namespace {

int32_t Day(int y, int m, int d) { return static_cast<int32_t>(DaysFromCivil(y, m, d)); }

Automation Make(TriggerKind kind, int days = 0) {
  Automation a;
  a.id = AutomationId(1);
  a.business_id = BusinessId(1);
  a.name = "test";
  a.trigger.kind = kind;
  a.trigger.days = days;
  a.body = "#{이름}님 감사합니다";
  a.frequency_cap_days = 0;
  return a;
}

// Runs the pass day by day over [from, to], recording what fires as the scheduler does, and
// returns the days each (customer, key) fired.
std::multimap<std::string, int32_t> Drive(const Automation& a, const FactsTable& facts, int32_t from, int32_t to,
                                          int lookback = 3) {
  FiredOccurrences fired;
  SolarBirthdays birthdays;
  std::multimap<std::string, int32_t> fires;
  for (int32_t day = from; day <= to; ++day) {
    EvaluationOptions options;
    options.today = day;
    options.lookback_days = lookback;
    Evaluation e = Evaluate(a, facts, fired, options, birthdays);
    for (const DueOccurrence& due : e.due) {
      fires.emplace(std::to_string(due.customer_id) + ":" + due.occurrence, day);
      fired.Add(due.customer_id, due.occurrence, day, true);
    }
  }
  return fires;
}

FactsTable OneCustomer(CustomerFacts f) {
  FactsTable t;
  f.customer_id = f.customer_id == 0 ? 7 : f.customer_id;
  t.rows.push_back(f);
  return t;
}

TEST(AutomationEvaluateTest, FirstVisitFiresOnceOnTheDay) {
  CustomerFacts f;
  f.first_visit_day = f.last_visit_day = Day(2026, 12, 3);
  f.visit_count = 1;
  auto fires = Drive(Make(TriggerKind::kFirstVisit), OneCustomer(f), Day(2026, 12, 1), Day(2026, 12, 20));
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires.begin()->first, "7:first-visit");
  EXPECT_EQ(fires.begin()->second, Day(2026, 12, 3));
}

TEST(AutomationEvaluateTest, DaysAfterVisitFiresForEachVisit) {
  FactsTable t;
  t.visit_days = {Day(2026, 11, 1), Day(2026, 11, 2)};
  CustomerFacts f;
  f.customer_id = 7;
  f.first_visit_day = Day(2026, 11, 1);
  f.last_visit_day = Day(2026, 11, 2);
  f.visits_begin = 0;
  f.visits_end = 2;
  t.rows.push_back(f);
  auto fires = Drive(Make(TriggerKind::kDaysAfterVisit, 21), t, Day(2026, 11, 1), Day(2026, 12, 31));
  ASSERT_EQ(fires.size(), 2u);
  EXPECT_EQ(fires.find("7:visit-2026-11-01+21")->second, Day(2026, 11, 22));
  EXPECT_EQ(fires.find("7:visit-2026-11-02+21")->second, Day(2026, 11, 23));
}

TEST(AutomationEvaluateTest, FrequencyCapHoldsTheSecondVisitsMessage) {
  FactsTable t;
  t.visit_days = {Day(2026, 11, 1), Day(2026, 11, 2)};
  CustomerFacts f;
  f.customer_id = 7;
  f.visits_end = 2;
  t.rows.push_back(f);
  Automation a = Make(TriggerKind::kDaysAfterVisit, 21);
  a.frequency_cap_days = 30;
  auto fires = Drive(a, t, Day(2026, 11, 1), Day(2026, 12, 31));
  EXPECT_EQ(fires.size(), 1u);
}

TEST(AutomationEvaluateTest, NoSecondVisitOnlyWhileThereIsNone) {
  CustomerFacts once;
  once.customer_id = 1;
  once.first_visit_day = once.last_visit_day = Day(2026, 10, 1);
  CustomerFacts twice = once;
  twice.customer_id = 2;
  twice.last_visit_day = Day(2026, 10, 20);
  FactsTable t;
  t.rows = {once, twice};
  auto fires = Drive(Make(TriggerKind::kNoSecondVisit, 30), t, Day(2026, 10, 1), Day(2026, 12, 1));
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires.begin()->first, "1:no-second-visit");
  EXPECT_EQ(fires.begin()->second, Day(2026, 10, 31));
}

TEST(AutomationEvaluateTest, SolarBirthdayOncePerYearWithLeadDays) {
  CustomerFacts f;
  f.birthday_month = 12;
  f.birthday_day = 10;
  auto fires = Drive(Make(TriggerKind::kBirthday, 3), OneCustomer(f), Day(2026, 1, 1), Day(2027, 12, 31));
  ASSERT_EQ(fires.size(), 2u);
  EXPECT_EQ(fires.find("7:birthday-2026")->second, Day(2026, 12, 7));
  EXPECT_EQ(fires.find("7:birthday-2027")->second, Day(2027, 12, 7));
}

TEST(AutomationEvaluateTest, LeapDayBirthdayIsKeptOnTheTwentyEighth) {
  CustomerFacts f;
  f.birthday_month = 2;
  f.birthday_day = 29;
  auto fires = Drive(Make(TriggerKind::kBirthday), OneCustomer(f), Day(2027, 2, 1), Day(2027, 3, 31));
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires.begin()->second, Day(2027, 2, 28));
}

TEST(AutomationEvaluateTest, LunarBirthdayFallsOnItsSolarDate) {
  CustomerFacts f;
  f.birthday_month = 8;
  f.birthday_day = 15;
  f.lunar_birthday = true;
  auto fires = Drive(Make(TriggerKind::kBirthday), OneCustomer(f), Day(2025, 1, 1), Day(2026, 12, 31));
  ASSERT_EQ(fires.size(), 2u);
  EXPECT_EQ(fires.find("7:birthday-2025")->second, Day(2025, 10, 6));
  EXPECT_EQ(fires.find("7:birthday-2026")->second, Day(2026, 9, 25));
}

TEST(AutomationEvaluateTest, CatchUpWithinTheLookbackAndNotBeyond) {
  CustomerFacts f;
  f.birthday_month = 12;
  f.birthday_day = 1;
  FactsTable t = OneCustomer(f);
  FiredOccurrences none;
  SolarBirthdays birthdays;
  EvaluationOptions options;
  options.lookback_days = 3;
  options.today = Day(2026, 12, 4);  // down 1-3 December: still due
  EXPECT_EQ(Evaluate(Make(TriggerKind::kBirthday), t, none, options, birthdays).due.size(), 1u);
  options.today = Day(2026, 12, 5);  // four days late: stale
  EXPECT_TRUE(Evaluate(Make(TriggerKind::kBirthday), t, none, options, birthdays).due.empty());
}

TEST(AutomationEvaluateTest, AlreadyFiredIsReportedAsSkipped) {
  CustomerFacts f;
  f.birthday_month = 12;
  f.birthday_day = 7;
  FactsTable t = OneCustomer(f);
  FiredOccurrences fired;
  fired.Add(7, "birthday-2026", Day(2026, 12, 7), true);
  SolarBirthdays birthdays;
  EvaluationOptions options;
  options.today = Day(2026, 12, 7);
  Evaluation e = Evaluate(Make(TriggerKind::kBirthday), t, fired, options, birthdays);
  EXPECT_TRUE(e.due.empty());
  ASSERT_EQ(e.skipped.size(), 1u);
  EXPECT_EQ(e.skipped[0].reason, SkipReason::kAlreadySent);
}

TEST(AutomationEvaluateTest, OverdueChurnTierPointsReferralProspect) {
  CustomerFacts f;
  f.customer_id = 7;
  f.last_visit_day = Day(2026, 9, 1);
  f.overdue_since_day = Day(2026, 11, 1);
  f.churn_probability = 0.8f;
  f.tier_promoted_day = Day(2026, 11, 5);
  f.tier_index = 2;
  f.points_expiring_day = Day(2026, 11, 30);
  f.referral_reward_day = Day(2026, 11, 8);
  f.prospect_created_day = Day(2026, 11, 1);
  const FactsTable t = OneCustomer(f);
  const int32_t from = Day(2026, 10, 1), to = Day(2026, 12, 31);
  auto first = [&](const Automation& a) {
    auto fires = Drive(a, t, from, to);
    EXPECT_EQ(fires.size(), 1u) << ToString(a.trigger.kind);
    if (fires.empty()) return std::pair<std::string, int32_t>{};
    return std::pair<std::string, int32_t>{fires.begin()->first, fires.begin()->second};
  };
  EXPECT_EQ(first(Make(TriggerKind::kOverdue)), (std::pair<std::string, int32_t>{"7:overdue-2026-11-01", Day(2026, 11, 1)}));
  Automation churn = Make(TriggerKind::kChurnRisk);
  churn.trigger.threshold = 0.7;
  EXPECT_EQ(first(churn).first, "7:churn-2026-09-01");
  EXPECT_EQ(first(Make(TriggerKind::kTierPromotion)).second, Day(2026, 11, 5));
  EXPECT_EQ(first(Make(TriggerKind::kPointsExpiring, 7)).second, Day(2026, 11, 23));
  EXPECT_EQ(first(Make(TriggerKind::kReferralReward)).first, "7:referral-2026-11-08");
  Automation prospect = Make(TriggerKind::kProspectNotConverted, 3);
  prospect.action = AutomationAction::kTask;
  prospect.task.title = "follow up";
  EXPECT_EQ(first(prospect), (std::pair<std::string, int32_t>{"7:prospect-7", Day(2026, 11, 4)}));

  churn.trigger.threshold = 0.9;
  EXPECT_TRUE(Drive(churn, t, from, to).empty());
  FiredOccurrences none;
  SolarBirthdays birthdays;
  EvaluationOptions other_tier;
  other_tier.today = Day(2026, 11, 5);
  other_tier.tier_index = 1;
  EXPECT_TRUE(Evaluate(Make(TriggerKind::kTierPromotion), t, none, other_tier, birthdays).due.empty());
}

TEST(AutomationValidateTest, NamesTheField) {
  Automation a = Make(TriggerKind::kDaysAfterVisit, 0);
  EXPECT_EQ(ValidateAutomation(a).field(), "trigger.days");
  a.trigger.days = 21;
  EXPECT_TRUE(ValidateAutomation(a).ok());
  a.send_hour = 24;
  EXPECT_EQ(ValidateAutomation(a).field(), "send_hour");
  a.send_hour = 22;
  a.purpose = Purpose::kAdvertising;
  EXPECT_EQ(ValidateAutomation(a).reason(), "night_hours");
  a.send_hour = 11;
  a.channel = Channel::kAlimTalk;
  EXPECT_EQ(ValidateAutomation(a).reason(), "rule_msg_02");
  a = Make(TriggerKind::kProspectNotConverted, 3);
  EXPECT_EQ(ValidateAutomation(a).field(), "action");
  a.action = AutomationAction::kTask;
  EXPECT_EQ(ValidateAutomation(a).field(), "task.title");
  a = Make(TriggerKind::kChurnRisk);
  a.trigger.threshold = 1.5;
  EXPECT_EQ(ValidateAutomation(a).field(), "trigger.threshold");
  a = Make(TriggerKind::kFirstVisit);
  a.control_share_permille = 950;
  EXPECT_EQ(ValidateAutomation(a).field(), "control_share_permille");
  a = Make(TriggerKind::kFirstVisit);
  a.body.clear();
  EXPECT_EQ(ValidateAutomation(a).field(), "template.body");
}

}  // namespace
}  // namespace crm::domain
