#include "analytics/pareto_nbd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

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

// Customers who behave as Pareto/NBD says, acquired uniformly over a year and observed to its end
// (weeks). Seeded: the same data every run.
CustomerSummary Simulate(const ParetoNbdParameters& p, int customers, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::gamma_distribution<double> lambda_of(p.r, 1 / p.alpha), mu_of(p.s, 1 / p.beta);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  CustomerSummary summary;
  constexpr double kEnd = 52.0;
  for (int c = 0; c < customers; ++c) {
    const double birth = std::floor(uniform(random) * kEnd * 7) / 7;
    const double lambda = lambda_of(random), mu = mu_of(random);
    const double death = birth - std::log(1 - uniform(random)) / mu;
    const double until = std::min(death, kEnd);
    int x = 0;
    double last = birth;
    for (double t = birth - std::log(1 - uniform(random)) / lambda; t < until;
         t -= std::log(1 - uniform(random)) / lambda) {
      ++x;
      last = t;
    }
    summary.customer_id.push_back(c + 1);
    summary.x.push_back(x);
    summary.t_x.push_back(last - birth);
    summary.T.push_back(kEnd - birth);
  }
  return summary;
}

CustomerSummary OneCustomer(int32_t x, double t_x, double T) {
  CustomerSummary s;
  s.customer_id = {1};
  s.x = {x};
  s.t_x = {t_x};
  s.T = {T};
  return s;
}

// The same likelihood by brute force: composite Simpson over a fine grid in
// v = ln(1 + (tau - t_x) / h) with h a millionth of the interval, which resolves any peak at t_x.
double BruteForceLogLikelihood(const ParetoNbdParameters& p, double x, double t_x, double T) {
  const double a1 = p.r + x;
  const double alive = -a1 * std::log(p.alpha + T) - p.s * std::log(p.beta + T);
  double log_dead = -HUGE_VAL;
  if (T > t_x) {
    const double h = (T - t_x) * 1e-6;
    const double top = std::log1p((T - t_x) / h);
    const int steps = 400'000;
    auto log_f = [&](double v) {
      const double tau = t_x + h * std::expm1(v);
      return -a1 * std::log(p.alpha + tau) - (p.s + 1) * std::log(p.beta + tau) + std::log(h) + v;
    };
    const double peak = std::max(log_f(0), log_f(top));
    double sum = 0;
    for (int k = 0; k <= steps; ++k) {
      const double weight = (k == 0 || k == steps) ? 1 : (k % 2 == 1 ? 4 : 2);
      sum += weight * std::exp(log_f(top * k / steps) - peak);
    }
    log_dead = std::log(p.s) + peak + std::log(sum * top / steps / 3);
  }
  const double hi = std::max(alive, log_dead);
  return std::lgamma(p.r + x) - std::lgamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta) + hi +
         std::log(std::exp(alive - hi) + std::exp(log_dead - hi));
}

