// Pareto/NBD (Schmittlein, Morrison & Colombo 1987), the second customer-base model: while alive
// a customer buys at rate lambda ~ Gamma(r, alpha) and dies at an exponential time with rate
// mu ~ Gamma(s, beta). Fitted by maximum likelihood on the summary (x, t_x, T) with the
// likelihood of Fader & Hardie's 2005 note "A Note on Deriving the Pareto/NBD Model", computed in
// log space; gives P(alive) and E[Y(t) | x, t_x, T]. Pure and thread-safe.
#pragma once

#include "analytics/model_summary.h"
#include "common/status.h"

namespace crm::analytics {

struct ParetoNbdParameters {
  double r = 1.0;
  double alpha = 1.0;
  double s = 1.0;
  double beta = 1.0;
};

struct ParetoNbdFit {
  ParetoNbdParameters parameters;
  double log_likelihood = 0.0;
  bool converged = false;
};

// Total log-likelihood. kInvalidArgument for non-positive parameters or a malformed summary;
// kFailedPrecondition when 2F1 does not converge for these parameters.
Result<double> ParetoNbdLogLikelihood(const ParetoNbdParameters& parameters,
                                      const CustomerSummary& summary);

// Maximum-likelihood fit (BFGS on log-parameters with central-difference gradients, restarts).
// kInvalidArgument for an empty summary or one without repeat purchases; kFailedPrecondition when
// no start reaches a finite likelihood.
Result<ParetoNbdFit> FitParetoNbd(const CustomerSummary& summary);

// P(alive at T | x, t_x, T). kInvalidArgument for bad parameters or history.
Result<double> ParetoNbdProbabilityAlive(const ParetoNbdParameters& p, double x, double t_x,
                                         double T);

// E[Y(t) | x, t_x, T], expected purchases in (T, T + t]. kInvalidArgument as above.
Result<double> ParetoNbdConditionalExpectedPurchases(const ParetoNbdParameters& p, double t,
                                                     double x, double t_x, double T);

}  // namespace crm::analytics
