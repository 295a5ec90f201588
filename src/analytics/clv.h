// What each customer is worth and how far to trust it: customer lifetime value from BG/NBD
// (expected purchases) and Gamma-Gamma (expected spend) over a horizon with a discount rate, and
// the calibration/holdout report that compares the model's predictions for the holdout period
// with what customers actually did. Model quantities are double; pure and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "analytics/bgnbd.h"
#include "analytics/gamma_gamma.h"
#include "analytics/model_summary.h"
#include "common/status.h"

namespace crm::analytics {

struct ClvParameters {
  int horizon_months = 12;
  double monthly_discount_rate = 0.01;
  double days_per_month = 30.0;  // lifetimes' convention
};

// Per customer, same rows as the summary.
struct CustomerValue {
  std::vector<double> probability_alive;
  std::vector<double> expected_purchases;  // over the horizon
  std::vector<double> expected_spend;      // per purchase, Gamma-Gamma
  std::vector<double> clv;                 // discounted, in the summary's money unit
};

// CLV_i = sum over months k of (E[Y(k months)] - E[Y(k - 1 months)]) * spend / (1 + d)^k, the
// discrete form lifetimes uses. kInvalidArgument for a horizon outside 1..600 months, a negative
// rate or bad model parameters; kFailedPrecondition when 2F1 does not converge.
Result<CustomerValue> ComputeCustomerValue(const BgNbdParameters& purchases,
                                           const GammaGammaParameters& spend,
                                           const CustomerSummary& summary,
                                           const ClvParameters& parameters);

// Predicted against actual for the holdout period.
struct HoldoutReport {
  int64_t customers = 0;
  double holdout_length = 0.0;         // in periods
  double actual_total = 0.0;           // transactions in the holdout
  double predicted_total = 0.0;        // sum of E[Y(holdout) | history]
  double correlation = 0.0;            // Pearson, per customer, actual vs predicted
  int64_t actual_zero = 0;             // customers with no holdout transaction
  double predicted_zero = 0.0;         // sum of P(Y(holdout) = 0 | history)
  // By calibration frequency x = 0..7, the last row 7+: customers, mean actual, mean predicted.
  std::vector<int64_t> class_customers;
  std::vector<double> class_actual, class_predicted;
  // Cumulative repeat transactions at the end of each period since the first purchase in the
  // data, actual and predicted (sum of E[X(t)] since each customer's first purchase).
  std::vector<double> cumulative_actual, cumulative_predicted;
};

// kInvalidArgument for an empty summary or bad parameters; kFailedPrecondition when 2F1 does not
// converge.
Result<HoldoutReport> ComputeHoldoutReport(const BgNbdParameters& purchases,
                                           const CustomerSummary& summary);

// What a purchase model predicts, for the holdout report of any model (BG/NBD, Pareto/NBD).
struct PurchasePredictions {
  // E[X(t)]: repeat purchases in (0, t] of a customer just acquired.
  std::function<Result<double>(double t)> expected;
  // E[Y(t) | x, t_x, T]: purchases in (T, T + t] of a customer with this history.
  std::function<Result<double>(double t, double x, double t_x, double T)> conditional;
  // P(Y(t) = 0 | x, t_x, T); may be empty, and predicted_zero is then NaN.
  std::function<double(double t, double x, double t_x, double T)> no_purchase;
};

// The same report from any model's predictions. Errors are those of the predictions.
Result<HoldoutReport> ComputeHoldoutReport(const PurchasePredictions& model,
                                           const CustomerSummary& summary);

}  // namespace crm::analytics
