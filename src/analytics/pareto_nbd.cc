#include "analytics/pareto_nbd.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>
#include <vector>

#include "analytics/special_functions.h"

namespace crm::analytics {
namespace {

// Gauss-Legendre nodes on [0, 1], per panel. With the flattening change of variable below and up
// to four panels, the integral is good to better than 1e-9 relative from CDNOW's parameters to z
// within 1e-6 of 1 (pareto_nbd_test.cc checks it against a brute-force integration).
constexpr size_t kNodes = 16;
constexpr int kMaxPanels = 4;

struct Quadrature {
  std::array<double, kNodes> node;
  std::array<double, kNodes> log_weight;
};

Quadrature ComputeGaussLegendre() {
  Quadrature q;
  const int n = static_cast<int>(kNodes);
  for (int i = 0; i < n; ++i) {
    double x = std::cos(M_PI * (i + 0.75) / (n + 0.5));
    double derivative = 1.0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p0 = 1.0, p1 = x;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = n * (x * p1 - p0) / (x * x - 1);
      const double step = p1 / derivative;
      x -= step;
      if (std::abs(step) < 1e-16) break;
    }
    q.node[static_cast<size_t>(i)] = (1 - x) / 2;
    q.log_weight[static_cast<size_t>(i)] = std::log(1.0 / ((1 - x * x) * derivative * derivative));
  }
  return q;
}

const Quadrature& GaussLegendre() {
  static const Quadrature quadrature = ComputeGaussLegendre();
  return quadrature;
}

bool Positive(const ParetoNbdParameters& p) {
  return p.r > 0 && p.alpha > 0 && p.s > 0 && p.beta > 0 &&
         std::isfinite(p.r + p.alpha + p.s + p.beta);
}

bool ValidHistory(double x, double t_x, double T) {
  return x >= 0 && t_x >= 0 && T >= t_x && std::isfinite(T);
}

double LogAddExp(double u, double v) {
  const double hi = std::max(u, v);
  if (hi == -HUGE_VAL) return hi;
  return hi + std::log1p(std::exp(std::min(u, v) - hi));
}

// ln of the dead part's integral Int_{t_x}^{T} (alpha+tau)^-a1 (beta+tau)^-a2 dtau, and the
// integrand-weighted means of ln(alpha+tau), 1/(alpha+tau), ln(beta+tau), 1/(beta+tau) over it
// (the derivatives of ln I in the parameters). Requires T > t_x.
struct DeadIntegral {
  double log_value = -HUGE_VAL;
  double mean_log_alpha = 0, mean_inverse_alpha = 0, mean_log_beta = 0, mean_inverse_beta = 0;
};

DeadIntegral IntegrateDeadPart(const ParetoNbdParameters& p, double a1, double a2, double t_x,
                               double T, bool with_means) {
  const Quadrature& gl = GaussLegendre();
  const double length = T - t_x;
  // The power law kappa^p (kappa + tau - t_x)^-p with the integrand's first two log-derivatives
  // at t_x; its tail decays no faster than the integrand's (p <= a1 + a2).
  const double y1 = p.alpha + t_x, y2 = p.beta + t_x;
  const double slope = a1 / y1 + a2 / y2;
  const double curvature = a1 / (y1 * y1) + a2 / (y2 * y2);
  const double kappa = slope / curvature;
  const double power = slope * kappa;
  // Either u = (kappa / (kappa + tau - t_x))^(power - 1), which makes the matched power law
  // constant in u, or, for a slowly decaying integrand, u = ln(kappa + tau - t_x) (`logarithmic`).
  // The other factor of the integrand still varies where the power law has left it, near u = 0:
  // the u-range is cut into panels of equal width in ln u, each with its own nodes.
  const bool logarithmic = power <= 1.5;
  const double q = power - 1;
  const double log_rho = logarithmic ? 0.0 : -q * std::log1p(length / kappa);
  const double span = std::log1p(length / kappa);
  const int panels = logarithmic ? std::clamp(static_cast<int>(std::ceil(span / 3)), 1, kMaxPanels)
                                 : std::clamp(static_cast<int>(std::ceil(-log_rho / 3)), 1, kMaxPanels);
  const size_t count = static_cast<size_t>(panels) * kNodes;
  std::array<double, kMaxPanels * kNodes> log_term, log_alpha, log_beta, tau;
  for (int panel = 0; panel < panels; ++panel) {
    if (logarithmic) {
      // v = ln((kappa + tau - t_x) / kappa) from 0 to span; dtau = kappa e^v dv.
      const double from = span * panel / panels, width = span / panels;
      const double log_scale = std::log(width) + std::log(kappa);
      for (size_t j = 0; j < kNodes; ++j) {
        const size_t k = static_cast<size_t>(panel) * kNodes + j;
        const double v = from + width * gl.node[j];
        tau[k] = std::min(T, t_x + kappa * std::expm1(v));
        log_alpha[k] = std::log(p.alpha + tau[k]);
        log_beta[k] = std::log(p.beta + tau[k]);
        log_term[k] = gl.log_weight[j] + log_scale + v - a1 * log_alpha[k] - a2 * log_beta[k];
      }
    } else {
      // u from rho = e^log_rho to 1, panel by panel: [e^(log_rho (1 - i/P)), e^(log_rho (1 - (i+1)/P))].
      const double low = std::exp(log_rho * (1.0 - static_cast<double>(panel) / panels));
      const double high = std::exp(log_rho * (1.0 - static_cast<double>(panel + 1) / panels));
      const double width = high - low;
      const double log_scale = std::log(width) + std::log(kappa / q);
      for (size_t j = 0; j < kNodes; ++j) {
        const size_t k = static_cast<size_t>(panel) * kNodes + j;
        const double u = low + width * gl.node[j];
        const double log_u = std::log(u);
        tau[k] = std::min(T, t_x + kappa * std::expm1(-log_u / q));
        log_alpha[k] = std::log(p.alpha + tau[k]);
        log_beta[k] = std::log(p.beta + tau[k]);
        log_term[k] = gl.log_weight[j] + log_scale - (1 / q + 1) * log_u - a1 * log_alpha[k] - a2 * log_beta[k];
      }
    }
  }
  const double top = *std::max_element(log_term.begin(), log_term.begin() + static_cast<std::ptrdiff_t>(count));
  DeadIntegral out;
  double sum = 0;
  for (size_t k = 0; k < count; ++k) {
    const double e = std::exp(log_term[k] - top);
    sum += e;
    if (with_means) {
      out.mean_log_alpha += e * log_alpha[k];
      out.mean_inverse_alpha += e / (p.alpha + tau[k]);
      out.mean_log_beta += e * log_beta[k];
      out.mean_inverse_beta += e / (p.beta + tau[k]);
    }
  }
  out.log_value = top + std::log(sum);
  out.mean_log_alpha /= sum;
  out.mean_inverse_alpha /= sum;
  out.mean_log_beta /= sum;
  out.mean_inverse_beta /= sum;
  return out;
}

// One customer's ln of the bracket B = alive + s * I, the share of the alive part (P(alive)), and
// (1/B) dB/d(r, alpha, s, beta) when asked.
struct Bracket {
  double log_value = 0;
  double alive_share = 1;
  std::array<double, 4> derivative{};
};

Bracket BracketOf(const ParetoNbdParameters& p, double x, double t_x, double T, bool with_derivative) {
  const double a1 = p.r + x, a2 = p.s + 1;
  const double log_alpha_T = std::log(p.alpha + T), log_beta_T = std::log(p.beta + T);
  const double log_alive = -a1 * log_alpha_T - p.s * log_beta_T;
  Bracket out;
  if (!(T > t_x)) {
    out.log_value = log_alive;
    if (with_derivative) out.derivative = {-log_alpha_T, -a1 / (p.alpha + T), -log_beta_T, -p.s / (p.beta + T)};
    return out;
  }
  const DeadIntegral dead = IntegrateDeadPart(p, a1, a2, t_x, T, with_derivative);
  const double log_dead = std::log(p.s) + dead.log_value;
  out.log_value = LogAddExp(log_alive, log_dead);
  out.alive_share = std::exp(log_alive - out.log_value);
  if (with_derivative) {
    const double alive = out.alive_share, gone = std::exp(log_dead - out.log_value);
    out.derivative = {-alive * log_alpha_T - gone * dead.mean_log_alpha,
                      -a1 * (alive / (p.alpha + T) + gone * dead.mean_inverse_alpha),
                      -alive * log_beta_T + gone * (1 / p.s - dead.mean_log_beta),
                      -alive * p.s / (p.beta + T) - gone * a2 * dead.mean_inverse_beta};
  }
  return out;
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

// The distinct histories of a summary, each with how many customers share it.
struct Histories {
  std::vector<double> x, t_x, T, count;
};

Histories Distinct(const CustomerSummary& s) {
  std::vector<size_t> order(s.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&s](size_t i) { return std::make_tuple(s.x[i], s.t_x[i], s.T[i]); };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  Histories h;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    if (k > 0 && key(order[k - 1]) == key(i)) {
      h.count.back() += 1;
      continue;
    }
    h.x.push_back(s.x[i]);
    h.t_x.push_back(s.t_x[i]);
    h.T.push_back(s.T[i]);
    h.count.push_back(1);
  }
  return h;
}

Histories AllOf(const CustomerSummary& s) {
  Histories h;
  h.x.assign(s.x.begin(), s.x.end());
  h.t_x = s.t_x;
  h.T = s.T;
  h.count.assign(s.size(), 1.0);
  return h;
}

double LogLikelihood(const ParetoNbdParameters& p, const Histories& h, std::array<double, 4>* gradient) {
  const double lg_r = std::lgamma(p.r), psi_r = gradient ? Digamma(p.r) : 0;
  const double log_alpha = std::log(p.alpha), log_beta = std::log(p.beta);
  const double head = p.r * log_alpha + p.s * log_beta - lg_r;
  double total = 0.0;
  std::array<double, 4> sum{};
  double previous_x = -1, lg_rx = 0, psi_rx = 0;
  for (size_t i = 0; i < h.x.size(); ++i) {
    if (h.x[i] != previous_x) {  // histories come sorted by x, so these are computed rarely
      previous_x = h.x[i];
      lg_rx = std::lgamma(p.r + h.x[i]);
      psi_rx = gradient ? Digamma(p.r + h.x[i]) : 0;
    }
    const Bracket b = BracketOf(p, h.x[i], h.t_x[i], h.T[i], gradient != nullptr);
    const double n = h.count[i];
    total += n * (lg_rx + head + b.log_value);
    if (gradient) {
      sum[0] += n * (psi_rx + b.derivative[0]);
      sum[1] += n * b.derivative[1];
      sum[2] += n * b.derivative[2];
      sum[3] += n * b.derivative[3];
    }
  }
  if (gradient) {
    double customers = 0;
    for (double n : h.count) customers += n;
    *gradient = {sum[0] + customers * (log_alpha - psi_r), sum[1] + customers * p.r / p.alpha,
                 sum[2] + customers * log_beta, sum[3] + customers * p.s / p.beta};
  }
  return total;
}

ParetoNbdParameters FromLog(const std::vector<double>& v) {
  return {std::exp(v[0]), std::exp(v[1]), std::exp(v[2]), std::exp(v[3])};
}

// Above this many distinct histories the fit starts from a pilot fit on a spread of them.
constexpr size_t kPilotHistories = 8'000;

Histories EveryKth(const Histories& h, size_t k) {
  Histories out;
  for (size_t i = 0; i < h.x.size(); i += k) {
    out.x.push_back(h.x[i]);
    out.t_x.push_back(h.t_x[i]);
    out.T.push_back(h.T[i]);
    out.count.push_back(h.count[i]);
  }
  return out;
}

// The mean negative log-likelihood over log-parameters, with its gradient. Keeps a reference to
// `h`.
Objective MakeObjective(const Histories& h) {
  double customers = 0;
  for (double c : h.count) customers += c;
  return [&h, customers](const std::vector<double>& v, std::vector<double>* gradient) {
    const ParetoNbdParameters p = FromLog(v);
    if (!Positive(p)) return HUGE_VAL;
    std::array<double, 4> g{};
    const double ll = LogLikelihood(p, h, gradient ? &g : nullptr);
    if (!std::isfinite(ll)) return HUGE_VAL;
    if (gradient) {
      // d/d ln(theta) = theta d/d theta; the objective is -ll / customers.
      const double theta[4] = {p.r, p.alpha, p.s, p.beta};
      for (size_t k = 0; k < 4; ++k) (*gradient)[k] = -theta[k] * g[k] / customers;
      for (double d : *gradient) {
        if (!std::isfinite(d)) return HUGE_VAL;
      }
    }
    return -ll / customers;
  };
}

}  // namespace

