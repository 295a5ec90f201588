// Automations through the app services with a manual clock moved across days, on SQLite and (when
// DANGOL_TEST_POSTGRES_URL names a server) PostgreSQL: each trigger fires once, at the business's
// local send hour, only for customers the rules allow, never for the control group; missed days
// are caught up within the window and older ones skipped; tasks go to their staff.
#include "app/automation_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

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

class AutomationServiceTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(store::TestDatabaseUrl(GetParam(), "dangol-automation", &dir_, &url));
    if (IsSkipped()) return;
    auto db = store::Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    static std::atomic<int> counter{0};
    const std::string slug = "auto-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    auto business = services_->businesses.CreateBusiness(slug, "카페");  // UTC+9
    ASSERT_TRUE(business.ok()) << business.status().ToString();
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    domain::MessagingSettings settings;
    settings.opt_out_number = "0801234567";
    settings.contact = "025551234";
    ASSERT_TRUE(services_->campaigns.SaveSettings(owner_, settings).ok());
    ASSERT_TRUE(services_->campaigns.AddSenderNumber(owner_, "02-1234-5678", "본점").ok());
  }

  void TearDown() override {
    services_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  CustomerId Customer(const std::string& phone, std::optional<Date> birthday, bool sms_consent) {
    domain::CustomerDraft draft;
    draft.name = "김단골";
    draft.phone = phone;
    if (birthday) draft.birthday = domain::Birthday{*birthday, domain::CalendarType::kSolar, false};
    if (sms_consent) draft.consents.push_back({domain::ConsentChannel::kSms, true, clock_.Now(), "counter"});
    auto created = services_->customers.Create(owner_, draft);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : CustomerId();
  }

  domain::Automation Birthday(domain::Purpose purpose, int control_share) {
    domain::Automation a;
    a.name = "생일 축하";
    a.trigger.kind = domain::TriggerKind::kBirthday;
    a.send_hour = 11;
    a.purpose = purpose;
    a.body = purpose == domain::Purpose::kAdvertising ? "#{이름}님 생일 축하! 음료 1+1" : "#{이름}님 생일 축하드려요";
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

  // Runs the pass every hour from the clock's time for `hours` hours.
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
};

TEST_P(AutomationServiceTest, BirthdayFiresOnceAtTheLocalSendHourOnlyWithConsent) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId consenting = Customer("010-1111-2222", Date{1990, 12, 10}, true);
  const CustomerId silent = Customer("010-3333-4444", Date{1985, 12, 10}, false);
  const CustomerId later = Customer("010-5555-6666", Date{1985, 12, 20}, true);
  auto created = services_->automations.Create(owner_, Birthday(domain::Purpose::kAdvertising, 0));
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  RunHourly(24 * 2 + 11);  // 8 and 9 December, and 10 December until 10:00
  EXPECT_TRUE(Messages(consenting).empty());
  RunHourly(24 * 3);  // 10 December 11:00 to 13 December 10:00
  auto messages = Messages(consenting);
  ASSERT_EQ(messages.size(), 1u);
  // 11:00 in Seoul is 02:00 UTC.
  EXPECT_EQ(messages[0].next_attempt_at, Timestamp::FromSeconds(1'796'655'600 + (2 * 24 + 11) * kHourSeconds));
  EXPECT_EQ(messages[0].automation_id, created->id);
  EXPECT_TRUE(messages[0].body.starts_with("(광고)"));
  EXPECT_EQ(messages[0].idempotency_key, fmt::format("automation-{}-{}-birthday-2026", created->id.value(),
                                                     consenting.value()));
  EXPECT_TRUE(Messages(silent).empty());
  EXPECT_TRUE(Messages(later).empty());

  // The dry run of that day lists who was sent and who was not, and why.
  auto dry = services_->automations.DryRunFor(owner_, created->id, Date{2026, 12, 10});
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->would_send_count, 0);
  EXPECT_EQ(dry->excluded_counts["already_sent"], 1);
  EXPECT_EQ(dry->excluded_counts["no_consent"], 1);
}

TEST_P(AutomationServiceTest, TheControlGroupGetsNothingAndIsRecorded) {
  if (IsSkipped()) GTEST_SKIP();
  std::vector<CustomerId> customers;
  for (int i = 0; i < 20; ++i) customers.push_back(Customer(fmt::format("010-2000-{:04}", i), Date{1990, 12, 8}, true));
  auto created = services_->automations.Create(owner_, Birthday(domain::Purpose::kInformational, 500));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  RunHourly(24);
  auto occurrences = store::ReadValue<std::vector<store::OccurrenceRecord>>(*db_, [&](store::Transaction& tx) {
    return store::AutomationRepository(tx.connection()).Occurrences(owner_.business_id, created->id);
  });
  ASSERT_TRUE(occurrences.ok());
  ASSERT_EQ(occurrences->size(), 20u);
  int control = 0;
  for (const store::OccurrenceRecord& r : *occurrences) {
    const bool in_control = r.group == domain::OccurrenceGroup::kControl;
    EXPECT_EQ(in_control, domain::InControlGroup(created->seed, r.customer_id, 500));
    EXPECT_EQ(Messages(r.customer_id).size(), in_control ? 0u : 1u);
    control += in_control ? 1 : 0;
  }
  EXPECT_GT(control, 0);
  EXPECT_LT(control, 20);
}

TEST_P(AutomationServiceTest, DowntimeIsCaughtUpWithinTheWindowAndStaleDaysAreSkipped) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId recent = Customer("010-1111-2222", Date{1990, 12, 10}, true);
  const CustomerId stale = Customer("010-3333-4444", Date{1990, 12, 8}, true);
  ASSERT_TRUE(services_->automations.Create(owner_, Birthday(domain::Purpose::kInformational, 0)).ok());
  // The server was down from 8 December 00:00 until 12 December 13:00.
  clock_.AdvanceSeconds((4 * 24 + 13) * kHourSeconds);
  RunHourly(3);
  auto messages = Messages(recent);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].next_attempt_at, kStart.PlusSeconds((4 * 24 + 13) * kHourSeconds));  // now, not in the past
  EXPECT_TRUE(Messages(stale).empty());
}

