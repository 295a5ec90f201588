#include "app/analytics_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string_view>
#include <utility>

#include "analytics/clv.h"
#include "domain/prospect.h"
#include "store/analytics_repository.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/note_repository.h"
#include "store/staff_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int kBatchSize = 50'000;
constexpr int64_t kRfmCacheMicros = 60'000'000;  // an RFM table is reused for up to a minute
constexpr int kHistogramBuckets = 10;
// The counter's suggestions: fixed thresholds for a menu of tens of products (docs/analytics.md).
constexpr int64_t kRulesCacheMicros = 60'000'000;  // mined rules are reused for at least a minute
constexpr int64_t kSuggestionMinCount = 3;         // baskets holding the rule's products, at least
constexpr double kSuggestionMinSupport = 0.005;    // and at least this share of the baskets
constexpr double kSuggestionMinConfidence = 0.3;
constexpr double kSuggestionMinLift = 1.0;         // strictly above
constexpr int kSuggestionMaxLength = 3;            // up to two products on the left
constexpr int kSuggestionRecentOrders = 50;        // the customer's usual products: of these sales
constexpr int kSuggestionUsualProducts = 30;       // at most this many, most frequent first
constexpr size_t kSuggestionsShown = 3;

OrderFact FactOf(const domain::Order& order, const domain::Order* original) {
  OrderFact fact;
  fact.order_id = order.id.value();
  fact.customer_id = order.customer_id ? order.customer_id->value() : 0;
  fact.branch_id = order.branch_id.value();
  fact.staff_id = order.staff_id ? order.staff_id->value() : 0;
  fact.refund = order.kind == domain::OrderKind::kRefund;
  fact.ordered_at_micros = order.ordered_at.micros();
  fact.total_minor = order.total.minor_units();
  if (original != nullptr) {
    fact.original_ordered_at_micros = original->ordered_at.micros();
    fact.original_staff_id = original->staff_id ? original->staff_id->value() : 0;
  }
  return fact;
}

std::vector<SegmentFigures> SegmentsOf(const analytics::RfmTable& rfm) {
  std::vector<SegmentFigures> segments;
  for (int s = static_cast<int>(analytics::RfmSegment::kChampions); s <= static_cast<int>(analytics::RfmSegment::kLost);
       ++s) {
    segments.push_back({static_cast<analytics::RfmSegment>(s), 0, 0});
  }
  for (size_t i = 0; i < rfm.size(); ++i) {
    SegmentFigures& figures = segments[static_cast<size_t>(rfm.segment[i]) - 1];
    ++figures.customers;
    figures.revenue_minor += rfm.monetary_minor[i];
  }
  return segments;
}

RfmRow RowOf(const analytics::RfmTable& rfm, size_t i) {
  RfmRow row;
  row.customer_id = rfm.customer_id[i];
  row.recency_days = rfm.recency_days[i];
  row.frequency = rfm.frequency[i];
  row.monetary_minor = rfm.monetary_minor[i];
  row.r = rfm.r[i];
  row.f = rfm.f[i];
  row.m = rfm.m[i];
  row.segment = rfm.segment[i];
  return row;
}

Status CheckLimit(int limit) {
  if (limit < 1 || limit > 1000) return InvalidArgument("must be an integer from 1 to 1000", "limit");
  return Status::Ok();
}

}  // namespace

// The rules mined for the counter's suggestions, with what they were mined from.
struct AnalyticsService::MinedRules {
  AnalyticsStamp stamp;
  uint64_t version = 0;  // of the aggregates
  std::vector<std::string> item_labels;
  std::unordered_map<std::string, uint32_t> item_index;
  analytics::RuleTable rules;  // lift > 1 only
};

// An order the hook saw, waiting for the state's lock.
struct PendingOrder {
  OrderFact fact;
  std::vector<std::string> products;
};

struct AnalyticsService::State {
  std::atomic<bool> started{false};  // a build has begun: the hook queues orders
  std::mutex pending_mutex;
  std::vector<PendingOrder> pending;
  std::mutex mutex;
  std::unique_ptr<BusinessAggregates> aggregates;  // null until built
  store::ChangePosition watermark;                 // the last order read from the store, in commit order
  Timestamp updated_at;
  // The RFM table of `rfm_version`, computed at `rfm_as_of`.
  uint64_t rfm_version = UINT64_MAX;
  Timestamp rfm_as_of;
  analytics::RfmTable rfm;
  // The counter's rules, null until mined (and after Invalidate).
  std::shared_ptr<const MinedRules> mined;
  // Models: the latest fit, and whether one is queued or running.
  std::shared_ptr<const ModelFit> fit;
  bool fit_pending = false;
  int64_t fit_requested_orders = -1;
  std::string fit_error;
  uint64_t generation = 0;  // counts Invalidate calls: a fit of an older generation is dropped
};

