#include "analytics/optimizer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace crm::analytics {
namespace {

double MaxAbs(const std::vector<double>& v) {
  double m = 0.0;
  for (double e : v) m = std::max(m, std::abs(e));
  return m;
}

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

// Replaces the inverse Hessian estimate h (n x n, row-major) by the BFGS update for the step s
// and gradient change y; skipped when the curvature condition fails.
void UpdateInverseHessian(std::vector<double>& h, const std::vector<double>& s,
                          const std::vector<double>& y) {
  const size_t n = s.size();
  const double sy = Dot(s, y);
  if (!(sy > 1e-300)) return;
  std::vector<double> hy(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) hy[i] += h[i * n + j] * y[j];
  }
  const double yhy = Dot(y, hy);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      h[i * n + j] += ((sy + yhy) * s[i] * s[j]) / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
    }
  }
}

Interruption Poll(const MinimizeOptions& options) {
  return options.interrupt ? options.interrupt() : Interruption::kNone;
}

void ResetToIdentity(std::vector<double>& h, size_t n) {
  std::fill(h.begin(), h.end(), 0.0);
  for (size_t i = 0; i < n; ++i) h[i * n + i] = 1.0;
}

}  // namespace

Result<Minimum> MinimizeBfgs(const Objective& objective, std::vector<double> start,
                             const MinimizeOptions& options) {
  const size_t n = start.size();
  if (n == 0) return InvalidArgument("nothing to optimise");
  Minimum best{std::move(start)};
  std::vector<double> gradient(n), next_gradient(n), h(n * n), direction(n), next(n), s(n), y(n);
  ResetToIdentity(h, n);
  best.value = objective(best.x, &gradient);
  best.evaluations = 1;
  if (!std::isfinite(best.value)) return InvalidArgument("objective is not finite at the start");
  for (; best.iterations < options.max_iterations; ++best.iterations) {
    if (best.interruption != Interruption::kNone) break;
    if (MaxAbs(gradient) < options.gradient_tolerance) {
      best.converged = true;
      break;
    }
    for (size_t i = 0; i < n; ++i) direction[i] = -Dot({h.begin() + i * n, h.begin() + (i + 1) * n}, gradient);
    double slope = Dot(direction, gradient);
    if (!(slope < 0.0)) {  // not a descent direction: restart from steepest descent
      ResetToIdentity(h, n);
      for (size_t i = 0; i < n; ++i) direction[i] = -gradient[i];
      slope = Dot(direction, gradient);
    }
    // Cap the step so that exp(log-parameter) cannot overflow on a wild first step.
    double step = std::min(1.0, 3.0 / std::max(MaxAbs(direction), 1e-300));
    double value = 0.0;
    bool accepted = false;
    for (int tries = 0; tries < 60 && !accepted; ++tries, step *= 0.5) {
      best.interruption = Poll(options);
      if (best.interruption != Interruption::kNone) break;
      for (size_t i = 0; i < n; ++i) next[i] = best.x[i] + step * direction[i];
      value = objective(next, &next_gradient);
      ++best.evaluations;
      accepted = std::isfinite(value) && value <= best.value + 1e-4 * step * slope;
    }
    if (!accepted) break;
    for (size_t i = 0; i < n; ++i) {
      s[i] = next[i] - best.x[i];
      y[i] = next_gradient[i] - gradient[i];
    }
    const double change = best.value - value;
    best.x = next;
    best.value = value;
    gradient = next_gradient;
    UpdateInverseHessian(h, s, y);
    if (change <= options.value_tolerance * (std::abs(value) + 1e-300) &&
        MaxAbs(gradient) < std::sqrt(options.gradient_tolerance)) {
      best.converged = true;
      break;
    }
  }
  return best;
}

