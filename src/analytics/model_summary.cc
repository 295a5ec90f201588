#include "analytics/model_summary.h"

#include <algorithm>

namespace crm::analytics {
namespace {

struct DayValue {
  int64_t day;
  int64_t value;
};

// The customer's orders folded into (day, summed value), ascending by day, up to `last_day`.
void FoldDays(const OrderHistory& history, size_t c, int64_t offset_micros, int64_t last_day,
              std::vector<DayValue>& days) {
  days.clear();
  for (size_t o = history.order_begin[c]; o < history.order_begin[c + 1]; ++o) {
    const int64_t day = FloorDiv(history.order_at_micros[o] + offset_micros, kMicrosPerDay);
    if (day > last_day) continue;
    if (!days.empty() && days.back().day == day) {
      days.back().value += history.order_amount_minor[o];
    } else {
      days.push_back({day, history.order_amount_minor[o]});
    }
  }
}

Status CheckParameters(const SummaryParameters& p) {
  if (!p.calibration_end.IsValid()) return InvalidArgument("bad calibration end date");
  if (!p.observation_end.IsValid()) return InvalidArgument("bad observation end date");
  if (p.observation_end < p.calibration_end) {
    return InvalidArgument("the observation end precedes the calibration end");
  }
  if (!(p.period_days > 0.0) || !(p.minor_units_per_unit > 0.0)) {
    return InvalidArgument("period and money unit must be positive");
  }
  return Status::Ok();
}

}  // namespace

Result<CustomerSummary> SummarizeForModels(const OrderHistory& history,
                                           const SummaryParameters& parameters) {
  CRM_RETURN_IF_ERROR(CheckParameters(parameters));
  if (history.order_begin.size() != history.customer_count() + 1) {
    return InvalidArgument("order history is malformed");
  }
  const SummaryParameters& p = parameters;
  CustomerSummary summary;
  summary.calibration_end_day =
      DaysFromCivil(p.calibration_end.year, p.calibration_end.month, p.calibration_end.day);
  summary.observation_end_day =
      DaysFromCivil(p.observation_end.year, p.observation_end.month, p.observation_end.day);
  summary.holdout_length =
      static_cast<double>(summary.observation_end_day - summary.calibration_end_day) / p.period_days;
  const int64_t offset_micros = p.utc_offset_seconds * 1'000'000;
  summary.period_days = p.period_days;
  summary.first_day_of_data = summary.calibration_end_day;
  for (size_t c = 0; c < history.customer_count(); ++c) {
    if (history.OrderCount(c) == 0) continue;
    const int64_t day = FloorDiv(history.order_at_micros[history.order_begin[c]] + offset_micros,
                                 kMicrosPerDay);
    summary.first_day_of_data = std::min(summary.first_day_of_data, day);
  }
  summary.repeats_by_day.assign(
      static_cast<size_t>(summary.observation_end_day - summary.first_day_of_data + 1), 0);
  std::vector<DayValue> days;
  for (size_t c = 0; c < history.customer_count(); ++c) {
    FoldDays(history, c, offset_micros, summary.observation_end_day, days);
    if (days.empty() || days.front().day > summary.calibration_end_day) continue;
    size_t calibration = 0;
    int64_t repeat_value = 0, holdout_value = 0;
    for (const DayValue& d : days) {
      if (d.day <= summary.calibration_end_day) {
        if (calibration > 0) repeat_value += d.value;
        ++calibration;
      } else {
        holdout_value += d.value;
      }
    }
    for (size_t k = 1; k < days.size(); ++k) {
      ++summary.repeats_by_day[static_cast<size_t>(days[k].day - summary.first_day_of_data)];
    }
    const int32_t x = static_cast<int32_t>(calibration - 1);
    const int64_t first = days.front().day;
    summary.customer_id.push_back(history.customers[c]);
    summary.x.push_back(x);
    summary.t_x.push_back(static_cast<double>(days[calibration - 1].day - first) / p.period_days);
    summary.T.push_back(static_cast<double>(summary.calibration_end_day - first) / p.period_days);
    summary.m_x.push_back(x > 0 ? static_cast<double>(repeat_value) / x / p.minor_units_per_unit
                                : 0.0);
    summary.holdout_x.push_back(static_cast<int32_t>(days.size() - calibration));
    summary.holdout_value.push_back(static_cast<double>(holdout_value) / p.minor_units_per_unit);
    summary.first_day.push_back(first);
  }
  return summary;
}

}  // namespace crm::analytics
