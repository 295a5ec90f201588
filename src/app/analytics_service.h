// AnalyticsService: the server's analytics over each business's stored orders. Per business it
// keeps BusinessAggregates, built once from the orders (read in batches) and then kept current:
// OrderService reports every sale and refund after its commit (OnOrderCommitted, a hash lookup
// and a few additions), and every request first reads the few orders written since by other
// paths (imports) through an index range scan. Results are derived from the aggregates, never
// from the orders per request; each carries its as-of time and how many orders it covers. The
// customer-base models are fitted on a background thread (model_fits.h): BG/NBD and Gamma-Gamma
// are published as soon as they are fitted, Pareto/NBD after them; a request answers with the
// latest fit and asks for a new one when orders arrived. Destroying the service cancels a running
// fit (the optimisers poll a stop token) and joins its thread.
// Only owners and managers may read analytics (kPermissionDenied for staff), except the counter's
// suggestions, which are business-wide product facts. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "analytics/association_rules.h"
#include "analytics/bgnbd.h"
#include "analytics/clv.h"
#include "analytics/customer_behavior.h"
#include "analytics/gamma_gamma.h"
#include "analytics/pareto_nbd.h"
#include "analytics/rfm.h"
#include "app/analytics_aggregates.h"
#include "app/model_fits.h"
#include "app/order_service.h"
#include "app/principal.h"
#include "common/time.h"
#include "store/database.h"

namespace crm::app {

struct SegmentFigures {
  analytics::RfmSegment segment = analytics::RfmSegment::kLost;
  int64_t customers = 0;
  int64_t revenue_minor = 0;
};

struct RfmRow {
  int64_t customer_id = 0;
  std::string name;
  int64_t recency_days = 0;
  int64_t frequency = 0;
  int64_t monetary_minor = 0;
  int r = 0, f = 0, m = 0;
  analytics::RfmSegment segment = analytics::RfmSegment::kLost;
};

struct RfmReport {
  AnalyticsStamp stamp;
  std::vector<SegmentFigures> segments;  // every segment, in enum order, also when empty
  int64_t matching = 0;                  // customers in the requested segment (all when none)
  std::vector<RfmRow> customers;         // the best `limit` of them by monetary value
};

struct OverdueRow {
  RhythmRow rhythm;
  std::string name;
  int64_t monetary_minor = 0;
};

struct OverdueReport {
  AnalyticsStamp stamp;
  double overdue_multiple = 2.0;
  int64_t overdue = 0;                // how many customers are overdue
  std::vector<OverdueRow> customers;  // most overdue first (days since last / median gap)
};

struct SummaryReport {
  AnalyticsStamp stamp;
  int64_t customers = 0;  // identified customers with a sale
  int64_t sales = 0;
  int64_t revenue_minor = 0;
  analytics::RevisitSummary revisit;
  analytics::PurchaseFunnel funnel;
  double top20_share = 0.0;
  int64_t overdue = 0;
  std::vector<SegmentFigures> segments;
};

struct ParetoReport {
  AnalyticsStamp stamp;
  double top_fraction = 0.2;
  analytics::ParetoSummary pareto;
};

struct CohortReport {
  AnalyticsStamp stamp;
  analytics::CohortTable cohorts;
};

struct FunnelReport {
  AnalyticsStamp stamp;
  analytics::PurchaseFunnel funnel;
  analytics::RevisitSummary revisit;
};

struct UnitReportRow {
  UnitFigures figures;
  std::string name;
  int daily_prospect_goal = 0;  // staff only
  int prospects_today = 0;      // staff only
};

struct UnitReport {
  AnalyticsStamp stamp;
  std::vector<UnitReportRow> rows;
};

enum class ModelStatus { kReady, kFitting, kInsufficientData };

struct ClvReport {
  AnalyticsStamp stamp;  // of the request
  ModelStatus status = ModelStatus::kFitting;
  std::string message;                  // why the models could not be fitted
  std::shared_ptr<const ModelFit> fit;  // the latest fit, possibly older than the stamp
  std::vector<double> histogram_edges;  // CLV buckets [edge k, edge k+1), minor units
  std::vector<int64_t> histogram_counts;
  std::vector<std::pair<int64_t, std::string>> top_customers;  // id and name, by CLV descending
  std::vector<size_t> top_rows;                                // their rows in `fit`
};

struct RulesReport {
  AnalyticsStamp stamp;
  analytics::RuleParameters parameters;
  int64_t transactions = 0;
  std::vector<std::string> item_labels;
  analytics::RuleTable rules;  // at most `limit`, by lift
  int64_t total_rules = 0;
};

// "Customers who order X often add Y" for one customer: a product they do not usually order, the
// products they do usually order that the rule starts from, and the rule's figures.
struct Suggestion {
  std::string product;
  std::vector<std::string> because;
  double confidence = 0.0;
  double lift = 0.0;
  int64_t support_count = 0;  // baskets holding `because` and `product`
};

struct SuggestionsReport {
  AnalyticsStamp stamp;  // of the mined rules
  std::vector<Suggestion> items;  // at most 3, by lift, then confidence
};

struct CustomerAnalytics {
  AnalyticsStamp stamp;
  std::optional<RfmRow> rfm;  // unset before the first sale
  std::optional<RhythmRow> rhythm;
  ModelStatus model_status = ModelStatus::kFitting;
  std::optional<AnalyticsStamp> model_stamp;
  std::optional<double> probability_alive;
  std::optional<double> expected_visits_90d;
  std::optional<double> expected_value_90d;
  std::optional<double> clv_12m;
};

// Whether the automations' churn probabilities come from a fitted model: kReady with the stamp of
// the fit used (possibly older than the latest orders, while a new one is fitted), kFitting before
// the first fit, kInsufficientData with the reason when the models cannot be fitted.
struct ChurnModelState {
  ModelStatus status = ModelStatus::kFitting;
  std::optional<AnalyticsStamp> stamp;
  std::string message;
};

// Per customer with a sale, ascending id: the RFM segment (analytics::RfmSegment value) and
// whether they are overdue (days since the last visit > 2 x the median gap).
struct CustomerLabels {
  AnalyticsStamp stamp;
  std::vector<int64_t> customer_id;
  std::vector<uint8_t> segment;
  std::vector<uint8_t> overdue;
};

class AnalyticsService : public OrderObserver {
 public:
  AnalyticsService(store::Database& database, const Clock& clock, FitBudgets budgets = {});
  ~AnalyticsService() override;
  AnalyticsService(const AnalyticsService&) = delete;
  AnalyticsService& operator=(const AnalyticsService&) = delete;