Result<double> ParetoNbdLogLikelihood(const ParetoNbdParameters& parameters,
                                      const CustomerSummary& summary) {
  return ParetoNbdLogLikelihood(parameters, summary, nullptr);
}

Result<double> ParetoNbdLogLikelihood(const ParetoNbdParameters& parameters,
                                      const CustomerSummary& summary,
                                      std::array<double, 4>* gradient) {
  if (!Positive(parameters)) return InvalidArgument("Pareto/NBD parameters must be positive");
  CRM_RETURN_IF_ERROR(CheckSummary(summary));
  return LogLikelihood(parameters, AllOf(summary), gradient);
}

Result<ParetoNbdFit> FitParetoNbd(const CustomerSummary& summary, const Interrupt& interrupt) {
  CRM_RETURN_IF_ERROR(CheckSummary(summary));
  if (summary.size() == 0) return InvalidArgument("no customers to fit");
  if (std::none_of(summary.x.begin(), summary.x.end(), [](int32_t x) { return x > 0; })) {
    return InvalidArgument("no repeat purchases: Pareto/NBD cannot be fitted");
  }
  const Histories histories = Distinct(summary);
  const double n = static_cast<double>(summary.size());
  const std::vector<std::vector<double>> starts = {
      {0.0, 0.0, 0.0, 0.0}, {std::log(0.5), std::log(5.0), std::log(0.5), std::log(5.0)}};
  MinimizeOptions options;
  options.gradient_tolerance = 1e-9;
  options.interrupt = interrupt;
  Result<Minimum> best = InvalidArgument("no fit");
  if (histories.x.size() > kPilotHistories) {
    // A pilot fit on an even spread of the histories (sorted by x, t_x, T) from the usual starts;
    // the fit on all of them then starts near the maximum and needs few iterations.
    const Histories pilot = EveryKth(histories, (histories.x.size() + kPilotHistories - 1) / kPilotHistories);
    Result<Minimum> rough = MinimizeWithRestarts(MakeObjective(pilot), starts, options);
    if (rough.ok() && rough->interruption == Interruption::kCancelled) {
      return Aborted("the Pareto/NBD fit was cancelled");
    }
    if (rough.ok() && std::isfinite(rough->value)) {
      best = MinimizeWithRestarts(MakeObjective(histories), {rough->x}, options);
    }
  }
  if (!best.ok() || !std::isfinite(best->value) ||
      (!best->converged && best->interruption == Interruption::kNone)) {
    best = MinimizeWithRestarts(MakeObjective(histories), starts, options);
  }
  CRM_RETURN_IF_ERROR(best.status());
  if (best->interruption == Interruption::kCancelled) return Aborted("the Pareto/NBD fit was cancelled");
  if (!std::isfinite(best->value)) return FailedPrecondition("Pareto/NBD fit did not converge");
  ParetoNbdFit fit{FromLog(best->x), -best->value * n, best->iterations, best->evaluations, best->converged};
  fit.out_of_time = best->interruption == Interruption::kOutOfTime;
  return fit;
}
Result<double> ParetoNbdExpectedPurchases(const ParetoNbdParameters& p, double t) {
  if (!Positive(p) || !(t >= 0)) return InvalidArgument("bad Pareto/NBD parameters or time");
  const double log_growth = std::log1p(t / p.beta);
  const double s1 = p.s - 1;
  const double factor = std::abs(s1) < 1e-12 ? log_growth : -std::expm1(-s1 * log_growth) / s1;
  return p.r * p.beta / p.alpha * factor;
}

Result<double> ParetoNbdProbabilityAlive(const ParetoNbdParameters& p, double x, double t_x,
                                         double T) {
  if (!Positive(p) || !ValidHistory(x, t_x, T)) {
    return InvalidArgument("bad Pareto/NBD parameters or customer history");
  }
  return BracketOf(p, x, t_x, T, false).alive_share;
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
