// BG/NBD and Gamma-Gamma on the CDNOW 1/10th sample, computed from the raw transaction file and
// checked against the published and test-suite values of reference/model-values.md.
#include "analytics/bgnbd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "analytics/gamma_gamma.h"
#include "analytics/test_data.h"
#include "analytics/text_formats.h"

namespace crm::analytics {
namespace {

const BgNbdParameters kPaper{0.243, 4.414, 0.793, 2.426};

CustomerSummary CdnowSummary() {
  Result<TransactionColumns> tx = ParseCdnowTransactions(testing::ReadTestData("CDNOW_sample.txt"));
  CRM_CHECK(tx.ok());
  Result<OrderHistory> history = BuildOrderHistory(*tx);
  CRM_CHECK(history.ok());
  SummaryParameters parameters{{1997, 9, 30}, {1998, 6, 30}, 7.0, 0, 100.0};
  Result<CustomerSummary> summary = SummarizeForModels(*history, parameters);
  CRM_CHECK(summary.ok());
  return *summary;
}

const CustomerSummary& Cdnow() {
  static const CustomerSummary* summary = new CustomerSummary(CdnowSummary());
  return *summary;
}

TEST(CdnowSummaryTest, AggregatesMatchThePaper) {
  const CustomerSummary& s = Cdnow();
  ASSERT_EQ(s.size(), 2357u);
  EXPECT_EQ(std::accumulate(s.x.begin(), s.x.end(), 0), 2457);
  EXPECT_EQ(std::count_if(s.x.begin(), s.x.end(), [](int x) { return x > 0; }), 946);
  EXPECT_EQ(*std::max_element(s.x.begin(), s.x.end()), 29);
  EXPECT_NEAR(s.T[0], 272.0 / 7, 1e-12);  // customer 1 first bought on 1997-01-01
  EXPECT_NEAR(s.holdout_length, 39.0, 1e-12);
  double spend = 0.0;
  for (size_t i = 0; i < s.size(); ++i) spend += s.x[i] > 0 ? s.m_x[i] : 0.0;
  EXPECT_NEAR(spend / 946, 35.078, 0.001);
}

TEST(BgNbdTest, CdnowFitReproducesThePublishedEstimates) {
  Result<BgNbdFit> fit = FitBgNbd(Cdnow());
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const BgNbdParameters& p = fit->parameters;
  // CLVTools' estimates with tolerance 0.001 (relative), and the LL.
  EXPECT_NEAR(p.r, 0.2425945, 0.001 * 0.2425945);
  EXPECT_NEAR(p.alpha, 4.4136019, 0.001 * 4.4136019);
  EXPECT_NEAR(p.a, 0.7929199, 0.001 * 0.7929199);
  EXPECT_NEAR(p.b, 2.4258881, 0.001 * 2.4258881);
  EXPECT_NEAR(fit->log_likelihood, -9582.429, 0.01);
  // Published 3-decimal values.
  EXPECT_NEAR(p.r, 0.243, 0.0005);
  EXPECT_NEAR(p.alpha, 4.414, 0.0005);
  EXPECT_NEAR(p.a, 0.793, 0.0005);
  EXPECT_NEAR(p.b, 2.426, 0.0005);
  // Hardie's Excel note, via lifetimes: |delta| < 0.001 with fitted parameters.
  Result<double> e = BgNbdConditionalExpectedPurchases(p, 39, 2, 30.43, 38.86);
  ASSERT_TRUE(e.ok());
  EXPECT_NEAR(*e, 1.226, 0.001);
  EXPECT_NEAR(BgNbdProbabilityAlive(p, 2, 30.43, 38.86), 0.7266, 0.0001);
  const double times[] = {0.1429, 1, 3, 31.8571, 32, 78};
  const double expected[] = {0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576};
  for (int k = 0; k < 6; ++k) {
    Result<double> x = BgNbdExpectedPurchases(p, times[k]);
    ASSERT_TRUE(x.ok());
    EXPECT_NEAR(*x, expected[k], 0.0015) << "t = " << times[k];  // decimal=3
  }
}

TEST(BgNbdTest, ProbabilityOfPurchasesMatchesBtyd) {
  EXPECT_NEAR(*BgNbdProbabilityOfPurchases(kPaper, 2, 10), 1.07869e-07, 1e-4);
  EXPECT_NEAR(*BgNbdProbabilityOfPurchases(kPaper, 39, 0), 0.5737864, 1e-4);
  const double expected[] = {0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148,
                             0.0007023638, 0.0005517902, 0.0004361913, 0.0003467171,
                             0.0002769613, 0.0002222260};
  for (int n = 11; n <= 20; ++n) {
    EXPECT_NEAR(*BgNbdProbabilityOfPurchases(kPaper, 30, n), expected[n - 11], 1e-9) << n;
  }
  EXPECT_EQ(BgNbdProbabilityOfPurchases(kPaper, 30, -1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(BgNbdTest, ProbabilityAliveBehaves) {
  EXPECT_EQ(BgNbdProbabilityAlive(kPaper, 0, 1, 1), 1.0);
  EXPECT_EQ(BgNbdProbabilityAlive(kPaper, 1000, 10, 100), 0.0);
  for (double x : {1.0, 5.0, 20.0}) {
    for (double t_x : {0.0, 10.0, 30.0}) {
      const double alive = BgNbdProbabilityAlive(kPaper, x, t_x, 39);
      EXPECT_GE(alive, 0.0);
      EXPECT_LE(alive, 1.0);
      // Scaling time by 10 with alpha scaled alike leaves P(alive) unchanged.
      BgNbdParameters scaled = kPaper;
      scaled.alpha *= 10;
      EXPECT_NEAR(BgNbdProbabilityAlive(scaled, x, 10 * t_x, 390), alive, 1e-12);
    }
  }
}

TEST(BgNbdTest, GradientMatchesFiniteDifferencesAtTheOptimum) {
  Result<BgNbdFit> fit = FitBgNbd(Cdnow());
  ASSERT_TRUE(fit.ok());
  BgNbdParameters p = fit->parameters;
  for (double* value : {&p.r, &p.alpha, &p.a, &p.b}) {
    const double saved = *value, h = 1e-5 * saved;
    *value = saved + h;
    const double up = *BgNbdLogLikelihood(p, Cdnow());
    *value = saved - h;
    const double down = *BgNbdLogLikelihood(p, Cdnow());
    *value = saved;
    EXPECT_NEAR((up - down) / (2 * h) * saved, 0.0, 1e-3);  // stationary in log-parameters
  }
}

TEST(BgNbdTest, BadInputFailsWithInvalidArgument) {
  EXPECT_EQ(FitBgNbd(CustomerSummary{}).status().code(), StatusCode::kInvalidArgument);
  CustomerSummary no_repeat;
  no_repeat.customer_id = {1};
  no_repeat.x = {0};
  no_repeat.t_x = {0};
  no_repeat.T = {10};
  EXPECT_EQ(FitBgNbd(no_repeat).status().code(), StatusCode::kInvalidArgument);
  CustomerSummary bad = no_repeat;
  bad.t_x = {20};  // t_x > T
  EXPECT_EQ(FitBgNbd(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BgNbdLogLikelihood({0, 1, 1, 1}, no_repeat).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BgNbdExpectedPurchases(kPaper, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BgNbdConditionalExpectedPurchases(kPaper, 1, 1, 5, 2).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(GammaGammaTest, CdnowFitReproducesFaderHardie2013) {
  Result<GammaGammaFit> fit = FitGammaGamma(Cdnow());
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_EQ(fit->customers, 946);
  EXPECT_NEAR(fit->parameters.p, 6.25, 0.005);  // decimal=2
  EXPECT_NEAR(fit->parameters.q, 3.74, 0.005);
  EXPECT_NEAR(fit->parameters.gamma, 15.44, 0.015);
  EXPECT_NEAR(fit->log_likelihood, -4055.9177, 0.001 * 4055.9177);
  Result<double> at_paper = GammaGammaLogLikelihood({6.25, 3.74, 15.44}, Cdnow());
  ASSERT_TRUE(at_paper.ok());
  EXPECT_NEAR(*at_paper, -4055.9177, 0.001 * 4055.9177);
}

TEST(GammaGammaTest, ExpectedSpendOfTheFirstTenCustomers) {
  const CustomerSummary& s = Cdnow();
  const double expected[] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
  for (int i = 0; i < 10; ++i) {
    Result<double> spend = GammaGammaExpectedSpend({6.25, 3.74, 15.44}, s.x[i], s.m_x[i]);
    ASSERT_TRUE(spend.ok());
    EXPECT_NEAR(*spend, expected[i], 0.1) << "customer " << s.customer_id[i];
  }
}

TEST(GammaGammaTest, BadInputFailsWithInvalidArgument) {
  EXPECT_EQ(FitGammaGamma(CustomerSummary{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GammaGammaExpectedSpend({6, 0.5, 15}, 1, 10).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GammaGammaExpectedSpend({6, 3, 15}, -1, 10).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GammaGammaLogLikelihood({-1, 3, 15}, Cdnow()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::analytics
