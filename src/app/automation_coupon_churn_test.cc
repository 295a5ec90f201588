// Automations that carry a coupon and automations on churn risk, through the app services with a
// manual clock, on SQLite and (when DANGOL_TEST_POSTGRES_URL names a server) PostgreSQL: each
// treated customer gets their own coupon with their message, the control group none, and its
// redemption counts in the report; churn risk selects the customers whose churn probability from
// the fitted BG/NBD model reaches the threshold, and says so when no model is fitted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "app/automation_service.h"
#include "app/services.h"
#include "store/automation_repository.h"
#include "store/outbox_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

// 2026-12-08 00:00 in Seoul (15:00 UTC the day before).
const Timestamp kStart = Timestamp::FromSeconds(1'796'655'600);
constexpr int64_t kHourSeconds = 3'600;
constexpr int64_t kDaySeconds = 86'400;

class AutomationCouponChurnTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(store::TestDatabaseUrl(GetParam(), "dangol-automation-coupon", &dir_, &url));
    if (IsSkipped()) return;
    auto db = store::Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    static std::atomic<int> counter{0};
    const std::string slug = "auto-coupon-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    auto business = services_->businesses.CreateBusiness(slug, "카페");  // UTC+9
    ASSERT_TRUE(business.ok()) << business.status().ToString();
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    domain::MessagingSettings settings;
    settings.opt_out_number = "0801234567";
    settings.contact = "025551234";
    ASSERT_TRUE(services_->campaigns.SaveSettings(owner_, settings).ok());
    ASSERT_TRUE(services_->campaigns.AddSenderNumber(owner_, "02-1234-5678", "본점").ok());
    auto branch = services_->businesses.CreateBranch(owner_, "본점");
    ASSERT_TRUE(branch.ok()) << branch.status().ToString();
    branch_ = branch->id;
  }

  void TearDown() override {
    services_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  CustomerId Customer(const std::string& phone, std::optional<Date> birthday) {
    domain::CustomerDraft draft;
    draft.name = "김단골";
    draft.phone = phone;
    if (birthday) draft.birthday = domain::Birthday{*birthday, domain::CalendarType::kSolar, false};
    draft.consents.push_back({domain::ConsentChannel::kSms, true, clock_.Now(), "counter"});
    auto created = services_->customers.Create(owner_, draft);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : CustomerId();
  }

  void Sell(CustomerId customer, Timestamp at, int64_t total) {
    domain::Order order;
    order.branch_id = branch_;
    order.customer_id = customer;
    order.ordered_at = at;
    order.total = Money(total);
    auto posted = services_->orders.PostSale(owner_, order);
    ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  }

  domain::CouponTemplate Template(int64_t per_customer_limit) {
    domain::CouponTemplate coupon_template;
    coupon_template.name = "아메리카노";
    coupon_template.kind = domain::CouponKind::kAmountOff;
    coupon_template.value = 3000;
    coupon_template.valid_days = 14;
    coupon_template.per_customer_limit = per_customer_limit;
    auto created = services_->loyalty.CreateTemplate(owner_, coupon_template);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : coupon_template;
  }

  domain::Automation BirthdayCoupon(CouponTemplateId coupon_template, int control_share) {
    domain::Automation a;
    a.name = "생일 쿠폰";
    a.trigger.kind = domain::TriggerKind::kBirthday;
    a.send_hour = 11;
    a.purpose = domain::Purpose::kAdvertising;
    a.body = "#{이름}님 생일 축하드려요! 아메리카노 쿠폰 #{쿠폰코드}";
    a.coupon_template_id = coupon_template;
    a.control_share_permille = control_share;
    a.state = domain::AutomationState::kActive;
    return a;
  }

  std::vector<domain::OutboxMessage> Messages(CustomerId customer) {
    auto messages = store::ReadValue<std::vector<domain::OutboxMessage>>(*db_, [&](store::Transaction& tx) {
      return store::OutboxRepository(tx.connection()).ListForCustomer(owner_.business_id, customer, 10);
    });
    EXPECT_TRUE(messages.ok()) << messages.status().ToString();
    return messages.ok() ? *messages : std::vector<domain::OutboxMessage>{};
  }

  std::vector<store::OccurrenceRecord> Occurrences(AutomationId automation) {
    auto occurrences = store::ReadValue<std::vector<store::OccurrenceRecord>>(*db_, [&](store::Transaction& tx) {
      return store::AutomationRepository(tx.connection()).Occurrences(owner_.business_id, automation);
    });
    EXPECT_TRUE(occurrences.ok()) << occurrences.status().ToString();
    return occurrences.ok() ? *occurrences : std::vector<store::OccurrenceRecord>{};
  }

  void RunHourly(int hours) {
    for (int h = 0; h < hours; ++h) {
      auto run = services_->automations.RunDue(clock_.Now());
      ASSERT_TRUE(run.ok()) << run.status().ToString();
      clock_.AdvanceSeconds(kHourSeconds);
    }
  }

  ManualClock clock_{kStart};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_;
  BranchId branch_;
};

