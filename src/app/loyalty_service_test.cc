// The loyalty rules end to end through the app services on a real SQLite file, with a manual
// clock so that expiry and tier windows can be reached.
#include "app/loyalty_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <thread>

#include "app/loyalty_posting.h"
#include "app/services.h"

namespace crm::app {
namespace {

constexpr int64_t kDay = 86'400;

class LoyaltyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-loyalty-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    auto business = services_->businesses.CreateBusiness("cafe", "카페");
    ASSERT_TRUE(business.ok());
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    auto branch = services_->businesses.CreateBranch(owner_, "본점");
    ASSERT_TRUE(branch.ok());
    branch_ = branch->id;
    auto other = services_->businesses.CreateBranch(owner_, "2호점");
    ASSERT_TRUE(other.ok());
    other_branch_ = other->id;
    customer_ = NewCustomer("010-1234-5678");
    staff_ = owner_;
    staff_.role = domain::Role::kStaff;
    staff_.branch_ids = {branch_};
  }
  void TearDown() override {
    services_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  CustomerId NewCustomer(const std::string& phone) {
    domain::CustomerDraft draft;
    draft.name = "김단골";
    draft.phone = phone;
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

  Result<PostedOrder> Sale(int64_t total, CustomerId customer, int64_t redeem = 0, BranchId branch = {}) {
    domain::Order order;
    order.branch_id = branch.valid() ? branch : branch_;
    order.customer_id = customer;
    order.total = Money(total);
    return services_->orders.PostSale(owner_, order, redeem);
  }

  int64_t Balance(CustomerId customer) {
    auto view = services_->loyalty.Account(owner_, customer);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? view->account.balance : -1;
  }

  void ExpectLedgerMatches() {
    auto mismatches = services_->loyalty.Verify(std::nullopt);
    ASSERT_TRUE(mismatches.ok());
    EXPECT_TRUE(mismatches->empty()) << mismatches->size() << " accounts differ from their ledger";
  }

  ManualClock clock_{Timestamp::FromSeconds(1'767'225'600)};  // 2026-01-01T00:00:00Z
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_;
  Principal staff_;
  BranchId branch_;
  BranchId other_branch_;
  CustomerId customer_;
};

TEST_F(LoyaltyServiceTest, SaleEarnsAndPartialRefundsTakeBackExactlyWhatItEarned) {
  SetProgram("points");
  auto posted = Sale(12'345, customer_);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  ASSERT_TRUE(posted->loyalty);
  EXPECT_EQ(posted->loyalty->earned, 185);
  EXPECT_EQ(Balance(customer_), 185);
  ASSERT_TRUE(services_->orders.Refund(owner_, posted->order.id, Money(4'000), "", "").ok());
  EXPECT_EQ(Balance(customer_), 185 - 59);  // floor(185 × 4000 / 12345) = 59
  ASSERT_TRUE(services_->orders.Refund(owner_, posted->order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(Balance(customer_), 0);
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, RefundAfterRedemptionRestoresWhatTheOrderSpent) {
  SetProgram("points", [](domain::Program& p) { p.min_balance_to_redeem = 0; });
  ASSERT_TRUE(Sale(100'000, customer_).ok());
  EXPECT_EQ(Balance(customer_), 1'500);
  auto paid = Sale(20'000, customer_, 1'000);
  ASSERT_TRUE(paid.ok()) << paid.status().ToString();
  EXPECT_EQ(paid->loyalty->redeemed, 1'000);
  EXPECT_EQ(Balance(customer_), 1'500 - 1'000 + 300);
  ASSERT_TRUE(services_->orders.Refund(owner_, paid->order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(Balance(customer_), 1'500);
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, ReversalIsClampedAtZeroUnlessTheProgramAllowsDebt) {
  SetProgram("points", [](domain::Program& p) { p.min_balance_to_redeem = 0; });
  auto sale = Sale(100'000, customer_);
  ASSERT_TRUE(sale.ok());
  RedeemRequest redeem{.amount = 1'500, .branch_id = branch_};
  ASSERT_TRUE(services_->loyalty.Redeem(owner_, customer_, redeem).ok());
  ASSERT_TRUE(services_->orders.Refund(owner_, sale->order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(Balance(customer_), 0);

  const CustomerId second = NewCustomer("010-2222-3333");
  SetProgram("points", [](domain::Program& p) {
    p.min_balance_to_redeem = 0;
    p.reversal_policy = domain::ReversalPolicy::kAllowNegative;
  });
  auto other = Sale(100'000, second);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(services_->loyalty.Redeem(owner_, second, redeem).ok());
  ASSERT_TRUE(services_->orders.Refund(owner_, other->order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(Balance(second), -1'500);
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, RedemptionRulesFailWithTheFieldNamed) {
  SetProgram("points", [](domain::Program& p) { p.max_redeem_percent = 50; });
  ASSERT_TRUE(Sale(200'000, customer_).ok());  // 3,000 points, below the 5,000 minimum
  RedeemRequest redeem{.amount = 100, .branch_id = branch_};
  auto below_minimum = services_->loyalty.Redeem(owner_, customer_, redeem);
  EXPECT_EQ(below_minimum.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(below_minimum.status().field(), "amount");
  ASSERT_TRUE(Sale(200'000, customer_).ok());  // 6,000
  redeem.amount = 7'000;
  EXPECT_EQ(services_->loyalty.Redeem(owner_, customer_, redeem).status().code(), StatusCode::kFailedPrecondition);
  auto too_big_share = Sale(8'000, customer_, 5'000);  // points may pay 50 % = 4,000
  EXPECT_EQ(too_big_share.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(too_big_share.status().field(), "points_redeemed");
  EXPECT_EQ(Balance(customer_), 6'000);  // the failed sale left nothing behind
  redeem.amount = 100;
  redeem.branch_id = other_branch_;
  EXPECT_EQ(services_->loyalty.Redeem(staff_, customer_, redeem).status().code(), StatusCode::kPermissionDenied);
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, ExcludedProductsEarnNothingAndCannotBePaidWithPoints) {
  SetProgram("points", [](domain::Program& p) {
    p.earn_excluded = {"담배"};
    p.spend_excluded = {"담배"};
    p.min_balance_to_redeem = 0;
  });
  domain::Order order;
  order.branch_id = branch_;
  order.customer_id = customer_;
  order.lines = {{"에쎄", "담배", 1, Money(4'500)}};
  auto posted = services_->orders.PostSale(owner_, order);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(posted->loyalty->earned, 0);
  ASSERT_TRUE(services_->loyalty.Adjust(owner_, customer_, 1'000, "보상", std::nullopt).ok());
  auto pay = services_->orders.PostSale(owner_, order, 500);
  EXPECT_EQ(pay.status().field(), "points_redeemed");
}

TEST_F(LoyaltyServiceTest, ExpiryIsOldestFirstAndIdempotent) {
  SetProgram("points", [](domain::Program& p) {
    p.expiry_months = 24;
    p.min_balance_to_redeem = 0;
  });
  ASSERT_TRUE(Sale(100'000, customer_).ok());  // 1,500, expires 2028-01-01
  clock_.AdvanceSeconds(200 * kDay);
  ASSERT_TRUE(Sale(100'000, customer_).ok());  // 1,500, expires 2028-07-19
  RedeemRequest redeem{.amount = 1'000, .branch_id = branch_};
  ASSERT_TRUE(services_->loyalty.Redeem(owner_, customer_, redeem).ok());  // from the oldest award
  clock_.Set(Timestamp::FromSeconds(1'767'225'600).PlusSeconds(700 * kDay));
  auto soon = services_->loyalty.ExpiringSoon(owner_, 30);
  ASSERT_TRUE(soon.ok());
  ASSERT_EQ(soon->size(), 1u);
  EXPECT_EQ((*soon)[0].units, 500);
  clock_.Set(Timestamp::FromSeconds(1'767'225'600).PlusSeconds(731 * kDay));
  auto run = services_->loyalty.RunExpiry(owner_.business_id);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->units, 500);
  EXPECT_EQ(Balance(customer_), 1'500);
  auto again = services_->loyalty.RunExpiry(owner_.business_id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->units, 0);
  EXPECT_EQ(Balance(customer_), 1'500);
  auto liability = services_->loyalty.Liability(owner_);
  ASSERT_TRUE(liability.ok());
  EXPECT_EQ(liability->total, 1'500);
  ASSERT_EQ(liability->rows.size(), 1u);
  EXPECT_EQ(liability->rows[0].expiry_month, "2028-07");
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, AdjustmentsNeedAManagerAndAReason) {
  SetProgram("points");
  EXPECT_EQ(services_->loyalty.Adjust(staff_, customer_, 100, "보상", std::nullopt).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(services_->loyalty.Adjust(owner_, customer_, 100, "", std::nullopt).status().field(), "reason");
  EXPECT_EQ(services_->loyalty.Adjust(owner_, customer_, -100, "차감", std::nullopt).status().code(),
            StatusCode::kFailedPrecondition);
  auto added = services_->loyalty.Adjust(owner_, customer_, 100, "불편 보상", branch_);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->balance, 100);
  EXPECT_EQ(added->entry.reason, "불편 보상");
  EXPECT_EQ(added->entry.kind, domain::LedgerKind::kAdjust);
}

TEST_F(LoyaltyServiceTest, TenStampsBecomeAFreeItemCouponThatCanBeUsedOnce) {
  SetProgram("stamps");
  std::optional<domain::Coupon> reward;
  for (int i = 0; i < 10; ++i) {
    auto posted = Sale(5'000, customer_);
    ASSERT_TRUE(posted.ok());
    if (!posted->loyalty->rewards.empty()) reward = posted->loyalty->rewards[0];
    clock_.AdvanceSeconds(kDay);  // a stamp per visit: one visit a day
  }
  ASSERT_TRUE(reward);
  EXPECT_EQ(reward->kind, domain::CouponKind::kFreeItem);
  EXPECT_EQ(Balance(customer_), 0);
  const CustomerId stranger = NewCustomer("010-9999-0000");
  auto wrong = services_->loyalty.RedeemCoupon(owner_, reward->code, stranger, branch_, std::nullopt, Money(6'000));
  EXPECT_EQ(wrong.status().message(), "this coupon belongs to another customer");
  auto used = services_->loyalty.RedeemCoupon(owner_, reward->code, customer_, branch_, std::nullopt, Money(8'000));
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(used->discount, Money(6'000));
  auto twice = services_->loyalty.RedeemCoupon(owner_, reward->code, customer_, branch_, std::nullopt, Money(8'000));
  EXPECT_EQ(twice.status().message(), "this coupon has already been used");
  EXPECT_EQ(services_->loyalty.RedeemCoupon(owner_, "NOPE-NOPE", customer_, branch_, std::nullopt, Money()).status().code(),
            StatusCode::kNotFound);
}

TEST_F(LoyaltyServiceTest, ExpiredAndVoidedCouponsAreRefused) {
  SetProgram("points");
  domain::CouponTemplate t;
  t.name = "오늘만 10%";
  t.kind = domain::CouponKind::kPercentOff;
  t.value = 10;
  t.validity = domain::CouponValidity::kSameDay;
  auto created = services_->loyalty.CreateTemplate(owner_, t);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto today = services_->loyalty.IssueCoupon(owner_, customer_, created->id);
  auto voided = services_->loyalty.IssueCoupon(owner_, customer_, created->id);
  ASSERT_TRUE(today.ok() && voided.ok());
  ASSERT_TRUE(services_->loyalty.VoidCoupon(owner_, voided->id).ok());
  EXPECT_EQ(services_->loyalty.RedeemCoupon(owner_, voided->code, customer_, branch_, std::nullopt, Money()).status().message(),
            "this coupon has been voided");
  clock_.AdvanceSeconds(kDay);
  EXPECT_EQ(services_->loyalty.RedeemCoupon(owner_, today->code, customer_, branch_, std::nullopt, Money()).status().message(),
            "this coupon has expired");
}

TEST_F(LoyaltyServiceTest, StarbucksPromotionIsReportedAndKeptInTheTimeline) {
  SetProgram("starbucks");
  auto first = Sale(5'000, customer_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->loyalty->promoted_to, "Green");
  auto gold = Sale(25'000, customer_);
  ASSERT_TRUE(gold.ok());
  EXPECT_EQ(gold->loyalty->promoted_to, "Gold");
  // At Gold every 12 stars become a free drink, counted from Gold on: the 30 that reached it are none.
  EXPECT_TRUE(gold->loyalty->rewards.empty());
  EXPECT_EQ(gold->loyalty->balance, 30);
  auto changes = services_->loyalty.TierChanges(owner_, customer_);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[1].tier_name, "Gold");
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, VisitRanksPromoteByVisitCount) {
  SetProgram("visit-ranks");
  std::vector<std::string> promotions;
  for (int i = 0; i < 10; ++i) {
    auto posted = Sale(10'000, customer_);
    ASSERT_TRUE(posted.ok());
    if (posted->loyalty->promoted_to) promotions.push_back(*posted->loyalty->promoted_to);
    clock_.AdvanceSeconds(kDay);
  }
  EXPECT_EQ(promotions, (std::vector<std::string>{"주임", "계장", "과장"}));
}

TEST_F(LoyaltyServiceTest, ReferralRewardsBothOnceAfterTheFriendsFirstPaidOrder) {
  SetProgram("points", [](domain::Program& p) { p.referral_reward_points = 1'000; });
  auto referrer = services_->loyalty.Account(owner_, customer_);
  ASSERT_TRUE(Sale(1'000, customer_).ok());  // gives the referrer an account and a code
  referrer = services_->loyalty.Account(owner_, customer_);
  ASSERT_TRUE(referrer.ok());
  const std::string code = referrer->account.referral_code;
  ASSERT_FALSE(code.empty());
  const int64_t before = Balance(customer_);

  auto self = services_->loyalty.JoinWithReferral(owner_, customer_, code);
  EXPECT_EQ(self.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(self.status().message(), "a customer cannot refer themselves");
  EXPECT_EQ(services_->loyalty.JoinWithReferral(owner_, customer_, "NOSUCHCODE").status().code(), StatusCode::kNotFound);
  const CustomerId friend_id = NewCustomer("010-5555-6666");
  ASSERT_TRUE(services_->loyalty.JoinWithReferral(owner_, friend_id, code).ok());
  EXPECT_EQ(services_->loyalty.JoinWithReferral(owner_, friend_id, code).status().code(),
            StatusCode::kFailedPrecondition);
  auto first = Sale(10'000, friend_id);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Balance(customer_), before + 1'000);
  EXPECT_EQ(Balance(friend_id), 150 + 1'000);
  ASSERT_TRUE(services_->orders.Refund(owner_, first->order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(Balance(customer_), before);
  EXPECT_EQ(Balance(friend_id), 0);
  ASSERT_TRUE(Sale(10'000, friend_id).ok());
  ASSERT_TRUE(Sale(10'000, friend_id).ok());
  EXPECT_EQ(Balance(customer_), before + 1'000);  // once
  auto referrals = services_->loyalty.Referrals(owner_, customer_);
  ASSERT_TRUE(referrals.ok());
  ASSERT_EQ(referrals->size(), 1u);
  EXPECT_TRUE(referrals->front().rewarded_order_id);
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, AReferralRewardSpentBeforeTheRefundIsNotPaidAgain) {
  SetProgram("points", [](domain::Program& p) {
    p.referral_reward_points = 1'000;
    p.min_balance_to_redeem = 0;
  });
  ASSERT_TRUE(Sale(1'000, customer_).ok());
  const std::string code = services_->loyalty.Account(owner_, customer_)->account.referral_code;
  const CustomerId friend_id = NewCustomer("010-5555-7777");
  ASSERT_TRUE(services_->loyalty.JoinWithReferral(owner_, friend_id, code).ok());
  // A loop back to the friend is refused.
  auto loop = services_->loyalty.JoinWithReferral(owner_, customer_, "X");
  EXPECT_EQ(loop.status().code(), StatusCode::kNotFound);
  const int64_t referrer_before = Balance(customer_);
  auto first = Sale(10'000, friend_id);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(services_->loyalty.Redeem(owner_, friend_id, {.amount = 1'150, .branch_id = branch_}).ok());
  // The owner raises the reward; the take-back is still what was given.
  SetProgram("points", [](domain::Program& p) {
    p.referral_reward_points = 3'000;
    p.min_balance_to_redeem = 0;
  });
  ASSERT_TRUE(services_->orders.Refund(owner_, first->order.id, std::nullopt, "", "").ok());
  EXPECT_EQ(Balance(customer_), referrer_before);
  EXPECT_EQ(Balance(friend_id), 0);
  ASSERT_TRUE(Sale(10'000, friend_id).ok());
  EXPECT_EQ(Balance(customer_), referrer_before);  // not paid a second time
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, AFreeOrderDoesNotPayTheReferral) {
  SetProgram("points", [](domain::Program& p) { p.referral_reward_points = 1'000; });
  ASSERT_TRUE(Sale(1'000, customer_).ok());
  const std::string code = services_->loyalty.Account(owner_, customer_)->account.referral_code;
  const CustomerId friend_id = NewCustomer("010-5555-8888");
  ASSERT_TRUE(services_->loyalty.JoinWithReferral(owner_, friend_id, code).ok());
  const int64_t before = Balance(customer_);
  ASSERT_TRUE(Sale(500, friend_id).ok());  // under the 1,000 won minimum: not a paid order here
  EXPECT_EQ(Balance(customer_), before);
  ASSERT_TRUE(Sale(2'000, friend_id).ok());
  EXPECT_EQ(Balance(customer_), before + 1'000);
}

TEST_F(LoyaltyServiceTest, OnlyManagersIssueCouponsAndAmountsDefaultToTheFaceValue) {
  SetProgram("points");
  domain::CouponTemplate amount_off;
  amount_off.name = "3천원";
  amount_off.kind = domain::CouponKind::kAmountOff;
  amount_off.value = 3'000;
  auto created = services_->loyalty.CreateTemplate(owner_, amount_off);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(services_->loyalty.IssueCoupon(staff_, customer_, created->id).status().code(),
            StatusCode::kPermissionDenied);
  auto coupon = services_->loyalty.IssueCoupon(owner_, customer_, created->id);
  ASSERT_TRUE(coupon.ok());
  auto used = services_->loyalty.RedeemCoupon(staff_, coupon->code, customer_, branch_, std::nullopt, std::nullopt);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(used->discount, Money(3'000));
  domain::CouponTemplate percent = amount_off;
  percent.kind = domain::CouponKind::kPercentOff;
  percent.value = 10;
  auto percent_template = services_->loyalty.CreateTemplate(owner_, percent);
  ASSERT_TRUE(percent_template.ok());
  auto percent_coupon = services_->loyalty.IssueCoupon(owner_, customer_, percent_template->id);
  ASSERT_TRUE(percent_coupon.ok());
  EXPECT_EQ(services_->loyalty.RedeemCoupon(staff_, percent_coupon->code, customer_, branch_, std::nullopt,
                                            std::nullopt).status().field(),
            "amount");
}

TEST_F(LoyaltyServiceTest, ARuleIssuesACouponEveryFifthVisitWithinTheTemplatesLimit) {
  domain::CouponTemplate t;
  t.name = "다섯 번째 방문 감사 쿠폰";
  t.kind = domain::CouponKind::kAmountOff;
  t.value = 2'000;
  t.per_customer_limit = 1;
  auto created = services_->loyalty.CreateTemplate(owner_, t);
  ASSERT_TRUE(created.ok());
  domain::Program program = *domain::ProgramPreset("points");
  program.coupon_rules = {{.every_visits = 5, .coupon_template = 999'999}};
  EXPECT_EQ(services_->loyalty.SetProgram(owner_, program).status().field(), "coupon_rules[0].coupon_template");
  program.coupon_rules[0].coupon_template = created->id.value();
  ASSERT_TRUE(services_->loyalty.SetProgram(owner_, program).ok());
  std::vector<int> rewarded_visits;
  for (int visit = 1; visit <= 10; ++visit) {
    auto posted = Sale(5'000, customer_);
    ASSERT_TRUE(posted.ok());
    for (const domain::Coupon& coupon : posted->loyalty->rewards) {
      EXPECT_EQ(coupon.source, domain::CouponSource::kRule);
      rewarded_visits.push_back(visit);
    }
    clock_.AdvanceSeconds(kDay);
  }
  EXPECT_EQ(rewarded_visits, std::vector<int>{5});  // the 10th is over the limit of one
}

TEST_F(LoyaltyServiceTest, AClaimedIdempotencyKeyLetsNothingOfASecondWriteCommit) {
  SetProgram("points", [](domain::Program& p) { p.min_balance_to_redeem = 0; });
  ASSERT_TRUE(Sale(100'000, customer_).ok());
  Principal keyed = owner_;
  keyed.idempotency = IdempotencyClaim{"redeem-1", "hash"};
  RedeemRequest redeem{.amount = 100, .branch_id = branch_};
  ASSERT_TRUE(services_->loyalty.Redeem(keyed, customer_, redeem).ok());
  EXPECT_EQ(services_->loyalty.Redeem(keyed, customer_, redeem).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Balance(customer_), 1'400);
}

TEST_F(LoyaltyServiceTest, ConcurrentRedemptionsNeverOverdrawTheBalance) {
  SetProgram("points", [](domain::Program& p) { p.min_balance_to_redeem = 0; });
  ASSERT_TRUE(services_->loyalty.Adjust(owner_, customer_, 50, "시작", std::nullopt).ok());
  std::atomic<int> successes = 0;
  std::atomic<int> refusals = 0;
  std::vector<std::thread> counters;
  for (int i = 0; i < 8; ++i) {
    counters.emplace_back([&] {
      for (int attempt = 0; attempt < 3; ++attempt) {
        auto result = services_->loyalty.Redeem(owner_, customer_, {.amount = 10, .branch_id = branch_});
        if (result.ok()) ++successes;
        if (result.status().code() == StatusCode::kFailedPrecondition) ++refusals;
      }
    });
  }
  for (std::thread& counter : counters) counter.join();
  EXPECT_EQ(successes.load(), 5);
  EXPECT_EQ(refusals.load(), 19);
  EXPECT_EQ(Balance(customer_), 0);
  ExpectLedgerMatches();
}

TEST_F(LoyaltyServiceTest, GachaDrawsOnceAndItsSeedReproducesTheDraw) {
  SetProgram("points", [](domain::Program& p) { p.gacha = {{"꽝", 90, 0}, {"100P", 9, 100}, {"1000P", 1, 1'000}}; });
  auto draw = services_->loyalty.DrawGacha(owner_, customer_);
  ASSERT_TRUE(draw.ok()) << draw.status().ToString();
  EXPECT_EQ(draw->total_weight, 100);
  EXPECT_LT(draw->draw, 100u);
  EXPECT_EQ(draw->seed_hex.size(), 64u);
  EXPECT_EQ(Balance(customer_), draw->points);
  EXPECT_EQ(services_->loyalty.DrawGacha(owner_, customer_).status().code(), StatusCode::kAlreadyExists);
}

TEST(GachaDrawTest, TheSameSeedGivesTheSameDrawAndTheOddsAreThePublishedOnes) {
  const std::vector<domain::GachaPrize> prizes = {{"꽝", 90, 0}, {"100P", 9, 100}, {"1000P", 1, 1'000}};
  const int64_t total = domain::GachaTotalWeight(prizes);
  unsigned char seed[32] = {};
  std::vector<int64_t> counts(prizes.size());
  constexpr int kDraws = 100'000;
  for (int i = 0; i < kDraws; ++i) {
    for (int b = 0; b < 4; ++b) seed[b] = static_cast<unsigned char>(i >> (8 * b));
    const uint64_t draw = GachaDrawFromSeed(seed, total);
    ASSERT_LT(draw, static_cast<uint64_t>(total));
    EXPECT_EQ(GachaDrawFromSeed(seed, total), draw);
    ++counts[domain::GachaPick(prizes, draw)];
  }
  for (size_t i = 0; i < prizes.size(); ++i) {
    const double p = static_cast<double>(prizes[i].weight) / static_cast<double>(total);
    const double sigma = std::sqrt(kDraws * p * (1 - p));
    EXPECT_NEAR(static_cast<double>(counts[i]), kDraws * p, 5 * sigma) << prizes[i].label;
  }
}

TEST_F(LoyaltyServiceTest, ProgramSettingsAreOwnerOnlyAndValidated) {
  domain::Program program = *domain::ProgramPreset("points");
  EXPECT_EQ(services_->loyalty.SetProgram(staff_, program).status().code(), StatusCode::kPermissionDenied);
  program.rate_permille = 5'000;
  EXPECT_EQ(services_->loyalty.SetProgram(owner_, program).status().field(), "rate_permille");
  program = *domain::ProgramPreset("points");
  program.events = {{.name = "더블", .first_day = {2026, 1, 1}, .last_day = {2026, 1, 2}, .branch_id = BranchId(999)}};
  EXPECT_EQ(services_->loyalty.SetProgram(owner_, program).status().field(), "events[0].branch_id");
  program.events[0].branch_id = branch_;
  ASSERT_TRUE(services_->loyalty.SetProgram(owner_, program).ok());
  auto stored = services_->loyalty.GetProgram(owner_);
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ(**stored, program);
  auto doubled = Sale(10'000, customer_);
  ASSERT_TRUE(doubled.ok());
  EXPECT_EQ(doubled->loyalty->earned, 300);
  auto elsewhere = Sale(10'000, customer_, 0, other_branch_);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(elsewhere->loyalty->earned, 150);
}

}  // namespace
}  // namespace crm::app