Result<Minimum> MinimizeNelderMead(const Objective& objective, std::vector<double> start,
                                   double step, const MinimizeOptions& options) {
  const size_t n = start.size();
  if (n == 0) return InvalidArgument("nothing to optimise");
  std::vector<std::vector<double>> simplex(n + 1, start);
  std::vector<double> values(n + 1);
  for (size_t i = 0; i < n; ++i) simplex[i + 1][i] += step;
  Minimum result;
  for (size_t i = 0; i <= n; ++i) {
    values[i] = objective(simplex[i], nullptr);
    if (!std::isfinite(values[i])) values[i] = HUGE_VAL;
  }
  result.evaluations = static_cast<int>(n + 1);
  if (values[0] == HUGE_VAL) return InvalidArgument("objective is not finite at the start");
  auto evaluate = [&](const std::vector<double>& x) {
    if (result.interruption == Interruption::kNone) result.interruption = Poll(options);
    if (result.interruption != Interruption::kNone) return HUGE_VAL;
    ++result.evaluations;
    const double v = objective(x, nullptr);
    return std::isfinite(v) ? v : HUGE_VAL;
  };
  std::vector<size_t> order(n + 1);
  const int max_iterations = options.max_iterations * static_cast<int>(n) * 4;
  for (; result.iterations < max_iterations; ++result.iterations) {
    if (result.interruption != Interruption::kNone) break;
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    const size_t best = order[0], worst = order[n], second = order[n - 1];
    if (values[worst] - values[best] <= 1e-14 * (std::abs(values[best]) + 1e-300)) {
      result.converged = true;
      break;
    }
    std::vector<double> centroid(n, 0.0);
    for (size_t k = 0; k < n; ++k) {
      for (size_t i = 0; i < n; ++i) centroid[i] += simplex[order[k]][i] / static_cast<double>(n);
    }
    auto along = [&](double t) {
      std::vector<double> p(n);
      for (size_t i = 0; i < n; ++i) p[i] = centroid[i] + t * (simplex[worst][i] - centroid[i]);
      return p;
    };
    std::vector<double> reflected = along(-1.0);
    const double fr = evaluate(reflected);
    if (fr < values[best]) {
      std::vector<double> expanded = along(-2.0);
      const double fe = evaluate(expanded);
      simplex[worst] = fe < fr ? expanded : reflected;
      values[worst] = std::min(fe, fr);
    } else if (fr < values[second]) {
      simplex[worst] = reflected;
      values[worst] = fr;
    } else {
      std::vector<double> contracted = along(fr < values[worst] ? -0.5 : 0.5);
      const double fc = evaluate(contracted);
      if (fc < std::min(fr, values[worst])) {
        simplex[worst] = contracted;
        values[worst] = fc;
      } else {
        for (size_t k = 1; k <= n; ++k) {
          for (size_t i = 0; i < n; ++i) {
            simplex[order[k]][i] = simplex[best][i] + 0.5 * (simplex[order[k]][i] - simplex[best][i]);
          }
          values[order[k]] = evaluate(simplex[order[k]]);
        }
      }
    }
  }
  const size_t best = static_cast<size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  result.x = simplex[best];
  result.value = values[best];
  return result;
}

Result<Minimum> MinimizeWithRestarts(const Objective& objective,
                                     const std::vector<std::vector<double>>& starts,
                                     const MinimizeOptions& options) {
  if (starts.empty()) return InvalidArgument("no starting point");
  Result<Minimum> best = InvalidArgument("no starting point");
  for (const std::vector<double>& start : starts) {
    Result<Minimum> run = MinimizeBfgs(objective, start, options);
    if (!run.ok()) {
      if (!best.ok() && &start == &starts.front()) best = run;
      continue;
    }
    // When BFGS stalls, a simplex run is indifferent to a poor Hessian estimate; BFGS again
    // then finds the last digits.
    if (!run->converged && run->interruption == Interruption::kNone) {
      Result<Minimum> simplex = MinimizeNelderMead(objective, run->x, 0.05, options);
      if (simplex.ok() && simplex->value < run->value) {
        Result<Minimum> again = MinimizeBfgs(objective, simplex->x, options);
        run = again.ok() && again->value <= simplex->value ? std::move(again) : std::move(simplex);
      }
    }
    // Two converged starts agreeing on the minimum are enough evidence; stop early.
    const bool agree = best.ok() && run->converged && best->converged &&
                       std::abs(run->value - best->value) <= 1e-10 * (std::abs(best->value) + 1.0);
    const Interruption interruption = run->interruption;
    if (!best.ok() || run->value < best->value) best = std::move(run);
    if (interruption != Interruption::kNone) {
      best->interruption = interruption;
      best->converged = false;
      break;
    }
    if (agree) break;
  }
  return best;
}

}  // namespace crm::analytics