AnalyticsService::AnalyticsService(store::Database& database, const Clock& clock, FitBudgets budgets)
    : database_(database), clock_(clock), budgets_(budgets) {}

AnalyticsService::~AnalyticsService() {
  {
    std::lock_guard<std::mutex> lock(fit_mutex_);
    stopping_ = true;
  }
  stop_.request_stop();
  fit_wakeup_.notify_all();
  if (fit_thread_.joinable()) fit_thread_.join();
}

AnalyticsService::State& AnalyticsService::StateOf(BusinessId business) {
  std::lock_guard<std::mutex> lock(states_mutex_);
  std::unique_ptr<State>& state = states_[business.value()];
  if (!state) state = std::make_unique<State>();
  return *state;
}

Status AnalyticsService::Build(State& state, BusinessId business) {
  CRM_ASSIGN_OR_RETURN(domain::Business found,
                       store::ReadValue<domain::Business>(
                           database_, [&](store::Transaction& tx) { return tx.businesses().Get(business); }));
  // From here on the order hook keeps what it sees for the build to fold in: an order committed
  // during the build with an id below a batch already read would otherwise be missed.
  state.started.store(true);
  state.aggregates = std::make_unique<BusinessAggregates>(int64_t{found.utc_offset_minutes} * 60);
  state.watermark = {};
  return CatchUp(state, business);
}

Status AnalyticsService::CatchUp(State& state, BusinessId business) {
  BusinessAggregates& aggregates = *state.aggregates;
  while (true) {
    store::OrderFactBatch batch;
    store::OrderProducts products;
    CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
      store::AnalyticsRepository repository(tx.connection());
      CRM_ASSIGN_OR_RETURN(batch, repository.ReadOrderFacts(business, state.watermark, kBatchSize));
      if (batch.size() == 0) return Status::Ok();
      CRM_ASSIGN_OR_RETURN(
          products, repository.ReadOrderProducts(business, batch.change_seq.front(), batch.change_seq.back()));
      return Status::Ok();
    }));
    size_t line = 0;
    std::vector<std::string_view> basket;
    for (size_t i = 0; i < batch.size(); ++i) {
      OrderFact fact{batch.order_id[i],         batch.customer_id[i],
                     batch.branch_id[i],        batch.staff_id[i],
                     batch.kind[i] == 2,        batch.ordered_at_micros[i],
                     batch.total_minor[i],      batch.original_ordered_at_micros[i],
                     batch.original_staff_id[i]};
      const bool applied = aggregates.Apply(fact);
      // Both are in (change_seq, order id) order; lines of orders read before are skipped.
      const std::pair<int64_t, int64_t> position{batch.change_seq[i], fact.order_id};
      while (line < products.order_id.size() &&
             std::pair<int64_t, int64_t>{products.change_seq[line], products.order_id[line]} < position) {
        ++line;
      }
      basket.clear();
      for (; line < products.order_id.size() && products.order_id[line] == fact.order_id; ++line) {
        basket.push_back(products.product[line]);
      }
      if (applied && !fact.refund) aggregates.AddBasket(basket);
    }
    if (batch.size() == 0) break;
    state.watermark = {batch.change_seq.back(), batch.order_id.back()};
    if (batch.size() < static_cast<size_t>(kBatchSize)) break;
  }
  state.updated_at = clock_.Now();
  return Status::Ok();
}

Status AnalyticsService::Refresh(BusinessId business) {
  State& state = StateOf(business);
  std::lock_guard<std::mutex> lock(state.mutex);
  CRM_RETURN_IF_ERROR(state.aggregates ? CatchUp(state, business) : Build(state, business));
  ApplyPending(state);
  return Status::Ok();
}

void AnalyticsService::Invalidate(BusinessId business) {
  State& state = StateOf(business);
  std::lock_guard<std::mutex> lock(state.mutex);
  state.aggregates.reset();
  state.rfm_version = UINT64_MAX;
  state.mined.reset();
  state.fit_requested_orders = -1;
  state.fit.reset();
  ++state.generation;
}

Result<std::pair<AnalyticsService::State*, std::unique_lock<std::mutex>>> AnalyticsService::Current(
    BusinessId business) {
  State& state = StateOf(business);
  std::unique_lock<std::mutex> lock(state.mutex);
  if (!state.aggregates) {
    Status built = Build(state, business);
    if (!built.ok()) {
      state.aggregates.reset();  // a half-read build is thrown away and redone next time
      return built;
    }
  } else {
    CRM_RETURN_IF_ERROR(CatchUp(state, business));
  }
  ApplyPending(state);
  return std::make_pair(&state, std::move(lock));
}

