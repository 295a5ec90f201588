#include "domain/campaign.h"

#include <gtest/gtest.h>

#include <cmath>

namespace crm::domain {
namespace {

TEST(CampaignTest, ControlGroupIsStableForASeedAndNearItsShare) {
  int in_control = 0;
  for (int64_t id = 1; id <= 10'000; ++id) {
    const bool control = InControlGroup(7, CustomerId(id), 100);
    EXPECT_EQ(control, InControlGroup(7, CustomerId(id), 100));
    in_control += control ? 1 : 0;
  }
  EXPECT_GT(in_control, 900);
  EXPECT_LT(in_control, 1100);
  int differs = 0;
  for (int64_t id = 1; id <= 1000; ++id) {
    differs += InControlGroup(7, CustomerId(id), 100) != InControlGroup(8, CustomerId(id), 100) ? 1 : 0;
  }
  EXPECT_GT(differs, 50);  // another seed draws another group
  EXPECT_FALSE(InControlGroup(7, CustomerId(1), 0));
}

TEST(CampaignTest, AdvertisingOnAlimTalkAndFallbacksOtherThanToTextAreRefusedNamingTheRule) {
  Campaign c;
  c.name = "알림";
  c.body = "#{이름}님";
  c.audience_kind = AudienceKind::kAtRisk;
  c.channel = Channel::kAlimTalk;
  c.purpose = Purpose::kAdvertising;
  Status status = ValidateCampaign(c);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.reason(), "rule_msg_02");
  c.purpose = Purpose::kInformational;
  c.fallback_channel = Channel::kSms;
  EXPECT_TRUE(ValidateCampaign(c).ok());
  c.fallback_channel = Channel::kEmail;
  EXPECT_EQ(ValidateCampaign(c).field(), "fallback_channel");
  c.fallback_channel.reset();
  c.control_share_permille = 950;
  EXPECT_EQ(ValidateCampaign(c).field(), "control_share_permille");
}

TEST(CampaignTest, UpliftIsTheDifferenceOfMeansWithAWelchIntervalAndNetOfCost) {
  // Treated revenue per customer 0, 10, 20 (mean 10, variance 100); control 0, 0 (mean 0, variance 0).
  OutcomeSample treated{3, 2, 2, 30, 1, 2, 500};
  OutcomeSample control{2, 0, 0, 0, 0, 0, 0};
  Uplift u = ComputeUplift(treated, control, 7);
  ASSERT_TRUE(u.revenue_per_customer.defined);
  EXPECT_DOUBLE_EQ(u.revenue_per_customer.difference, 10);
  const double se = std::sqrt(100.0 / 3);
  EXPECT_NEAR(u.revenue_per_customer.low, 10 - 1.959963984540054 * se, 1e-9);
  EXPECT_NEAR(u.revenue_per_customer.high, 10 + 1.959963984540054 * se, 1e-9);
  EXPECT_NEAR(u.buyer_share.treated, 2.0 / 3, 1e-12);
  EXPECT_EQ(u.incremental_revenue, 30);
  EXPECT_EQ(u.net, 23);
  EXPECT_FALSE(ComputeUplift(treated, OutcomeSample{}, 0).visits_per_customer.defined);
}

}  // namespace
}  // namespace crm::domain
