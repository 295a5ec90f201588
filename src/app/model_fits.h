// The customer-base models the server fits for a business, in two stages so that a slow model
// never holds a fast one back: first BG/NBD (purchases), Gamma-Gamma (spend) and the holdout check
// of BG/NBD, which are published as soon as they are fitted; then Pareto/NBD, added to a copy of
// that fit. Every fit runs under a time budget and a stop token (the server's shutdown) and ends
// converged, not converged (with the reason: the budget ran out, or the optimiser stopped short)
// or skipped (with the reason). Pure functions of the summaries; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "analytics/bgnbd.h"
#include "analytics/clv.h"
#include "analytics/gamma_gamma.h"
#include "analytics/model_summary.h"
#include "analytics/pareto_nbd.h"
#include "common/status.h"
#include "common/time.h"

namespace crm::app {

// When a result was computed and how many orders and refunds it covers.
struct AnalyticsStamp {
  Timestamp as_of;
  int64_t orders = 0;
};

// How one model's fit ended. kFitting while it is queued or running.
enum class FitState { kFitting, kConverged, kNotConverged, kSkipped };

struct FitOutcome {
  FitState state = FitState::kFitting;
  std::string reason;   // empty when converged or still fitting
  double seconds = 0;   // wall time the fit took
};

// The time each model may take. The defaults leave the demo's and CDNOW-sized businesses far
// inside them (docs/performance.md); a business that runs one out gets the best point found.
struct FitBudgets {
  std::chrono::milliseconds purchases{30'000};  // BG/NBD, and its holdout check, each
  std::chrono::milliseconds spend{30'000};      // Gamma-Gamma
  std::chrono::milliseconds pareto_nbd{60'000};
};

// The fitted customer-base models of one business and what they say of each customer.
struct ModelFit {
  AnalyticsStamp stamp;
  analytics::BgNbdFit purchases;
  FitOutcome purchases_outcome;
  std::optional<analytics::GammaGammaFit> spend;  // unset when Gamma-Gamma could not be fitted
  FitOutcome spend_outcome;
  std::vector<int64_t> customer_id;               // ascending
  std::vector<double> probability_alive;
  std::vector<double> expected_visits_90d;
  std::vector<double> expected_value_90d;  // minor units; 0 without a spend model
  std::vector<double> clv_12m;             // minor units, 1 % monthly discount; 0 without a spend model
  // How far to trust the purchase model: BG/NBD fitted on the history up to a calibration end and
  // its prediction of the holdout after it (up to the stamp) against what happened. Unset, with
  // `check_reason`, when the history is too short or has too few repeat customers.
  std::optional<analytics::HoldoutReport> check;
  FitOutcome check_outcome;
  int64_t check_calibration_end_day = 0;  // local day number, days since 1970-01-01
  int64_t check_first_day = 0;            // week 1 of the cumulative curve starts on this day
  std::string check_reason;
  // The second purchase model, Pareto/NBD, on the same summary, with its expected visits in 90 days
  // summed over the customers (to set beside BG/NBD's). Unset while it is fitted (outcome
  // kFitting) and when it was skipped (the outcome says why).
  std::optional<analytics::ParetoNbdFit> pareto_nbd;
  double pareto_nbd_expected_visits_90d = 0.0;
  FitOutcome pareto_nbd_outcome;
};

// Stage one: BG/NBD, Gamma-Gamma and what they say of each customer, then the model check on
// `holdout` (a summary with its calibration end before the stamp) or, without one, `no_check`
// as its reason. kInvalidArgument when BG/NBD cannot be fitted (no customers or no repeat
// purchase), kAborted when `stop` is requested.
Result<ModelFit> FitFirstModels(const analytics::CustomerSummary& summary,
                                const std::optional<analytics::CustomerSummary>& holdout,
                                const std::string& no_check, AnalyticsStamp stamp,
                                const FitBudgets& budgets, std::stop_token stop);

// Stage two: Pareto/NBD on the same summary, into `fit` (its outcome always set). kAborted when
// `stop` is requested.
Status AddParetoNbd(const analytics::CustomerSummary& summary, const FitBudgets& budgets,
                    std::stop_token stop, ModelFit& fit);

// Where the model check's calibration ends for a history from `first_day` to `today` (local day
// numbers); kFailedPrecondition saying why there is no check.
Result<int64_t> CheckCalibrationEnd(int64_t first_day, int64_t today);

}  // namespace crm::app
