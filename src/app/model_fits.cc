#include "app/model_fits.h"

#include <fmt/format.h>

#include <algorithm>

namespace crm::app {
namespace {

constexpr double kDaysPerWeek = 7.0;
constexpr int64_t kCheckMinSpanDays = 56;       // 8 weeks of history at least
constexpr int64_t kCheckMinHoldoutDays = 28;    // the holdout: the last quarter, at least 4 weeks
constexpr int64_t kCheckMinRepeatCustomers = 20;

// A time budget that starts now, and the server's stop token: polled by the optimiser.
class Budget {
 public:
  Budget(std::chrono::milliseconds limit, std::stop_token stop)
      : limit_(limit), started_(std::chrono::steady_clock::now()), stop_(std::move(stop)) {}

  analytics::Interrupt interrupt() const {
    return [this] {
      if (stop_.stop_requested()) return analytics::Interruption::kCancelled;
      if (std::chrono::steady_clock::now() - started_ > limit_) return analytics::Interruption::kOutOfTime;
      return analytics::Interruption::kNone;
    };
  }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  bool stopped() const { return stop_.stop_requested(); }

  // The outcome of a fit that returned parameters.
  FitOutcome Outcome(bool converged, bool out_of_time) const {
    FitOutcome outcome{FitState::kConverged, "", seconds()};
    if (out_of_time) {
      outcome.state = FitState::kNotConverged;
      outcome.reason = fmt::format("stopped at its time budget of {} s; the best parameters found are shown",
                                   limit_.count() / 1000.0);
    } else if (!converged) {
      outcome.state = FitState::kNotConverged;
      outcome.reason = "the optimiser stopped before the convergence criteria were met; the best parameters found are shown";
    }
    return outcome;
  }
  FitOutcome Skipped(std::string reason) const { return {FitState::kSkipped, std::move(reason), seconds()}; }

