#include "analytics/special_functions.h"

#include <cmath>
#include <limits>

namespace crm::analytics {

double Digamma(double x) {
  if (!(x > 0.0) || !std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  double result = 0.0;
  while (x < 12.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  // psi(x) ~ ln x - 1/2x - sum B_2k / (2k x^2k).
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  const double series =
      inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 -
                                                                        inv2 * (1.0 / 132)))));
  return result + std::log(x) - 0.5 * inv - series;
}

Result<double> Hypergeometric2F1(double a, double b, double c, double z, int max_terms) {
  if (!(a > 0.0 && b > 0.0 && c > 0.0) || !(z >= 0.0 && z < 1.0) || !std::isfinite(a + b + c)) {
    return InvalidArgument("2F1 needs a, b, c > 0 and 0 <= z < 1");
  }
  double term = 1.0;
  double sum = 1.0;
  for (int k = 0; k < max_terms; ++k) {
    term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
    const double next = sum + term;
    // Terms are positive; once they are below the last bit of the sum and shrinking, stop.
    if (next == sum && (a + k) * (b + k) < (c + k) * (k + 1.0) / z) return sum;
    sum = next;
    if (!std::isfinite(sum)) break;
  }
  return FailedPrecondition("2F1 series did not converge (z too close to 1)");
}

}  // namespace crm::analytics
