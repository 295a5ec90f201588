#include "analytics/gamma_gamma.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "analytics/optimizer.h"
#include "analytics/special_functions.h"

namespace crm::analytics {
namespace {

bool Positive(const GammaGammaParameters& g) {
  return g.p > 0 && g.q > 0 && g.gamma > 0 && std::isfinite(g.p + g.q + g.gamma);
}

Status CheckSummary(const CustomerSummary& s) {
  if (s.x.size() != s.size() || s.m_x.size() != s.size()) {
    return InvalidArgument("customer summary columns differ in length");
  }
  return Status::Ok();
}

bool Counts(const CustomerSummary& s, size_t i) { return s.x[i] > 0 && s.m_x[i] > 0; }

// The repeaters only, with the per-customer logarithms that do not depend on the parameters.
struct Repeaters {
  std::vector<int32_t> x;
  std::vector<double> m, log_m;
  int32_t max_x = 0;
};

Repeaters SelectRepeaters(const CustomerSummary& s) {
  Repeaters r;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!Counts(s, i)) continue;
    r.x.push_back(s.x[i]);
    r.m.push_back(s.m_x[i]);
    r.log_m.push_back(std::log(s.m_x[i]));
    r.max_x = std::max(r.max_x, s.x[i]);
  }
  return r;
}

// Terms that depend on x only, per distinct x.
struct PerX {
  double constant, d_p, d_q;
};

// Log-likelihood and, when `gradient` is given, d/d(p, q, gamma).
double LogLikelihoodAndGradient(const GammaGammaParameters& g, const Repeaters& r,
                                double* gradient) {
  const double lg_q = std::lgamma(g.q), psi_q = Digamma(g.q), log_gamma = std::log(g.gamma);
  std::vector<PerX> table(static_cast<size_t>(r.max_x) + 1);
  for (int32_t x = 1; x <= r.max_x; ++x) {
    const double px = g.p * x, psi_pxq = Digamma(px + g.q);
    table[x] = {std::lgamma(px + g.q) - std::lgamma(px) - lg_q + g.q * log_gamma + px * std::log(x),
                x * (psi_pxq - Digamma(px) + std::log(x)), psi_pxq - psi_q + log_gamma};
  }
  double total = 0.0, d_p = 0.0, d_q = 0.0, d_gamma = 0.0;
  for (size_t i = 0; i < r.x.size(); ++i) {
    const int32_t x = r.x[i];
    const double px = g.p * x, tail = g.gamma + x * r.m[i], log_tail = std::log(tail);
    total += table[x].constant + (px - 1) * r.log_m[i] - (px + g.q) * log_tail;
    if (gradient == nullptr) continue;
    d_p += table[x].d_p + x * (r.log_m[i] - log_tail);
    d_q += table[x].d_q - log_tail;
    d_gamma += g.q / g.gamma - (px + g.q) / tail;
  }
  if (gradient != nullptr) gradient[0] = d_p, gradient[1] = d_q, gradient[2] = d_gamma;
  return total;
}

}  // namespace

Result<double> GammaGammaLogLikelihood(const GammaGammaParameters& parameters,
                                       const CustomerSummary& summary) {
  if (!Positive(parameters)) return InvalidArgument("Gamma-Gamma parameters must be positive");
  CRM_RETURN_IF_ERROR(CheckSummary(summary));
  return LogLikelihoodAndGradient(parameters, SelectRepeaters(summary), nullptr);
}

Result<GammaGammaFit> FitGammaGamma(const CustomerSummary& summary, const Interrupt& interrupt) {
  CRM_RETURN_IF_ERROR(CheckSummary(summary));
  const Repeaters selected = SelectRepeaters(summary);
  const int repeaters = static_cast<int>(selected.x.size());
  if (repeaters < 2) return InvalidArgument("Gamma-Gamma needs at least two repeat customers");
  double mean_spend = 0.0;
  for (double m : selected.m) mean_spend += m / repeaters;
  const double n = repeaters;
  Objective objective = [&](const std::vector<double>& v, std::vector<double>* gradient) {
    const GammaGammaParameters g{std::exp(v[0]), std::exp(v[1]), std::exp(v[2])};
    if (!Positive(g)) return HUGE_VAL;
    double d[3];
    const double ll = LogLikelihoodAndGradient(g, selected, gradient ? d : nullptr);
    if (gradient != nullptr) {
      (*gradient)[0] = -d[0] * g.p / n;
      (*gradient)[1] = -d[1] * g.q / n;
      (*gradient)[2] = -d[2] * g.gamma / n;
    }
    return -ll / n;
  };
  const double log_mean = std::log(mean_spend);
  const std::vector<std::vector<double>> starts = {
      {0.0, std::log(2.0), log_mean}, {std::log(5.0), std::log(3.0), log_mean}, {0.0, 0.0, 0.0}};
  MinimizeOptions options;
  options.interrupt = interrupt;
  CRM_ASSIGN_OR_RETURN(Minimum best, MinimizeWithRestarts(objective, starts, options));
  if (best.interruption == Interruption::kCancelled) return Aborted("the Gamma-Gamma fit was cancelled");
  if (!std::isfinite(best.value)) return FailedPrecondition("Gamma-Gamma fit did not converge");
  GammaGammaFit fit;
  fit.parameters = {std::exp(best.x[0]), std::exp(best.x[1]), std::exp(best.x[2])};
  fit.log_likelihood = -best.value * n;
  fit.customers = repeaters;
  fit.converged = best.converged;
  fit.out_of_time = best.interruption == Interruption::kOutOfTime;
  return fit;
}

Result<double> GammaGammaExpectedSpend(const GammaGammaParameters& g, double x, double m_x) {
  if (!Positive(g) || !(g.q > 1.0)) return InvalidArgument("Gamma-Gamma mean needs q > 1");
  if (!(x >= 0) || !(m_x >= 0)) return InvalidArgument("x and m_x must not be negative");
  const double population_mean = g.p * g.gamma / (g.q - 1);
  const double px = g.p * x;
  const double weight = (g.q - 1) / (px + g.q - 1);
  return weight * population_mean + (1 - weight) * m_x;
}

}  // namespace crm::analytics
