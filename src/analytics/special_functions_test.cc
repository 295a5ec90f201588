#include "analytics/special_functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "analytics/optimizer.h"

namespace crm::analytics {
namespace {

TEST(DigammaTest, KnownValues) {
  EXPECT_NEAR(Digamma(1.0), -0.57721566490153286, 1e-14);
  EXPECT_NEAR(Digamma(0.5), -0.57721566490153286 - 2 * std::log(2.0), 1e-14);
  EXPECT_NEAR(Digamma(100.0), 4.600161852738087, 1e-13);
  EXPECT_TRUE(std::isnan(Digamma(0.0)));
  EXPECT_TRUE(std::isnan(Digamma(-1.0)));
}

TEST(Hypergeometric2F1Test, ClosedForms) {
  // 2F1(1, 1; 2; z) = -ln(1 - z) / z.
  for (double z : {0.1, 0.5, 0.9, 0.99}) {
    Result<double> f = Hypergeometric2F1(1, 1, 2, z);
    ASSERT_TRUE(f.ok());
    EXPECT_NEAR(*f, -std::log1p(-z) / z, 1e-12 * *f);
  }
  // 2F1(a, b; b; z) = (1 - z)^-a.
  Result<double> g = Hypergeometric2F1(0.7, 2.5, 2.5, 0.6);
  ASSERT_TRUE(g.ok());
  EXPECT_NEAR(*g, std::pow(0.4, -0.7), 1e-12);
  EXPECT_DOUBLE_EQ(*Hypergeometric2F1(0.3, 0.4, 0.5, 0.0), 1.0);
}

TEST(Hypergeometric2F1Test, OutsideTheDomainFails) {
  EXPECT_EQ(Hypergeometric2F1(1, 1, 2, 1.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Hypergeometric2F1(1, 1, 2, -0.1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Hypergeometric2F1(-1, 1, 2, 0.5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Hypergeometric2F1(1, 1, 2, 0.999999, 1000).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(OptimizerTest, BfgsAndNelderMeadFindTheRosenbrockMinimum) {
  Objective rosenbrock = [](const std::vector<double>& v, std::vector<double>* g) {
    const double a = 1 - v[0], b = v[1] - v[0] * v[0];
    if (g != nullptr) {
      (*g)[0] = -2 * a - 400 * v[0] * b;
      (*g)[1] = 200 * b;
    }
    return a * a + 100 * b * b;
  };
  Result<Minimum> bfgs = MinimizeBfgs(rosenbrock, {-1.2, 1.0});
  ASSERT_TRUE(bfgs.ok());
  EXPECT_NEAR(bfgs->x[0], 1.0, 1e-6);
  EXPECT_NEAR(bfgs->x[1], 1.0, 1e-6);
  Result<Minimum> simplex = MinimizeNelderMead(rosenbrock, {-1.2, 1.0});
  ASSERT_TRUE(simplex.ok());
  EXPECT_NEAR(simplex->x[0], 1.0, 1e-4);
  Result<Minimum> restarts = MinimizeWithRestarts(rosenbrock, {{3.0, -2.0}, {-1.2, 1.0}});
  ASSERT_TRUE(restarts.ok());
  EXPECT_NEAR(restarts->value, 0.0, 1e-12);
}

TEST(OptimizerTest, BadStartsFailWithInvalidArgument) {
  Objective nowhere = [](const std::vector<double>&, std::vector<double>*) { return NAN; };
  EXPECT_EQ(MinimizeBfgs(nowhere, {0.0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MinimizeBfgs(nowhere, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MinimizeNelderMead(nowhere, {0.0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MinimizeWithRestarts(nowhere, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(MinimizeWithRestarts(nowhere, {{0.0}}).ok());
}

}  // namespace
}  // namespace crm::analytics
