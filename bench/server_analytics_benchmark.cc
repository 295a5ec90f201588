// The server's analytics at scale: building a business's aggregates from 10,000,000 order facts
// in memory, deriving RFM (and cohorts, rhythm, the model summary) from them for 800,000
// customers, folding one more order in, and the whole path from the store: AnalyticsService
// building the aggregates from N orders stored in SQLite (default 1,000,000; --stored_orders=N),
// then the hook OrderService calls after each commit. Data are synthetic and seeded.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "app/analytics_aggregates.h"
#include "app/analytics_service.h"
#include "store/business_repository.h"
#include "store/database.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;
const Timestamp kAsOf = Timestamp::FromMicros(1'735'689'600'000'000);  // 2025-01-01T00:00:00Z
int64_t stored_orders = 1'000'000;

// `orders` sales of orders / 10 customers over three years before kAsOf, in time order.
std::vector<OrderFact> SyntheticFacts(int64_t orders, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::lognormal_distribution<double> price(9.5, 0.8);
  const int64_t customers = std::max<int64_t>(1, orders / 10);
  const int64_t span = 3 * 365 * kMicrosPerDay;
  std::vector<OrderFact> facts(static_cast<size_t>(orders));
  for (int64_t i = 0; i < orders; ++i) {
    OrderFact& f = facts[static_cast<size_t>(i)];
    f.order_id = i + 1;
    f.customer_id = static_cast<int64_t>(random() % static_cast<uint64_t>(customers)) + 1;
    f.branch_id = static_cast<int64_t>(random() % 4) + 1;
    f.staff_id = static_cast<int64_t>(random() % 12) + 1;
    f.ordered_at_micros = kAsOf.micros() - span + span * i / orders;
    f.total_minor = static_cast<int64_t>(price(random) / 10) * 10;
  }
  return facts;
}

const std::vector<OrderFact>& TenMillionFacts() {
  static const std::vector<OrderFact> facts = SyntheticFacts(10'000'000, 42);
  return facts;
}

const BusinessAggregates& BuiltAggregates() {
  static const std::unique_ptr<BusinessAggregates> aggregates = [] {
    auto built = std::make_unique<BusinessAggregates>(9 * 3600);
    for (const OrderFact& fact : TenMillionFacts()) built->Apply(fact);
    return built;
  }();
  return *aggregates;
}

void BM_AggregatesBuild10M(benchmark::State& state) {
  const auto& facts = TenMillionFacts();
  for (auto _ : state) {
    BusinessAggregates aggregates(9 * 3600);
    for (const OrderFact& fact : facts) aggregates.Apply(fact);
    benchmark::DoNotOptimize(aggregates.orders_covered());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(facts.size()));
}
BENCHMARK(BM_AggregatesBuild10M)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_RfmFromAggregates(benchmark::State& state) {
  const BusinessAggregates& aggregates = BuiltAggregates();
  for (auto _ : state) benchmark::DoNotOptimize(aggregates.Rfm(kAsOf).size());
  state.counters["customers"] = static_cast<double>(aggregates.customer_count());
  state.counters["orders"] = static_cast<double>(aggregates.orders_covered());
}
BENCHMARK(BM_RfmFromAggregates)->Unit(benchmark::kMillisecond);

void BM_CohortsFromAggregates(benchmark::State& state) {
  const BusinessAggregates& aggregates = BuiltAggregates();
  for (auto _ : state) benchmark::DoNotOptimize(aggregates.Cohorts().active.size());
}
BENCHMARK(BM_CohortsFromAggregates)->Unit(benchmark::kMillisecond);

void BM_RhythmFromAggregates(benchmark::State& state) {
  const BusinessAggregates& aggregates = BuiltAggregates();
  for (auto _ : state) benchmark::DoNotOptimize(aggregates.Rhythm(kAsOf, 2.0)->size());
}
BENCHMARK(BM_RhythmFromAggregates)->Unit(benchmark::kMillisecond);

void BM_ModelSummaryFromAggregates(benchmark::State& state) {
  const BusinessAggregates& aggregates = BuiltAggregates();
  for (auto _ : state) benchmark::DoNotOptimize(aggregates.ModelSummary(kAsOf).size());
}
BENCHMARK(BM_ModelSummaryFromAggregates)->Unit(benchmark::kMillisecond);

// One new sale of an existing customer folded into 10,000,000 orders' aggregates.
void BM_IncrementalOneOrder(benchmark::State& state) {
  BusinessAggregates aggregates(9 * 3600);
  for (const OrderFact& fact : TenMillionFacts()) aggregates.Apply(fact);
  std::mt19937_64 random(7);
  int64_t id = 20'000'000;
  for (auto _ : state) {
    OrderFact fact{.order_id = ++id,
                   .customer_id = static_cast<int64_t>(random() % 1'000'000) + 1,
                   .branch_id = 1,
                   .staff_id = 1,
                   .ordered_at_micros = kAsOf.micros() + (id - 20'000'000),
                   .total_minor = 5'000};
    benchmark::DoNotOptimize(aggregates.Apply(fact));
  }
}
BENCHMARK(BM_IncrementalOneOrder)->Unit(benchmark::kMicrosecond);

// Raw inserts for setting the benchmark database up quickly; the product writes through the
// repositories.
constexpr store::Statement kInsertCustomer{
    "bench.customer", "INSERT INTO customers (id, business_id, created_at, updated_at) VALUES ($1, $2, $3, $3)"};
constexpr store::Statement kInsertBranch{
    "bench.branch", "INSERT INTO branches (id, business_id, name, created_at) VALUES ($1, $2, $3, $4)"};
constexpr store::Statement kInsertOrder{
    "bench.order",
    "INSERT INTO orders (id, business_id, branch_id, customer_id, kind, ordered_at, total, channel, created_at) "
    "VALUES ($1, $2, $3, $4, 1, $5, $6, 1, $5)"};

struct StoredBusiness {
  std::filesystem::path directory;
  std::unique_ptr<store::Database> database;
  BusinessId business;
};

StoredBusiness& Stored() {
  static StoredBusiness stored = [] {
    StoredBusiness s;
    s.directory = std::filesystem::temp_directory_path() / ("dangol-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(s.directory);
    s.database = std::move(store::Database::Open("sqlite:" + (s.directory / "bench.db").string()).value());
    const std::vector<OrderFact> facts = SyntheticFacts(stored_orders, 42);
    const Status written = s.database->Write([&](store::Transaction& tx) -> Status {
      domain::Business business;
      business.slug = "bench";
      business.name = "bench";
      business.created_at = kAsOf;
      CRM_ASSIGN_OR_RETURN(business, tx.businesses().Create(business));
      s.business = business.id;
      const int64_t b = business.id.value();
      for (int64_t branch = 1; branch <= 4; ++branch) {
        CRM_RETURN_IF_ERROR(tx.connection().Execute(
            kInsertBranch, {store::Int(branch), store::Int(b), store::Text("지점 " + std::to_string(branch)), store::Int(0)}));
      }
      for (int64_t c = 1; c <= std::max<int64_t>(1, stored_orders / 10); ++c) {
        CRM_RETURN_IF_ERROR(tx.connection().Execute(kInsertCustomer, {store::Int(c), store::Int(b), store::Int(0)}));
      }
      for (const OrderFact& f : facts) {
        CRM_RETURN_IF_ERROR(tx.connection().Execute(
            kInsertOrder, {store::Int(f.order_id), store::Int(b), store::Int(f.branch_id), store::Int(f.customer_id),
                           store::Int(f.ordered_at_micros), store::Int(f.total_minor)}));
      }
      return Status::Ok();
    });
    if (!written.ok()) {
      std::fprintf(stderr, "setting up the benchmark database failed: %s\n", written.ToString().c_str());
      std::abort();
    }
    return s;
  }();
  return stored;
}

void BM_ServiceBuildFromSqlite(benchmark::State& state) {
  StoredBusiness& stored = Stored();
  ManualClock clock(kAsOf);
  for (auto _ : state) {
    AnalyticsService service(*stored.database, clock);
    CRM_CHECK(service.Refresh(stored.business).ok());
  }
  state.SetItemsProcessed(state.iterations() * stored_orders);
  state.counters["orders"] = static_cast<double>(stored_orders);
}
BENCHMARK(BM_ServiceBuildFromSqlite)->Unit(benchmark::kMillisecond)->Iterations(2);

// What OrderService pays after each commit once the aggregates are built.
void BM_ServiceOnOrderCommitted(benchmark::State& state) {
  StoredBusiness& stored = Stored();
  ManualClock clock(kAsOf);
  AnalyticsService service(*stored.database, clock);
  CRM_CHECK(service.Refresh(stored.business).ok());
  domain::Order order;
  order.business_id = stored.business;
  order.branch_id = BranchId(1);
  order.kind = domain::OrderKind::kSale;
  order.ordered_at = kAsOf;
  order.total = Money(5'000);
  int64_t id = stored_orders + 1'000'000;
  for (auto _ : state) {
    order.id = OrderId(++id);
    order.customer_id = CustomerId(id % 1000 + 1);
    service.OnOrderCommitted(order, nullptr);
  }
}
BENCHMARK(BM_ServiceOnOrderCommitted)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace crm::app

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--stored_orders=", 16) == 0) crm::app::stored_orders = std::atoll(argv[i] + 16);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / ("dangol-bench-" + std::to_string(::getpid())),
                              ignored);
  return 0;
}
