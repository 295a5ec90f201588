#include "app/analytics_aggregates.h"

#include <algorithm>
#include <cmath>
#include <climits>
#include <numeric>

#include "analytics/transactions.h"

namespace crm::app {
namespace {

int64_t MonthIndex(int64_t day) {
  const Date date = CivilFromDays(day);
  return int64_t{date.year} * 12 + date.month - 1;
}

double MedianGap(const std::vector<int64_t>& gaps_in) {
  std::vector<int64_t> gaps = gaps_in;
  const size_t mid = gaps.size() / 2;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(mid), gaps.end());
  if (gaps.size() % 2 == 1) return static_cast<double>(gaps[mid]);
  const int64_t upper = gaps[mid];
  const int64_t lower = *std::max_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(mid));
  return (static_cast<double>(lower) + static_cast<double>(upper)) / 2.0;
}

}  // namespace

int32_t BusinessAggregates::LocalDay(int64_t micros) const {
  return static_cast<int32_t>(analytics::FloorDiv(micros + utc_offset_seconds_ * 1'000'000, analytics::kMicrosPerDay));
}

bool BusinessAggregates::MarkApplied(int64_t order_id) {
  if (order_id <= 0) return true;  // facts without an id (tests, benchmarks) are never deduplicated
  const auto id = static_cast<uint64_t>(order_id);
  const size_t word = id / 64;
  if (word >= applied_.size()) applied_.resize(std::max(word + 1, applied_.size() * 2), 0);
  const uint64_t bit = uint64_t{1} << (id % 64);
  if (applied_[word] & bit) return false;
  applied_[word] |= bit;
  return true;
}

void BusinessAggregates::Unit::CountSale(uint32_t c) {
  if (c >= sales_by_customer.size()) sales_by_customer.resize(std::max<size_t>(c + 1, sales_by_customer.size() * 2), 0);
  uint8_t& count = sales_by_customer[c];
  if (count == 0) ++customers;
  if (count == 1) ++returning;
  if (count < 255) ++count;
}

uint32_t BusinessAggregates::CustomerIndexMap::FindOrInsert(int64_t key, uint32_t next, bool* inserted) {
  if ((size_ + 1) * 2 > keys_.size()) Grow();
  const size_t mask = keys_.size() - 1;
  size_t slot = static_cast<size_t>(static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ULL >> 20) & mask;
  while (keys_[slot] != 0) {
    if (keys_[slot] == key) {
      *inserted = false;
      return values_[slot];
    }
    slot = (slot + 1) & mask;
  }
  keys_[slot] = key;
  values_[slot] = next;
  ++size_;
  *inserted = true;
  return next;
}

void BusinessAggregates::CustomerIndexMap::Grow() {
  std::vector<int64_t> keys = std::move(keys_);
  std::vector<uint32_t> values = std::move(values_);
  keys_.assign(std::max<size_t>(64, keys.size() * 2), 0);
  values_.assign(keys_.size(), 0);
  size_ = 0;
  bool inserted = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] != 0) FindOrInsert(keys[i], values[i], &inserted);
  }
}

uint32_t BusinessAggregates::CustomerIndex(int64_t customer_id) {
  bool inserted = false;
  const uint32_t index = index_.FindOrInsert(customer_id, static_cast<uint32_t>(customer_id_.size()), &inserted);
  if (inserted) {
    customer_id_.push_back(customer_id);
    first_at_.push_back(INT64_MAX);
    last_at_.push_back(INT64_MIN);
    sales_count_.push_back(0);
    spend_minor_.push_back(0);
    first_branch_.push_back(0);
    first_staff_.push_back(0);
    days_.emplace_back();
  }
  return index;
}

bool BusinessAggregates::Apply(const OrderFact& fact) {
  if (!MarkApplied(fact.order_id)) return false;
  ++version_;
  ++orders_covered_;
  revenue_minor_ += fact.total_minor;
  Unit& branch = branches_[fact.branch_id];
  const int64_t staff_id = fact.refund ? fact.original_staff_id : fact.staff_id;
  Unit* staff = staff_id != 0 ? &staff_[staff_id] : nullptr;
  for (Unit* unit : {&branch, staff}) {
    if (unit == nullptr) continue;
    unit->revenue_minor += fact.total_minor;
    (fact.refund ? unit->refunds : unit->sales) += 1;
  }
  if (!fact.refund) ++sales_;
  if (fact.customer_id == 0) return true;
  const uint32_t c = CustomerIndex(fact.customer_id);
  if (fact.refund) {
    ApplyRefund(c, fact);
    return true;
  }
  ApplySale(c, fact);
  branch.CountSale(c);
  if (staff != nullptr) staff->CountSale(c);
  return true;
}

