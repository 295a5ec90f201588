// BusinessAggregates: the per-customer, per-branch and per-staff running totals of one business
// that the server's analytics are derived from, so that no request reads the orders again. Built
// once from the stored orders and then updated order by order (Apply costs a hash lookup and an
// insertion into one customer's short list of visit days). The derived results (RFM, Pareto,
// funnel, cohorts, rhythm, the model summary) are computed from these totals with the pure
// functions of analytics/. No database, no clock: callers pass `as_of`.
// Not thread-safe: AnalyticsService guards each instance with a mutex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analytics/customer_behavior.h"
#include "analytics/model_summary.h"
#include "analytics/rfm.h"
#include "analytics/text_formats.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/automation.h"

namespace crm::app {

// One order or refund as the aggregates see it. Absent ids are 0.
struct OrderFact {
  int64_t order_id = 0;
  int64_t customer_id = 0;
  int64_t branch_id = 0;
  int64_t staff_id = 0;
  bool refund = false;
  int64_t ordered_at_micros = 0;
  int64_t total_minor = 0;                 // negative for a refund
  int64_t original_ordered_at_micros = 0;  // refunds: when the refunded sale was made
  int64_t original_staff_id = 0;           // refunds: who made the refunded sale
};

// Sales and net revenue of one branch or staff member, and how many distinct customers they served.
struct UnitFigures {
  int64_t id = 0;
  int64_t sales = 0;
  int64_t refunds = 0;
  int64_t revenue_minor = 0;        // sales less refunds
  int64_t customers = 0;            // distinct identified customers with a sale
  int64_t new_customers = 0;        // customers whose first sale this was (staff) or was here (branch)
  int64_t returning_customers = 0;  // of `customers`, those with two or more sales here
};

// One customer's visit rhythm, as analytics::ComputeVisitRhythm defines it.
struct RhythmRow {
  int64_t customer_id = 0;
  int32_t visit_days = 0;
  double median_gap_days = 0.0;
  int64_t days_since_last = 0;
  bool overdue = false;
};

class BusinessAggregates {
 public:
  explicit BusinessAggregates(int64_t utc_offset_seconds) : utc_offset_seconds_(utc_offset_seconds) {}

  // Folds one order or refund in. Returns false, changing nothing, when this order id was applied
  // before (the order hook and the catch-up read may both see an order).
  bool Apply(const OrderFact& fact);
  // Adds the basket of a sale just applied: its line products, each counted once.
  void AddBasket(const std::vector<std::string_view>& products);

  int64_t orders_covered() const { return orders_covered_; }
  // Changes whenever Apply or AddBasket changes something; derived results cache on it.
  uint64_t version() const { return version_; }
  int64_t utc_offset_seconds() const { return utc_offset_seconds_; }
  int64_t customer_count() const { return static_cast<int64_t>(customer_id_.size()); }
  int64_t revenue_minor() const { return revenue_minor_; }
  int64_t sales() const { return sales_; }
  const analytics::Baskets& baskets() const { return baskets_; }

  // RFM of every customer with at least one sale, ascending customer id: recency in whole days
  // from the last sale to `as_of`, frequency = sales, monetary = sales less refunds.
  analytics::RfmTable Rfm(Timestamp as_of) const;
  analytics::RevisitSummary Revisit() const;
  analytics::PurchaseFunnel Funnel() const;
  // Retention by month of first visit, in the business's local months.
  analytics::CohortTable Cohorts() const;
  // Every customer with a sale, ascending id. kInvalidArgument when overdue_multiple <= 0.
  Result<std::vector<RhythmRow>> Rhythm(Timestamp as_of, double overdue_multiple) const;
  // The BG/NBD and Gamma-Gamma input with the calibration ending on as_of's local day (no
  // holdout), in weeks, spend in minor units. Customers whose first visit is after that are left
  // out.
  analytics::CustomerSummary ModelSummary(Timestamp as_of) const;
  // The same with a holdout: the calibration ends on local day `calibration_end_day` (days since
  // 1970-01-01, at most as_of's local day); customers first seen after it are left out; holdout_x
  // and holdout_value (minor units) count the visit days after it up to as_of's local day, and
  // repeats_by_day is the tracking curve over the whole span, as analytics::SummarizeForModels.
  analytics::CustomerSummary ModelSummary(Timestamp as_of, int64_t calibration_end_day) const;
  std::vector<UnitFigures> Branches() const;
  std::vector<UnitFigures> Staff() const;
  // Appends one row per customer with a sale to `out` (automations): first and last visit day,
  // sales, the visit days from `recent_from_day` on, and the day they became overdue (last visit +
  // overdue_multiple x their median gap, when that day has come by `as_of`).
  void ExportVisitFacts(Timestamp as_of, int32_t recent_from_day, double overdue_multiple,
                        domain::FactsTable* out) const;

 private:
  struct DayValue {
    int32_t day;
    int64_t value_minor;
  };
  struct Unit {
    int64_t sales = 0;
    int64_t refunds = 0;
    int64_t revenue_minor = 0;
    int64_t customers = 0;  // customers with a sale here
    int64_t returning = 0;  // ... with two or more
    // Sales here by customer index, saturating at 255: only "one" and "two or more" matter, and a
    // byte per customer and unit is cheaper than a hash map per unit.
    std::vector<uint8_t> sales_by_customer;
    void CountSale(uint32_t c);
  };
  // Customer id -> index: open addressing with linear probing, a flat array of slots, as a
  // std::unordered_map allocates a node per customer and costs a cache miss more per order.
  class CustomerIndexMap {
   public:
    // The index of `key`, inserting `next` when it is new; `inserted` says which.
    uint32_t FindOrInsert(int64_t key, uint32_t next, bool* inserted);

   private:
    void Grow();
    std::vector<int64_t> keys_;  // 0 marks an empty slot (customer ids are positive)
    std::vector<uint32_t> values_;
    size_t size_ = 0;
  };
  uint32_t CustomerIndex(int64_t customer_id);
  void ApplySale(uint32_t c, const OrderFact& fact);
  void ApplyRefund(uint32_t c, const OrderFact& fact);
  bool MarkApplied(int64_t order_id);
  std::vector<UnitFigures> Figures(const std::unordered_map<int64_t, Unit>& units,
                                   const std::vector<int64_t>& first_unit) const;
  int32_t LocalDay(int64_t micros) const;

  int64_t utc_offset_seconds_;
  uint64_t version_ = 0;
  int64_t orders_covered_ = 0;
  int64_t sales_ = 0;
  int64_t revenue_minor_ = 0;
  std::vector<uint64_t> applied_;  // bit per order id
  CustomerIndexMap index_;
  // Per customer, by index.
  std::vector<int64_t> customer_id_;
  std::vector<int64_t> first_at_;  // earliest sale, micros; INT64_MAX before any sale
  std::vector<int64_t> last_at_;
  std::vector<int64_t> sales_count_;
  std::vector<int64_t> spend_minor_;
  std::vector<int64_t> first_branch_;
  std::vector<int64_t> first_staff_;
  std::vector<std::vector<DayValue>> days_;  // visit days ascending, with net value that day
  std::unordered_map<int64_t, Unit> branches_;
  std::unordered_map<int64_t, Unit> staff_;
  analytics::Baskets baskets_{{}, {0}, {}};
  std::unordered_map<std::string, uint32_t> item_index_;
};

}  // namespace crm::app