void AnalyticsService::OnOrderCommitted(const domain::Order& order, const domain::Order* original) {
  State& state = StateOf(order.business_id);
  // Nobody has asked for this business's analytics: the build will read the order.
  if (!state.started.load()) return;
  PendingOrder pending{FactOf(order, original), {}};
  if (!pending.fact.refund) {
    for (const domain::OrderLine& line : order.lines) pending.products.push_back(line.product);
  }
  {
    std::lock_guard<std::mutex> lock(state.pending_mutex);
    state.pending.push_back(std::move(pending));
  }
  // A request may hold the state for a while (the first build reads every order): the writer does
  // not wait for it. Whoever holds the state next folds the pending orders in.
  std::unique_lock<std::mutex> lock(state.mutex, std::try_to_lock);
  if (lock.owns_lock()) ApplyPending(state);
}

void AnalyticsService::ApplyPending(State& state) {
  // Called with state.mutex held.
  if (!state.aggregates) return;
  std::vector<PendingOrder> pending;
  {
    std::lock_guard<std::mutex> lock(state.pending_mutex);
    pending.swap(state.pending);
  }
  if (pending.empty()) return;
  std::vector<std::string_view> basket;
  for (const PendingOrder& order : pending) {
    if (!state.aggregates->Apply(order.fact) || order.fact.refund) continue;
    basket.assign(order.products.begin(), order.products.end());
    state.aggregates->AddBasket(basket);
  }
  state.updated_at = clock_.Now();
}

const analytics::RfmTable& AnalyticsService::RfmOf(State& state) {
  const Timestamp now = clock_.Now();
  if (state.rfm_version != state.aggregates->version() || now.micros() - state.rfm_as_of.micros() > kRfmCacheMicros ||
      now < state.rfm_as_of) {
    state.rfm = state.aggregates->Rfm(now);
    state.rfm_version = state.aggregates->version();
    state.rfm_as_of = now;
  }
  return state.rfm;
}

Result<std::vector<std::string>> AnalyticsService::NamesOf(BusinessId business, const std::vector<int64_t>& customers) {
  std::vector<std::string> names;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    names.clear();
    for (int64_t id : customers) {
      auto customer = tx.customers().Get(business, CustomerId(id));
      if (customer.ok()) {
        names.push_back(customer->name);
      } else if (customer.status().code() == StatusCode::kNotFound) {
        names.emplace_back();  // deleted since
      } else {
        return customer.status();
      }
    }
    return Status::Ok();
  }));
  return names;
}

Result<CustomerLabels> AnalyticsService::Labels(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto current, Current(business));
  State& state = *current.first;
  const analytics::RfmTable& rfm = RfmOf(state);
  CustomerLabels labels;
  labels.stamp = {state.rfm_as_of, state.aggregates->orders_covered()};
  labels.customer_id = rfm.customer_id;
  labels.segment.resize(rfm.size());
  for (size_t i = 0; i < rfm.size(); ++i) labels.segment[i] = static_cast<uint8_t>(rfm.segment[i]);
  labels.overdue.assign(rfm.size(), 0);
  CRM_ASSIGN_OR_RETURN(auto rhythm, state.aggregates->Rhythm(labels.stamp.as_of, 2.0));
  // Both are ascending by customer id and cover the customers with a sale.
  size_t j = 0;
  for (const RhythmRow& row : rhythm) {
    while (j < rfm.size() && rfm.customer_id[j] < row.customer_id) ++j;
    if (j < rfm.size() && rfm.customer_id[j] == row.customer_id) labels.overdue[j] = row.overdue ? 1 : 0;
  }
  return labels;
}

Status AnalyticsService::AutomationFacts(BusinessId business, Timestamp as_of, int32_t recent_from_day,
                                         domain::FactsTable* out, ChurnModelState* churn_model) {
  CRM_ASSIGN_OR_RETURN(auto current, Current(business));
  State& state = *current.first;
  const size_t first_row = out->rows.size();
  state.aggregates->ExportVisitFacts(as_of, recent_from_day, 2.0, out);
  RequestFit(state, business);
  ChurnModelState model = ChurnModelOf(state);
  if (state.fit) {
    const ModelFit& fit = *state.fit;
    for (size_t i = first_row; i < out->rows.size(); ++i) {
      domain::CustomerFacts& facts = out->rows[i];
      auto at = std::lower_bound(fit.customer_id.begin(), fit.customer_id.end(), facts.customer_id);
      if (at == fit.customer_id.end() || *at != facts.customer_id) continue;  // a sale after the fit
      const double alive = fit.probability_alive[static_cast<size_t>(at - fit.customer_id.begin())];
      facts.churn_probability = static_cast<float>(1.0 - alive);
    }
  }
  if (churn_model) *churn_model = std::move(model);
  return Status::Ok();
}

