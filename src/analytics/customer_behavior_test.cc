#include "analytics/customer_behavior.h"

#include <gtest/gtest.h>

namespace crm::analytics {
namespace {

int64_t At(int year, int month, int day) {
  return DaysFromCivil(year, month, day) * kMicrosPerDay + 12 * 3'600'000'000LL;
}

// Customer 1: Jan 1, Jan 11, Jan 21 (gaps 10, 10), two orders on Jan 21.
// Customer 2: Jan 31, Feb 2.  Customer 3: Feb 15 only.
OrderHistory Sample() {
  TransactionColumns tx;
  tx.Append(1, 1, At(2024, 1, 1), 100);
  tx.Append(1, 2, At(2024, 1, 11), 100);
  tx.Append(1, 3, At(2024, 1, 21), 100);
  tx.Append(1, 4, At(2024, 1, 21) + 3'600'000'000LL, 100);
  tx.Append(2, 5, At(2024, 1, 31), 100);
  tx.Append(2, 6, At(2024, 2, 2), 100);
  tx.Append(3, 7, At(2024, 2, 15), 100);
  return *BuildOrderHistory(tx);
}

TEST(CustomerBehaviorTest, RevisitAndFunnel) {
  const OrderHistory history = Sample();
  const RevisitSummary revisit = ComputeRevisit(history);
  EXPECT_EQ(revisit.customers, 3);
  EXPECT_EQ(revisit.returning, 2);
  EXPECT_DOUBLE_EQ(revisit.rate, 2.0 / 3);
  const PurchaseFunnel funnel = ComputeFunnel(history);
  EXPECT_EQ(funnel.first, 3);
  EXPECT_EQ(funnel.second, 2);
  EXPECT_EQ(funnel.third_plus, 1);
  EXPECT_DOUBLE_EQ(funnel.second_to_third, 0.5);
}

TEST(CustomerBehaviorTest, MonthlyCohorts) {
  Result<CohortTable> cohorts = ComputeMonthlyCohorts(Sample(), 0);
  ASSERT_TRUE(cohorts.ok());
  ASSERT_EQ(cohorts->active.size(), 2u);
  EXPECT_EQ(cohorts->CohortLabel(0), "2024-01");
  EXPECT_EQ(cohorts->active[0], (std::vector<int64_t>{2, 1}));  // customer 2 came back in Feb
  EXPECT_EQ(cohorts->active[1], (std::vector<int64_t>{1}));
  // Fourteen hours east, customer 2's Jan 31 noon order is already Feb 1: cohort Feb.
  Result<CohortTable> east = ComputeMonthlyCohorts(Sample(), 14 * 3600);
  ASSERT_TRUE(east.ok());
  EXPECT_EQ(east->active[0], (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(east->active[1], (std::vector<int64_t>{2}));
  EXPECT_FALSE(ComputeMonthlyCohorts(Sample(), 20 * 3600).ok());
  Result<CohortTable> empty = ComputeMonthlyCohorts(OrderHistory{{}, {0}}, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->active.empty());
}

TEST(CustomerBehaviorTest, RhythmAndOverdue) {
  Result<VisitRhythm> rhythm =
      ComputeVisitRhythm(Sample(), Timestamp::FromMicros(At(2024, 2, 15)), 2.0);
  ASSERT_TRUE(rhythm.ok());
  EXPECT_EQ(rhythm->visit_days, (std::vector<int32_t>{3, 2, 1}));
  EXPECT_EQ(rhythm->median_gap_days, (std::vector<double>{10, 2, 0}));
  EXPECT_EQ(rhythm->days_since_last, (std::vector<int64_t>{25, 13, 0}));
  // 25 > 2 * 10 and 13 > 2 * 2; one visit is never overdue.
  EXPECT_EQ(rhythm->overdue, (std::vector<uint8_t>{1, 1, 0}));
  EXPECT_EQ(ComputeVisitRhythm(Sample(), Timestamp(), 0.0).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::analytics