void BusinessAggregates::ApplySale(uint32_t c, const OrderFact& fact) {
  const int64_t at = fact.ordered_at_micros;
  if (at < first_at_[c]) {
    first_at_[c] = at;
    first_branch_[c] = fact.branch_id;
    first_staff_[c] = fact.staff_id;
  }
  last_at_[c] = std::max(last_at_[c], at);
  ++sales_count_[c];
  spend_minor_[c] += fact.total_minor;
  std::vector<DayValue>& days = days_[c];
  const int32_t day = LocalDay(at);
  // Orders arrive mostly in time order: the new day is usually the last one or after it.
  auto it = days.end();
  if (!days.empty() && days.back().day > day) {
    it =
        std::lower_bound(days.begin(), days.end(), day, [](const DayValue& d, int32_t value) { return d.day < value; });
  } else if (!days.empty() && days.back().day == day) {
    it = days.end() - 1;
  }
  if (it != days.end() && it->day == day) {
    it->value_minor += fact.total_minor;
  } else {
    days.insert(it, DayValue{day, fact.total_minor});
  }
}

void BusinessAggregates::ApplyRefund(uint32_t c, const OrderFact& fact) {
  spend_minor_[c] += fact.total_minor;
  // The refund lowers the value of the day its sale was made, which is a visit day when that sale
  // was applied; otherwise (a refund without its sale) only the spend changes.
  const int32_t day = LocalDay(fact.original_ordered_at_micros);
  std::vector<DayValue>& days = days_[c];
  auto it =
      std::lower_bound(days.begin(), days.end(), day, [](const DayValue& d, int32_t value) { return d.day < value; });
  if (it != days.end() && it->day == day) it->value_minor = std::max<int64_t>(0, it->value_minor + fact.total_minor);
}

void BusinessAggregates::AddBasket(const std::vector<std::string_view>& products) {
  if (products.empty()) return;
  ++version_;
  const size_t begin = baskets_.items.size();
  for (std::string_view product : products) {
    auto [it, inserted] =
        item_index_.try_emplace(std::string(product), static_cast<uint32_t>(baskets_.item_labels.size()));
    if (inserted) baskets_.item_labels.emplace_back(product);
    baskets_.items.push_back(it->second);
  }
  std::sort(baskets_.items.begin() + static_cast<std::ptrdiff_t>(begin), baskets_.items.end());
  baskets_.items.erase(std::unique(baskets_.items.begin() + static_cast<std::ptrdiff_t>(begin), baskets_.items.end()),
                       baskets_.items.end());
  baskets_.transaction_begin.push_back(static_cast<uint32_t>(baskets_.items.size()));
}

analytics::RfmTable BusinessAggregates::Rfm(Timestamp as_of) const {
  std::vector<uint32_t> order;
  order.reserve(customer_id_.size());
  for (uint32_t c = 0; c < customer_id_.size(); ++c) {
    if (sales_count_[c] > 0) order.push_back(c);
  }
  std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) { return customer_id_[a] < customer_id_[b]; });
  analytics::RfmTable table;
  const size_t n = order.size();
  table.customer_id.resize(n);
  table.recency_days.resize(n);
  table.frequency.resize(n);
  table.monetary_minor.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t c = order[i];
    table.customer_id[i] = customer_id_[c];
    table.recency_days[i] = analytics::FloorDiv(as_of.micros() - last_at_[c], analytics::kMicrosPerDay);
    table.frequency[i] = sales_count_[c];
    table.monetary_minor[i] = spend_minor_[c];
  }
  // The columns have equal lengths by construction, so scoring cannot fail.
  CRM_CHECK(analytics::ScoreRfm(table).ok());
  return table;
}

analytics::RevisitSummary BusinessAggregates::Revisit() const {
  analytics::RevisitSummary summary;
  for (int64_t sales : sales_count_) {
    summary.customers += sales > 0;
    summary.returning += sales >= 2;
  }
  summary.rate =
      summary.customers > 0 ? static_cast<double>(summary.returning) / static_cast<double>(summary.customers) : 0.0;
  return summary;
}