ChurnModelState AnalyticsService::ChurnModelOf(const State& state) {
  // Called with state.mutex held.
  ChurnModelState model;
  if (state.fit) {
    model.status = ModelStatus::kReady;
    model.stamp = state.fit->stamp;
  } else if (!state.fit_pending && !state.fit_error.empty()) {
    model.status = ModelStatus::kInsufficientData;
    model.message = state.fit_error;
  }
  return model;
}

Result<ChurnModelState> AnalyticsService::ChurnModel(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto current, Current(business));
  State& state = *current.first;
  RequestFit(state, business);
  return ChurnModelOf(state);
}

Result<SummaryReport> AnalyticsService::Summary(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
  State& state = *current.first;
  const BusinessAggregates& aggregates = *state.aggregates;
  SummaryReport report;
  const analytics::RfmTable& rfm = RfmOf(state);
  report.stamp = {state.rfm_as_of, aggregates.orders_covered()};
  report.customers = static_cast<int64_t>(rfm.size());
  report.sales = aggregates.sales();
  report.revenue_minor = aggregates.revenue_minor();
  report.revisit = aggregates.Revisit();
  report.funnel = aggregates.Funnel();
  CRM_ASSIGN_OR_RETURN(analytics::ParetoSummary pareto, analytics::ComputePareto(rfm.monetary_minor, 0.2, 1));
  report.top20_share = pareto.top_share;
  CRM_ASSIGN_OR_RETURN(auto rhythm, aggregates.Rhythm(report.stamp.as_of, 2.0));
  for (const RhythmRow& row : rhythm) report.overdue += row.overdue;
  report.segments = SegmentsOf(rfm);
  return report;
}

Result<RfmReport> AnalyticsService::Rfm(const Principal& principal, std::optional<analytics::RfmSegment> segment,
                                        int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_RETURN_IF_ERROR(CheckLimit(limit));
  RfmReport report;
  {
    CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
    State& state = *current.first;
    const analytics::RfmTable& rfm = RfmOf(state);
    report.stamp = {state.rfm_as_of, state.aggregates->orders_covered()};
    report.segments = SegmentsOf(rfm);
    std::vector<size_t> rows;
    for (size_t i = 0; i < rfm.size(); ++i) {
      if (!segment || rfm.segment[i] == *segment) rows.push_back(i);
    }
    report.matching = static_cast<int64_t>(rows.size());
    const size_t keep = std::min(rows.size(), static_cast<size_t>(limit));
    std::partial_sort(
        rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(keep), rows.end(), [&rfm](size_t a, size_t b) {
          return rfm.monetary_minor[a] != rfm.monetary_minor[b] ? rfm.monetary_minor[a] > rfm.monetary_minor[b]
                                                                : rfm.customer_id[a] < rfm.customer_id[b];
        });
    for (size_t k = 0; k < keep; ++k) report.customers.push_back(RowOf(rfm, rows[k]));
  }
  std::vector<int64_t> ids;
  for (const RfmRow& row : report.customers) ids.push_back(row.customer_id);
  CRM_ASSIGN_OR_RETURN(auto names, NamesOf(principal.business_id, ids));
  for (size_t k = 0; k < names.size(); ++k) report.customers[k].name = std::move(names[k]);
  return report;
}

Result<ParetoReport> AnalyticsService::Pareto(const Principal& principal, double top_fraction, int points) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (!(top_fraction > 0.0 && top_fraction <= 1.0)) return InvalidArgument("must be in (0, 1]", "top");
  if (points < 1 || points > 1000) return InvalidArgument("must be an integer from 1 to 1000", "points");
  CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
  State& state = *current.first;
  ParetoReport report;
  const analytics::RfmTable& rfm = RfmOf(state);
  report.stamp = {state.rfm_as_of, state.aggregates->orders_covered()};
  report.top_fraction = top_fraction;
  CRM_ASSIGN_OR_RETURN(report.pareto, analytics::ComputePareto(rfm.monetary_minor, top_fraction, points));
  return report;
}

Result<CohortReport> AnalyticsService::Cohorts(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
  CohortReport report;
  report.stamp = {clock_.Now(), current.first->aggregates->orders_covered()};
  report.cohorts = current.first->aggregates->Cohorts();
  return report;
}

Result<FunnelReport> AnalyticsService::Funnel(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
  FunnelReport report;
  report.stamp = {clock_.Now(), current.first->aggregates->orders_covered()};
  report.funnel = current.first->aggregates->Funnel();
  report.revisit = current.first->aggregates->Revisit();
  return report;
}

