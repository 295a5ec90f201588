// The store contract of automations: definitions, once-per-occurrence rows (nothing fires twice),
// the bulk facts of the daily pass, the business lock and staff tasks, on SQLite and (when
// DANGOL_TEST_POSTGRES_URL names a server) PostgreSQL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "store/automation_repository.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/loyalty_repository.h"
#include "store/order_repository.h"
#include "store/staff_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);
constexpr int64_t kDay = 86'400LL * 1'000'000;

class AutomationStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-automation-store", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    business_ = NewBusiness();
    other_ = NewBusiness();
    auto branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
      return tx.branches().Create({BranchId(), business_, "본점", kNow});
    });
    ASSERT_TRUE(branch.ok()) << branch.status().ToString();
    branch_ = branch->id;
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  BusinessId NewBusiness() {
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug =
        "c" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(std::rand() % 100000);
    business.name = "자동화";
    business.created_at = kNow;
    auto created =
        WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BusinessId();
  }

  CustomerId NewCustomer(BusinessId business, std::vector<domain::Consent> consents = {}) {
    domain::Customer draft;
    draft.business_id = business;
    draft.name = "김단골";
    draft.created_at = draft.updated_at = kNow;
    draft.consents = std::move(consents);
    auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(draft); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : CustomerId();
  }

  void Sale(CustomerId customer, Timestamp at, int64_t total, domain::OrderKind kind = domain::OrderKind::kSale) {
    domain::Order order;
    order.business_id = business_;
    order.branch_id = branch_;
    order.customer_id = customer;
    order.kind = kind;
    order.ordered_at = order.created_at = at;
    order.total = Money(total);
    auto id = WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  }

  domain::Automation Birthday(BusinessId business) {
    domain::Automation a;
    a.business_id = business;
    a.name = "생일 축하";
    a.trigger.kind = domain::TriggerKind::kBirthday;
    a.trigger.days = 3;
    a.body = "#{이름}님 생일 축하드려요";
    a.seed = 99;
    a.state = domain::AutomationState::kActive;
    a.activated_at = kNow;
    a.created_at = a.updated_at = kNow;
    return a;
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_, other_;
  BranchId branch_;
};

TEST_P(AutomationStoreContractTest, AutomationsRoundTripAndStayInTheirBusiness) {
  if (IsSkipped()) GTEST_SKIP();
  domain::Automation draft = Birthday(business_);
  draft.fallback_channel = domain::Channel::kSms;
  draft.channel = domain::Channel::kAlimTalk;
  draft.trigger.threshold = 0.65;
  auto created = WriteValue<domain::Automation>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).Create(draft); });
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto read = ReadValue<domain::Automation>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).Get(business_, created->id); });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name, "생일 축하");
  EXPECT_EQ(read->trigger.kind, domain::TriggerKind::kBirthday);
  EXPECT_EQ(read->trigger.days, 3);
  EXPECT_DOUBLE_EQ(read->trigger.threshold, 0.65);
  EXPECT_EQ(read->fallback_channel, domain::Channel::kSms);
  EXPECT_EQ(read->seed, 99);
  EXPECT_EQ(read->activated_at, kNow);
  auto elsewhere = ReadValue<domain::Automation>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).Get(other_, created->id); });
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kNotFound);

  read->state = domain::AutomationState::kPaused;
  read->name = "생일";
  auto updated = WriteValue<domain::Automation>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).Update(*read); });
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->name, "생일");
  EXPECT_EQ(updated->state, domain::AutomationState::kPaused);
  auto active = ReadValue<std::vector<BusinessId>>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).BusinessesWithActive(); });
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(std::count(active->begin(), active->end(), business_), 0);

  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                    return AutomationRepository(tx.connection()).MarkRun(business_, created->id, kNow, 20000);
                  }).ok());
  auto day = ReadValue<std::optional<int32_t>>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).LastRunDay(business_, created->id); });
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(*day, 20000);
}

