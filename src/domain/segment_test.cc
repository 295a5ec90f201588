#include "domain/segment.h"

#include <gtest/gtest.h>

namespace crm::domain {
namespace {

const Timestamp kNow = Timestamp::FromMicros(1'735'689'600'000'000);
constexpr int64_t kDay = 86'400'000'000;

Customer Regular() {
  Customer customer;
  customer.tags = {"단골"};
  customer.consents = {{ConsentChannel::kKakao, true, kNow, "kiosk"}, {ConsentChannel::kSms, false, kNow, "kiosk"}};
  customer.stats.visit_count = 5;
  customer.stats.total_spend = Money(50'000);
  customer.stats.last_visit_at = Timestamp::FromMicros(kNow.micros() - 10 * kDay);
  return customer;
}

TEST(SegmentTest, EveryCriterionSetMustHold) {
  const Customer customer = Regular();
  const SegmentFacts facts{.rfm_segment = 8, .overdue = true, .tier_index = 1};
  SegmentFilter filter;
  EXPECT_TRUE(MatchesSegment(filter, customer, LifecycleStage::kRegular, facts, kNow));
  filter = {.rfm_segment = 8,
            .stage = LifecycleStage::kRegular,
            .tag = "단골",
            .consent = ConsentChannel::kKakao,
            .min_tier_index = 1,
            .min_visits = 5,
            .min_spend = 50'000,
            .visited_within_days = 10,
            .not_visited_for_days = 10,
            .overdue_only = true};
  EXPECT_TRUE(MatchesSegment(filter, customer, LifecycleStage::kRegular, facts, kNow));
  auto fails = [&](auto change) {
    SegmentFilter changed = filter;
    change(changed);
    return !MatchesSegment(changed, customer, LifecycleStage::kRegular, facts, kNow);
  };
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.rfm_segment = 1; }));
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.stage = LifecycleStage::kLoyal; }));
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.tag = "VIP"; }));
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.consent = ConsentChannel::kSms; }));  // refused, not granted
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.min_tier_index = 2; }));
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.min_visits = 6; }));
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.min_spend = 50'001; }));
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.visited_within_days = 9; }));
  EXPECT_TRUE(fails([](SegmentFilter& f) { f.not_visited_for_days = 11; }));
  EXPECT_FALSE(MatchesSegment(filter, customer, LifecycleStage::kRegular,
                              SegmentFacts{.rfm_segment = 8, .overdue = false, .tier_index = 1}, kNow));
}

TEST(SegmentTest, BadValuesNameTheirField) {
  SavedSegment segment;
  EXPECT_EQ(ValidateSegment(segment).field(), "name");
  segment.name = "단골";
  EXPECT_TRUE(ValidateSegment(segment).ok());
  segment.filter.rfm_segment = 12;
  EXPECT_EQ(ValidateSegment(segment).field(), "filter.rfm_segment");
  segment.filter.rfm_segment.reset();
  segment.filter.min_spend = -1;
  EXPECT_EQ(ValidateSegment(segment).field(), "filter.min_spend");
}

}  // namespace
}  // namespace crm::domain