Result<OverdueReport> AnalyticsService::Overdue(const Principal& principal, double multiple, int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (!(multiple > 0.0 && multiple <= 100.0)) return InvalidArgument("must be a number in (0, 100]", "multiple");
  CRM_RETURN_IF_ERROR(CheckLimit(limit));
  OverdueReport report;
  report.overdue_multiple = multiple;
  {
    CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
    State& state = *current.first;
    report.stamp = {clock_.Now(), state.aggregates->orders_covered()};
    CRM_ASSIGN_OR_RETURN(auto rhythm, state.aggregates->Rhythm(report.stamp.as_of, multiple));
    const analytics::RfmTable& rfm = RfmOf(state);
    for (const RhythmRow& row : rhythm) {
      if (!row.overdue) continue;
      ++report.overdue;
      OverdueRow out;
      out.rhythm = row;
      auto it = std::lower_bound(rfm.customer_id.begin(), rfm.customer_id.end(), row.customer_id);
      if (it != rfm.customer_id.end() && *it == row.customer_id) {
        out.monetary_minor = rfm.monetary_minor[static_cast<size_t>(it - rfm.customer_id.begin())];
      }
      report.customers.push_back(out);
    }
  }
  auto lateness = [](const OverdueRow& row) {
    return static_cast<double>(row.rhythm.days_since_last) / std::max(row.rhythm.median_gap_days, 1.0);
  };
  std::sort(report.customers.begin(), report.customers.end(), [&](const OverdueRow& a, const OverdueRow& b) {
    const double la = lateness(a), lb = lateness(b);
    return la != lb ? la > lb : a.rhythm.customer_id < b.rhythm.customer_id;
  });
  if (report.customers.size() > static_cast<size_t>(limit)) report.customers.resize(static_cast<size_t>(limit));
  std::vector<int64_t> ids;
  for (const OverdueRow& row : report.customers) ids.push_back(row.rhythm.customer_id);
  CRM_ASSIGN_OR_RETURN(auto names, NamesOf(principal.business_id, ids));
  for (size_t k = 0; k < names.size(); ++k) report.customers[k].name = std::move(names[k]);
  return report;
}

Result<UnitReport> AnalyticsService::Branches(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  UnitReport report;
  std::vector<UnitFigures> figures;
  {
    CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
    report.stamp = {clock_.Now(), current.first->aggregates->orders_covered()};
    figures = current.first->aggregates->Branches();
  }
  CRM_ASSIGN_OR_RETURN(
      auto branches, store::ReadValue<std::vector<domain::Branch>>(
                         database_, [&](store::Transaction& tx) { return tx.branches().List(principal.business_id); }));
  for (const domain::Branch& branch : branches) {
    UnitReportRow row;
    row.figures.id = branch.id.value();
    row.name = branch.name;
    for (const UnitFigures& f : figures) {
      if (f.id == branch.id.value()) row.figures = f;
    }
    report.rows.push_back(std::move(row));
  }
  return report;
}

Result<UnitReport> AnalyticsService::Staff(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  UnitReport report;
  std::vector<UnitFigures> figures;
  {
    CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
    report.stamp = {clock_.Now(), current.first->aggregates->orders_covered()};
    figures = current.first->aggregates->Staff();
  }
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    report.rows.clear();
    CRM_ASSIGN_OR_RETURN(domain::Business business, tx.businesses().Get(principal.business_id));
    const domain::DayBounds today = domain::LocalDay(report.stamp.as_of, business.utc_offset_minutes);
    CRM_ASSIGN_OR_RETURN(auto counts, tx.prospects().CountByStaff(principal.business_id, today.start, today.end));
    CRM_ASSIGN_OR_RETURN(auto staff, tx.staff().List(principal.business_id));
    for (const domain::Staff& member : staff) {
      UnitReportRow row;
      row.figures.id = member.id.value();
      row.name = member.display_name;
      row.daily_prospect_goal = member.daily_prospect_goal;
      for (const auto& [id, count] : counts) {
        if (id == member.id) row.prospects_today = count;
      }
      for (const UnitFigures& f : figures) {
        if (f.id == member.id.value()) row.figures = f;
      }
      report.rows.push_back(std::move(row));
    }
    return Status::Ok();
  }));
  return report;
}

void AnalyticsService::RequestFit(State& state, BusinessId business) {
  // Called with state.mutex held.
  const int64_t orders = state.aggregates->orders_covered();
  if (state.fit_pending || state.fit_requested_orders == orders) return;
  state.fit_pending = true;
  state.fit_requested_orders = orders;
  std::lock_guard<std::mutex> lock(fit_mutex_);
  fit_queue_.emplace_back(business.value(), &state);
  if (!fit_thread_.joinable()) fit_thread_ = std::thread([this] { FitLoop(); });
  fit_wakeup_.notify_one();
}

void AnalyticsService::FitLoop() {
  const std::stop_token stop = stop_.get_token();
  while (true) {
    State* state = nullptr;
    {
      std::unique_lock<std::mutex> lock(fit_mutex_);
      fit_wakeup_.wait(lock, [this] { return stopping_ || !fit_queue_.empty(); });
      if (stopping_) return;
      state = fit_queue_.front().second;
      fit_queue_.pop_front();
      fit_running_ = true;
    }
    FitOnce(*state, stop);
    {
      std::lock_guard<std::mutex> lock(fit_mutex_);
      fit_running_ = false;
    }
    fit_idle_.notify_all();
    if (stop.stop_requested()) return;
  }
}

