#include "analytics/clv.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace crm::analytics {
namespace {

double Pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double mean_a = 0, mean_b = 0;
  for (size_t i = 0; i < a.size(); ++i) mean_a += a[i] / n, mean_b += b[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - mean_a) * (b[i] - mean_b);
    saa += (a[i] - mean_a) * (a[i] - mean_a);
    sbb += (b[i] - mean_b) * (b[i] - mean_b);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

// Cumulative curves, period by period from the first purchase in the data.
Status FillTracking(const PurchasePredictions& model, const CustomerSummary& s, HoldoutReport& report) {
  const double period = s.period_days;
  const size_t periods = static_cast<size_t>(
      std::ceil(static_cast<double>(s.repeats_by_day.size()) / period - 1e-9));
  std::map<int64_t, int64_t> customers_by_first_day;
  for (int64_t day : s.first_day) ++customers_by_first_day[day];
  double actual = 0;
  size_t day_index = 0;
  for (size_t k = 1; k <= periods; ++k) {
    const double end_day = static_cast<double>(k) * period;  // days since the first day of data
    while (day_index < s.repeats_by_day.size() && static_cast<double>(day_index) < end_day) {
      actual += static_cast<double>(s.repeats_by_day[day_index++]);
    }
    double predicted = 0;
    for (const auto& [day, count] : customers_by_first_day) {
      // A customer is observed from the end of their first purchase day.
      const double t = (end_day - static_cast<double>(day - s.first_day_of_data + 1)) / period;
      if (t <= 0) continue;
      CRM_ASSIGN_OR_RETURN(double expected, model.expected(t));
      predicted += expected * static_cast<double>(count);
    }
    report.cumulative_actual.push_back(actual);
    report.cumulative_predicted.push_back(predicted);
  }
  return Status::Ok();
}

}  // namespace

Result<CustomerValue> ComputeCustomerValue(const BgNbdParameters& purchases,
                                           const GammaGammaParameters& spend,
                                           const CustomerSummary& summary,
                                           const ClvParameters& parameters) {
  if (parameters.horizon_months < 1 || parameters.horizon_months > 600 ||
      !(parameters.monthly_discount_rate >= 0) || !(parameters.days_per_month > 0)) {
    return InvalidArgument("CLV needs a horizon of 1..600 months and a rate >= 0");
  }
  const size_t n = summary.size();
  CustomerValue value;
  value.probability_alive.resize(n);
  value.expected_purchases.resize(n);
  value.expected_spend.resize(n);
  value.clv.resize(n);
  const double month = parameters.days_per_month / summary.period_days;
  for (size_t i = 0; i < n; ++i) {
    const double x = summary.x[i], t_x = summary.t_x[i], T = summary.T[i];
    CRM_ASSIGN_OR_RETURN(value.expected_spend[i], GammaGammaExpectedSpend(spend, x, summary.m_x[i]));
    value.probability_alive[i] = BgNbdProbabilityAlive(purchases, x, t_x, T);
    double previous = 0, clv = 0;
    for (int k = 1; k <= parameters.horizon_months; ++k) {
      CRM_ASSIGN_OR_RETURN(double cumulative,
                           BgNbdConditionalExpectedPurchases(purchases, k * month, x, t_x, T));
      clv += (cumulative - previous) * value.expected_spend[i] /
             std::pow(1 + parameters.monthly_discount_rate, k);
      previous = cumulative;
    }
    value.expected_purchases[i] = previous;
    value.clv[i] = clv;
  }
  return value;
}

Result<HoldoutReport> ComputeHoldoutReport(const BgNbdParameters& purchases,
                                           const CustomerSummary& summary) {
  PurchasePredictions model;
  model.expected = [&purchases](double t) { return BgNbdExpectedPurchases(purchases, t); };
  model.conditional = [&purchases](double t, double x, double t_x, double T) {
    return BgNbdConditionalExpectedPurchases(purchases, t, x, t_x, T);
  };
  model.no_purchase = [&purchases](double t, double x, double t_x, double T) {
    return BgNbdProbabilityNoPurchase(purchases, t, x, t_x, T);
  };
  return ComputeHoldoutReport(model, summary);
}

Result<HoldoutReport> ComputeHoldoutReport(const PurchasePredictions& model,
                                           const CustomerSummary& summary) {
  if (summary.size() == 0) return InvalidArgument("no customers");
  if (summary.holdout_x.size() != summary.size()) return InvalidArgument("summary is malformed");
  HoldoutReport report;
  const size_t n = summary.size();
  report.customers = static_cast<int64_t>(n);
  report.holdout_length = summary.holdout_length;
  report.class_customers.assign(8, 0);
  report.class_actual.assign(8, 0.0);
  report.class_predicted.assign(8, 0.0);
  std::vector<double> actual(n), predicted(n);
  for (size_t i = 0; i < n; ++i) {
    const double x = summary.x[i], t_x = summary.t_x[i], T = summary.T[i];
    CRM_ASSIGN_OR_RETURN(predicted[i], model.conditional(summary.holdout_length, x, t_x, T));
    actual[i] = summary.holdout_x[i];
    report.actual_total += actual[i];
    report.predicted_total += predicted[i];
    report.actual_zero += summary.holdout_x[i] == 0;
    report.predicted_zero += model.no_purchase ? model.no_purchase(summary.holdout_length, x, t_x, T)
                                               : std::numeric_limits<double>::quiet_NaN();
    const size_t k = std::min<size_t>(static_cast<size_t>(summary.x[i]), 7);
    ++report.class_customers[k];
    report.class_actual[k] += actual[i];
    report.class_predicted[k] += predicted[i];
  }
  for (size_t k = 0; k < 8; ++k) {
    if (report.class_customers[k] == 0) continue;
    report.class_actual[k] /= static_cast<double>(report.class_customers[k]);
    report.class_predicted[k] /= static_cast<double>(report.class_customers[k]);
  }
  report.correlation = Pearson(actual, predicted);
  CRM_RETURN_IF_ERROR(FillTracking(model, summary, report));
  return report;
}

}  // namespace crm::analytics
