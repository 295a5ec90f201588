#include "analytics/bgnbd.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "analytics/optimizer.h"
#include "analytics/special_functions.h"

namespace crm::analytics {
namespace {

bool Positive(const BgNbdParameters& p) {
  return p.r > 0 && p.alpha > 0 && p.a > 0 && p.b > 0 && std::isfinite(p.r + p.alpha + p.a + p.b);
}

Status CheckSummary(const CustomerSummary& s) {
  const size_t n = s.size();
  if (s.x.size() != n || s.t_x.size() != n || s.T.size() != n) {
    return InvalidArgument("customer summary columns differ in length");
  }
  for (size_t i = 0; i < n; ++i) {
    if (s.x[i] < 0 || !(s.t_x[i] >= 0) || !(s.T[i] >= s.t_x[i])) {
      return InvalidArgument("customer summary row has x < 0 or not 0 <= t_x <= T");
    }
  }
  return Status::Ok();
}

double LogAddExp(double u, double v) {
  const double hi = std::max(u, v);
  return hi + std::log1p(std::exp(std::min(u, v) - hi));
}

// Terms of the log-likelihood that depend on x only, and their derivatives, per distinct x.
struct PerX {
  double constant, d_r, d_a, d_b, log_b_x_1;
};

std::vector<PerX> TabulatePerX(const BgNbdParameters& p, int32_t max_x) {
  std::vector<PerX> table(static_cast<size_t>(max_x) + 1);
  const double lg_ab = std::lgamma(p.a + p.b), lg_r = std::lgamma(p.r), lg_b = std::lgamma(p.b);
  const double psi_ab = Digamma(p.a + p.b), psi_r = Digamma(p.r), psi_b = Digamma(p.b);
  for (int32_t x = 0; x <= max_x; ++x) {
    PerX& e = table[x];
    e.constant = std::lgamma(p.r + x) - lg_r + lg_ab + std::lgamma(p.b + x) - lg_b -
                 std::lgamma(p.a + p.b + x);
    e.d_r = Digamma(p.r + x) - psi_r;
    e.d_a = psi_ab - Digamma(p.a + p.b + x);
    e.d_b = psi_ab + Digamma(p.b + x) - psi_b - Digamma(p.a + p.b + x);
    e.log_b_x_1 = x > 0 ? std::log(p.b + x - 1) : 0.0;
  }
  return table;
}

// The summary with identical (x, t_x, T) rows merged into weights, and t_x and T replaced by
// indices into tables of their distinct values: the likelihood then needs one logarithm per
// distinct time instead of two per customer. Day-granular data compress a lot.
struct CompressedSummary {
  std::vector<int32_t> x;
  std::vector<uint32_t> t_x_index, T_index;
  std::vector<double> weight;
  std::vector<double> t_x_values, T_values;
  int32_t max_x = 0;
};

std::vector<uint32_t> IndexValues(const std::vector<double>& column, std::vector<double>& values) {
  values = column;
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<uint32_t> index(column.size());
  for (size_t i = 0; i < column.size(); ++i) {
    index[i] = static_cast<uint32_t>(std::lower_bound(values.begin(), values.end(), column[i]) -
                                     values.begin());
  }
  return index;
}

CompressedSummary Compress(const CustomerSummary& s) {
  CompressedSummary c;
  const std::vector<uint32_t> t_x_index = IndexValues(s.t_x, c.t_x_values);
  const std::vector<uint32_t> T_index = IndexValues(s.T, c.T_values);
  std::vector<uint32_t> order(s.size());
  std::iota(order.begin(), order.end(), 0u);
  auto key = [&](uint32_t i) { return std::make_tuple(s.x[i], t_x_index[i], T_index[i]); };
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  for (size_t k = 0; k < order.size(); ++k) {
    const uint32_t i = order[k];
    if (k > 0 && key(order[k - 1]) == key(i)) {
      c.weight.back() += 1.0;
      continue;
    }
    c.x.push_back(s.x[i]);
    c.t_x_index.push_back(t_x_index[i]);
    c.T_index.push_back(T_index[i]);
    c.weight.push_back(1.0);
    c.max_x = std::max(c.max_x, s.x[i]);
  }
  return c;
}

std::vector<double> LogShifted(const std::vector<double>& values, double shift) {
  std::vector<double> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = std::log(shift + values[i]);
  return out;
}

// Log-likelihood and, when `gradient` is given, d/d(r, alpha, a, b).
double LogLikelihoodAndGradient(const BgNbdParameters& p, const CompressedSummary& s,
                                double* gradient) {
  const std::vector<PerX> table = TabulatePerX(p, s.max_x);
  const std::vector<double> log_T_table = LogShifted(s.T_values, p.alpha);
  const std::vector<double> log_tx_table = LogShifted(s.t_x_values, p.alpha);
  std::vector<double> inv_T_table, inv_tx_table;
  if (gradient != nullptr) {
    for (double T : s.T_values) inv_T_table.push_back(1 / (p.alpha + T));
    for (double t : s.t_x_values) inv_tx_table.push_back(1 / (p.alpha + t));
  }
  const double log_alpha = std::log(p.alpha), log_a = std::log(p.a);
  double total = 0.0, g_r = 0.0, g_alpha = 0.0, g_a = 0.0, g_b = 0.0;
  for (size_t i = 0; i < s.x.size(); ++i) {
    const int32_t x = s.x[i];
    const PerX& e = table[x];
    const double rx = p.r + x, weight = s.weight[i];
    const double log_T = log_T_table[s.T_index[i]];
    const double A = -rx * log_T;
    double L = A, w = 0.0, log_tx = 0.0;
    if (x > 0) {
      log_tx = log_tx_table[s.t_x_index[i]];
      const double B = log_a - e.log_b_x_1 - rx * log_tx;
      L = LogAddExp(A, B);
      w = std::exp(B - L);
    }
    total += weight * (e.constant + p.r * log_alpha + L);
    if (gradient == nullptr) continue;
    const double inv_T = inv_T_table[s.T_index[i]];
    const double inv_tx = x > 0 ? inv_tx_table[s.t_x_index[i]] : 0.0;
    g_r += weight * (e.d_r + log_alpha - (1 - w) * log_T - w * log_tx);
    g_alpha += weight * (p.r / p.alpha - (1 - w) * rx * inv_T - w * rx * inv_tx);
    g_a += weight * (e.d_a + w / p.a);
    g_b += weight * (e.d_b - (x > 0 ? w / (p.b + x - 1) : 0.0));
  }
  if (gradient != nullptr) {
    gradient[0] = g_r, gradient[1] = g_alpha, gradient[2] = g_a, gradient[3] = g_b;
  }
  return total;
}

BgNbdParameters FromLog(const std::vector<double>& v) {
  return {std::exp(v[0]), std::exp(v[1]), std::exp(v[2]), std::exp(v[3])};
}

}  // namespace

Result<double> BgNbdLogLikelihood(const BgNbdParameters& parameters, const CustomerSummary& summary) {
  if (!Positive(parameters)) return InvalidArgument("BG/NBD parameters must be positive");
  CRM_RETURN_IF_ERROR(CheckSummary(summary));
  return LogLikelihoodAndGradient(parameters, Compress(summary), nullptr);
}

Result<BgNbdFit> FitBgNbd(const CustomerSummary& summary, const Interrupt& interrupt) {
  CRM_RETURN_IF_ERROR(CheckSummary(summary));
  if (summary.size() == 0) return InvalidArgument("no customers to fit");
  if (std::none_of(summary.x.begin(), summary.x.end(), [](int32_t x) { return x > 0; })) {
    return InvalidArgument("no repeat purchases: BG/NBD cannot be fitted");
  }
  const double n = static_cast<double>(summary.size());
  const CompressedSummary compressed = Compress(summary);
  // Minimise the mean negative log-likelihood over log-parameters.
  Objective objective = [&](const std::vector<double>& v, std::vector<double>* gradient) {
    const BgNbdParameters p = FromLog(v);
    if (!Positive(p)) return HUGE_VAL;
    double g[4];
    const double ll = LogLikelihoodAndGradient(p, compressed, gradient ? g : nullptr);
    if (gradient != nullptr) {
      const double scale[4] = {p.r, p.alpha, p.a, p.b};
      for (int k = 0; k < 4; ++k) (*gradient)[k] = -g[k] * scale[k] / n;
    }
    return -ll / n;
  };
  double mean_T = 0.0;
  for (double T : summary.T) mean_T += T / n;
  const double log_T = std::log(std::max(mean_T, 1e-3));
  const std::vector<std::vector<double>> starts = {
      {0.0, log_T - 2.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 0.0}, {-1.0, log_T, 1.0, 1.5}};
  MinimizeOptions options;
  options.interrupt = interrupt;
  CRM_ASSIGN_OR_RETURN(Minimum best, MinimizeWithRestarts(objective, starts, options));
  if (best.interruption == Interruption::kCancelled) return Aborted("the BG/NBD fit was cancelled");
  if (!std::isfinite(best.value)) return FailedPrecondition("BG/NBD fit did not converge");
  BgNbdFit fit;
  fit.parameters = FromLog(best.x);
  fit.log_likelihood = -best.value * n;
  fit.iterations = best.iterations;
  fit.evaluations = best.evaluations;
  fit.converged = best.converged;
  fit.out_of_time = best.interruption == Interruption::kOutOfTime;
  return fit;
}

Result<double> BgNbdExpectedPurchases(const BgNbdParameters& p, double t) {
  if (!Positive(p) || !(t >= 0)) return InvalidArgument("bad BG/NBD parameters or time");
  if (std::abs(p.a - 1.0) < 1e-12) return InvalidArgument("E[X(t)] in closed form needs a != 1");
  CRM_ASSIGN_OR_RETURN(double f, Hypergeometric2F1(p.r, p.b, p.a + p.b - 1, t / (p.alpha + t)));
  return (p.a + p.b - 1) / (p.a - 1) * (1 - std::pow(p.alpha / (p.alpha + t), p.r) * f);
}

Result<double> BgNbdConditionalExpectedPurchases(const BgNbdParameters& p, double t, double x,
                                                 double t_x, double T) {
  if (!Positive(p) || !(t >= 0) || !(x >= 0) || !(t_x >= 0) || !(T >= t_x)) {
    return InvalidArgument("bad BG/NBD parameters or customer history");
  }
  if (std::abs(p.a - 1.0) < 1e-12) return InvalidArgument("E[Y(t)] in closed form needs a != 1");
  const double z = t / (p.alpha + T + t);
  CRM_ASSIGN_OR_RETURN(double f, Hypergeometric2F1(p.r + x, p.b + x, p.a + p.b + x - 1, z));
  const double head = (p.a + p.b + x - 1) / (p.a - 1);
  const double decay = std::exp((p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + T + t)));
  return head * (1 - decay * f) * BgNbdProbabilityAlive(p, x, t_x, T);
}

