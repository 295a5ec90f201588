// Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): a
// customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers.
// Fitted by maximum likelihood on the repeaters' (x, m_x); gives the expected average spend
// E(M | x, m_x). Spend is a model quantity in double, in the summary's major units. Pure and
// thread-safe.
#pragma once

#include "analytics/model_summary.h"
#include "analytics/optimizer.h"
#include "common/status.h"

namespace crm::analytics {

struct GammaGammaParameters {
  double p = 1.0;
  double q = 1.0;
  double gamma = 1.0;
};

struct GammaGammaFit {
  GammaGammaParameters parameters;
  double log_likelihood = 0.0;
  int customers = 0;  // the repeaters it was fitted on
  bool converged = false;
  bool out_of_time = false;  // the interrupt ran the time budget out: the best point so far
};

// Log-likelihood over the customers with x > 0 and m_x > 0. kInvalidArgument for non-positive
// parameters or a malformed summary.
Result<double> GammaGammaLogLikelihood(const GammaGammaParameters& parameters,
                                       const CustomerSummary& summary);

// Maximum-likelihood fit over the repeaters (x > 0, m_x > 0). kInvalidArgument when there are
// fewer than two of them; kFailedPrecondition when no start converges; kAborted when `interrupt`
// cancels. When it runs the time out, the best point so far with `out_of_time` set.
Result<GammaGammaFit> FitGammaGamma(const CustomerSummary& summary, const Interrupt& interrupt = {});

// E(M | x, m_x) = (q - 1) / (px + q - 1) * p gamma / (q - 1) + px / (px + q - 1) * m_x; for x = 0
// the population mean p gamma / (q - 1). kInvalidArgument when q <= 1 (no finite mean) or x < 0.
Result<double> GammaGammaExpectedSpend(const GammaGammaParameters& parameters, double x,
                                       double m_x);

}  // namespace crm::analytics