TEST_P(AutomationServiceTest, TwoPassesAtOnceSendOnce) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId customer = Customer("010-1111-2222", Date{1990, 12, 8}, true);
  auto created = services_->automations.Create(owner_, Birthday(domain::Purpose::kInformational, 0));
  ASSERT_TRUE(created.ok());
  clock_.AdvanceSeconds(12 * kHourSeconds);
  // A second server with its own services over the same database runs the same pass.
  Services other(*db_, clock_);
  ASSERT_TRUE(services_->automations.RunBusiness(owner_.business_id, clock_.Now()).ok());
  ASSERT_TRUE(other.automations.RunBusiness(owner_.business_id, clock_.Now()).ok());
  // Even a pass that ignores the day already run finds the occurrence taken.
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                    return store::AutomationRepository(tx.connection())
                        .MarkRun(owner_.business_id, created->id, clock_.Now(), 0);
                  }).ok());
  ASSERT_TRUE(other.automations.RunBusiness(owner_.business_id, clock_.Now()).ok());
  EXPECT_EQ(Messages(customer).size(), 1u);
}

TEST_P(AutomationServiceTest, ATaskAutomationMakesTasksAndStaffCloseThem) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId customer = Customer("010-1111-2222", Date{1990, 12, 8}, false);
  domain::Automation call = Birthday(domain::Purpose::kInformational, 0);
  call.action = domain::AutomationAction::kTask;
  call.task.title = "전화: 생일 축하";
  auto created = services_->automations.Create(owner_, call);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  RunHourly(24);
  EXPECT_TRUE(Messages(customer).empty());
  auto tasks = services_->tasks.OpenFor(owner_, customer);
  ASSERT_TRUE(tasks.ok()) << tasks.status().ToString();
  ASSERT_EQ(tasks->size(), 1u);
  const domain::StaffTask& task = tasks->at(0).task;
  EXPECT_EQ(task.title, "전화: 생일 축하 · 김*골");
  EXPECT_EQ(task.source, domain::TaskSource::kAutomation);
  EXPECT_EQ(task.due_date, (Date{2026, 12, 8}));
  auto done = services_->tasks.Close(owner_, task.id, domain::TaskStatus::kDone, "");
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(services_->tasks.Close(owner_, task.id, domain::TaskStatus::kSkipped, "").status().reason(),
            "task_closed");
  RunHourly(24);
  EXPECT_TRUE(services_->tasks.OpenFor(owner_, customer)->empty());
}

