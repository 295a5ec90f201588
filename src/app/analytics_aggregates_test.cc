#include "app/analytics_aggregates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "analytics/customer_behavior.h"
#include "analytics/model_summary.h"
#include "analytics/rfm.h"
#include "analytics/transactions.h"

namespace crm::app {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kOffsetSeconds = 9 * 3600;
const Timestamp kAsOf = Timestamp::FromMicros(1'735'689'600'000'000);  // 2025-01-01T00:00:00Z

// Random sales of a few hundred customers over two years, in random order.
std::vector<OrderFact> RandomSales(uint32_t seed, int count) {
  std::mt19937_64 random(seed);
  std::vector<OrderFact> facts;
  for (int i = 0; i < count; ++i) {
    OrderFact fact;
    fact.order_id = i + 1;
    fact.customer_id = static_cast<int64_t>(random() % 300) + 1;
    fact.branch_id = static_cast<int64_t>(random() % 3) + 1;
    fact.staff_id = static_cast<int64_t>(random() % 4);
    fact.ordered_at_micros = kAsOf.micros() - static_cast<int64_t>(random() % (2 * 365 * 24)) * kHour;
    fact.total_minor = static_cast<int64_t>(random() % 50'000) + 500;
    facts.push_back(fact);
  }
  return facts;
}

analytics::OrderHistory HistoryOf(const std::vector<OrderFact>& facts) {
  analytics::TransactionColumns columns;
  for (const OrderFact& fact : facts) {
    columns.Append(fact.customer_id, fact.order_id, fact.ordered_at_micros, fact.total_minor);
  }
  auto history = analytics::BuildOrderHistory(columns);
  EXPECT_TRUE(history.ok());
  return *history;
}

TEST(BusinessAggregatesTest, IncrementalRfmEqualsTheBatchComputationInAnyOrder) {
  std::vector<OrderFact> facts = RandomSales(7, 5000);
  const analytics::OrderHistory history = HistoryOf(facts);
  auto expected = analytics::ComputeRfm(history, kAsOf);
  ASSERT_TRUE(expected.ok());
  std::shuffle(facts.begin(), facts.end(), std::mt19937_64(11));
  BusinessAggregates aggregates(kOffsetSeconds);
  for (const OrderFact& fact : facts) EXPECT_TRUE(aggregates.Apply(fact));
  const analytics::RfmTable rfm = aggregates.Rfm(kAsOf);
  EXPECT_EQ(rfm.customer_id, expected->customer_id);
  EXPECT_EQ(rfm.recency_days, expected->recency_days);
  EXPECT_EQ(rfm.frequency, expected->frequency);
  EXPECT_EQ(rfm.monetary_minor, expected->monetary_minor);
  EXPECT_EQ(rfm.r, expected->r);
  EXPECT_EQ(rfm.f, expected->f);
  EXPECT_EQ(rfm.m, expected->m);
  EXPECT_EQ(rfm.segment, expected->segment);
  EXPECT_EQ(aggregates.orders_covered(), 5000);
}

TEST(BusinessAggregatesTest, CohortsRhythmAndFunnelEqualTheBatchComputation) {
  std::vector<OrderFact> facts = RandomSales(3, 3000);
  const analytics::OrderHistory history = HistoryOf(facts);
  BusinessAggregates aggregates(kOffsetSeconds);
  std::reverse(facts.begin(), facts.end());
  for (const OrderFact& fact : facts) ASSERT_TRUE(aggregates.Apply(fact));

  auto cohorts = analytics::ComputeMonthlyCohorts(history, kOffsetSeconds);
  ASSERT_TRUE(cohorts.ok());
  const analytics::CohortTable got = aggregates.Cohorts();
  EXPECT_EQ(got.first_month, cohorts->first_month);
  EXPECT_EQ(got.active, cohorts->active);

  auto rhythm = analytics::ComputeVisitRhythm(history, kAsOf, 2.0, kOffsetSeconds);
  ASSERT_TRUE(rhythm.ok());
  auto rows = aggregates.Rhythm(kAsOf, 2.0);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), rhythm->customer_id.size());
  for (size_t i = 0; i < rows->size(); ++i) {
    EXPECT_EQ((*rows)[i].customer_id, rhythm->customer_id[i]);
    EXPECT_EQ((*rows)[i].visit_days, rhythm->visit_days[i]);
    EXPECT_DOUBLE_EQ((*rows)[i].median_gap_days, rhythm->median_gap_days[i]);
    EXPECT_EQ((*rows)[i].days_since_last, rhythm->days_since_last[i]);
    EXPECT_EQ((*rows)[i].overdue, rhythm->overdue[i] != 0);
  }

  const analytics::PurchaseFunnel funnel = analytics::ComputeFunnel(history);
  EXPECT_EQ(aggregates.Funnel().first, funnel.first);
  EXPECT_EQ(aggregates.Funnel().second, funnel.second);
  EXPECT_EQ(aggregates.Funnel().third_plus, funnel.third_plus);
  EXPECT_DOUBLE_EQ(aggregates.Revisit().rate, analytics::ComputeRevisit(history).rate);
}

TEST(BusinessAggregatesTest, AnOrderSeenTwiceCountsOnce) {
  BusinessAggregates aggregates(0);
  OrderFact sale{
      .order_id = 42, .customer_id = 7, .branch_id = 1, .ordered_at_micros = kAsOf.micros(), .total_minor = 10'000};
  EXPECT_TRUE(aggregates.Apply(sale));
  const uint64_t version = aggregates.version();
  EXPECT_FALSE(aggregates.Apply(sale));
  EXPECT_EQ(aggregates.version(), version);
  EXPECT_EQ(aggregates.orders_covered(), 1);
  EXPECT_EQ(aggregates.Rfm(kAsOf).frequency, std::vector<int64_t>{1});
}

TEST(BusinessAggregatesTest, ARefundLowersSpendAndTheDayValueButNotTheVisits) {
  BusinessAggregates aggregates(0);
  const int64_t day = 86'400'000'000;
  ASSERT_TRUE(aggregates.Apply({.order_id = 1,
                                .customer_id = 7,
                                .branch_id = 1,
                                .staff_id = 3,
                                .ordered_at_micros = kAsOf.micros() - 10 * day,
                                .total_minor = 10'000}));
  ASSERT_TRUE(aggregates.Apply({.order_id = 2,
                                .customer_id = 7,
                                .branch_id = 1,
                                .staff_id = 3,
                                .ordered_at_micros = kAsOf.micros() - 3 * day,
                                .total_minor = 8'000}));
  ASSERT_TRUE(aggregates.Apply({.order_id = 3,
                                .customer_id = 7,
                                .branch_id = 1,
                                .staff_id = 4,
                                .refund = true,
                                .ordered_at_micros = kAsOf.micros() - day,
                                .total_minor = -3'000,
                                .original_ordered_at_micros = kAsOf.micros() - 3 * day,
                                .original_staff_id = 3}));
  const analytics::RfmTable rfm = aggregates.Rfm(kAsOf);
  EXPECT_EQ(rfm.frequency, std::vector<int64_t>{2});
  EXPECT_EQ(rfm.monetary_minor, std::vector<int64_t>{15'000});
  EXPECT_EQ(rfm.recency_days, std::vector<int64_t>{3});
  const analytics::CustomerSummary summary = aggregates.ModelSummary(kAsOf);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary.x[0], 1);
  EXPECT_DOUBLE_EQ(summary.m_x[0], 5'000.0);  // the repeat day's 8,000 less the 3,000 refunded
  EXPECT_DOUBLE_EQ(summary.T[0], 10.0 / 7.0);
  const auto staff = aggregates.Staff();
  ASSERT_EQ(staff.size(), 1u);  // the refund counts against the sale's staff member
  EXPECT_EQ(staff[0].id, 3);
  EXPECT_EQ(staff[0].revenue_minor, 15'000);
  EXPECT_EQ(staff[0].new_customers, 1);
  EXPECT_EQ(staff[0].returning_customers, 1);
  EXPECT_EQ(aggregates.revenue_minor(), 15'000);
}

TEST(BusinessAggregatesTest, HoldoutSummaryEqualsTheBatchSummary) {
  std::vector<OrderFact> facts = RandomSales(5, 4000);
  const analytics::OrderHistory history = HistoryOf(facts);
  std::shuffle(facts.begin(), facts.end(), std::mt19937_64(3));
  BusinessAggregates aggregates(kOffsetSeconds);
  for (const OrderFact& fact : facts) EXPECT_TRUE(aggregates.Apply(fact));
  const int64_t today = (kAsOf.micros() / 1'000'000 + kOffsetSeconds) / 86'400;
  const int64_t calibration_end = today - 91;
  analytics::SummaryParameters parameters;
  parameters.calibration_end = CivilFromDays(calibration_end);
  parameters.observation_end = CivilFromDays(today);
  parameters.utc_offset_seconds = kOffsetSeconds;
  auto expected = analytics::SummarizeForModels(history, parameters);
  ASSERT_TRUE(expected.ok());
  const analytics::CustomerSummary summary = aggregates.ModelSummary(kAsOf, calibration_end);
  ASSERT_GT(summary.size(), 100u);
  EXPECT_EQ(summary.customer_id, expected->customer_id);
  EXPECT_EQ(summary.x, expected->x);
  EXPECT_EQ(summary.t_x, expected->t_x);
  EXPECT_EQ(summary.T, expected->T);
  EXPECT_EQ(summary.holdout_x, expected->holdout_x);
  ASSERT_EQ(summary.m_x.size(), expected->m_x.size());
  for (size_t i = 0; i < summary.size(); ++i) {
    EXPECT_NEAR(summary.m_x[i], expected->m_x[i], 1e-9 * (1 + expected->m_x[i]));
    EXPECT_EQ(summary.holdout_value[i], expected->holdout_value[i]);
  }
  EXPECT_EQ(summary.first_day, expected->first_day);
  EXPECT_EQ(summary.repeats_by_day, expected->repeats_by_day);
  EXPECT_EQ(summary.first_day_of_data, expected->first_day_of_data);
  EXPECT_EQ(summary.calibration_end_day, expected->calibration_end_day);
  EXPECT_EQ(summary.observation_end_day, expected->observation_end_day);
  EXPECT_DOUBLE_EQ(summary.holdout_length, 13.0);
  int64_t holdout = 0;
  for (int32_t x : summary.holdout_x) holdout += x;
  EXPECT_GT(holdout, 0);
}

TEST(BusinessAggregatesTest, BasketsKeepEachProductOncePerOrder) {
  BusinessAggregates aggregates(0);
  aggregates.AddBasket({"라떼", "쿠키", "라떼"});
  aggregates.AddBasket({"쿠키"});
  aggregates.AddBasket({});
  const analytics::Baskets& baskets = aggregates.baskets();
  EXPECT_EQ(baskets.transaction_count(), 2u);
  EXPECT_EQ(baskets.item_labels, (std::vector<std::string>{"라떼", "쿠키"}));
  EXPECT_EQ(baskets.items, (std::vector<uint32_t>{0, 1, 1}));
}

}  // namespace
}  // namespace crm::app