TEST_P(AutomationStoreContractTest, AnOccurrenceIsStoredOnce) {
  if (IsSkipped()) GTEST_SKIP();
  auto automation = WriteValue<domain::Automation>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).Create(Birthday(business_)); });
  ASSERT_TRUE(automation.ok());
  const CustomerId customer = NewCustomer(business_);
  OccurrenceRecord record;
  record.automation_id = automation->id;
  record.customer_id = customer;
  record.occurrence = "birthday-2026";
  record.due_day = 20500;
  record.fired_day = 20497;
  record.fired_at = kNow;
  auto insert = [&]() {
    return WriteValue<bool>(*db_, [&](Transaction& tx) {
      return AutomationRepository(tx.connection()).InsertOccurrence(business_, record);
    });
  };
  auto first = insert();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto second = insert();
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  record.occurrence = "birthday-2027";
  record.group = domain::OccurrenceGroup::kControl;
  record.fired_day = 20862;
  EXPECT_TRUE(*insert());
  record.task_id = TaskId(5);
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                    return AutomationRepository(tx.connection()).AttachToOccurrence(business_, record);
                  }).ok());

  auto recent = ReadValue<std::vector<OccurrenceRecord>>(*db_, [&](Transaction& tx) {
    return AutomationRepository(tx.connection()).FiredSince(business_, automation->id, 20600);
  });
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].occurrence, "birthday-2027");
  EXPECT_EQ((*recent)[0].group, domain::OccurrenceGroup::kControl);
  EXPECT_EQ((*recent)[0].task_id, TaskId(5));
  auto all = ReadValue<std::vector<OccurrenceRecord>>(*db_, [&](Transaction& tx) {
    return AutomationRepository(tx.connection()).Occurrences(business_, automation->id);
  });
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

// An automation's coupon is stored with its own source and tied to the occurrence; the report's
// outcomes count a redemption inside the window after the occurrence fired, not one after it.
TEST_P(AutomationStoreContractTest, OutcomesCountTheRedemptionOfTheOccurrencesCouponWithinTheWindow) {
  if (IsSkipped()) GTEST_SKIP();
  auto automation = WriteValue<domain::Automation>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).Create(Birthday(business_)); });
  ASSERT_TRUE(automation.ok()) << automation.status().ToString();
  const CustomerId in_window = NewCustomer(business_);
  const CustomerId too_late = NewCustomer(business_);
  const CustomerId unused = NewCustomer(business_);
  const CustomerId control = NewCustomer(business_);
  const int64_t window = 14 * kDay;
  std::map<int64_t, CouponId> coupons;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) -> Status {
                    AutomationRepository repository(tx.connection());
                    int n = 0;
                    for (CustomerId customer : {in_window, too_late, unused, control}) {
                      OccurrenceRecord record;
                      record.automation_id = automation->id;
                      record.customer_id = customer;
                      record.occurrence = "birthday-2026";
                      record.group = customer == control ? domain::OccurrenceGroup::kControl
                                                         : domain::OccurrenceGroup::kTreated;
                      record.fired_at = kNow;
                      CRM_ASSIGN_OR_RETURN(bool inserted, repository.InsertOccurrence(business_, record));
                      if (!inserted) return Internal("not inserted");
                      if (customer == control) continue;
                      domain::Coupon coupon;
                      coupon.business_id = business_;
                      coupon.customer_id = customer;
                      coupon.code = "AUTOCODE000" + std::to_string(n++);
                      coupon.name = "아메리카노";
                      coupon.kind = domain::CouponKind::kAmountOff;
                      coupon.value = 3000;
                      coupon.source = domain::CouponSource::kAutomation;
                      coupon.issued_at = kNow;
                      coupon.expires_at = Timestamp::FromMicros(kNow.micros() + 30 * kDay);
                      CRM_ASSIGN_OR_RETURN(domain::Coupon issued, tx.coupons().Insert(coupon));
                      coupons[customer.value()] = issued.id;
                      record.coupon_id = issued.id.value();
                      CRM_RETURN_IF_ERROR(repository.AttachToOccurrence(business_, record));
                    }
                    CRM_RETURN_IF_ERROR(tx.coupons().MarkRedeemed(business_, coupons[in_window.value()],
                                                                  Timestamp::FromMicros(kNow.micros() + 3 * kDay),
                                                                  branch_, std::nullopt));
                    return tx.coupons().MarkRedeemed(business_, coupons[too_late.value()],
                                                     Timestamp::FromMicros(kNow.micros() + window), branch_,
                                                     std::nullopt);
                  }).ok());
  auto stored = ReadValue<domain::Coupon>(
      *db_, [&](Transaction& tx) { return tx.coupons().Get(business_, coupons[unused.value()]); });
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->source, domain::CouponSource::kAutomation);

  auto outcomes = ReadValue<std::vector<OccurrenceOutcome>>(*db_, [&](Transaction& tx) {
    return AutomationRepository(tx.connection()).Outcomes(business_, automation->id, window);
  });
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  ASSERT_EQ(outcomes->size(), 4u);
  std::map<int64_t, bool> redeemed;
  for (const OccurrenceOutcome& o : *outcomes) redeemed[o.customer_id.value()] = o.redeemed;
  EXPECT_TRUE(redeemed[in_window.value()]);
  EXPECT_FALSE(redeemed[too_late.value()]);
  EXPECT_FALSE(redeemed[unused.value()]);
  EXPECT_FALSE(redeemed[control.value()]);
}