void AnalyticsService::FitOnce(State& state, std::stop_token stop) {
  analytics::CustomerSummary summary;
  std::optional<analytics::CustomerSummary> holdout;  // calibration end before the stamp: the check
  Result<int64_t> check_end = FailedPrecondition("there are no customers");
  AnalyticsStamp stamp;
  uint64_t generation = 0;
  bool invalidated = false;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    generation = state.generation;
    if (state.aggregates) {
      stamp = {clock_.Now(), state.aggregates->orders_covered()};
      summary = state.aggregates->ModelSummary(stamp.as_of);
      if (summary.size() > 0) {
        const int64_t first = *std::min_element(summary.first_day.begin(), summary.first_day.end());
        check_end = CheckCalibrationEnd(first, summary.calibration_end_day);
        if (check_end.ok()) holdout = state.aggregates->ModelSummary(stamp.as_of, *check_end);
      }
    } else {
      invalidated = true;
    }
  }
  const std::string no_check = check_end.ok() ? std::string() : check_end.status().message();
  Result<ModelFit> fit = invalidated ? Result<ModelFit>(Aborted("the aggregates were invalidated"))
                                     : FitFirstModels(summary, holdout, no_check, stamp, budgets_, stop);
  if (stop.stop_requested()) return;
  // Publishes BG/NBD and Gamma-Gamma now; `published` is what Pareto/NBD is then added to.
  std::shared_ptr<const ModelFit> published;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.generation != generation) {
      // Dropped: the next request asks for a fit of the rebuilt aggregates.
    } else if (fit.ok()) {
      published = std::make_shared<const ModelFit>(std::move(fit).value());
      state.fit = published;
      state.fit_error.clear();
    } else {
      state.fit_error = fit.status().message();
    }
    if (!published) {
      state.fit_pending = false;
      return;
    }
  }
  ModelFit second = *published;
  const Status added = AddParetoNbd(summary, budgets_, stop, second);
  if (!added.ok()) return;  // stopping
  std::lock_guard<std::mutex> lock(state.mutex);
  state.fit_pending = false;
  // Unless a newer fit or an Invalidate replaced it meanwhile.
  if (state.generation == generation && state.fit == published) {
    state.fit = std::make_shared<const ModelFit>(std::move(second));
  }
}

void AnalyticsService::WaitForFits() {
  std::unique_lock<std::mutex> lock(fit_mutex_);
  fit_idle_.wait(lock, [this] { return stopping_ || (fit_queue_.empty() && !fit_running_); });
}

Result<ClvReport> AnalyticsService::Clv(const Principal& principal, int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_RETURN_IF_ERROR(CheckLimit(limit));
  ClvReport report;
  {
    CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
    State& state = *current.first;
    report.stamp = {clock_.Now(), state.aggregates->orders_covered()};
    RequestFit(state, principal.business_id);
    report.fit = state.fit;
    if (state.fit && state.fit->stamp.orders == report.stamp.orders) {
      report.status = ModelStatus::kReady;
    } else if (!state.fit_pending && !state.fit_error.empty()) {
      report.status = ModelStatus::kInsufficientData;
      report.message = state.fit_error;
    } else {
      report.status = ModelStatus::kFitting;
    }
  }
  if (!report.fit) return report;
  const ModelFit& fit = *report.fit;
  const size_t n = fit.clv_12m.size();
  if (n > 0) {
    const double high = *std::max_element(fit.clv_12m.begin(), fit.clv_12m.end());
    const double width = high > 0 ? high / kHistogramBuckets : 1.0;
    for (int k = 0; k <= kHistogramBuckets; ++k) report.histogram_edges.push_back(k * width);
    report.histogram_counts.assign(kHistogramBuckets, 0);
    for (double value : fit.clv_12m) {
      const int bucket = std::clamp(static_cast<int>(value / width), 0, kHistogramBuckets - 1);
      ++report.histogram_counts[static_cast<size_t>(bucket)];
    }
  }
  std::vector<size_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = i;
  const size_t keep = std::min(n, static_cast<size_t>(limit));
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(keep), rows.end(),
                    [&fit](size_t a, size_t b) {
                      return fit.clv_12m[a] != fit.clv_12m[b] ? fit.clv_12m[a] > fit.clv_12m[b]
                                                              : fit.customer_id[a] < fit.customer_id[b];
                    });
  rows.resize(keep);
  std::vector<int64_t> ids;
  for (size_t row : rows) ids.push_back(fit.customer_id[row]);
  CRM_ASSIGN_OR_RETURN(auto names, NamesOf(principal.business_id, ids));
  for (size_t k = 0; k < keep; ++k) report.top_customers.emplace_back(ids[k], std::move(names[k]));
  report.top_rows = std::move(rows);
  return report;
}

