#include "analytics/rfm.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>

namespace crm::analytics {
namespace {

using S = RfmSegment;
// kGrid[r - 1][fm - 1], as in the peers' SEGMENT_GRID.
constexpr std::array<std::array<RfmSegment, 5>, 5> kGrid = {{
    {S::kLost, S::kLost, S::kAtRisk, S::kCannotLoseThem, S::kCannotLoseThem},
    {S::kHibernating, S::kHibernating, S::kAtRisk, S::kAtRisk, S::kAtRisk},
    {S::kAboutToSleep, S::kNeedAttention, S::kLoyalCustomers, S::kLoyalCustomers,
     S::kLoyalCustomers},
    {S::kPromising, S::kPotentialLoyalists, S::kLoyalCustomers, S::kChampions, S::kChampions},
    {S::kNewCustomers, S::kPotentialLoyalists, S::kLoyalCustomers, S::kChampions, S::kChampions},
}};

// Indices 0..n-1 sorted ascending by (key, customer id); customer ids ascend with the index, so
// a stable sort on the key alone gives the tie-break.
std::vector<uint32_t> SortedBy(const std::vector<int64_t>& key) {
  std::vector<uint32_t> order(key.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&key](uint32_t a, uint32_t b) { return key[a] < key[b]; });
  return order;
}

}  // namespace

std::string_view RfmSegmentName(RfmSegment segment) {
  switch (segment) {
    case S::kChampions: return "Champions";
    case S::kLoyalCustomers: return "Loyal Customers";
    case S::kPotentialLoyalists: return "Potential Loyalists";
    case S::kNewCustomers: return "New Customers";
    case S::kPromising: return "Promising";
    case S::kNeedAttention: return "Need Attention";
    case S::kAboutToSleep: return "About To Sleep";
    case S::kAtRisk: return "At Risk";
    case S::kCannotLoseThem: return "Cannot Lose Them";
    case S::kHibernating: return "Hibernating";
    case S::kLost: return "Lost";
  }
  return "Unknown";
}

RfmSegment SegmentOf(int r, int fm) {
  r = std::clamp(r, 1, 5);
  fm = std::clamp(fm, 1, 5);
  return kGrid[r - 1][fm - 1];
}

std::vector<uint8_t> Ntile(const std::vector<uint32_t>& sorted_indices, int tiles) {
  const size_t n = sorted_indices.size();
  std::vector<uint8_t> out(n);
  if (n == 0 || tiles <= 0) return out;
  const size_t k = std::min(static_cast<size_t>(tiles), n);
  const size_t size = n / k;
  const size_t large = n % k;
  const size_t small_start = large * (size + 1);
  for (size_t pos = 0; pos < n; ++pos) {
    const size_t tile = pos < small_start ? pos / (size + 1) : large + (pos - small_start) / size;
    out[sorted_indices[pos]] = static_cast<uint8_t>(tile + 1);
  }
  return out;
}

Result<Timestamp> PeerAsOf(const OrderHistory& history) {
  if (history.order_last_micros.empty()) return InvalidArgument("no orders");
  const int64_t latest =
      *std::max_element(history.order_last_micros.begin(), history.order_last_micros.end());
  return Timestamp::FromMicros(latest + kMicrosPerDay);
}

Result<RfmTable> ComputeRfm(const OrderHistory& history, Timestamp as_of) {
  const size_t n = history.customer_count();
  if (history.order_begin.size() != n + 1 ||
      history.order_begin.back() != history.order_last_micros.size() ||
      history.order_amount_minor.size() != history.order_last_micros.size()) {
    return InvalidArgument("order history is malformed");
  }
  RfmTable table;
  table.customer_id = history.customers;
  table.recency_days.resize(n);
  table.frequency.resize(n);
  table.monetary_minor.resize(n);
  for (size_t c = 0; c < n; ++c) {
    const size_t begin = history.order_begin[c], end = history.order_begin[c + 1];
    if (begin >= end || end > history.order_last_micros.size()) {
      return InvalidArgument("order history is malformed");
    }
    int64_t last = history.order_last_micros[begin];
    int64_t sum = 0;
    for (size_t o = begin; o < end; ++o) {
      last = std::max(last, history.order_last_micros[o]);
      sum += history.order_amount_minor[o];
    }
    table.recency_days[c] = FloorDiv(as_of.micros() - last, kMicrosPerDay);
    table.frequency[c] = static_cast<int64_t>(end - begin);
    table.monetary_minor[c] = sum;
  }
  CRM_RETURN_IF_ERROR(ScoreRfm(table));
  return table;
}

Status ScoreRfm(RfmTable& table) {
  const size_t n = table.customer_id.size();
  if (table.recency_days.size() != n || table.frequency.size() != n ||
      table.monetary_minor.size() != n) {
    return InvalidArgument("RFM columns differ in length");
  }
  std::vector<int64_t> goodness(n);
  for (size_t c = 0; c < n; ++c) goodness[c] = -table.recency_days[c];
  table.r = Ntile(SortedBy(goodness), 5);
  table.f = Ntile(SortedBy(table.frequency), 5);
  table.m = Ntile(SortedBy(table.monetary_minor), 5);
  table.segment.resize(n);
  for (size_t c = 0; c < n; ++c) {
    table.segment[c] = SegmentOf(table.r[c], (table.f[c] + table.m[c] + 1) / 2);
  }
  return Status::Ok();
}

Result<ParetoSummary> ComputePareto(const std::vector<int64_t>& monetary_minor,
                                    double top_fraction, int curve_points) {
  if (!(top_fraction > 0.0 && top_fraction <= 1.0)) {
    return InvalidArgument("top fraction must be in (0, 1]", "top_fraction");
  }
  if (curve_points < 1) return InvalidArgument("need at least one curve point", "curve_points");
  ParetoSummary summary;
  const size_t n = monetary_minor.size();
  summary.customers = static_cast<int64_t>(n);
  std::vector<int64_t> sorted = monetary_minor;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  std::vector<int64_t> prefix(n + 1, 0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + sorted[i];
  summary.total_revenue_minor = prefix[n];
  // ceil(n * fraction) without floating error for the 1/5 case: (n + 4) / 5.
  summary.top_customers = top_fraction == 0.2
                              ? static_cast<int64_t>((n + 4) / 5)
                              : static_cast<int64_t>(std::ceil(static_cast<double>(n) * top_fraction));
  summary.top_revenue_minor = prefix[static_cast<size_t>(summary.top_customers)];
  const double total = static_cast<double>(summary.total_revenue_minor);
  summary.top_share = total != 0.0 ? static_cast<double>(summary.top_revenue_minor) / total : 0.0;
  summary.curve.resize(static_cast<size_t>(curve_points) + 1);
  for (int k = 0; k <= curve_points; ++k) {
    const size_t count = (n * static_cast<size_t>(k) + curve_points - 1) / curve_points;
    summary.curve[k] = total != 0.0 ? static_cast<double>(prefix[count]) / total : 0.0;
  }
  return summary;
}

}  // namespace crm::analytics
