// Unconstrained minimisation for the maximum-likelihood fits: BFGS with a backtracking line
// search when the objective gives its gradient, Nelder-Mead without, each run from several
// starting points (restarts) so that a bad start does not decide the answer. Models optimise
// log-parameters, so positivity needs no constraints. A caller may pass an interrupt that the
// minimisers poll before every evaluation of the objective, to give up on a time budget or to be
// cancelled. Deterministic; pure and thread-safe.
#pragma once

#include <functional>
#include <vector>

#include "common/status.h"

namespace crm::analytics {

// Returns f(x) and, when `gradient` is not null, writes df/dx into it (same size as x). A
// non-finite value means "outside the domain"; the line search then steps back.
using Objective = std::function<double(const std::vector<double>& x, std::vector<double>* gradient)>;

// Why a minimisation should stop before it converges.
enum class Interruption { kNone, kOutOfTime, kCancelled };

// Polled before each evaluation of the objective; an empty one never interrupts. Must be cheap.
using Interrupt = std::function<Interruption()>;

struct MinimizeOptions {
  int max_iterations = 500;
  double gradient_tolerance = 1e-9;  // stop when max |df/dx_i| is below this
  double value_tolerance = 1e-15;    // ... or when f changes by less than this, relatively
  Interrupt interrupt;
};

struct Minimum {
  std::vector<double> x;
  double value = 0.0;
  int iterations = 0;
  int evaluations = 0;
  bool converged = false;
  // kOutOfTime: stopped at the best point so far; kCancelled: stopped, the point means nothing.
  Interruption interruption = Interruption::kNone;
};

// BFGS from `start` with the objective's gradient. kInvalidArgument for an empty start or a
// non-finite value at the start.
Result<Minimum> MinimizeBfgs(const Objective& objective, std::vector<double> start,
                             const MinimizeOptions& options = {});

// Nelder-Mead simplex from `start` (initial steps `step` in every coordinate), gradient-free.
Result<Minimum> MinimizeNelderMead(const Objective& objective, std::vector<double> start,
                                   double step = 0.5, const MinimizeOptions& options = {});

// BFGS from each start (a run that does not converge is continued by Nelder-Mead and BFGS again);
// returns the lowest, stopping once two converged runs agree or once the interrupt fires.
// kInvalidArgument when no start is given; the error of the first start when all fail.
Result<Minimum> MinimizeWithRestarts(const Objective& objective,
                                     const std::vector<std::vector<double>>& starts,
                                     const MinimizeOptions& options = {});

}  // namespace crm::analytics