TEST_P(AutomationServiceTest, AProspectNotConvertedBecomesATaskForItsAuthor) {
  if (IsSkipped()) GTEST_SKIP();
  NewStaff clerk{"clerk@example.com", "직원", "correct horse battery", domain::Role::kStaff, {}, 3};
  auto staff = services_->businesses.AddStaff(owner_, clerk);
  ASSERT_TRUE(staff.ok()) << staff.status().ToString();
  Principal clerk_principal = owner_;
  clerk_principal.role = domain::Role::kStaff;
  clerk_principal.staff_id = staff->id;
  domain::Prospect card;
  card.name = "안경 쓴 손님";
  auto prospect = services_->businesses.AddProspect(clerk_principal, card);
  ASSERT_TRUE(prospect.ok()) << prospect.status().ToString();
  domain::Automation follow;
  follow.name = "가망 고객 후속";
  follow.trigger.kind = domain::TriggerKind::kProspectNotConverted;
  follow.trigger.days = 3;
  follow.action = domain::AutomationAction::kTask;
  follow.task.title = "후속 연락: 안경 쓴 손님";
  follow.task.assignee = domain::TaskAssignee::kAuthor;
  follow.send_hour = 10;
  follow.control_share_permille = 0;
  follow.state = domain::AutomationState::kActive;
  ASSERT_TRUE(services_->automations.Create(owner_, follow).ok());
  RunHourly(24 * 5);
  auto mine = services_->tasks.List(clerk_principal, {});
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ(mine->at(0).task.assignee_staff_id, staff->id);
  EXPECT_EQ(mine->at(0).task.source, domain::TaskSource::kProspect);
  EXPECT_EQ(mine->at(0).task.due_date, (Date{2026, 12, 11}));
}

TEST_P(AutomationServiceTest, BadDefinitionsNameTheFieldAndStaffCannotChange) {
  if (IsSkipped()) GTEST_SKIP();
  domain::Automation bad = Birthday(domain::Purpose::kInformational, 0);
  bad.body = "#{없는변수} 안녕";
  EXPECT_EQ(services_->automations.Create(owner_, bad).status().field(), "template.body");
  bad = Birthday(domain::Purpose::kAdvertising, 0);
  bad.send_hour = 22;
  EXPECT_EQ(services_->automations.Create(owner_, bad).status().reason(), "night_hours");
  Principal staff = owner_;
  staff.role = domain::Role::kStaff;
  EXPECT_EQ(services_->automations.Create(staff, Birthday(domain::Purpose::kInformational, 0)).status().code(),
            StatusCode::kPermissionDenied);
  // One of the café's automations is there already (renamed since): the preset adds the others.
  domain::Automation welcome = AutomationService::Presets().front().automations.front();
  welcome.name = "첫 방문 인사";
  auto existing = services_->automations.Create(owner_, welcome);
  ASSERT_TRUE(existing.ok()) << existing.status().ToString();
  auto applied = services_->automations.ApplyPreset(owner_, "cafe");
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->added.size(), AutomationService::Presets().front().automations.size() - 1);
  ASSERT_EQ(applied->already_present.size(), 1u);
  EXPECT_EQ(applied->already_present[0].id, existing->id);
  for (const domain::Automation& a : applied->added) EXPECT_NE(a.trigger.kind, welcome.trigger.kind);
  EXPECT_EQ(services_->automations.ApplyPreset(owner_, "cafe").status().reason(), "preset_already_applied");
  for (const std::string key : {"restaurant", "salon"}) {
    EXPECT_TRUE(services_->automations.ApplyPreset(owner_, key).ok()) << key;
  }
}

