#include "domain/loyalty.h"

#include <gtest/gtest.h>

namespace crm::domain {
namespace {

Order Sale(int64_t total, std::vector<OrderLine> lines = {}) {
  Order order;
  order.branch_id = BranchId(1);
  order.total = Money(total);
  order.lines = std::move(lines);
  return order;
}

LedgerEntry Entry(int64_t id, LedgerKind kind, int64_t amount, std::optional<Timestamp> expires = std::nullopt,
                  std::optional<int64_t> related = std::nullopt) {
  LedgerEntry entry;
  entry.id = LedgerEntryId(id);
  entry.kind = kind;
  entry.amount = amount;
  entry.expires_at = expires;
  if (related) entry.related_id = LedgerEntryId(*related);
  entry.created_at = Timestamp::FromSeconds(id);
  return entry;
}

TEST(LoyaltyTest, PointsAreFlooredTenthsOfAPercent) {
  Program program = *ProgramPreset("points");
  program.rate_permille = 15;
  EXPECT_EQ(BaseEarn(program, Sale(12'345)), 185);
  program.min_order_amount = 0;
  EXPECT_EQ(BaseEarn(program, Sale(66)), 0);
  EXPECT_EQ(BaseEarn(program, Sale(67)), 1);
}

TEST(LoyaltyTest, PointsPresetEarnsNothingUnderOneThousandWon) {
  const Program program = *ProgramPreset("points");
  EXPECT_EQ(BaseEarn(program, Sale(999)), 0);
  EXPECT_EQ(BaseEarn(program, Sale(1'000)), 15);
}

TEST(LoyaltyTest, ExcludedProductsAndCategoriesEarnNothing) {
  Program program = *ProgramPreset("points");
  program.rate_permille = 100;
  program.earn_excluded = {"담배", "gift card"};
  const Order sale = Sale(25'000, {{"아메리카노", "coffee", 2, Money(5'000)},
                                   {"에쎄", "담배", 1, Money(4'500)},
                                   {"5만원권", "gift card", 1, Money(10'500)}});
  EXPECT_EQ(EligibleAmount(sale, program.earn_excluded), Money(10'000));
  EXPECT_EQ(BaseEarn(program, sale), 1'000);
}

TEST(LoyaltyTest, StampsCountVisitsItemsOrAmounts) {
  Program program = *ProgramPreset("stamps");
  const Order sale = Sale(23'000, {{"라떼", "coffee", 3, Money(5'000)}, {"케이크", "dessert", 1, Money(8'000)}});
  EXPECT_EQ(BaseEarn(program, sale), 1);
  program.stamp_basis = StampBasis::kItem;
  EXPECT_EQ(BaseEarn(program, sale), 4);
  program.earn_excluded = {"dessert"};
  EXPECT_EQ(BaseEarn(program, sale), 3);
  program.stamp_basis = StampBasis::kAmount;
  program.won_per_stamp = 5'000;
  EXPECT_EQ(BaseEarn(program, sale), 3);
}

TEST(LoyaltyTest, StarsPerThousandWon) {
  const Program program = *ProgramPreset("starbucks");
  EXPECT_EQ(BaseEarn(program, Sale(12'999)), 12);
}

TEST(LoyaltyTest, MultipliersCombineTierEventAndBirthday) {
  Program program = *ProgramPreset("points");
  program.tiers = {{.name = "Basic", .threshold = 0}, {.name = "VIP", .threshold = 10, .earn_multiplier_percent = 150}};
  program.events = {{.name = "더블 포인트", .first_day = {2026, 5, 1}, .last_day = {2026, 5, 3},
                     .branch_id = BranchId(1), .multiplier_percent = 200}};
  program.birthday_month_percent = 200;
  const Order sale = Sale(10'000);
  EXPECT_EQ(SaleMultiplier(program, 0, sale, {2026, 4, 30}, std::nullopt).percent, 100);
  EXPECT_EQ(SaleMultiplier(program, 1, sale, {2026, 5, 2}, std::nullopt).percent, 300);
  EXPECT_EQ(SaleMultiplier(program, 1, sale, {2026, 5, 2}, 5).percent, 600);
  Order elsewhere = sale;
  elsewhere.branch_id = BranchId(2);
  EXPECT_EQ(SaleMultiplier(program, 0, elsewhere, {2026, 5, 2}, std::nullopt).percent, 100);
  EXPECT_EQ(SaleMultiplier(program, 1, sale, {2026, 5, 2}, std::nullopt).note, "VIP ×1.5, 더블 포인트 ×2");
}

TEST(LoyaltyTest, RedemptionsConsumeOldestAwardsFirst) {
  const Timestamp soon = Timestamp::FromSeconds(100);
  const Timestamp later = Timestamp::FromSeconds(200);
  const std::vector<LedgerEntry> entries = {Entry(1, LedgerKind::kEarn, 100, soon),
                                            Entry(2, LedgerKind::kEarn, 50, later),
                                            Entry(3, LedgerKind::kRedeem, -120)};
  const std::vector<Award> awards = ReplayAwards(entries);
  ASSERT_EQ(awards.size(), 2u);
  EXPECT_EQ(awards[0].remaining, 0);
  EXPECT_EQ(awards[1].remaining, 30);
  EXPECT_TRUE(DueForExpiry(entries, Timestamp::FromSeconds(150)).empty());
  const std::vector<Award> due = DueForExpiry(entries, Timestamp::FromSeconds(250));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, LedgerEntryId(2));
  EXPECT_EQ(due[0].remaining, 30);
}

TEST(LoyaltyTest, ExpiryIsIdempotentOnceItsEntryIsWritten) {
  std::vector<LedgerEntry> entries = {Entry(1, LedgerKind::kEarn, 100, Timestamp::FromSeconds(10)),
                                      Entry(2, LedgerKind::kRedeem, -40)};
  const auto due = DueForExpiry(entries, Timestamp::FromSeconds(20));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].remaining, 60);
  entries.push_back(Entry(3, LedgerKind::kExpire, -60, std::nullopt, 1));
  EXPECT_TRUE(DueForExpiry(entries, Timestamp::FromSeconds(20)).empty());
}

TEST(LoyaltyTest, DebtIsPaidByTheNextAward) {
  const std::vector<LedgerEntry> entries = {Entry(1, LedgerKind::kReverse, -30),
                                            Entry(2, LedgerKind::kEarn, 100, Timestamp::FromSeconds(5))};
  const auto awards = ReplayAwards(entries);
  ASSERT_EQ(awards.size(), 1u);
  EXPECT_EQ(awards[0].remaining, 70);
}

TEST(LoyaltyTest, AddMonthsClampsToTheMonthsLastDay) {
  const Timestamp jan31 = Timestamp::FromSeconds(DaysFromCivil(2026, 1, 31) * 86'400 + 3'600);
  const Timestamp feb28 = Timestamp::FromSeconds(DaysFromCivil(2026, 2, 28) * 86'400 + 3'600);
  EXPECT_EQ(AddMonths(jan31, 1), feb28);
  EXPECT_EQ(AddMonths(jan31, 24), Timestamp::FromSeconds(DaysFromCivil(2028, 1, 31) * 86'400 + 3'600));
  EXPECT_EQ(AddMonths(jan31, 0), jan31);
}

TEST(LoyaltyTest, StarbucksTiersPromoteAtOnceAndFallOnlyAfterAYear) {
  const Program program = *ProgramPreset("starbucks");
  const Timestamp start = Timestamp::FromSeconds(DaysFromCivil(2026, 1, 10) * 86'400);
  TierChange change = EvaluateTier(program, {}, {5, 0}, start);
  EXPECT_TRUE(change.promoted);
  EXPECT_EQ(change.state.index, 1);
  change = EvaluateTier(program, change.state, {31, 0}, start);
  EXPECT_EQ(change.state.index, 2);
  EXPECT_EQ(program.tiers[change.state.index].name, "Gold");
  const TierState gold = change.state;
  change = EvaluateTier(program, gold, {2, 0}, AddMonths(start, 11));
  EXPECT_FALSE(change.demoted);
  EXPECT_EQ(change.state, gold);
  change = EvaluateTier(program, gold, {2, 0}, AddMonths(start, 12));
  EXPECT_TRUE(change.demoted);
  EXPECT_EQ(change.state.index, 0);
}

TEST(LoyaltyTest, TheKeepRunsFromTheLatestQualificationNotTheFirst) {
  const Program program = *ProgramPreset("starbucks");
  const Timestamp start = Timestamp::FromSeconds(DaysFromCivil(2026, 1, 10) * 86'400);
  TierChange change = EvaluateTier(program, {}, {30, 0}, start);
  ASSERT_TRUE(change.promoted);
  EXPECT_EQ(change.state.qualified_at, start);
  // Six months later Gold's 30 stars are earned again (counted after the first qualification).
  const Timestamp again = AddMonths(start, 6);
  change = EvaluateTier(program, change.state, {55, 30}, again);
  EXPECT_TRUE(change.requalified);
  EXPECT_FALSE(change.promoted);
  EXPECT_EQ(change.state.index, 2);
  EXPECT_EQ(change.state.reached_at, start);
  EXPECT_EQ(change.state.qualified_at, again);
  // Thirteen months after reaching Gold the window holds few stars, but the keep runs from the
  // re-qualification: still Gold until 12 months after it.
  const TierState requalified = change.state;
  change = EvaluateTier(program, requalified, {3, 0}, AddMonths(start, 13));
  EXPECT_FALSE(change.demoted);
  EXPECT_EQ(change.state.index, 2);
  change = EvaluateTier(program, requalified, {3, 0}, AddMonths(again, 12));
  EXPECT_TRUE(change.demoted);
  EXPECT_EQ(change.state.index, 0);
  // Stars earned before the qualification do not re-qualify: 29 after it is not enough.
  EXPECT_FALSE(EvaluateTier(program, requalified, {60, 29}, AddMonths(again, 1)).requalified);
}

TEST(LoyaltyTest, ARefundOfThePromotingSaleUndoesThePromotionDespiteTheKeep) {
  const Program program = *ProgramPreset("starbucks");
  const Timestamp green_at = Timestamp::FromSeconds(DaysFromCivil(2026, 1, 10) * 86'400);
  const Timestamp gold_at = AddMonths(green_at, 1);
  const TierState green{1, green_at, green_at};
  const TierState gold{2, gold_at, gold_at};
  const Timestamp now = gold_at.PlusSeconds(3'600);
  // The metric fell back to 5: the promotion by the refunded sale is undone, Green comes back
  // with its own dates.
  TierChange change = EvaluateTierAfterRefund(program, gold, green, {5, 0}, now);
  EXPECT_TRUE(change.demoted);
  EXPECT_EQ(change.state, green);
  // Back to 3 stars: below Green too, but Green's keep still holds.
  change = EvaluateTierAfterRefund(program, gold, green, {3, 0}, now);
  EXPECT_EQ(change.state, green);
  // Still 30 stars without the sale (others earned them): Gold stays.
  change = EvaluateTierAfterRefund(program, gold, green, {30, 0}, now);
  EXPECT_FALSE(change.demoted);
  EXPECT_EQ(change.state, gold);
  // A refund of another sale: the keep protects Gold.
  change = EvaluateTierAfterRefund(program, gold, std::nullopt, {5, 0}, now);
  EXPECT_FALSE(change.demoted);
  EXPECT_EQ(change.state, gold);
}

TEST(LoyaltyTest, AnOrderOlderThanTheExpiryPeriodEarnsNothing) {
  Program program = *ProgramPreset("points");  // 24 months
  const Timestamp now = Timestamp::FromSeconds(DaysFromCivil(2026, 12, 7) * 86'400);
  const Timestamp old = now.PlusSeconds(-400 * 86'400);
  EXPECT_EQ(EarnExpiry(program, old), AddMonths(old, 24));
  EXPECT_FALSE(EarnedTooLate(program, old, now));
  const Timestamp older = now.PlusSeconds(-800 * 86'400);
  EXPECT_TRUE(EarnedTooLate(program, older, now));
  EXPECT_TRUE(EarnedTooLate(program, AddMonths(now, -24), now));
  program.expiry_months = 0;
  EXPECT_FALSE(EarnExpiry(program, older));
  EXPECT_FALSE(EarnedTooLate(program, older, now));
}

TEST(LoyaltyTest, AVisitIsOnePerCustomerPerBranchPerBusinessDayByDefault) {
  Program program = *ProgramPreset("visit-ranks");
  EXPECT_EQ(program.visit_rule, VisitRule::kPerBranchDay);
  constexpr int kSeoul = 540;
  // 2026-03-02 23:30 and 2026-03-03 00:30 in Seoul: two business days.
  const Timestamp evening = Timestamp::FromSeconds(DaysFromCivil(2026, 3, 2) * 86'400 + (23 - 9) * 3'600 + 1'800);
  const Timestamp past_midnight = evening.PlusSeconds(3'600);
  std::vector<VisitSale> sales;
  for (int i = 0; i < 36; ++i) sales.push_back({OrderId(i + 1), BranchId(1), evening.PlusSeconds(i / 10)});
  EXPECT_EQ(CountVisits(program, kSeoul, sales), 1);
  sales.push_back({OrderId(100), BranchId(2), evening});
  EXPECT_EQ(CountVisits(program, kSeoul, sales), 2);  // another branch
  sales.push_back({OrderId(101), BranchId(1), past_midnight});
  EXPECT_EQ(CountVisits(program, kSeoul, sales), 3);  // the next day in Seoul
  EXPECT_EQ(VisitOf(program, kSeoul, sales[0], sales), VisitStatus::kSameVisit);
  EXPECT_EQ(VisitOf(program, kSeoul, sales.back(), sales), VisitStatus::kNewVisit);
  // A business day that starts at 05:00 keeps 00:30 in the evening before.
  program.visit_day_start_hour = 5;
  EXPECT_EQ(CountVisits(program, kSeoul, sales), 2);
  program.visit_rule = VisitRule::kPerDay;
  EXPECT_EQ(CountVisits(program, kSeoul, sales), 1);
  program.visit_rule = VisitRule::kEveryOrder;
  EXPECT_EQ(CountVisits(program, kSeoul, sales), 38);
  // The same instant is another day in UTC than in Seoul.
  program.visit_rule = VisitRule::kPerBranchDay;
  program.visit_day_start_hour = 0;
  const std::vector<VisitSale> two = {{OrderId(1), BranchId(1), evening}, {OrderId(2), BranchId(1), past_midnight}};
  EXPECT_EQ(CountVisits(program, kSeoul, two), 2);
  EXPECT_EQ(CountVisits(program, 0, two), 1);
}

TEST(LoyaltyTest, AStampPerVisitIsEarnedOnlyByTheSaleThatOpensTheVisit) {
  const Program program = *ProgramPreset("stamps");
  EXPECT_EQ(BaseEarn(program, Sale(5'000), VisitStatus::kNewVisit), 1);
  EXPECT_EQ(BaseEarn(program, Sale(5'000), VisitStatus::kSameVisit), 0);
  Program items = program;
  items.stamp_basis = StampBasis::kItem;
  EXPECT_EQ(BaseEarn(items, Sale(5'000, {{"라떼", "coffee", 2, Money(2'500)}}), VisitStatus::kSameVisit), 2);
}

TEST(LoyaltyTest, TheVisitSettingsAreValidated) {
  Program program = *ProgramPreset("visit-ranks");
  program.visit_day_start_hour = 24;
  EXPECT_EQ(ValidateProgram(program).field(), "visit_day_start_hour");
  program.visit_day_start_hour = 5;
  program.visit_rule = static_cast<VisitRule>(9);
  EXPECT_EQ(ValidateProgram(program).field(), "visit_rule");
  EXPECT_EQ(ParseVisitRule("per_day"), VisitRule::kPerDay);
  EXPECT_FALSE(ParseVisitRule("per_week"));
  EXPECT_STREQ(ToString(VisitRule::kPerBranchDay), "per_branch_day");
}

TEST(LoyaltyTest, RewardsAreWholeBlocksOfTheCounter) {
  EXPECT_EQ(RewardsDue(11, 12), 0);
  EXPECT_EQ(RewardsDue(25, 12), 2);
  EXPECT_EQ(RewardsDue(-3, 12), 0);
  EXPECT_EQ(RewardsDue(40, 0), 0);
}

TEST(LoyaltyTest, VisitRanksPresetNamesTsukadaNojoRanks) {
  const Program program = *ProgramPreset("visit-ranks");
  EXPECT_EQ(program.tiers[QualifyingTier(program, 1)].name, "주임");
  EXPECT_EQ(program.tiers[QualifyingTier(program, 9)].name, "계장");
  EXPECT_EQ(program.tiers[QualifyingTier(program, 36)].name, "회장");
  EXPECT_EQ(program.tiers[QualifyingTier(program, 0)].name, "손님");
  EXPECT_TRUE(ValidateProgram(program).ok());
}

TEST(LoyaltyTest, PartialRefundsTakeBackExactlyWhatWasEarned) {
  int64_t taken = 0;
  Money refunded;
  for (int64_t part : {3'333, 3'333, 3'334}) {
    taken += ProportionalShare(185, Money(10'000), refunded, Money(part));
    refunded += Money(part);
  }
  EXPECT_EQ(taken, 185);
  EXPECT_EQ(ProportionalShare(185, Money(10'000), Money(0), Money(5'000)), 92);
}

TEST(LoyaltyTest, ValidationNamesTheField) {
  Program program = *ProgramPreset("starbucks");
  program.tiers[2].threshold = 4;
  Status status = ValidateProgram(program);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field(), "tiers[2].threshold");
  program = *ProgramPreset("points");
  program.rate_permille = 1'001;
  EXPECT_EQ(ValidateProgram(program).field(), "rate_permille");
  program = *ProgramPreset("points");
  program.events = {{.name = "x", .first_day = {2026, 5, 3}, .last_day = {2026, 5, 1}}};
  EXPECT_EQ(ValidateProgram(program).field(), "events[0].last_day");
  EXPECT_FALSE(ProgramPreset("nonsense"));
}

TEST(LoyaltyTest, EveryBadFieldIsReportedOnceInFieldOrder) {
  Program program = *ProgramPreset("starbucks");
  program.rate_permille = -5;
  program.max_redeem_percent = 101;
  program.tiers[0].threshold = -1;  // both "starts at 0" and out of range: reported once
  program.tiers[1].name = "";
  std::vector<std::string> fields;
  for (const Status& error : ProgramErrors(program)) fields.push_back(error.field());
  EXPECT_EQ(fields,
            (std::vector<std::string>{"rate_permille", "max_redeem_percent", "tiers[0].threshold", "tiers[1].name"}));
  Status status = ValidateProgram(program);
  EXPECT_EQ(status.field(), "rate_permille");
  EXPECT_EQ(status.details().size(), 4u);
  EXPECT_TRUE(ProgramErrors(*ProgramPreset("points")).empty());
}

TEST(LoyaltyTest, GachaPicksByCumulativeWeight) {
  const std::vector<GachaPrize> prizes = {{"꽝", 90, 0}, {"100P", 9, 100}, {"1000P", 1, 1'000}};
  EXPECT_EQ(GachaTotalWeight(prizes), 100);
  EXPECT_EQ(GachaPick(prizes, 0), 0u);
  EXPECT_EQ(GachaPick(prizes, 89), 0u);
  EXPECT_EQ(GachaPick(prizes, 90), 1u);
  EXPECT_EQ(GachaPick(prizes, 99), 2u);
}

}  // namespace
}  // namespace crm::domain
