#include "analytics/customer_behavior.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace crm::analytics {
namespace {

constexpr int64_t kMaxOffsetSeconds = 18 * 3600;

int64_t LocalDay(int64_t micros, int64_t offset_seconds) {
  return FloorDiv(micros + offset_seconds * 1'000'000, kMicrosPerDay);
}

int64_t MonthIndex(int64_t day) {
  const Date date = CivilFromDays(day);
  return int64_t{date.year} * 12 + date.month - 1;
}

double Ratio(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// The customer's distinct local visit days, ascending (orders are sorted by time).
void VisitDays(const OrderHistory& h, size_t c, int64_t offset, std::vector<int64_t>& days) {
  days.clear();
  for (size_t o = h.order_begin[c]; o < h.order_begin[c + 1]; ++o) {
    const int64_t day = LocalDay(h.order_at_micros[o], offset);
    if (days.empty() || days.back() != day) days.push_back(day);
  }
}

double MedianGap(const std::vector<int64_t>& days, std::vector<int64_t>& gaps) {
  if (days.size() < 2) return 0.0;
  gaps.clear();
  for (size_t i = 1; i < days.size(); ++i) gaps.push_back(days[i] - days[i - 1]);
  const size_t mid = gaps.size() / 2;
  std::nth_element(gaps.begin(), gaps.begin() + mid, gaps.end());
  if (gaps.size() % 2 == 1) return static_cast<double>(gaps[mid]);
  const int64_t upper = gaps[mid];
  const int64_t lower = *std::max_element(gaps.begin(), gaps.begin() + mid);
  return (static_cast<double>(lower) + static_cast<double>(upper)) / 2.0;
}

}  // namespace

RevisitSummary ComputeRevisit(const OrderHistory& history) {
  RevisitSummary summary;
  summary.customers = static_cast<int64_t>(history.customer_count());
  for (size_t c = 0; c < history.customer_count(); ++c) {
    summary.returning += history.OrderCount(c) >= 2;
  }
  summary.rate = Ratio(summary.returning, summary.customers);
  return summary;
}

PurchaseFunnel ComputeFunnel(const OrderHistory& history) {
  PurchaseFunnel funnel;
  for (size_t c = 0; c < history.customer_count(); ++c) {
    const size_t orders = history.OrderCount(c);
    funnel.first += orders >= 1;
    funnel.second += orders >= 2;
    funnel.third_plus += orders >= 3;
  }
  funnel.first_to_second = Ratio(funnel.second, funnel.first);
  funnel.second_to_third = Ratio(funnel.third_plus, funnel.second);
  return funnel;
}

std::string CohortTable::CohortLabel(size_t c) const {
  const int64_t month = first_month + static_cast<int64_t>(c);
  return fmt::format("{:04d}-{:02d}", month / 12, month % 12 + 1);
}

Result<CohortTable> ComputeMonthlyCohorts(const OrderHistory& history, int64_t utc_offset_seconds) {
  if (std::abs(utc_offset_seconds) > kMaxOffsetSeconds) {
    return InvalidArgument("UTC offset beyond 18 hours", "utc_offset");
  }
  CohortTable table;
  if (history.order_at_micros.empty()) return table;
  std::vector<int64_t> first(history.customer_count());
  int64_t low = INT64_MAX, high = INT64_MIN;
  for (size_t c = 0; c < history.customer_count(); ++c) {
    first[c] = MonthIndex(LocalDay(history.order_at_micros[history.order_begin[c]], utc_offset_seconds));
    low = std::min(low, first[c]);
  }
  for (int64_t at : history.order_at_micros) high = std::max(high, MonthIndex(LocalDay(at, utc_offset_seconds)));
  table.first_month = low;
  const size_t months = static_cast<size_t>(high - low + 1);
  table.active.resize(months);
  for (size_t c = 0; c < months; ++c) table.active[c].assign(months - c, 0);
  for (size_t c = 0; c < history.customer_count(); ++c) {
    int64_t last_counted = -1;
    for (size_t o = history.order_begin[c]; o < history.order_begin[c + 1]; ++o) {
      const int64_t month = MonthIndex(LocalDay(history.order_at_micros[o], utc_offset_seconds));
      if (month == last_counted) continue;  // orders are sorted: one count per month
      last_counted = month;
      ++table.active[static_cast<size_t>(first[c] - low)][static_cast<size_t>(month - first[c])];
    }
  }
  return table;
}

Result<VisitRhythm> ComputeVisitRhythm(const OrderHistory& history, Timestamp as_of,
                                       double overdue_multiple, int64_t utc_offset_seconds) {
  if (!(overdue_multiple > 0)) return InvalidArgument("overdue multiple must be positive");
  if (std::abs(utc_offset_seconds) > kMaxOffsetSeconds) {
    return InvalidArgument("UTC offset beyond 18 hours", "utc_offset");
  }
  VisitRhythm rhythm;
  const size_t n = history.customer_count();
  rhythm.customer_id = history.customers;
  rhythm.visit_days.resize(n);
  rhythm.median_gap_days.resize(n);
  rhythm.days_since_last.resize(n);
  rhythm.overdue.resize(n);
  const int64_t today = LocalDay(as_of.micros(), utc_offset_seconds);
  std::vector<int64_t> days, gaps;
  for (size_t c = 0; c < n; ++c) {
    VisitDays(history, c, utc_offset_seconds, days);
    if (days.empty()) continue;
    const double median = MedianGap(days, gaps);
    rhythm.visit_days[c] = static_cast<int32_t>(days.size());
    rhythm.median_gap_days[c] = median;
    rhythm.days_since_last[c] = today - days.back();
    rhythm.overdue[c] = days.size() >= 2 &&
                        static_cast<double>(rhythm.days_since_last[c]) > overdue_multiple * median;
  }
  return rhythm;
}

}  // namespace crm::analytics
