// BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while alive, a
// customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after each purchase they
// drop out with probability p ~ Beta(a, b). Fitted by maximum likelihood on the per-customer
// summary (x, t_x, T); gives P(alive), expected purchases, P(X(t) = n). Time is in the summary's
// period (weeks for CDNOW). Pure and thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "analytics/model_summary.h"
#include "analytics/optimizer.h"
#include "common/status.h"

namespace crm::analytics {

struct BgNbdParameters {
  double r = 1.0;
  double alpha = 1.0;
  double a = 1.0;
  double b = 1.0;
};

struct BgNbdFit {
  BgNbdParameters parameters;
  double log_likelihood = 0.0;
  int iterations = 0;
  int evaluations = 0;
  bool converged = false;
  bool out_of_time = false;  // the interrupt ran the time budget out: the best point so far
};

// Total log-likelihood (FHL 2005, eq. 6) of the summary's customers. kInvalidArgument for
// non-positive parameters or a malformed summary.
Result<double> BgNbdLogLikelihood(const BgNbdParameters& parameters, const CustomerSummary& summary);

// Maximum-likelihood fit: BFGS on log-parameters with analytic gradients, from several starts.
// kInvalidArgument for an empty summary or one without any repeat purchase (the model is then not
// identified); kFailedPrecondition if no start converges to a finite likelihood; kAborted when
// `interrupt` cancels. When it runs the time out, the best point so far with `out_of_time` set.
Result<BgNbdFit> FitBgNbd(const CustomerSummary& summary, const Interrupt& interrupt = {});

// E[X(t)]: expected repeat purchases in (0, t] of a customer just acquired. kInvalidArgument for
// bad parameters, a = 1 (a pole of the closed form) or a + b <= 1.
Result<double> BgNbdExpectedPurchases(const BgNbdParameters& p, double t);

// E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of a customer with this history.
Result<double> BgNbdConditionalExpectedPurchases(const BgNbdParameters& p, double t, double x,
                                                 double t_x, double T);

// P(alive at T | x, t_x, T); 1 for x = 0. Computed in log space: no overflow for large x.
double BgNbdProbabilityAlive(const BgNbdParameters& p, double x, double t_x, double T);

// P(X(t) = n) for a customer just acquired (FHL 2005, eq. 8). kInvalidArgument for n < 0.
Result<double> BgNbdProbabilityOfPurchases(const BgNbdParameters& p, double t, int n);

// P(Y(t) = 0 | x, t_x, T): no purchase in (T, T + t] (dead, or alive and silent).
double BgNbdProbabilityNoPurchase(const BgNbdParameters& p, double t, double x, double t_x,
                                  double T);

}  // namespace crm::analytics