TEST_P(AutomationCouponChurnTest, EachTreatedCustomerGetsTheirOwnCouponWithTheMessageAndTheControlGroupNone) {
  if (IsSkipped()) GTEST_SKIP();
  std::vector<CustomerId> customers;
  for (int i = 0; i < 20; ++i) customers.push_back(Customer(fmt::format("010-3000-{:04}", i), Date{1990, 12, 8}));
  const domain::CouponTemplate coupon_template = Template(0);
  auto created = services_->automations.Create(owner_, BirthdayCoupon(coupon_template.id, 400));
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  // The dry run shows who would get it before anything is issued.
  auto dry = services_->automations.DryRunFor(owner_, created->id, Date{2026, 12, 8});
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_GT(dry->would_send_count, 0);
  EXPECT_FALSE(dry->churn_model.has_value());
  for (CustomerId id : customers) EXPECT_TRUE(services_->loyalty.Coupons(owner_, id)->empty());

  RunHourly(24);
  std::set<std::string> codes;
  int treated = 0;
  std::optional<std::pair<CustomerId, std::string>> redeemer;
  for (const store::OccurrenceRecord& r : Occurrences(created->id)) {
    auto coupons = services_->loyalty.Coupons(owner_, r.customer_id);
    ASSERT_TRUE(coupons.ok()) << coupons.status().ToString();
    const auto messages = Messages(r.customer_id);
    if (r.group == domain::OccurrenceGroup::kControl) {
      EXPECT_TRUE(coupons->empty());
      EXPECT_TRUE(messages.empty());
      EXPECT_FALSE(r.coupon_id.has_value());
      continue;
    }
    ++treated;
    ASSERT_EQ(coupons->size(), 1u);
    ASSERT_EQ(messages.size(), 1u);
    const domain::Coupon& coupon = coupons->front();
    EXPECT_EQ(coupon.source, domain::CouponSource::kAutomation);
    EXPECT_STREQ(domain::ToString(coupon.source), "automation");
    EXPECT_EQ(coupon.template_id, coupon_template.id);
    EXPECT_EQ(r.coupon_id, coupon.id.value());
    EXPECT_NE(messages[0].body.find(coupon.code), std::string::npos) << messages[0].body;
    codes.insert(coupon.code);
    if (!redeemer) redeemer.emplace(r.customer_id, coupon.code);
  }
  EXPECT_EQ(Occurrences(created->id).size(), customers.size());
  EXPECT_GT(treated, 0);
  EXPECT_LT(treated, 20);
  EXPECT_EQ(codes.size(), static_cast<size_t>(treated));  // each their own code

  // A second pass issues nothing more.
  RunHourly(24);
  for (CustomerId id : customers) EXPECT_LE(services_->loyalty.Coupons(owner_, id)->size(), 1u);

  // The redemption counts for the treated group in the report.
  ASSERT_TRUE(redeemer.has_value());
  auto redeemed =
      services_->loyalty.RedeemCoupon(owner_, redeemer->second, redeemer->first, branch_, std::nullopt, std::nullopt);
  ASSERT_TRUE(redeemed.ok()) << redeemed.status().ToString();
  auto report = services_->automations.Report(owner_, created->id, 14);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->treated.customers, treated);
  EXPECT_EQ(report->treated.redemptions, 1);
  EXPECT_EQ(report->control.redemptions, 0);
}

TEST_P(AutomationCouponChurnTest, ACustomerAtTheTemplatesLimitGetsNeitherCouponNorMessage) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId had_one = Customer("010-3100-0001", Date{1990, 12, 8});
  const CustomerId fresh = Customer("010-3100-0002", Date{1990, 12, 8});
  const domain::CouponTemplate coupon_template = Template(1);
  ASSERT_TRUE(services_->loyalty.IssueCoupon(owner_, had_one, coupon_template.id).ok());
  auto created = services_->automations.Create(owner_, BirthdayCoupon(coupon_template.id, 0));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto dry = services_->automations.DryRunFor(owner_, created->id, Date{2026, 12, 8});
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->would_send_count, 1);
  EXPECT_EQ(dry->excluded_counts["coupon_limit_reached"], 1);
  RunHourly(24);
  EXPECT_TRUE(Messages(had_one).empty());
  EXPECT_EQ(services_->loyalty.Coupons(owner_, had_one)->size(), 1u);
  EXPECT_EQ(Messages(fresh).size(), 1u);
  EXPECT_EQ(services_->loyalty.Coupons(owner_, fresh)->size(), 1u);
}