TEST_P(AutomationStoreContractTest, TheBusinessLockIsHeldByOneTransaction) {
  if (IsSkipped()) GTEST_SKIP();
  auto locked = WriteValue<bool>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).TryLockBusiness(business_); });
  ASSERT_TRUE(locked.ok()) << locked.status().ToString();
  EXPECT_TRUE(*locked);
  if (GetParam() != Dialect::kPostgres) return;
  // A second connection cannot take the lock while a transaction holds it.
  auto other_db = Database::Open(std::getenv("DANGOL_TEST_POSTGRES_URL"));
  ASSERT_TRUE(other_db.ok());
  auto nested = WriteValue<bool>(*db_, [&](Transaction& tx) -> Result<bool> {
    CRM_ASSIGN_OR_RETURN(bool mine, AutomationRepository(tx.connection()).TryLockBusiness(business_));
    EXPECT_TRUE(mine);
    return WriteValue<bool>(**other_db, [&](Transaction& other) {
      return AutomationRepository(other.connection()).TryLockBusiness(business_);
    });
  });
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_FALSE(*nested);
}

TEST_P(AutomationStoreContractTest, BulkFactsOfTheDailyPass) {
  if (IsSkipped()) GTEST_SKIP();
  domain::Customer lunar;
  lunar.business_id = business_;
  lunar.name = "음력";
  lunar.birthday = domain::Birthday{Date{1980, 8, 15}, domain::CalendarType::kLunar, true};
  lunar.anniversaries = {{"결혼기념일", Date{2010, 5, 20}}};
  lunar.created_at = lunar.updated_at = kNow;
  auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(lunar); });
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  NewCustomer(business_);  // no birthday
  lunar.business_id = other_;
  ASSERT_TRUE(WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(lunar); }).ok());

  auto birthdays = ReadValue<std::vector<BirthdayRow>>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).Birthdays(business_); });
  ASSERT_TRUE(birthdays.ok()) << birthdays.status().ToString();
  ASSERT_EQ(birthdays->size(), 1u);
  EXPECT_EQ((*birthdays)[0].customer_id, *id);
  EXPECT_EQ((*birthdays)[0].birthday.calendar, domain::CalendarType::kLunar);
  EXPECT_TRUE((*birthdays)[0].birthday.leap_month);
  auto anniversaries = ReadValue<std::vector<AnniversaryRow>>(
      *db_, [&](Transaction& tx) { return AutomationRepository(tx.connection()).Anniversaries(business_); });
  ASSERT_TRUE(anniversaries.ok());
  ASSERT_EQ(anniversaries->size(), 1u);
  EXPECT_EQ((*anniversaries)[0].date, (Date{2010, 5, 20}));
  auto none = ReadValue<std::vector<CustomerEvent>>(*db_, [&](Transaction& tx) {
    return AutomationRepository(tx.connection()).TierPromotions(business_, kNow, kNow.PlusSeconds(86400));
  });
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(ReadValue<std::vector<CustomerEvent>>(*db_, [&](Transaction& tx) {
                return AutomationRepository(tx.connection()).ReferralRewards(business_, kNow, kNow.PlusSeconds(86400));
              }).ok());
  EXPECT_TRUE(ReadValue<std::vector<CustomerEvent>>(*db_, [&](Transaction& tx) {
                return AutomationRepository(tx.connection()).PointsExpiring(business_, kNow, kNow.PlusSeconds(86400));
              }).ok());
  EXPECT_TRUE(ReadValue<std::vector<ProspectRow>>(*db_, [&](Transaction& tx) {
                return AutomationRepository(tx.connection()).OpenProspects(business_, kNow, kNow.PlusSeconds(86400));
              }).ok());
}

