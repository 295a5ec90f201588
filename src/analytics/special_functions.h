// Special functions the customer-base models need, written with their numerical limits in mind:
// the digamma function for likelihood gradients and the Gaussian hypergeometric function 2F1 for
// BG/NBD expectations. Log-gamma is std::lgamma. Pure and thread-safe.
#pragma once

#include "common/status.h"

namespace crm::analytics {

// psi(x) = d/dx ln Gamma(x) for x > 0, to about 1e-14 relative: recurrence up to x >= 12, then
// the asymptotic series. NaN for x <= 0.
double Digamma(double x);

// 2F1(a, b; c; z) for real a, b, c > 0 and 0 <= z < 1 by its power series, summed until a term
// no longer changes the sum in double precision. The series is convergent there, but slow when
// z is close to 1 (about -36 / ln z terms); past `max_terms` it fails with kFailedPrecondition
// rather than return an inaccurate value. kInvalidArgument outside the domain.
Result<double> Hypergeometric2F1(double a, double b, double c, double z, int max_terms = 2'000'000);

}  // namespace crm::analytics
