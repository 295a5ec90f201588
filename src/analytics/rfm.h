// RFM: recency, frequency and monetary value per customer, their quintile scores and the named
// segment of the usual 5x5 grid, plus the Pareto share of revenue. The rules are those of the
// pandas and DuckDB peers (see docs/analytics.md), so that our output is byte-for-byte theirs:
//
//   recency   = floor((as_of - last order time) / 24 h), in days
//   frequency = number of distinct orders
//   monetary  = sum of the order amounts (minor units)
//   r, f, m   = SQL NTILE(5) over (goodness ascending, customer id ascending), 5 = best; goodness
//               is -recency, frequency and monetary
//   segment   = grid[r][(f + m + 1) / 2]
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "analytics/transactions.h"
#include "common/status.h"

namespace crm::analytics {

// The named RFM segments. Persisted in results: the values never change.
enum class RfmSegment : uint8_t {
  kChampions = 1,
  kLoyalCustomers = 2,
  kPotentialLoyalists = 3,
  kNewCustomers = 4,
  kPromising = 5,
  kNeedAttention = 6,
  kAboutToSleep = 7,
  kAtRisk = 8,
  kCannotLoseThem = 9,
  kHibernating = 10,
  kLost = 11,
};

// The display name used in exports, e.g. "Cannot Lose Them".
std::string_view RfmSegmentName(RfmSegment segment);
// The segment of r and fm = (f + m + 1) / 2, each in 1..5.
RfmSegment SegmentOf(int r, int fm);

// One row per customer, ascending customer id.
struct RfmTable {
  std::vector<int64_t> customer_id;
  std::vector<int64_t> recency_days;
  std::vector<int64_t> frequency;
  std::vector<int64_t> monetary_minor;
  std::vector<uint8_t> r, f, m;
  std::vector<RfmSegment> segment;

  size_t size() const { return customer_id.size(); }
};

// SQL NTILE(tiles) of each element, given the element indices sorted ascending by the ordering
// key: the first (n % tiles) tiles get one element more. Tiles are 1-based.
std::vector<uint8_t> Ntile(const std::vector<uint32_t>& sorted_indices, int tiles);

// Fills r, f, m and segment of a table whose customer_id (ascending), recency_days, frequency and
// monetary_minor columns are set, with the same NTILE rules as ComputeRfm. For callers that keep
// per-customer aggregates (the server) rather than order histories. kInvalidArgument when the
// columns differ in length.
Status ScoreRfm(RfmTable& table);

// RFM of every customer in the history as of `as_of`. Fails with kInvalidArgument when the
// history is malformed; an empty history gives an empty table.
Result<RfmTable> ComputeRfm(const OrderHistory& history, Timestamp as_of);

// The peers' as-of instant: the latest order time plus 24 hours. kInvalidArgument when empty.
Result<Timestamp> PeerAsOf(const OrderHistory& history);

// Pareto: how much of the revenue the best customers bring.
struct ParetoSummary {
  int64_t customers = 0;
  int64_t top_customers = 0;        // ceil(customers * top_fraction)
  int64_t top_revenue_minor = 0;
  int64_t total_revenue_minor = 0;
  double top_share = 0.0;           // top / total, 0 when the total is 0
  // curve[k] = revenue share of the best ceil(customers * k / points) customers, k = 0..points.
  std::vector<double> curve;
};

// Pareto summary of the monetary column for the top `top_fraction` (0.2 for the 80/20 rule) of
// customers, with a curve of `curve_points` steps. kInvalidArgument for a fraction outside (0, 1]
// or fewer than one curve point.
Result<ParetoSummary> ComputePareto(const std::vector<int64_t>& monetary_minor,
                                    double top_fraction = 0.2, int curve_points = 100);

}  // namespace crm::analytics