TEST_P(AutomationStoreContractTest, TasksListForTheirAssigneeAndCloseOnce) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId customer = NewCustomer(business_);
  auto staff = WriteValue<domain::Staff>(*db_, [&](Transaction& tx) {
    domain::Staff s;
    s.business_id = business_;
    s.email = "clerk" + std::to_string(business_.value()) + "@example.com";
    s.display_name = "직원";
    s.password_hash = "x";
    s.created_at = kNow;
    return tx.staff().Create(s);
  });
  ASSERT_TRUE(staff.ok()) << staff.status().ToString();
  auto create = [&](std::optional<StaffId> assignee, Date due) {
    domain::StaffTask t;
    t.business_id = business_;
    t.customer_id = customer;
    t.title = "전화: 김*골";
    t.due_date = due;
    t.assignee_staff_id = assignee;
    t.source = domain::TaskSource::kAutomation;
    t.source_id = 7;
    t.created_at = kNow;
    return WriteValue<domain::StaffTask>(*db_, [&](Transaction& tx) { return TaskRepository(tx.connection()).Create(t); });
  };
  auto mine = create(staff->id, Date{2026, 12, 8});
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  auto anyone = create(std::nullopt, Date{2026, 12, 7});
  ASSERT_TRUE(anyone.ok());
  auto list = [&](TaskFilter filter) {
    auto tasks = ReadValue<std::vector<domain::StaffTask>>(
        *db_, [&](Transaction& tx) { return TaskRepository(tx.connection()).List(business_, filter); });
    EXPECT_TRUE(tasks.ok()) << tasks.status().ToString();
    return tasks.ok() ? *tasks : std::vector<domain::StaffTask>{};
  };
  auto open = list({domain::TaskStatus::kOpen, std::nullopt, customer, 100});
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].id, anyone->id);  // earlier due first
  EXPECT_EQ(open[1].source_id, 7);

  auto done = WriteValue<domain::StaffTask>(*db_, [&](Transaction& tx) {
    return TaskRepository(tx.connection()).Close(business_, mine->id, domain::TaskStatus::kDone, staff->id, "", kNow);
  });
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, domain::TaskStatus::kDone);
  EXPECT_EQ(done->closed_by, staff->id);
  auto again = WriteValue<domain::StaffTask>(*db_, [&](Transaction& tx) {
    return TaskRepository(tx.connection()).Close(business_, mine->id, domain::TaskStatus::kSkipped, staff->id, "", kNow);
  });
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(list({domain::TaskStatus::kOpen, staff->id, std::nullopt, 100}).size(), 1u);
  auto elsewhere = ReadValue<domain::StaffTask>(
      *db_, [&](Transaction& tx) { return TaskRepository(tx.connection()).Get(other_, mine->id); });
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, AutomationStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