TEST(ParetoNbdTest, LikelihoodMatchesBruteForceIntegrationAlsoWhenZNearsOne) {
  // The last sets put z = (alpha - beta) / (alpha + t) within 1e-3 .. 1e-6 of 1, where the 2F1
  // series of the closed form needs 10^4 .. 10^7 terms.
  const std::vector<ParetoNbdParameters> sets = {{0.553, 10.58, 0.606, 11.67},
                                                 {0.5, 2.0, 3.0, 40.0},
                                                 {20.0, 40.0, 300.0, 12'000.0},
                                                 {50.0, 100.0, 1.0, 0.1},
                                                 {8.0, 5'000.0, 0.3, 0.01},
                                                 {300.0, 1e6, 318.0, 12'051.0}};
  const std::vector<std::array<double, 3>> histories = {
      {0, 0, 38.9}, {1, 0.1, 38.9}, {2, 30.4, 38.9}, {29, 37.7, 38}, {5, 2, 3}, {200, 103.4, 103.6}, {3, 0, 1e-3}};
  for (const ParetoNbdParameters& p : sets) {
    for (const auto& [x, t_x, T] : histories) {
      Result<double> ll = ParetoNbdLogLikelihood(p, OneCustomer(static_cast<int32_t>(x), t_x, T));
      ASSERT_TRUE(ll.ok()) << ll.status().ToString();
      const double expected = BruteForceLogLikelihood(p, x, t_x, T);
      EXPECT_NEAR(*ll, expected, 1e-9 * std::max(1.0, std::abs(expected)))
          << "r=" << p.r << " alpha=" << p.alpha << " s=" << p.s << " beta=" << p.beta << " x=" << x
          << " t_x=" << t_x << " T=" << T;
    }
  }
}

TEST(ParetoNbdTest, AnalyticGradientMatchesCentralDifferences) {
  const CustomerSummary data = Simulate({50.0, 100.0, 0.05, 0.5}, 300, 7);
  for (const ParetoNbdParameters& p :
       std::vector<ParetoNbdParameters>{{0.55, 10.6, 0.6, 11.7}, {50.0, 100.0, 1.0, 0.2}, {3.0, 900.0, 2.0, 0.05}}) {
    std::array<double, 4> gradient{};
    ASSERT_TRUE(ParetoNbdLogLikelihood(p, data, &gradient).ok());
    for (size_t k = 0; k < 4; ++k) {
      ParetoNbdParameters up = p, down = p;
      double* u[4] = {&up.r, &up.alpha, &up.s, &up.beta};
      double* d[4] = {&down.r, &down.alpha, &down.s, &down.beta};
      const double h = 1e-5 * *u[k];
      *u[k] += h;
      *d[k] -= h;
      const double numeric = (*ParetoNbdLogLikelihood(up, data) - *ParetoNbdLogLikelihood(down, data)) / (2 * h);
      EXPECT_NEAR(gradient[k], numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << "parameter " << k;
    }
  }
}

// Regulars of a café: purchase rates alike (r and alpha large), lifetimes very unlike (beta small),
// so alpha is hundreds of times beta and z nears 1 for every customer.
TEST(ParetoNbdTest, FitConvergesWhenAlphaIsMuchLargerThanBeta) {
  const ParetoNbdParameters truth{50.0, 100.0, 0.05, 0.5};
  const CustomerSummary data = Simulate(truth, 2000, 11);
  Result<ParetoNbdFit> fit = FitParetoNbd(data);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_TRUE(fit->converged);
  EXPECT_FALSE(fit->out_of_time);
  // The maximum is at least as likely as the truth, and near it: the mean purchase rate r/alpha
  // and the mean lifetime's scale come back.
  EXPECT_GE(fit->log_likelihood, *ParetoNbdLogLikelihood(truth, data) - 1e-6);
  EXPECT_NEAR(fit->parameters.r / fit->parameters.alpha, truth.r / truth.alpha, 0.1 * truth.r / truth.alpha);
  EXPECT_GT(fit->parameters.alpha / fit->parameters.beta, 20.0);
}

// Above 8,000 distinct histories the fit starts from a pilot fit on a spread of them: it still ends
// at the maximum.
TEST(ParetoNbdTest, LargeFitFromAPilotFitConverges) {
  const ParetoNbdParameters truth{0.55, 10.6, 0.6, 11.7};
  const CustomerSummary data = Simulate(truth, 12'000, 5);
  Result<ParetoNbdFit> fit = FitParetoNbd(data);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_TRUE(fit->converged);
  EXPECT_GE(fit->log_likelihood, *ParetoNbdLogLikelihood(truth, data) - 1e-6);
  // At the maximum the gradient vanishes.
  std::array<double, 4> gradient{};
  ASSERT_TRUE(ParetoNbdLogLikelihood(fit->parameters, data, &gradient).ok());
  const ParetoNbdParameters& p = fit->parameters;
  const double theta[4] = {p.r, p.alpha, p.s, p.beta};
  for (size_t k = 0; k < 4; ++k) EXPECT_LT(std::abs(theta[k] * gradient[k]) / 12'000, 1e-6) << k;
}

TEST(ParetoNbdTest, InterruptCancelsOrStopsAtTheBestPointSoFar) {
  const CustomerSummary data = Simulate({0.55, 10.6, 0.6, 11.7}, 500, 3);
  Result<ParetoNbdFit> cancelled = FitParetoNbd(data, [] { return Interruption::kCancelled; });
  EXPECT_EQ(cancelled.status().code(), StatusCode::kAborted);
  int polls = 0;
  Result<ParetoNbdFit> out_of_time =
      FitParetoNbd(data, [&polls] { return ++polls > 3 ? Interruption::kOutOfTime : Interruption::kNone; });
  ASSERT_TRUE(out_of_time.ok()) << out_of_time.status().ToString();
  EXPECT_TRUE(out_of_time->out_of_time);
  EXPECT_FALSE(out_of_time->converged);
  EXPECT_TRUE(std::isfinite(out_of_time->log_likelihood));
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