double BgNbdProbabilityAlive(const BgNbdParameters& p, double x, double t_x, double T) {
  if (x <= 0) return 1.0;
  // 1 / (1 + exp(log_odds_dead)), written so that exp never overflows.
  const double log_odds_dead = std::log(p.a) - std::log(p.b + x - 1) +
                               (p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + t_x));
  if (log_odds_dead > 0) {
    const double e = std::exp(-log_odds_dead);
    return e / (1 + e);
  }
  return 1 / (1 + std::exp(log_odds_dead));
}

Result<double> BgNbdProbabilityOfPurchases(const BgNbdParameters& p, double t, int n) {
  if (!Positive(p) || !(t >= 0) || n < 0) return InvalidArgument("bad BG/NBD parameters or n");
  const double log_beta_ab = std::lgamma(p.a) + std::lgamma(p.b) - std::lgamma(p.a + p.b);
  const double log_q = std::log(p.alpha / (p.alpha + t));
  const double log_z = t > 0 ? std::log(t / (p.alpha + t)) : -HUGE_VAL;
  // NB term j: Gamma(r + j) / (Gamma(r) j!) (alpha / (alpha + t))^r (t / (alpha + t))^j.
  auto log_nb = [&](int j) {
    return std::lgamma(p.r + j) - std::lgamma(p.r) - std::lgamma(j + 1.0) + p.r * log_q +
           (j > 0 ? j * log_z : 0.0);
  };
  const double log_first = std::lgamma(p.a) + std::lgamma(p.b + n) - std::lgamma(p.a + p.b + n) -
                           log_beta_ab;
  double result = std::exp(log_first + log_nb(n));
  if (n > 0) {
    double cumulative = 0.0;
    for (int j = 0; j < n; ++j) cumulative += std::exp(log_nb(j));
    const double log_second = std::lgamma(p.a + 1) + std::lgamma(p.b + n - 1) -
                              std::lgamma(p.a + p.b + n) - log_beta_ab;
    result += std::exp(log_second) * (1 - cumulative);
  }
  return result;
}

double BgNbdProbabilityNoPurchase(const BgNbdParameters& p, double t, double x, double t_x,
                                  double T) {
  const double alive = BgNbdProbabilityAlive(p, x, t_x, T);
  const double silent = std::exp((p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + T + t)));
  return (1 - alive) + alive * silent;
}

}  // namespace crm::analytics