analytics::PurchaseFunnel BusinessAggregates::Funnel() const {
  analytics::PurchaseFunnel funnel;
  for (int64_t sales : sales_count_) {
    funnel.first += sales >= 1;
    funnel.second += sales >= 2;
    funnel.third_plus += sales >= 3;
  }
  auto ratio = [](int64_t part, int64_t whole) {
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
  };
  funnel.first_to_second = ratio(funnel.second, funnel.first);
  funnel.second_to_third = ratio(funnel.third_plus, funnel.second);
  return funnel;
}

analytics::CohortTable BusinessAggregates::Cohorts() const {
  analytics::CohortTable table;
  int64_t low = INT64_MAX, high = INT64_MIN;
  for (const auto& days : days_) {
    if (days.empty()) continue;
    low = std::min(low, MonthIndex(days.front().day));
    high = std::max(high, MonthIndex(days.back().day));
  }
  if (low > high) return table;
  table.first_month = low;
  const size_t months = static_cast<size_t>(high - low + 1);
  table.active.resize(months);
  for (size_t c = 0; c < months; ++c) table.active[c].assign(months - c, 0);
  for (const auto& days : days_) {
    if (days.empty()) continue;
    const int64_t cohort = MonthIndex(days.front().day);
    int64_t previous = -1;
    for (const DayValue& d : days) {
      const int64_t month = MonthIndex(d.day);
      if (month == previous) continue;
      previous = month;
      ++table.active[static_cast<size_t>(cohort - low)][static_cast<size_t>(month - cohort)];
    }
  }
  return table;
}

Result<std::vector<RhythmRow>> BusinessAggregates::Rhythm(Timestamp as_of, double overdue_multiple) const {
  if (!(overdue_multiple > 0)) return InvalidArgument("must be a positive number", "overdue_multiple");
  const int32_t today = LocalDay(as_of.micros());
  std::vector<RhythmRow> rows;
  rows.reserve(customer_id_.size());
  std::vector<int64_t> gaps;
  for (uint32_t c = 0; c < customer_id_.size(); ++c) {
    const auto& days = days_[c];
    if (days.empty()) continue;
    RhythmRow row;
    row.customer_id = customer_id_[c];
    row.visit_days = static_cast<int32_t>(days.size());
    row.days_since_last = today - days.back().day;
    if (days.size() >= 2) {
      gaps.clear();
      for (size_t i = 1; i < days.size(); ++i) gaps.push_back(days[i].day - days[i - 1].day);
      row.median_gap_days = MedianGap(gaps);
      row.overdue = static_cast<double>(row.days_since_last) > overdue_multiple * row.median_gap_days;
    }
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(),
            [](const RhythmRow& a, const RhythmRow& b) { return a.customer_id < b.customer_id; });
  return rows;
}

void BusinessAggregates::ExportVisitFacts(Timestamp as_of, int32_t recent_from_day, double overdue_multiple,
                                          domain::FactsTable* out) const {
  const int32_t today = LocalDay(as_of.micros());
  out->rows.reserve(out->rows.size() + customer_id_.size());
  std::vector<int64_t> gaps;
  for (uint32_t c = 0; c < customer_id_.size(); ++c) {
    const auto& days = days_[c];
    if (days.empty()) continue;
    domain::CustomerFacts f;
    f.customer_id = customer_id_[c];
    f.first_visit_day = days.front().day;
    f.last_visit_day = days.back().day;
    f.visit_count = static_cast<int32_t>(sales_count_[c]);
    f.visits_begin = static_cast<uint32_t>(out->visit_days.size());
    for (auto it = days.rbegin(); it != days.rend() && it->day >= recent_from_day; ++it) {
      out->visit_days.push_back(it->day);
    }
    std::reverse(out->visit_days.begin() + f.visits_begin, out->visit_days.end());
    f.visits_end = static_cast<uint32_t>(out->visit_days.size());
    if (days.size() >= 2) {
      gaps.clear();
      for (size_t i = 1; i < days.size(); ++i) gaps.push_back(days[i].day - days[i - 1].day);
      const auto since = f.last_visit_day + static_cast<int32_t>(std::floor(overdue_multiple * MedianGap(gaps))) + 1;
      if (since <= today) f.overdue_since_day = since;
    }
    out->rows.push_back(f);
  }
}