Result<RulesReport> AnalyticsService::Rules(const Principal& principal, const analytics::RuleParameters& parameters,
                                            int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_RETURN_IF_ERROR(CheckLimit(limit));
  if (!(parameters.min_support > 0 && parameters.min_support <= 1)) {
    return InvalidArgument("must be in (0, 1]", "min_support");
  }
  if (!(parameters.min_confidence > 0 && parameters.min_confidence <= 1)) {
    return InvalidArgument("must be in (0, 1]", "min_confidence");
  }
  if (parameters.min_length < 1 || parameters.min_length > parameters.max_length) {
    return InvalidArgument("must be an integer from 1 to max_length", "min_length");
  }
  CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
  const analytics::Baskets& baskets = current.first->aggregates->baskets();
  RulesReport report;
  report.stamp = {clock_.Now(), current.first->aggregates->orders_covered()};
  report.parameters = parameters;
  report.transactions = static_cast<int64_t>(baskets.transaction_count());
  report.item_labels = baskets.item_labels;
  if (report.transactions == 0) return report;
  CRM_ASSIGN_OR_RETURN(analytics::RuleTable rules, analytics::MineRules(baskets, parameters));
  report.total_rules = static_cast<int64_t>(rules.size());
  const size_t keep = std::min(rules.size(), static_cast<size_t>(limit));
  report.rules.lhs_begin.assign(rules.lhs_begin.begin(),
                                rules.lhs_begin.begin() + static_cast<std::ptrdiff_t>(keep) + 1);
  report.rules.lhs_items.assign(rules.lhs_items.begin(),
                                rules.lhs_items.begin() + static_cast<std::ptrdiff_t>(rules.lhs_begin[keep]));
  auto head = [keep](const auto& column) {
    return std::vector(column.begin(), column.begin() + static_cast<std::ptrdiff_t>(keep));
  };
  report.rules.rhs = head(rules.rhs);
  report.rules.count = head(rules.count);
  report.rules.support = head(rules.support);
  report.rules.confidence = head(rules.confidence);
  report.rules.lift = head(rules.lift);
  return report;
}

Result<CustomerAnalytics> AnalyticsService::ForCustomer(const Principal& principal, CustomerId customer) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(bool exists, store::ReadValue<bool>(database_, [&](store::Transaction& tx) {
                         return tx.customers().Exists(principal.business_id, customer);
                       }));
  if (!exists) return NotFound("customer not found");
  CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
  State& state = *current.first;
  CustomerAnalytics out;
  const analytics::RfmTable& rfm = RfmOf(state);
  out.stamp = {state.rfm_as_of, state.aggregates->orders_covered()};
  auto it = std::lower_bound(rfm.customer_id.begin(), rfm.customer_id.end(), customer.value());
  if (it != rfm.customer_id.end() && *it == customer.value()) {
    out.rfm = RowOf(rfm, static_cast<size_t>(it - rfm.customer_id.begin()));
  }
  CRM_ASSIGN_OR_RETURN(auto rhythm, state.aggregates->Rhythm(out.stamp.as_of, 2.0));
  auto row = std::lower_bound(rhythm.begin(), rhythm.end(), customer.value(),
                              [](const RhythmRow& r, int64_t id) { return r.customer_id < id; });
  if (row != rhythm.end() && row->customer_id == customer.value()) out.rhythm = *row;
  RequestFit(state, principal.business_id);
  if (state.fit) {
    const ModelFit& fit = *state.fit;
    out.model_status = fit.stamp.orders == out.stamp.orders ? ModelStatus::kReady : ModelStatus::kFitting;
    out.model_stamp = fit.stamp;
    auto at = std::lower_bound(fit.customer_id.begin(), fit.customer_id.end(), customer.value());
    if (at != fit.customer_id.end() && *at == customer.value()) {
      const size_t i = static_cast<size_t>(at - fit.customer_id.begin());
      out.probability_alive = fit.probability_alive[i];
      out.expected_visits_90d = fit.expected_visits_90d[i];
      if (fit.spend) {
        out.expected_value_90d = fit.expected_value_90d[i];
        out.clv_12m = fit.clv_12m[i];
      }
    }
  } else if (!state.fit_pending && !state.fit_error.empty()) {
    out.model_status = ModelStatus::kInsufficientData;
  }
  return out;
}