  // Every report fails with kPermissionDenied for staff, and passes store errors on.
  Result<SummaryReport> Summary(const Principal& principal);
  // kInvalidArgument "limit" outside 1..1000.
  Result<RfmReport> Rfm(const Principal& principal, std::optional<analytics::RfmSegment> segment, int limit);
  // kInvalidArgument "top" outside (0, 1] or "points" outside 1..1000.
  Result<ParetoReport> Pareto(const Principal& principal, double top_fraction, int points);
  Result<CohortReport> Cohorts(const Principal& principal);
  Result<FunnelReport> Funnel(const Principal& principal);
  // kInvalidArgument "multiple" not positive, "limit" outside 1..1000.
  Result<OverdueReport> Overdue(const Principal& principal, double multiple, int limit);
  Result<UnitReport> Branches(const Principal& principal);
  Result<UnitReport> Staff(const Principal& principal);
  // kInvalidArgument "limit" outside 1..1000.
  Result<ClvReport> Clv(const Principal& principal, int limit);
  // kInvalidArgument naming the threshold ("min_support", "min_confidence", "min_length") or "limit".
  Result<RulesReport> Rules(const Principal& principal, const analytics::RuleParameters& parameters, int limit);
  // For the counter, any role: up to 3 suggestions from the rules mined with fixed thresholds
  // (support >= max(3 baskets, 0.5 %), confidence >= 0.3, lift > 1, at most 2 products on the left)
  // whose left side is among the products of the customer's 50 latest sales and whose product is
  // not. The rules are mined at most once a minute per business, and only when orders arrived.
  // kNotFound when the customer is not the business's.
  Result<SuggestionsReport> Suggestions(const Principal& principal, CustomerId customer);
  // kNotFound when the customer is not the business's.
  Result<CustomerAnalytics> ForCustomer(const Principal& principal, CustomerId customer);

  // For saved segments; the caller has checked the principal.
  Result<CustomerLabels> Labels(BusinessId business);
  // For automations: the visit facts of every customer with a sale (BusinessAggregates::
  // ExportVisitFacts, overdue at twice the usual gap) appended to `out`, each with its churn
  // probability (1 - P(alive) of the latest BG/NBD fit, as of that fit) when a fit is there. A fit
  // is asked for when orders arrived since the last one; `churn_model`, when given, says whether
  // one was there.
  Status AutomationFacts(BusinessId business, Timestamp as_of, int32_t recent_from_day, domain::FactsTable* out,
                         ChurnModelState* churn_model = nullptr);

  // Whether a model fit is there for AutomationFacts' churn probabilities (asking for one when
  // orders arrived since the last); the caller has checked the principal.
  Result<ChurnModelState> ChurnModel(BusinessId business);

  // Folds a committed sale or refund into its business's aggregates, when they are built.
  void OnOrderCommitted(const domain::Order& order, const domain::Order* original) override;

  // Drops the business's aggregates and model fit, so that the next request builds them anew from
  // the store: for writes that change whose an order is (a merge of customers and its undo).
  void Invalidate(BusinessId business);

  // Builds (first call) or catches up the business's aggregates; for the benchmark and the CLI.
  Status Refresh(BusinessId business);
  // Waits until no fit is queued or running (tests and benchmarks).
  void WaitForFits();

 private:
  struct State;
  struct MinedRules;
  // The business's state, built and caught up; its mutex is held by the returned lock.
  Result<std::pair<State*, std::unique_lock<std::mutex>>> Current(BusinessId business);
  State& StateOf(BusinessId business);
  Status Build(State& state, BusinessId business);
  Status CatchUp(State& state, BusinessId business);
  const analytics::RfmTable& RfmOf(State& state);
  Result<std::shared_ptr<const MinedRules>> MinedRulesOf(State& state);
  void ApplyPending(State& state);
  void RequestFit(State& state, BusinessId business);
  static ChurnModelState ChurnModelOf(const State& state);
  void FitLoop();
  // Fits the models of one business and publishes them, stage by stage.
  void FitOnce(State& state, std::stop_token stop);
  Result<std::vector<std::string>> NamesOf(BusinessId business, const std::vector<int64_t>& customers);

  store::Database& database_;
  const Clock& clock_;
  const FitBudgets budgets_;
  std::mutex states_mutex_;
  std::unordered_map<int64_t, std::unique_ptr<State>> states_;
  // Background fits: a queue of businesses and one worker, started on the first request.
  std::mutex fit_mutex_;
  std::condition_variable fit_wakeup_;
  std::condition_variable fit_idle_;
  std::deque<std::pair<int64_t, State*>> fit_queue_;
  bool fit_running_ = false;
  bool stopping_ = false;
  std::stop_source stop_;  // requested by the destructor: a running fit gives up
  std::thread fit_thread_;
};

}  // namespace crm::app