 private:
  std::chrono::milliseconds limit_;
  std::chrono::steady_clock::time_point started_;
  std::stop_token stop_;
};

Status Cancelled() { return Aborted("the server is stopping"); }

// Fits BG/NBD on the calibration part of `summary` (a summary with a holdout) and compares its
// prediction of the holdout with what happened.
Status CheckModel(const analytics::CustomerSummary& summary, const FitBudgets& budgets, std::stop_token stop,
                  ModelFit& fit) {
  const Budget budget(budgets.purchases, stop);
  int64_t repeaters = 0;
  for (int32_t x : summary.x) repeaters += x > 0;
  if (repeaters < kCheckMinRepeatCustomers) {
    fit.check_reason = "fewer than 20 customers came back before the calibration end";
    fit.check_outcome = budget.Skipped(fit.check_reason);
    return Status::Ok();
  }
  auto calibration = analytics::FitBgNbd(summary, budget.interrupt());
  if (budget.stopped()) return Cancelled();
  if (!calibration.ok()) {
    fit.check_reason = "the model could not be fitted on the calibration period: " + calibration.status().message();
    fit.check_outcome = budget.Skipped(fit.check_reason);
    return Status::Ok();
  }
  auto report = analytics::ComputeHoldoutReport(calibration->parameters, summary);
  if (!report.ok()) {
    fit.check_reason = "the holdout could not be predicted: " + report.status().message();
    fit.check_outcome = budget.Skipped(fit.check_reason);
    return Status::Ok();
  }
  fit.check = std::move(report).value();
  fit.check_calibration_end_day = summary.calibration_end_day;
  fit.check_first_day = summary.first_day_of_data;
  fit.check_outcome = budget.Outcome(calibration->converged, calibration->out_of_time);
  return Status::Ok();
}

}  // namespace

Result<int64_t> CheckCalibrationEnd(int64_t first_day, int64_t today) {
  const int64_t span = today - first_day;
  if (span < kCheckMinSpanDays) {
    return FailedPrecondition("the history is shorter than 8 weeks");
  }
  const int64_t holdout = std::max(kCheckMinHoldoutDays, span / 4 / 7 * 7);
  return today - holdout;
}

Result<ModelFit> FitFirstModels(const analytics::CustomerSummary& summary,
                                const std::optional<analytics::CustomerSummary>& holdout,
                                const std::string& no_check, AnalyticsStamp stamp,
                                const FitBudgets& budgets, std::stop_token stop) {
  ModelFit fit;
  fit.stamp = stamp;
  {
    const Budget budget(budgets.purchases, stop);
    auto purchases = analytics::FitBgNbd(summary, budget.interrupt());
    if (budget.stopped()) return Cancelled();
    if (!purchases.ok()) return purchases.status();
    fit.purchases = *purchases;
    fit.purchases_outcome = budget.Outcome(purchases->converged, purchases->out_of_time);
  }
  {
    const Budget budget(budgets.spend, stop);
    auto spend = analytics::FitGammaGamma(summary, budget.interrupt());
    if (budget.stopped()) return Cancelled();
    if (!spend.ok()) {
      fit.spend_outcome = budget.Skipped(spend.status().message());
    } else if (!(spend->parameters.q > 1.0)) {
      fit.spend_outcome = budget.Skipped("the fitted spend distribution has no finite mean (q <= 1)");
    } else {
      fit.spend = *spend;
      fit.spend_outcome = budget.Outcome(spend->converged, spend->out_of_time);
    }
  }
  const size_t n = summary.size();
  fit.customer_id = summary.customer_id;
  fit.probability_alive.resize(n);
  fit.expected_visits_90d.resize(n);
  fit.expected_value_90d.assign(n, 0.0);
  fit.clv_12m.assign(n, 0.0);
  const analytics::BgNbdParameters& p = fit.purchases.parameters;
  for (size_t i = 0; i < n; ++i) {
    fit.probability_alive[i] = analytics::BgNbdProbabilityAlive(p, summary.x[i], summary.t_x[i], summary.T[i]);
    CRM_ASSIGN_OR_RETURN(fit.expected_visits_90d[i],
                         analytics::BgNbdConditionalExpectedPurchases(p, 90.0 / kDaysPerWeek, summary.x[i],
                                                                      summary.t_x[i], summary.T[i]));
  }
  if (fit.spend) {
    analytics::ClvParameters clv;  // 12 months of 30 days, 1 % a month
    CRM_ASSIGN_OR_RETURN(analytics::CustomerValue value,
                         analytics::ComputeCustomerValue(p, fit.spend->parameters, summary, clv));
    for (size_t i = 0; i < n; ++i) {
      fit.expected_value_90d[i] = fit.expected_visits_90d[i] * value.expected_spend[i];
      fit.clv_12m[i] = value.clv[i];
    }
  }
  if (holdout) {
    CRM_RETURN_IF_ERROR(CheckModel(*holdout, budgets, stop, fit));
  } else {
    fit.check_reason = no_check;
    fit.check_outcome = {FitState::kSkipped, no_check, 0.0};
  }
  fit.pareto_nbd_outcome = {FitState::kFitting, "", 0.0};
  return fit;
}

Status AddParetoNbd(const analytics::CustomerSummary& summary, const FitBudgets& budgets, std::stop_token stop,
                    ModelFit& fit) {
  const Budget budget(budgets.pareto_nbd, stop);
  auto second = analytics::FitParetoNbd(summary, budget.interrupt());
  if (budget.stopped()) return Cancelled();
  if (!second.ok()) {
    fit.pareto_nbd_outcome = budget.Skipped(second.status().message());
    return Status::Ok();
  }
  double expected = 0.0;
  for (size_t i = 0; i < summary.size(); ++i) {
    Result<double> visits = analytics::ParetoNbdConditionalExpectedPurchases(
        second->parameters, 90.0 / kDaysPerWeek, summary.x[i], summary.t_x[i], summary.T[i]);
    if (!visits.ok()) {
      fit.pareto_nbd_outcome = budget.Skipped(visits.status().message());
      return Status::Ok();
    }
    expected += *visits;
  }
  fit.pareto_nbd = *second;
  fit.pareto_nbd_expected_visits_90d = expected;
  fit.pareto_nbd_outcome = budget.Outcome(second->converged, second->out_of_time);
  return Status::Ok();
}

}  // namespace crm::app
