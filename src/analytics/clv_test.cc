#include "analytics/clv.h"

#include <gtest/gtest.h>

#include "analytics/test_data.h"
#include "analytics/text_formats.h"

namespace crm::analytics {
namespace {

CustomerSummary Cdnow() {
  Result<TransactionColumns> tx = ParseCdnowTransactions(testing::ReadTestData("CDNOW_sample.txt"));
  CRM_CHECK(tx.ok());
  Result<OrderHistory> history = BuildOrderHistory(*tx);
  CRM_CHECK(history.ok());
  Result<CustomerSummary> summary =
      SummarizeForModels(*history, {{1997, 9, 30}, {1998, 6, 30}, 7.0, 0, 100.0});
  CRM_CHECK(summary.ok());
  return *summary;
}

TEST(HoldoutReportTest, CdnowPredictionsTrackTheHoldout) {
  const CustomerSummary summary = Cdnow();
  Result<BgNbdFit> fit = FitBgNbd(summary);
  ASSERT_TRUE(fit.ok());
  Result<HoldoutReport> report = ComputeHoldoutReport(fit->parameters, summary);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->customers, 2357);
  EXPECT_EQ(report->actual_total, 1882);  // distinct customer-days in the holdout
  // The model under-predicts the CDNOW holdout by about 12 %, a known feature of this data.
  EXPECT_NEAR(report->predicted_total / report->actual_total, 1.0, 0.15);
  EXPECT_GT(report->correlation, 0.5);
  EXPECT_NEAR(report->predicted_zero / report->actual_zero, 1.0, 0.1);
  ASSERT_EQ(report->cumulative_actual.size(), 78u);
  EXPECT_EQ(report->cumulative_actual.back(), 2457 + 1882);
  // The tracking curve of FHL 2005 (Fig. 2): within a few percent at the end of the holdout.
  EXPECT_NEAR(report->cumulative_predicted.back() / report->cumulative_actual.back(), 1.0, 0.05);
  EXPECT_NEAR(report->class_actual[0], report->class_predicted[0], 0.1);
}

TEST(ClvTest, DiscountingLowersValueAndAliveCustomersAreWorthMore) {
  const CustomerSummary summary = Cdnow();
  const BgNbdParameters purchases{0.243, 4.414, 0.793, 2.426};
  const GammaGammaParameters spend{6.25, 3.74, 15.44};
  Result<CustomerValue> plain = ComputeCustomerValue(purchases, spend, summary, {12, 0.0});
  Result<CustomerValue> discounted = ComputeCustomerValue(purchases, spend, summary, {12, 0.01});
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(discounted.ok());
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_LT(discounted->clv[i], plain->clv[i]);
    EXPECT_NEAR(plain->clv[i], plain->expected_purchases[i] * plain->expected_spend[i],
                1e-9 * plain->clv[i]);
  }
  EXPECT_EQ(ComputeCustomerValue(purchases, spend, summary, {0, 0.01}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeCustomerValue(purchases, {1, 0.5, 1}, summary, {12, 0.01}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeHoldoutReport(purchases, CustomerSummary{}).status().code(),
            StatusCode::kInvalidArgument);
}

// lifetimes' Quickstart prints 12-"month" CLV for customers 1-10 with its default freq "D" on a
// weekly summary, so each of its months is 30 weeks; with that step our values agree to 0.5 %.
TEST(ClvTest, MatchesTheLifetimesQuickstartLoosely) {
  const CustomerSummary summary = Cdnow();
  Result<BgNbdFit> fit = FitBgNbd(summary);
  ASSERT_TRUE(fit.ok());
  Result<CustomerValue> value =
      ComputeCustomerValue(fit->parameters, {6.25, 3.74, 15.45}, summary, {12, 0.01, 30.0 * 7});
  ASSERT_TRUE(value.ok());
  const double lifetimes[] = {140.096211, 18.943467, 38.180574, 38.180574, 38.180574,
                              1003.868107, 28.109683, 38.180574, 167.418216, 38.180574};
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(value->clv[i], lifetimes[i], 0.005 * lifetimes[i]) << i;
}

}  // namespace
}  // namespace crm::analytics
