#include "analytics/pareto_nbd.h"

#include <gtest/gtest.h>

#include <cmath>

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

// CLVTools' test_correctness_pnbd.R: its estimates (0.55315, 10.57633, 0.60625, 11.67150),
// LL -9594.976, and the values reported beside BG/NBD in Fader, Hardie & Lee (2005).
TEST(ParetoNbdTest, CdnowFitReproducesClvTools) {
  Result<ParetoNbdFit> fit = FitParetoNbd(Cdnow());
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const ParetoNbdParameters& p = fit->parameters;
  EXPECT_NEAR(p.r, 0.55315, 0.001 * 0.55315);
  EXPECT_NEAR(p.alpha, 10.57633, 0.001 * 10.57633);
  EXPECT_NEAR(p.s, 0.60625, 0.001 * 0.60625);
  EXPECT_NEAR(p.beta, 11.67150, 0.001 * 11.67150);
  EXPECT_NEAR(fit->log_likelihood, -9594.976, 0.01);
}

TEST(ParetoNbdTest, ProbabilityAliveAndExpectationBehave) {
  const ParetoNbdParameters p{0.553, 10.578, 0.606, 11.669};
  Result<double> fresh = ParetoNbdProbabilityAlive(p, 0, 0, 0);
  ASSERT_TRUE(fresh.ok());
  EXPECT_NEAR(*fresh, 1.0, 1e-12);
  // Someone who bought often and then stopped long ago is less likely alive than a recent buyer.
  EXPECT_LT(*ParetoNbdProbabilityAlive(p, 10, 5, 39), *ParetoNbdProbabilityAlive(p, 10, 38, 39));
  // CLVTools' regression case: huge x must give finite probabilities.
  const ParetoNbdParameters q{0.5143, 2.8845, 0.2856, 14.1087};
  Result<double> heavy = ParetoNbdProbabilityAlive(q, 221, 103.42857, 103.57143);
  ASSERT_TRUE(heavy.ok());
  EXPECT_TRUE(std::isfinite(*heavy));
  Result<double> expected = ParetoNbdConditionalExpectedPurchases(p, 39, 2, 30.43, 38.86);
  ASSERT_TRUE(expected.ok());
  EXPECT_GT(*expected, 0.5);
  EXPECT_LT(*expected, 2.0);
  Result<double> at_one = ParetoNbdConditionalExpectedPurchases({0.5, 10, 1.0, 10}, 39, 2, 30, 38);
  ASSERT_TRUE(at_one.ok());
  EXPECT_TRUE(std::isfinite(*at_one));
}

TEST(ParetoNbdTest, BadInputFailsWithInvalidArgument) {
  EXPECT_EQ(FitParetoNbd(CustomerSummary{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParetoNbdProbabilityAlive({0, 1, 1, 1}, 1, 1, 2).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParetoNbdProbabilityAlive({1, 1, 1, 1}, 1, 3, 2).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParetoNbdConditionalExpectedPurchases({1, 1, 1, 1}, -1, 1, 1, 2).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::analytics
