// The per-customer summary the customer-base models (BG/NBD, Pareto/NBD, Gamma-Gamma) are fitted
// on, built from order history with the conventions of the BTYD literature and of lifetimes and
// CLVTools, so that published numbers reproduce:
//   - orders of one customer on the same local calendar day are one transaction (values summed);
//   - x   = repeat transactions in the calibration period (distinct days - 1);
//   - t_x = (last calibration day - first day) / period, 0 when x = 0;
//   - T   = (calibration end day - first day) / period;
//   - m_x = mean value of the x repeat transactions (the first excluded), 0 when x = 0;
//   - holdout x* = transactions in (calibration end, observation end].
// Customers whose first purchase falls after the calibration end are left out; orders after the
// observation end are ignored. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "analytics/transactions.h"
#include "common/status.h"
#include "common/time.h"

namespace crm::analytics {

struct SummaryParameters {
  Date calibration_end;   // last day of the calibration period, inclusive
  Date observation_end;   // last day observed, inclusive; equal to calibration_end for no holdout
  double period_days = 7.0;             // the model's time unit: weeks
  int64_t utc_offset_seconds = 0;       // the business's local day boundary
  double minor_units_per_unit = 1.0;    // m_x in major units: 100 for cents -> dollars
};

// Columns, one row per customer, ascending customer id.
struct CustomerSummary {
  std::vector<int64_t> customer_id;
  std::vector<int32_t> x;
  std::vector<double> t_x;
  std::vector<double> T;
  std::vector<double> m_x;
  std::vector<int32_t> holdout_x;
  std::vector<double> holdout_value;     // sum of holdout transaction values, major units
  std::vector<int64_t> first_day;        // local day number of the first purchase
  // Repeat transactions (every transaction but each customer's first) per local day, from the
  // earliest first purchase (day first_day_of_data) to the observation end: the tracking curve.
  std::vector<int64_t> repeats_by_day;
  int64_t first_day_of_data = 0;
  double period_days = 7.0;
  double holdout_length = 0.0;           // (observation end - calibration end) / period
  int64_t calibration_end_day = 0;       // local day numbers, days since 1970-01-01
  int64_t observation_end_day = 0;

  size_t size() const { return customer_id.size(); }
};

// Builds the summary. kInvalidArgument when a date is invalid, the observation end precedes the
// calibration end, or the period or unit is not positive.
Result<CustomerSummary> SummarizeForModels(const OrderHistory& history,
                                           const SummaryParameters& parameters);

}  // namespace crm::analytics