// The report with fixed data: occurrences stored as the pass would (two treated, two control),
// sales before and after them, and the expected figures computed here from those sales.
TEST_P(AutomationServiceTest, ReportComparesTreatedWithControlAndCountsTheFirstVisitFunnel) {
  if (IsSkipped()) GTEST_SKIP();
  auto branch = services_->businesses.CreateBranch(owner_, "본점");
  ASSERT_TRUE(branch.ok()) << branch.status().ToString();
  const CustomerId a = Customer("010-1000-0001", std::nullopt, true);
  const CustomerId b = Customer("010-1000-0002", std::nullopt, true);
  const CustomerId c = Customer("010-1000-0003", std::nullopt, true);
  const CustomerId d = Customer("010-1000-0004", std::nullopt, true);
  const CustomerId e = Customer("010-1000-0005", std::nullopt, true);
  auto created = services_->automations.Create(owner_, Birthday(domain::Purpose::kInformational, 0));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_EQ(created->activated_at, kStart);
  constexpr int64_t kDay = 86'400;
  const Timestamp fired = kStart.PlusSeconds(kDay);
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
    store::AutomationRepository repository(tx.connection());
    for (auto [customer, group] : {std::pair{a, domain::OccurrenceGroup::kTreated},
                                   std::pair{b, domain::OccurrenceGroup::kTreated},
                                   std::pair{c, domain::OccurrenceGroup::kControl},
                                   std::pair{e, domain::OccurrenceGroup::kControl}}) {
      store::OccurrenceRecord record;
      record.automation_id = created->id;
      record.customer_id = customer;
      record.occurrence = "birthday:2026";
      record.group = group;
      record.fired_at = fired;
      CRM_ASSIGN_OR_RETURN(bool inserted, repository.InsertOccurrence(owner_.business_id, record));
      if (!inserted) return Internal("not inserted");
    }
    return Status::Ok();
  }).ok());
  auto sell = [&](CustomerId customer, Timestamp at, int64_t total) {
    domain::Order order;
    order.branch_id = branch->id;
    order.customer_id = customer;
    order.ordered_at = at;
    order.total = Money(total);
    auto posted = services_->orders.PostSale(owner_, order);
    ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  };
  clock_.AdvanceSeconds(40 * kDay);
  const std::vector<std::pair<Timestamp, int64_t>> a_sales = {
      {fired.PlusSeconds(2 * kDay), 10'000}, {fired.PlusSeconds(3 * kDay), 5'000}, {fired.PlusSeconds(20 * kDay), 7'000}};
  for (const auto& [at, total] : a_sales) sell(a, at, total);
  sell(c, fired.PlusSeconds(kDay), 8'000);
  for (int64_t days : {5, 3, 1}) sell(d, kStart.PlusSeconds(-days * kDay), 3'000);

  auto report = services_->automations.Report(owner_, created->id, 14);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // Window [fired, fired + 14 days): a's first two sales, none of b, c's one, none of e.
  const std::vector<double> treated = {10'000 + 5'000, 0};
  const std::vector<double> control = {8'000, 0};
  EXPECT_EQ(report->treated.customers, 2);
  EXPECT_EQ(report->treated.buyers, 1);
  EXPECT_EQ(report->treated.visits, 2);
  EXPECT_EQ(report->treated.revenue, 15'000);
  EXPECT_EQ(report->control.customers, 2);
  EXPECT_EQ(report->control.buyers, 1);
  EXPECT_EQ(report->control.visits, 1);
  EXPECT_EQ(report->control.revenue, 8'000);
  auto mean = [](const std::vector<double>& v) { return (v[0] + v[1]) / 2; };
  auto variance = [&](const std::vector<double>& v) {
    const double m = mean(v);
    return (v[0] - m) * (v[0] - m) + (v[1] - m) * (v[1] - m);  // n - 1 = 1
  };
  constexpr double kZ = 1.959963984540054;  // the normal distribution's 97.5 % quantile
  const double difference = mean(treated) - mean(control);
  const double se = std::sqrt(variance(treated) / 2 + variance(control) / 2);
  const domain::Difference& revenue = report->uplift.revenue_per_customer;
  ASSERT_TRUE(revenue.defined);
  EXPECT_NEAR(revenue.difference, difference, 1e-6);
  EXPECT_NEAR(revenue.low, difference - kZ * se, 1e-6);
  EXPECT_NEAR(revenue.high, difference + kZ * se, 1e-6);
  const domain::Difference& buyers = report->uplift.buyer_share;
  EXPECT_NEAR(buyers.difference, 0.0, 1e-9);
  EXPECT_NEAR(buyers.high, kZ * std::sqrt(0.25 / 2 + 0.25 / 2), 1e-9);
  EXPECT_EQ(report->uplift.incremental_revenue, static_cast<int64_t>(std::llround(difference * 2)));
  EXPECT_EQ(report->sent, 0);
  EXPECT_EQ(report->message_cost, 0);
  // Before switching on: d came first 5 days before and twice more within 14 days of that.
  EXPECT_EQ(report->funnel_before.first, 1);
  EXPECT_EQ(report->funnel_before.second, 1);
  EXPECT_EQ(report->funnel_before.third, 1);
  // After: a (first on day 3, second on day 4, the third 18 days after the first) and c (once).
  EXPECT_EQ(report->funnel_after.first, 2);
  EXPECT_EQ(report->funnel_after.second, 1);
  EXPECT_EQ(report->funnel_after.third, 0);

  EXPECT_EQ(services_->automations.Report(owner_, created->id, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(services_->automations.Report(owner_, AutomationId(created->id.value() + 1000), 14).status().code(),
            StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, AutomationServiceTest,
                         ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         [](const auto& info) { return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::app