Result<std::shared_ptr<const AnalyticsService::MinedRules>> AnalyticsService::MinedRulesOf(State& state) {
  // Called with state.mutex held.
  const Timestamp now = clock_.Now();
  const BusinessAggregates& aggregates = *state.aggregates;
  if (state.mined) {
    const MinedRules& mined = *state.mined;
    const bool changed = mined.version != aggregates.version();
    const bool old_enough = now.micros() - mined.stamp.as_of.micros() >= kRulesCacheMicros;
    if (!(changed && old_enough) && !(now < mined.stamp.as_of)) return state.mined;
  }
  auto mined = std::make_shared<MinedRules>();
  mined->stamp = {now, aggregates.orders_covered()};
  mined->version = aggregates.version();
  const analytics::Baskets& baskets = aggregates.baskets();
  const auto n = static_cast<int64_t>(baskets.transaction_count());
  if (n >= kSuggestionMinCount) {
    mined->item_labels = baskets.item_labels;
    for (size_t i = 0; i < mined->item_labels.size(); ++i) {
      mined->item_index.emplace(mined->item_labels[i], static_cast<uint32_t>(i));
    }
    analytics::RuleParameters parameters;
    parameters.min_support =
        std::max(static_cast<double>(kSuggestionMinCount) / static_cast<double>(n), kSuggestionMinSupport);
    parameters.min_confidence = kSuggestionMinConfidence;
    parameters.min_length = 2;
    parameters.max_length = kSuggestionMaxLength;
    CRM_ASSIGN_OR_RETURN(analytics::RuleTable all, analytics::MineRules(baskets, parameters));
    analytics::RuleTable& kept = mined->rules;
    for (size_t k = 0; k < all.size(); ++k) {
      if (!(all.lift[k] > kSuggestionMinLift)) continue;
      kept.lhs_items.insert(kept.lhs_items.end(), all.lhs_items.begin() + all.lhs_begin[k],
                            all.lhs_items.begin() + all.lhs_begin[k + 1]);
      kept.lhs_begin.push_back(static_cast<uint32_t>(kept.lhs_items.size()));
      kept.rhs.push_back(all.rhs[k]);
      kept.count.push_back(all.count[k]);
      kept.support.push_back(all.support[k]);
      kept.confidence.push_back(all.confidence[k]);
      kept.lift.push_back(all.lift[k]);
    }
  }
  state.mined = std::move(mined);
  return state.mined;
}

Result<SuggestionsReport> AnalyticsService::Suggestions(const Principal& principal, CustomerId customer) {
  std::vector<store::ProductCount> usual;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, customer));
    if (!exists) return NotFound("customer not found");
    store::AnalyticsRepository repository(tx.connection());
    CRM_ASSIGN_OR_RETURN(usual, repository.ReadCustomerProducts(principal.business_id, customer,
                                                                kSuggestionRecentOrders, kSuggestionUsualProducts));
    return Status::Ok();
  }));
  std::shared_ptr<const MinedRules> mined;
  {
    CRM_ASSIGN_OR_RETURN(auto current, Current(principal.business_id));
    CRM_ASSIGN_OR_RETURN(mined, MinedRulesOf(*current.first));
  }
  SuggestionsReport report;
  report.stamp = mined->stamp;
  if (usual.empty()) return report;
  std::vector<bool> is_usual(mined->item_labels.size(), false);
  for (const store::ProductCount& product : usual) {
    auto it = mined->item_index.find(product.product);
    if (it != mined->item_index.end()) is_usual[it->second] = true;
  }
  const analytics::RuleTable& rules = mined->rules;
  std::vector<size_t> candidates;
  for (size_t k = 0; k < rules.size(); ++k) {
    if (is_usual[rules.rhs[k]]) continue;
    bool applies = true;
    for (uint32_t i = rules.lhs_begin[k]; i < rules.lhs_begin[k + 1] && applies; ++i) {
      applies = is_usual[rules.lhs_items[i]];
    }
    if (applies) candidates.push_back(k);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&rules](size_t a, size_t b) {
    if (rules.lift[a] != rules.lift[b]) return rules.lift[a] > rules.lift[b];
    if (rules.confidence[a] != rules.confidence[b]) return rules.confidence[a] > rules.confidence[b];
    return rules.count[a] > rules.count[b];
  });
  std::vector<bool> shown(mined->item_labels.size(), false);
  for (size_t k : candidates) {
    if (report.items.size() == kSuggestionsShown) break;
    if (shown[rules.rhs[k]]) continue;  // one rule per product: its best
    shown[rules.rhs[k]] = true;
    Suggestion suggestion;
    suggestion.product = mined->item_labels[rules.rhs[k]];
    for (uint32_t i = rules.lhs_begin[k]; i < rules.lhs_begin[k + 1]; ++i) {
      suggestion.because.push_back(mined->item_labels[rules.lhs_items[i]]);
    }
    suggestion.confidence = rules.confidence[k];
    suggestion.lift = rules.lift[k];
    suggestion.support_count = rules.count[k];
    report.items.push_back(std::move(suggestion));
  }
  return report;
}

}  // namespace crm::app
