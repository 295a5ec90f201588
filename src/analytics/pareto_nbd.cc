#include "analytics/pareto_nbd.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "analytics/optimizer.h"
#include "analytics/special_functions.h"

namespace crm::analytics {
namespace {

// The likelihood's 2F1 arguments stay well inside the unit disc for sensible parameters; past
// this many terms the optimiser is in a corner it should leave, so the point counts as infeasible.
constexpr int kMaxSeriesTerms = 200'000;

bool Positive(const ParetoNbdParameters& p) {
  return p.r > 0 && p.alpha > 0 && p.s > 0 && p.beta > 0 &&
         std::isfinite(p.r + p.alpha + p.s + p.beta);
}

bool ValidHistory(double x, double t_x, double T) { return x >= 0 && t_x >= 0 && T >= t_x; }

// ln A0 of the note (eq. 22 and its alpha < beta twin); -inf when t_x == T.
Result<double> LogA0(const ParetoNbdParameters& p, double x, double t_x, double T) {
  const bool alpha_larger = p.alpha >= p.beta;
  const double high = alpha_larger ? p.alpha : p.beta;
  const double gap = std::abs(p.alpha - p.beta);
  const double b = alpha_larger ? p.s + 1 : p.r + x;
  const double k = p.r + p.s + x;
  CRM_ASSIGN_OR_RETURN(double f1, Hypergeometric2F1(k, b, k + 1, gap / (high + t_x), kMaxSeriesTerms));
  CRM_ASSIGN_OR_RETURN(double f2, Hypergeometric2F1(k, b, k + 1, gap / (high + T), kMaxSeriesTerms));
  const double log_first = std::log(f1) - k * std::log(high + t_x);
  const double log_second = std::log(f2) - k * std::log(high + T);
  if (!(log_second < log_first)) return -HUGE_VAL;
  return log_first + std::log1p(-std::exp(log_second - log_first));
}

// ln of the bracket in the likelihood, and the log-odds of being dead used by P(alive).
struct LogTerms {
  double log_alive_part;  // -(r+x) ln(alpha+T) - s ln(beta+T)
  double log_dead_part;   // ln(s / (r+s+x)) + ln A0
};

Result<LogTerms> Terms(const ParetoNbdParameters& p, double x, double t_x, double T) {
  CRM_ASSIGN_OR_RETURN(double log_a0, LogA0(p, x, t_x, T));
  return LogTerms{-(p.r + x) * std::log(p.alpha + T) - p.s * std::log(p.beta + T),
                  std::log(p.s / (p.r + p.s + x)) + log_a0};
}

double LogAddExp(double u, double v) {
  const double hi = std::max(u, v);
  if (hi == -HUGE_VAL) return hi;
  return hi + std::log1p(std::exp(std::min(u, v) - hi));
}

Status CheckSummary(const CustomerSummary& s) {
  if (s.x.size() != s.size() || s.t_x.size() != s.size() || s.T.size() != s.size()) {
    return InvalidArgument("customer summary columns differ in length");
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (!ValidHistory(s.x[i], s.t_x[i], s.T[i])) {
      return InvalidArgument("customer summary row has x < 0 or not 0 <= t_x <= T");
    }
  }
  return Status::Ok();
}

Result<double> LogLikelihood(const ParetoNbdParameters& p, const CustomerSummary& s) {
  const double lg_r = std::lgamma(p.r);
  const double head = p.r * std::log(p.alpha) + p.s * std::log(p.beta) - lg_r;
  double total = 0.0;
  for (size_t i = 0; i < s.size(); ++i) {
    CRM_ASSIGN_OR_RETURN(LogTerms terms, Terms(p, s.x[i], s.t_x[i], s.T[i]));
    total += std::lgamma(p.r + s.x[i]) + head + LogAddExp(terms.log_alive_part, terms.log_dead_part);
  }
  return total;
}

ParetoNbdParameters FromLog(const std::vector<double>& v) {
  return {std::exp(v[0]), std::exp(v[1]), std::exp(v[2]), std::exp(v[3])};
}

}  // namespace

Result<double> ParetoNbdLogLikelihood(const ParetoNbdParameters& parameters,
                                      const CustomerSummary& summary) {
  if (!Positive(parameters)) return InvalidArgument("Pareto/NBD parameters must be positive");
  CRM_RETURN_IF_ERROR(CheckSummary(summary));
  return LogLikelihood(parameters, summary);
}

Result<ParetoNbdFit> FitParetoNbd(const CustomerSummary& summary) {
  CRM_RETURN_IF_ERROR(CheckSummary(summary));
  if (summary.size() == 0) return InvalidArgument("no customers to fit");
  if (std::none_of(summary.x.begin(), summary.x.end(), [](int32_t x) { return x > 0; })) {
    return InvalidArgument("no repeat purchases: Pareto/NBD cannot be fitted");
  }
  const double n = static_cast<double>(summary.size());
  auto value = [&](const std::vector<double>& v) {
    const ParetoNbdParameters p = FromLog(v);
    if (!Positive(p)) return HUGE_VAL;
    Result<double> ll = LogLikelihood(p, summary);
    return ll.ok() && std::isfinite(*ll) ? -*ll / n : HUGE_VAL;
  };
  Objective objective = [&](const std::vector<double>& v, std::vector<double>* gradient) {
    const double f = value(v);
    if (gradient == nullptr || !std::isfinite(f)) return f;
    std::vector<double> probe = v;
    for (size_t k = 0; k < v.size(); ++k) {
      const double h = 1e-6;
      probe[k] = v[k] + h;
      const double up = value(probe);
      probe[k] = v[k] - h;
      const double down = value(probe);
      probe[k] = v[k];
      (*gradient)[k] = (up - down) / (2 * h);
    }
    return f;
  };
  const std::vector<std::vector<double>> starts = {
      {0.0, 0.0, 0.0, 0.0}, {std::log(0.5), std::log(5.0), std::log(0.5), std::log(5.0)}};
  MinimizeOptions options;
  options.gradient_tolerance = 1e-7;  // central differences are good to about 1e-9
  CRM_ASSIGN_OR_RETURN(Minimum best, MinimizeWithRestarts(objective, starts, options));
  if (!std::isfinite(best.value)) return FailedPrecondition("Pareto/NBD fit did not converge");
  return ParetoNbdFit{FromLog(best.x), -best.value * n, best.converged};
}

Result<double> ParetoNbdProbabilityAlive(const ParetoNbdParameters& p, double x, double t_x,
                                         double T) {
  if (!Positive(p) || !ValidHistory(x, t_x, T)) {
    return InvalidArgument("bad Pareto/NBD parameters or customer history");
  }
  CRM_ASSIGN_OR_RETURN(LogTerms terms, Terms(p, x, t_x, T));
  const double log_odds_dead = terms.log_dead_part - terms.log_alive_part;
  if (log_odds_dead > 0) {
    const double e = std::exp(-log_odds_dead);
    return e / (1 + e);
  }
  return 1 / (1 + std::exp(log_odds_dead));
}

Result<double> ParetoNbdConditionalExpectedPurchases(const ParetoNbdParameters& p, double t,
                                                     double x, double t_x, double T) {
  if (!(t >= 0)) return InvalidArgument("t must not be negative");
  CRM_ASSIGN_OR_RETURN(double alive, ParetoNbdProbabilityAlive(p, x, t_x, T));
  // [1 - ((beta+T)/(beta+T+t))^(s-1)] / (s-1), with its limit ln(1 + t/(beta+T)) at s = 1.
  const double log_growth = std::log1p(t / (p.beta + T));
  const double s1 = p.s - 1;
  const double factor = std::abs(s1) < 1e-12 ? log_growth : -std::expm1(-s1 * log_growth) / s1;
  return (p.r + x) * (p.beta + T) / (p.alpha + T) * factor * alive;
}

}  // namespace crm::analytics
