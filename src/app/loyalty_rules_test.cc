// The loyalty rules of the Starbucks-style and visit-ranks presets through the app services, on
// SQLite and (when a server is given) PostgreSQL, with a manual clock: rewards count from Gold
// on, a refund takes back its tier metric and the coupons it issued, the keep runs from the
// latest qualification, backdated orders count at their own time, a visit is one per branch and
// business day, and orders are booked only for the business's staff. Every scenario ends with
// the ledger check `dangol ledger verify` runs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "app/loyalty_service.h"
#include "app/services.h"
#include "store/test_database.h"

namespace crm::app {
namespace {

constexpr int64_t kDay = 86'400;

class LoyaltyRulesTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(store::TestDatabaseUrl(GetParam(), "dangol-loyalty-rules", &dir_, &url));
    if (IsSkipped()) return;
    auto db = store::Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    static std::atomic<int> counter{0};
    const std::string slug = fmt::format("lr{}-{}-{}", getpid(), counter++, std::rand() % 100000);
    auto business = services_->businesses.CreateBusiness(slug, "카페");
    ASSERT_TRUE(business.ok()) << business.status().ToString();
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    auto branch = services_->businesses.CreateBranch(owner_, "본점");
    ASSERT_TRUE(branch.ok());
    branch_ = branch->id;
    auto other = services_->businesses.CreateBranch(owner_, "2호점");
    ASSERT_TRUE(other.ok());
    other_branch_ = other->id;
    customer_ = NewCustomer();
  }
  void TearDown() override {
    if (db_ && !IsSkipped()) ExpectLedgerMatches();
    services_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  CustomerId NewCustomer() {
    static std::atomic<int> phones{0};
    domain::CustomerDraft draft;
    draft.name = "김단골";
    draft.phone = fmt::format("010-7{:03d}-{:04d}", getpid() % 1000, phones++);
    auto customer = services_->customers.Create(owner_, draft);
    EXPECT_TRUE(customer.ok()) << customer.status().ToString();
    return customer.ok() ? customer->id : CustomerId();
  }

  void SetProgram(const std::string& preset, const std::function<void(domain::Program&)>& change = {}) {
    domain::Program program = *domain::ProgramPreset(preset);
    if (change) change(program);
    auto saved = services_->loyalty.SetProgram(owner_, program);
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  }

  PostedOrder Sale(int64_t total, CustomerId customer, Timestamp ordered_at = {}, BranchId branch = {}) {
    domain::Order order;
    order.branch_id = branch.valid() ? branch : branch_;
    order.customer_id = customer;
    order.total = Money(total);
    order.ordered_at = ordered_at;
    auto posted = services_->orders.PostSale(owner_, order);
    EXPECT_TRUE(posted.ok()) << posted.status().ToString();
    return posted.ok() ? *posted : PostedOrder{};
  }

  AccountView View(CustomerId customer) {
    auto view = services_->loyalty.Account(owner_, customer);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? *view : AccountView{};
  }

  domain::Coupon CouponById(CustomerId customer, CouponId id) {
    auto coupons = services_->loyalty.Coupons(owner_, customer);
    EXPECT_TRUE(coupons.ok());
    for (const domain::Coupon& coupon : *coupons) {
      if (coupon.id == id) return coupon;
    }
    ADD_FAILURE() << "no coupon " << id.value();
    return {};
  }

  void ExpectLedgerMatches() {
    auto mismatches = services_->loyalty.Verify(owner_.business_id);
    ASSERT_TRUE(mismatches.ok()) << mismatches.status().ToString();
    EXPECT_TRUE(mismatches->empty()) << mismatches->size() << " accounts differ from their ledger";
  }

  ManualClock clock_{Timestamp::FromSeconds(1'767'225'600)};  // 2026-01-01T00:00:00Z
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_;
  BranchId branch_;
  BranchId other_branch_;
  CustomerId customer_;
};

TEST_P(LoyaltyRulesTest, StarsEarnedBeforeGoldBecomeNoFreeDrinks) {
  SetProgram("starbucks");
  EXPECT_EQ(Sale(5'000, customer_).loyalty->promoted_to, "Green");
  const PostedOrder gold = Sale(25'000, customer_);
  EXPECT_EQ(gold.loyalty->promoted_to, "Gold");
  EXPECT_TRUE(gold.loyalty->rewards.empty());
  EXPECT_EQ(gold.loyalty->balance, 30);
  // The count of 12 starts at Gold: 11 stars are not yet a drink, 12 are.
  EXPECT_TRUE(Sale(11'000, customer_).loyalty->rewards.empty());
  const PostedOrder drink = Sale(1'000, customer_);
  ASSERT_EQ(drink.loyalty->rewards.size(), 1u);
  EXPECT_EQ(drink.loyalty->balance, 30);
  EXPECT_EQ(View(customer_).reward_progress, 0);

  const CustomerId big = NewCustomer();
  const PostedOrder at_once = Sale(41'000, big);
  EXPECT_EQ(at_once.loyalty->promoted_to, "Gold");
  EXPECT_TRUE(at_once.loyalty->rewards.empty());
  EXPECT_EQ(at_once.loyalty->balance, 41);
}

TEST_P(LoyaltyRulesTest, RefundingThePromotingSaleTakesBackItsTierMetricWhateverTheBalance) {
  SetProgram("starbucks");
  Sale(5'000, customer_);
  const PostedOrder gold = Sale(25'000, customer_);
  ASSERT_EQ(gold.loyalty->promoted_to, "Gold");
  // The stars are spent at the counter: the balance cannot give back what the refund takes.
  ASSERT_TRUE(services_->loyalty.Redeem(owner_, customer_, {.amount = 30, .branch_id = branch_}).ok());
  clock_.AdvanceSeconds(3'600);
  ASSERT_TRUE(services_->orders.Refund(owner_, gold.order.id, std::nullopt, "", "").ok());
  const AccountView view = View(customer_);
  EXPECT_EQ(view.account.balance, 0);
  EXPECT_EQ(view.tier_metric, 5);
  EXPECT_EQ(view.tier_name, "Green");  // the 12-month keep does not protect a refunded promotion
  auto changes = services_->loyalty.TierChanges(owner_, customer_);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 3u);
  EXPECT_EQ(changes->back().tier_name, "Green");
  EXPECT_NE(changes->back().order_id, gold.order.id);  // recorded with the refund
}

TEST_P(LoyaltyRulesTest, ARefundVoidsTheUnusedRewardsItsSaleIssuedAndUsedOnesStayUsed) {
  SetProgram("starbucks");
  Sale(30'000, customer_);                        // Gold, 30 stars that are no drinks
  const PostedOrder first = Sale(25'000, customer_);  // 25 Gold stars: two drinks, 1 towards the next
  ASSERT_EQ(first.loyalty->rewards.size(), 2u);
  const domain::Coupon used = first.loyalty->rewards[0];
  const domain::Coupon unused = first.loyalty->rewards[1];
  ASSERT_TRUE(services_->loyalty.RedeemCoupon(owner_, used.code, customer_, branch_, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(View(customer_).account.balance, 31);
  ASSERT_TRUE(services_->orders.Refund(owner_, first.order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(CouponById(customer_, unused.id).status, domain::CouponStatus::kVoided);
  EXPECT_EQ(CouponById(customer_, used.id).status, domain::CouponStatus::kRedeemed);
  const AccountView view = View(customer_);
  // 31 + 12 back from the voided drink − 25 taken back.
  EXPECT_EQ(view.account.balance, 18);
  EXPECT_EQ(view.tier_metric, 30);
  // 1 + 12 − 25: the used drink is a debt the next Gold stars pay first.
  EXPECT_EQ(view.reward_progress, -12);
  auto ledger = services_->loyalty.Ledger(owner_, customer_, std::nullopt, 50);
  ASSERT_TRUE(ledger.ok());
  int voided_rewards = 0;
  for (const domain::LedgerEntry& entry : ledger->entries) {
    if (entry.kind == domain::LedgerKind::kReverse && entry.amount == 12) ++voided_rewards;
  }
  EXPECT_EQ(voided_rewards, 1);
  EXPECT_TRUE(Sale(12'000, customer_).loyalty->rewards.empty());  // the debt first
}

TEST_P(LoyaltyRulesTest, APartialRefundVoidsARewardOnlyWhenItLeavesTheCountShort) {
  SetProgram("stamps");
  std::optional<domain::Coupon> reward;
  PostedOrder tenth;
  for (int day = 0; day < 10; ++day) {
    tenth = Sale(5'000, customer_);
    clock_.AdvanceSeconds(kDay);
  }
  ASSERT_EQ(tenth.loyalty->rewards.size(), 1u);
  ASSERT_TRUE(services_->orders.Refund(owner_, tenth.order.id, Money(1'000), "", "").ok());
  EXPECT_EQ(CouponById(customer_, tenth.loyalty->rewards[0].id).status, domain::CouponStatus::kIssued);
  ASSERT_TRUE(services_->orders.Refund(owner_, tenth.order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(CouponById(customer_, tenth.loyalty->rewards[0].id).status, domain::CouponStatus::kVoided);
  EXPECT_EQ(View(customer_).account.balance, 9);
}

TEST_P(LoyaltyRulesTest, TheKeepRunsFromTheLatestQualification) {
  SetProgram("starbucks");
  const Timestamp start = clock_.Now();
  ASSERT_EQ(Sale(30'000, customer_).loyalty->promoted_to, "Gold");
  for (int64_t month : {1, 2, 11}) {
    clock_.Set(domain::AddMonths(start, month));
    Sale(10'000, customer_);  // 30 Gold stars by the 11th month: Gold is earned again
  }
  auto view = View(customer_);
  EXPECT_EQ(view.account.tier.reached_at, start);
  EXPECT_EQ(view.account.tier.qualified_at, domain::AddMonths(start, 11));
  // 14 months after Gold was first reached, the window holds 20 stars.
  clock_.Set(domain::AddMonths(start, 14));
  const PostedOrder later = Sale(1'000, customer_);
  EXPECT_EQ(later.loyalty->tier_name, "Gold");
  view = View(customer_);
  EXPECT_EQ(view.tier_metric, 21);
  EXPECT_EQ(view.tier_name, "Gold");
  // 12 months after the re-qualification the keep ends: the window's 12 stars make Green.
  clock_.Set(domain::AddMonths(start, 23));
  EXPECT_EQ(Sale(1'000, customer_).loyalty->tier_name, "Green");
}

TEST_P(LoyaltyRulesTest, ABackdatedOrderCountsAtItsOwnTime) {
  SetProgram("starbucks");
  const PostedOrder late = Sale(30'000, customer_, clock_.Now().PlusSeconds(-400 * kDay));
  EXPECT_EQ(late.loyalty->earned, 30);
  EXPECT_FALSE(late.loyalty->promoted_to);  // outside the rolling 12 months
  EXPECT_EQ(View(customer_).tier_metric, 0);

  SetProgram("points");  // awards expire after 24 months
  const CustomerId guest = NewCustomer();
  const Timestamp ordered = clock_.Now().PlusSeconds(-400 * kDay);
  const PostedOrder old = Sale(100'000, guest, ordered);
  EXPECT_EQ(old.loyalty->earned, 1'500);
  auto ledger = services_->loyalty.Ledger(owner_, guest, std::nullopt, 10);
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->entries.size(), 1u);
  EXPECT_EQ(ledger->entries[0].expires_at, domain::AddMonths(ordered, 24));
  const PostedOrder too_old = Sale(100'000, guest, clock_.Now().PlusSeconds(-800 * kDay));
  EXPECT_EQ(too_old.loyalty->earned, 0);
  EXPECT_EQ(too_old.loyalty->not_earned_reason, "older_than_expiry");
  EXPECT_EQ(View(guest).account.balance, 1'500);
}

TEST_P(LoyaltyRulesTest, ThirtySixOrdersInOneSecondAreOneVisit) {
  SetProgram("visit-ranks");
  for (int i = 0; i < 36; ++i) {
    const PostedOrder posted = Sale(1'000, customer_);
    EXPECT_EQ(posted.loyalty->visit_counted, i == 0);
    EXPECT_EQ(posted.loyalty->visits, 1);
  }
  AccountView view = View(customer_);
  EXPECT_EQ(view.tier_name, "주임");
  EXPECT_EQ(view.visit_count, 1);
  EXPECT_TRUE(Sale(1'000, customer_, {}, other_branch_).loyalty->visit_counted);  // another branch
  clock_.AdvanceSeconds(kDay);
  EXPECT_EQ(Sale(1'000, customer_).loyalty->visits, 3);

  SetProgram("visit-ranks", [](domain::Program& p) { p.visit_rule = domain::VisitRule::kEveryOrder; });
  const CustomerId eager = NewCustomer();
  for (int i = 0; i < 36; ++i) Sale(1'000, eager);
  EXPECT_EQ(View(eager).tier_name, "회장");
}

TEST_P(LoyaltyRulesTest, AStampPerVisitAndEveryNthVisitCouponsFollowTheVisitRule) {
  domain::CouponTemplate thanks;
  thanks.name = "세 번째 방문";
  thanks.kind = domain::CouponKind::kAmountOff;
  thanks.value = 1'000;
  auto created = services_->loyalty.CreateTemplate(owner_, thanks);
  ASSERT_TRUE(created.ok());
  SetProgram("stamps", [&](domain::Program& p) {
    p.coupon_rules = {{.every_visits = 3, .coupon_template = created->id.value()}};
  });
  int rule_coupons = 0;
  for (int day = 0; day < 3; ++day) {
    for (int order = 0; order < 3; ++order) {
      for (const domain::Coupon& coupon : Sale(5'000, customer_).loyalty->rewards) {
        if (coupon.source == domain::CouponSource::kRule) ++rule_coupons;
      }
    }
    clock_.AdvanceSeconds(kDay);
  }
  EXPECT_EQ(View(customer_).account.balance, 3);
  EXPECT_EQ(rule_coupons, 1);
  // A refund in full of the day's only sale cancels its visit.
  const PostedOrder lone = Sale(5'000, customer_);
  EXPECT_EQ(View(customer_).visit_count, 4);
  ASSERT_TRUE(services_->orders.Refund(owner_, lone.order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(View(customer_).visit_count, 3);
}

TEST_P(LoyaltyRulesTest, ARefundWithAnAmountOfAnOrderRefundedInFullIsAlreadyRefunded) {
  SetProgram("points");
  const PostedOrder sale = Sale(10'000, customer_);
  ASSERT_TRUE(services_->orders.Refund(owner_, sale.order.id, std::nullopt, "", "").ok());
  auto again = services_->orders.Refund(owner_, sale.order.id, Money(1'000), "", "");
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.status().reason(), "already_refunded");
}

TEST_P(LoyaltyRulesTest, OrdersAreBookedOnlyForTheBusinesssStaffAndOthersNeedAManager) {
  SetProgram("points");
  auto new_staff = [&](BusinessId business, domain::Role role) {
    static std::atomic<int> emails{0};
    NewStaff staff{.email = fmt::format("s{}-{}@dangol.test", getpid(), emails++), .display_name = "직원",
                   .password = "loyal-regular-2046", .role = role};
    auto created = services_->businesses.CreateStaff(business, staff);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    Principal principal = owner_;
    principal.business_id = business;
    principal.role = role;
    principal.staff_id = created.ok() ? created->id : StaffId();
    return principal;
  };
  const Principal clerk = new_staff(owner_.business_id, domain::Role::kStaff);
  const Principal colleague = new_staff(owner_.business_id, domain::Role::kStaff);
  const Principal manager = new_staff(owner_.business_id, domain::Role::kManager);
  auto elsewhere = services_->businesses.CreateBusiness(fmt::format("lr-other-{}-{}", getpid(), std::rand()), "딴집");
  ASSERT_TRUE(elsewhere.ok());
  const Principal stranger = new_staff(elsewhere->id, domain::Role::kOwner);

  domain::Order order;
  order.branch_id = branch_;
  order.customer_id = customer_;
  order.total = Money(5'000);
  order.staff_id = stranger.staff_id;
  auto foreign = services_->orders.PostSale(owner_, order);
  EXPECT_EQ(foreign.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(foreign.status().field(), "staff_id");
  order.staff_id = StaffId(999'999'999);
  EXPECT_EQ(services_->orders.PostSale(owner_, order).status().field(), "staff_id");
  order.staff_id = colleague.staff_id;
  auto for_other = services_->orders.PostSale(clerk, order);
  EXPECT_EQ(for_other.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(for_other.status().reason(), "staff_id_needs_manager");
  EXPECT_TRUE(services_->orders.PostSale(manager, order).ok());
  order.staff_id = clerk.staff_id;
  EXPECT_TRUE(services_->orders.PostSale(clerk, order).ok());
  EXPECT_EQ(View(customer_).account.balance, 2 * 75);  // the refused ones earned nothing
}

INSTANTIATE_TEST_SUITE_P(Backends, LoyaltyRulesTest, ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         [](const auto& info) { return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::app