analytics::CustomerSummary BusinessAggregates::ModelSummary(Timestamp as_of) const {
  const int32_t today = LocalDay(as_of.micros());
  return ModelSummary(as_of, today);
}

analytics::CustomerSummary BusinessAggregates::ModelSummary(Timestamp as_of, int64_t calibration_end_day) const {
  constexpr double kWeek = 7.0;
  const int64_t today = LocalDay(as_of.micros());
  const int64_t end = std::min(calibration_end_day, today);
  std::vector<uint32_t> order;
  for (uint32_t c = 0; c < customer_id_.size(); ++c) {
    if (!days_[c].empty() && days_[c].front().day <= end) order.push_back(c);
  }
  std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) { return customer_id_[a] < customer_id_[b]; });
  analytics::CustomerSummary summary;
  summary.period_days = kWeek;
  summary.calibration_end_day = end;
  summary.observation_end_day = today;
  summary.holdout_length = static_cast<double>(today - end) / kWeek;
  summary.first_day_of_data = end;
  for (uint32_t c : order) summary.first_day_of_data = std::min<int64_t>(summary.first_day_of_data, days_[c].front().day);
  summary.repeats_by_day.assign(static_cast<size_t>(today - summary.first_day_of_data + 1), 0);
  const size_t n = order.size();
  summary.customer_id.reserve(n);
  summary.x.reserve(n);
  summary.t_x.reserve(n);
  summary.T.reserve(n);
  summary.m_x.reserve(n);
  summary.first_day.reserve(n);
  summary.holdout_x.reserve(n);
  summary.holdout_value.reserve(n);
  for (uint32_t c : order) {
    const auto& days = days_[c];
    int32_t x = 0;
    int32_t holdout_x = 0;
    int32_t last = days.front().day;
    int64_t repeat_value = 0;
    int64_t holdout_value = 0;
    for (size_t i = 1; i < days.size() && days[i].day <= today; ++i) {
      ++summary.repeats_by_day[static_cast<size_t>(days[i].day - summary.first_day_of_data)];
      if (days[i].day <= end) {
        ++x;
        last = days[i].day;
        repeat_value += days[i].value_minor;
      } else {
        ++holdout_x;
        holdout_value += days[i].value_minor;
      }
    }
    summary.customer_id.push_back(customer_id_[c]);
    summary.x.push_back(x);
    summary.t_x.push_back(x > 0 ? (last - days.front().day) / kWeek : 0.0);
    summary.T.push_back(static_cast<double>(end - days.front().day) / kWeek);
    summary.m_x.push_back(x > 0 ? static_cast<double>(repeat_value) / x : 0.0);
    summary.first_day.push_back(days.front().day);
    summary.holdout_x.push_back(holdout_x);
    summary.holdout_value.push_back(static_cast<double>(holdout_value));
  }
  return summary;
}

std::vector<UnitFigures> BusinessAggregates::Figures(const std::unordered_map<int64_t, Unit>& units,
                                                     const std::vector<int64_t>& first_unit) const {
  std::unordered_map<int64_t, int64_t> new_customers;
  for (size_t c = 0; c < first_unit.size(); ++c) {
    if (sales_count_[c] > 0) ++new_customers[first_unit[c]];
  }
  std::vector<UnitFigures> figures;
  for (const auto& [id, unit] : units) {
    UnitFigures f;
    f.id = id;
    f.sales = unit.sales;
    f.refunds = unit.refunds;
    f.revenue_minor = unit.revenue_minor;
    f.customers = unit.customers;
    f.returning_customers = unit.returning;
    auto it = new_customers.find(id);
    f.new_customers = it != new_customers.end() ? it->second : 0;
    figures.push_back(f);
  }
  std::sort(figures.begin(), figures.end(), [](const UnitFigures& a, const UnitFigures& b) { return a.id < b.id; });
  return figures;
}

std::vector<UnitFigures> BusinessAggregates::Branches() const { return Figures(branches_, first_branch_); }
std::vector<UnitFigures> BusinessAggregates::Staff() const { return Figures(staff_, first_staff_); }

}  // namespace crm::app
