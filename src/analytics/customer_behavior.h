// How customers come back: revisit rate, the purchase-stage funnel (1st -> 2nd -> 3rd+ order),
// retention cohorts by month of first order, and each customer's visit rhythm (median days
// between visit days) with an "overdue" flag when the time since the last visit exceeds a
// multiple of that rhythm. Calendar months and days are the business's local ones, given as a
// UTC offset. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "analytics/transactions.h"
#include "common/status.h"
#include "common/time.h"

namespace crm::analytics {

struct RevisitSummary {
  int64_t customers = 0;
  int64_t returning = 0;  // customers with two or more orders
  double rate = 0.0;      // returning / customers, 0 when there are none
};
RevisitSummary ComputeRevisit(const OrderHistory& history);

// Customers who reached each stage, and the conversion from one stage to the next.
struct PurchaseFunnel {
  int64_t first = 0;        // one or more orders
  int64_t second = 0;       // two or more
  int64_t third_plus = 0;   // three or more
  double first_to_second = 0.0;
  double second_to_third = 0.0;
};
PurchaseFunnel ComputeFunnel(const OrderHistory& history);

// Retention by cohort: cohort c is the customers whose first order fell in month
// first_month + c (months counted as year * 12 + month - 1); active[c][k] is how many of them
// ordered in that month + k, for k up to the last month with any order. active[c][0] is the
// cohort's size.
struct CohortTable {
  int64_t first_month = 0;
  std::vector<std::vector<int64_t>> active;
  // "2024-03" for cohort c.
  std::string CohortLabel(size_t c) const;
};
// kInvalidArgument for an offset beyond +-18 hours; an empty history gives an empty table.
Result<CohortTable> ComputeMonthlyCohorts(const OrderHistory& history, int64_t utc_offset_seconds);

// Per customer (same rows as the history): visit days, the median gap in days between
// consecutive visit days (0 with fewer than two), days since the last visit as of `as_of`, and
// overdue = two or more visit days and days_since_last > overdue_multiple * median_gap.
struct VisitRhythm {
  std::vector<int64_t> customer_id;
  std::vector<int32_t> visit_days;
  std::vector<double> median_gap_days;
  std::vector<int64_t> days_since_last;
  std::vector<uint8_t> overdue;
};
// kInvalidArgument when overdue_multiple is not positive or the offset is beyond +-18 hours.
Result<VisitRhythm> ComputeVisitRhythm(const OrderHistory& history, Timestamp as_of,
                                       double overdue_multiple = 2.0,
                                       int64_t utc_offset_seconds = 0);

}  // namespace crm::analytics
