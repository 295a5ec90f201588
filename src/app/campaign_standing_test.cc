#include "app/campaign_standing.h"

#include <gtest/gtest.h>

namespace crm::app {
namespace {

LoyaltyFacts Facts(int64_t balance, int tier, int64_t progress, int64_t visits = 0, int64_t spend = 0) {
  LoyaltyFacts facts{balance, tier, progress, {}};
  facts.stats.visit_count = visits;
  facts.stats.total_spend = Money(spend);
  return facts;
}

TEST(CampaignStandingTest, WithoutAProgramOnlyTheBalanceShows) {
  const TemplateStanding standing = StandingOf(std::nullopt, Facts(12'345, 0, 0));
  EXPECT_EQ(standing.points, "12,345");
  EXPECT_EQ(standing.tier, "");
  EXPECT_EQ(standing.next_reward, "");
}

TEST(CampaignStandingTest, StampsCountDownToTheNextReward) {
  const auto program = domain::ProgramPreset("stamps");
  EXPECT_EQ(StandingOf(program, Facts(7, 0, 7)).next_reward, "스탬프 3개 더 모으면 6,000원 상당 무료 메뉴");
  EXPECT_EQ(StandingOf(program, Facts(0, 0, 0)).next_reward, "스탬프 10개 더 모으면 6,000원 상당 무료 메뉴");
  // Progress past a reward counts towards the next one.
  EXPECT_EQ(StandingOf(program, Facts(2, 0, 12)).next_reward, "스탬프 8개 더 모으면 6,000원 상당 무료 메뉴");
}

TEST(CampaignStandingTest, GoldStarsCountDownToTheFreeDrinkAndLowerTiersShowNothingForRollingWindows) {
  const auto program = domain::ProgramPreset("starbucks");
  const TemplateStanding gold = StandingOf(program, Facts(40, 2, 7));
  EXPECT_EQ(gold.tier, "Gold");
  EXPECT_EQ(gold.points, "40");
  EXPECT_EQ(gold.next_reward, "별 5개 더 모으면 무료 메뉴");
  const TemplateStanding green = StandingOf(program, Facts(8, 1, 0));
  EXPECT_EQ(green.tier, "Green");
  EXPECT_EQ(green.next_reward, "");  // measured over a rolling year: not derived here
}

TEST(CampaignStandingTest, VisitRanksNameTheNextRank) {
  const auto program = domain::ProgramPreset("visit-ranks");
  const TemplateStanding standing = StandingOf(program, Facts(0, 2, 0, 7));
  EXPECT_EQ(standing.tier, "계장");
  EXPECT_EQ(standing.next_reward, "3번 더 방문하면 과장");
  // The highest rank has nothing next; a stored index past the tiers is clamped.
  EXPECT_EQ(StandingOf(program, Facts(0, 7, 0, 40)).next_reward, "");
  EXPECT_EQ(StandingOf(program, Facts(0, 99, 0, 40)).tier, "회장");
}

TEST(CampaignStandingTest, PointsBelowTheRedeemableBalanceSayHowMuchIsMissing) {
  const auto program = domain::ProgramPreset("points");
  EXPECT_EQ(StandingOf(program, Facts(3'800, 0, 0)).next_reward, "1,200포인트 더 모으면 사용할 수 있어요");
  EXPECT_EQ(StandingOf(program, Facts(5'000, 0, 0)).next_reward, "");
  EXPECT_EQ(StandingOf(program, Facts(5'000, 0, 0)).points, "5,000");
}

TEST(CampaignStandingTest, SpendTiersNameTheAmountToTheNextTier) {
  domain::Program program = *domain::ProgramPreset("points");
  program.tier_metric = domain::TierMetric::kSpend;
  program.tiers = {{.name = "일반", .threshold = 0}, {.name = "VIP", .threshold = 300'000}};
  EXPECT_EQ(StandingOf(program, Facts(6'000, 0, 0, 10, 255'500)).next_reward, "44,500원 더 이용하면 VIP");
}

}  // namespace
}  // namespace crm::app