// A fixed history: regulars who came every two weeks until a few days ago, and customers who came
// every week in the first months of the year and never again. The selection must be exactly the
// customers whose churn probability (1 - P(alive) of the fitted BG/NBD model, as the customer
// analytics report it) reaches the threshold: all of the lapsed ones and none of the regulars.
TEST_P(AutomationCouponChurnTest, ChurnRiskSelectsTheCustomersTheFittedModelGivesUpAndSaysWhenNoModelIsFitted) {
  if (IsSkipped()) GTEST_SKIP();
  std::vector<CustomerId> regulars, lapsed;
  const Timestamp year_start = kStart.PlusSeconds(-340 * kDaySeconds);  // early January 2026
  for (int i = 0; i < 10; ++i) {
    const CustomerId id = Customer(fmt::format("010-4000-{:04}", i), std::nullopt);
    regulars.push_back(id);
    for (int visit = 0; visit < 16; ++visit) {
      Sell(id, kStart.PlusSeconds(-(2 + i % 5 + 14 * visit) * kDaySeconds), 5'000 + 500 * (i % 3));
    }
  }
  for (int i = 0; i < 10; ++i) {
    const CustomerId id = Customer(fmt::format("010-5000-{:04}", i), std::nullopt);
    lapsed.push_back(id);
    for (int visit = 0; visit < 10 + i % 4; ++visit) {
      Sell(id, year_start.PlusSeconds((i % 3 + 7 * visit) * kDaySeconds), 6'000);
    }
  }
  domain::Automation a;
  a.name = "이탈 위험";
  a.trigger.kind = domain::TriggerKind::kChurnRisk;
  a.trigger.threshold = 0.5;
  a.send_hour = 11;
  a.purpose = domain::Purpose::kInformational;
  a.body = "#{이름}님, 요즘 뵙지 못했네요. 잘 지내시죠?";
  a.control_share_permille = 0;
  a.state = domain::AutomationState::kActive;
  // The churn probabilities come from BG/NBD; Pareto/NBD, fitted after it, gets no time here.
  FitBudgets budgets;
  budgets.pareto_nbd = std::chrono::milliseconds(1);
  AnalyticsService analytics(*db_, clock_, budgets);
  AutomationService automations(*db_, clock_, analytics);
  auto created = automations.Create(owner_, a);
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  // Before the first fit: nobody, and the dry run says the model is being fitted.
  auto before = automations.DryRunFor(owner_, created->id, Date{2026, 12, 8});
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_TRUE(before->churn_model.has_value());
  EXPECT_EQ(before->churn_model->status, ModelStatus::kFitting);
  EXPECT_EQ(before->would_send_count, 0);
  analytics.WaitForFits();
  clock_.AdvanceSeconds(11 * kHourSeconds);
  auto after = automations.DryRunFor(owner_, created->id, std::nullopt);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_TRUE(after->churn_model.has_value());
  ASSERT_EQ(after->churn_model->status, ModelStatus::kReady);

  std::set<int64_t> expected;
  for (const auto& group : {regulars, lapsed}) {
    for (CustomerId id : group) {
      auto customer = analytics.ForCustomer(owner_, id);
      ASSERT_TRUE(customer.ok()) << customer.status().ToString();
      ASSERT_TRUE(customer->probability_alive.has_value());
      // The facts keep the probability as a float.
      const float churn = static_cast<float>(1.0 - *customer->probability_alive);
      if (churn >= 0.5) expected.insert(id.value());
    }
  }
  for (CustomerId id : lapsed) EXPECT_TRUE(expected.contains(id.value())) << id.value();
  for (CustomerId id : regulars) EXPECT_FALSE(expected.contains(id.value())) << id.value();

  EXPECT_EQ(after->would_send_count, static_cast<int64_t>(expected.size()));
  auto run = automations.RunDue(clock_.Now());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->messages, static_cast<int64_t>(expected.size()));
  std::set<int64_t> messaged;
  for (const auto& group : {regulars, lapsed}) {
    for (CustomerId id : group) {
      if (!Messages(id).empty()) messaged.insert(id.value());
    }
  }
  EXPECT_EQ(messaged, expected);
  auto report = automations.Report(owner_, created->id, 14);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->churn_model.has_value());
  EXPECT_EQ(report->churn_model->status, ModelStatus::kReady);
}

TEST_P(AutomationCouponChurnTest, ChurnRiskWithoutEnoughHistorySaysTheModelCannotBeFitted) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId once = Customer("010-6000-0001", std::nullopt);
  Sell(once, kStart.PlusSeconds(-30 * kDaySeconds), 5'000);
  domain::Automation a;
  a.name = "이탈 위험";
  a.trigger.kind = domain::TriggerKind::kChurnRisk;
  a.trigger.threshold = 0.5;
  a.body = "#{이름}님, 잘 지내시죠?";
  a.state = domain::AutomationState::kActive;
  auto created = services_->automations.Create(owner_, a);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(services_->automations.DryRunFor(owner_, created->id, std::nullopt).ok());
  services_->analytics.WaitForFits();
  auto dry = services_->automations.DryRunFor(owner_, created->id, std::nullopt);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  ASSERT_TRUE(dry->churn_model.has_value());
  EXPECT_EQ(dry->churn_model->status, ModelStatus::kInsufficientData);
  EXPECT_FALSE(dry->churn_model->message.empty());
  EXPECT_EQ(dry->would_send_count, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AutomationCouponChurnTest,
                         ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         [](const auto& info) { return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::app
