// The analytics module at scale: RFM over one million order lines (from columns, and from CSV
// text to CSV text), the BG/NBD and Gamma-Gamma fits for 80,000 and 800,000 customers, and the
// Groceries rules. Data are synthetic and seeded (customers behave as BG/NBD says), so runs
// compare. `analytics_benchmark --write_peer_csv=PATH [--rows=N]` writes the same kind of data in
// the peers' CSV layout instead, for timing the command line side by side with them.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "analytics/association_rules.h"
#include "analytics/bgnbd.h"
#include "analytics/gamma_gamma.h"
#include "analytics/pareto_nbd.h"
#include "analytics/rfm.h"
#include "analytics/text_formats.h"

namespace crm::analytics {
namespace {

constexpr int64_t kWindowDays = 1096;                          // 2022-01-01 .. 2025-01-01
constexpr int64_t kWindowStartDay = 18993;                     // 2022-01-01
constexpr int64_t kMicrosPerSecond = 1'000'000;

// Order lines of `customers` customers over three years, about 16 lines per customer: each is
// acquired at a uniform time, buys at rate lambda ~ Gamma(0.9, 1/20 per day) while alive, and
// drops out after a purchase with probability p ~ Beta(1, 6). Deterministic for a seed.
TransactionColumns SyntheticOrders(int64_t customers, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::gamma_distribution<double> rate(0.9, 1.0 / 20);
  std::gamma_distribution<double> beta_x(1.0, 1.0), beta_y(6.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::lognormal_distribution<double> price(9.5, 0.8);
  TransactionColumns tx;
  tx.Reserve(static_cast<size_t>(customers * 13));
  int64_t order = 0;
  for (int64_t c = 1; c <= customers; ++c) {
    const double lambda = rate(random);
    const double x = beta_x(random), dropout = x / (x + beta_y(random));
    double t = uniform(random) * kWindowDays;
    while (t < kWindowDays) {
      ++order;
      const int lines = 1 + static_cast<int>(uniform(random) * 3.0);
      const int64_t at = (kWindowStartDay * 86400 + static_cast<int64_t>(t * 86400)) * kMicrosPerSecond;
      for (int l = 0; l < lines; ++l) {
        tx.Append(c, order, at, static_cast<int64_t>(price(random) / 10) * 10);
      }
      if (uniform(random) < dropout) break;
      t += -std::log(1.0 - uniform(random)) / lambda;
    }
  }
  return tx;
}

int64_t CustomersForRows(int64_t rows) { return std::max<int64_t>(1, rows / 16); }

std::string PeerCsv(const TransactionColumns& tx) {
  std::string out = "order_id,customer_id,phone,ordered_at,item_id,quantity,amount_krw\n";
  out.reserve(tx.size() * 70);
  for (size_t i = 0; i < tx.size(); ++i) {
    // Local time in KST, as the peers' generator writes it.
    const int64_t seconds = tx.ordered_at_micros[i] / kMicrosPerSecond + 9 * 3600;
    const Date day = CivilFromDays(seconds / 86400);
    const int64_t s = seconds % 86400;
    char line[160];
    const int n = std::snprintf(
        line, sizeof(line), "%lld,%lld,010-%04lld-%04lld,%04d-%02d-%02dT%02lld:%02lld:%02lld+09:00,%lld,1,%lld\n",
        static_cast<long long>(tx.order_id[i]), static_cast<long long>(tx.customer_id[i]),
        static_cast<long long>(tx.customer_id[i] / 10000 % 10000),
        static_cast<long long>(tx.customer_id[i] % 10000), day.year, day.month, day.day,
        static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
        static_cast<long long>(s % 60), static_cast<long long>(1 + i % 2000),
        static_cast<long long>(tx.amount_minor[i]));
    out.append(line, static_cast<size_t>(n));
  }
  return out;
}

const TransactionColumns& Orders(int64_t rows) {
  static std::map<int64_t, TransactionColumns>* cache = new std::map<int64_t, TransactionColumns>;
  auto it = cache->find(rows);
  if (it == cache->end()) it = cache->emplace(rows, SyntheticOrders(CustomersForRows(rows), 42)).first;
  return it->second;
}

void BM_RfmFromColumns(benchmark::State& state) {
  const TransactionColumns& tx = Orders(state.range(0));
  for (auto _ : state) {
    Result<OrderHistory> history = BuildOrderHistory(tx);
    Result<RfmTable> rfm = ComputeRfm(*history, *PeerAsOf(*history));
    benchmark::DoNotOptimize(rfm->segment.data());
  }
  state.counters["rows"] = static_cast<double>(tx.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(tx.size()));
}
BENCHMARK(BM_RfmFromColumns)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_RfmCsvToCsv(benchmark::State& state) {
  const std::string csv = PeerCsv(Orders(state.range(0)));
  for (auto _ : state) {
    Result<TransactionColumns> tx = ParsePeerTransactionsCsv(csv);
    Result<OrderHistory> history = BuildOrderHistory(*tx);
    Result<RfmTable> rfm = ComputeRfm(*history, *PeerAsOf(*history));
    std::string out = FormatRfmCsv(*rfm);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(csv.size()));
}
BENCHMARK(BM_RfmCsvToCsv)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The calibration summary (x, t_x, T in weeks) of `customers` customers drawn from BG/NBD.
CustomerSummary SyntheticSummary(int64_t customers, uint64_t seed) {
  TransactionColumns tx = SyntheticOrders(customers, seed);
  Result<OrderHistory> history = BuildOrderHistory(tx);
  Result<CustomerSummary> summary =
      SummarizeForModels(*history, {{2024, 12, 31}, {2024, 12, 31}, 7.0, 0, 1.0});
  return *summary;
}

const CustomerSummary& Summary(int64_t customers) {
  static std::map<int64_t, CustomerSummary>* cache = new std::map<int64_t, CustomerSummary>;
  auto it = cache->find(customers);
  if (it == cache->end()) it = cache->emplace(customers, SyntheticSummary(customers, 7)).first;
  return it->second;
}

void BM_BgNbdFit(benchmark::State& state) {
  const CustomerSummary& summary = Summary(state.range(0));
  for (auto _ : state) {
    Result<BgNbdFit> fit = FitBgNbd(summary);
    benchmark::DoNotOptimize(fit->log_likelihood);
    state.counters["evaluations"] = fit->evaluations;
  }
}
BENCHMARK(BM_BgNbdFit)->Arg(80'000)->Arg(800'000)->Unit(benchmark::kMillisecond);

void BM_GammaGammaFit(benchmark::State& state) {
  const CustomerSummary& summary = Summary(state.range(0));
  for (auto _ : state) {
    Result<GammaGammaFit> fit = FitGammaGamma(summary);
    benchmark::DoNotOptimize(fit->log_likelihood);
  }
}
BENCHMARK(BM_GammaGammaFit)->Arg(80'000)->Arg(800'000)->Unit(benchmark::kMillisecond);

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(DANGOL_ANALYTICS_DATA_DIR) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void BM_CdnowFit(benchmark::State& state) {
  const std::string text = ReadData("CDNOW_sample.txt");
  for (auto _ : state) {
    Result<TransactionColumns> tx = ParseCdnowTransactions(text);
    Result<OrderHistory> history = BuildOrderHistory(*tx);
    Result<CustomerSummary> summary =
        SummarizeForModels(*history, {{1997, 9, 30}, {1998, 6, 30}, 7.0, 0, 100.0});
    Result<BgNbdFit> fit = FitBgNbd(*summary);
    Result<GammaGammaFit> spend = FitGammaGamma(*summary);
    benchmark::DoNotOptimize(fit->log_likelihood + spend->log_likelihood);
  }
}
BENCHMARK(BM_CdnowFit)->Unit(benchmark::kMillisecond);

// Regulars of cafés, as the demo has them: purchase rates alike (r = 50, alpha = 100 weeks),
// lifetimes very unlike (s = 0.05, beta = 0.5 weeks), so that alpha is 200 times beta and the 2F1 of
// the closed-form likelihood has z near 1 for every customer. Acquired over two years, observed to
// its end, on whole days (as the server summarises). Seeded.
CustomerSummary RegularsSummary(int64_t customers) {
  std::mt19937_64 random(29);
  std::gamma_distribution<double> lambda_of(50.0, 1 / 100.0), mu_of(0.05, 1 / 0.5);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  constexpr double kEnd = 104.0;  // weeks
  CustomerSummary summary;
  for (int64_t c = 0; c < customers; ++c) {
    const double birth = std::floor(uniform(random) * kEnd * 7) / 7;
    const double lambda = lambda_of(random);
    const double until = std::min(birth - std::log(1 - uniform(random)) / mu_of(random), kEnd);
    int32_t x = 0;
    double last = birth;
    for (double t = birth - std::log(1 - uniform(random)) / lambda; t < until;
         t -= std::log(1 - uniform(random)) / lambda) {
      ++x;
      last = t;
    }
    summary.customer_id.push_back(c + 1);
    summary.x.push_back(x);
    summary.t_x.push_back(std::floor((last - birth) * 7) / 7);
    summary.T.push_back(kEnd - birth);
  }
  return summary;
}

void BM_ParetoNbdFitRegulars(benchmark::State& state) {
  const CustomerSummary summary = RegularsSummary(state.range(0));
  for (auto _ : state) {
    Result<ParetoNbdFit> fit = FitParetoNbd(summary);
    if (!fit.ok() || !fit->converged) state.SkipWithError("Pareto/NBD fit failed");
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_ParetoNbdFitRegulars)->Arg(2'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_ParetoNbdFitSynthetic(benchmark::State& state) {
  const CustomerSummary& summary = Summary(state.range(0));
  for (auto _ : state) {
    Result<ParetoNbdFit> fit = FitParetoNbd(summary);
    if (!fit.ok()) state.SkipWithError("Pareto/NBD fit failed");
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_ParetoNbdFitSynthetic)->Arg(80'000)->Unit(benchmark::kMillisecond);

void BM_ParetoNbdFitCdnow(benchmark::State& state) {
  Result<TransactionColumns> tx = ParseCdnowTransactions(ReadData("CDNOW_sample.txt"));
  Result<OrderHistory> history = BuildOrderHistory(*tx);
  Result<CustomerSummary> summary = SummarizeForModels(*history, {{1997, 9, 30}, {1998, 6, 30}, 7.0, 0, 100.0});
  for (auto _ : state) {
    Result<ParetoNbdFit> fit = FitParetoNbd(*summary);
    if (!fit.ok()) state.SkipWithError("Pareto/NBD fit failed");
    benchmark::DoNotOptimize(fit);
  }
}
BENCHMARK(BM_ParetoNbdFitCdnow)->Unit(benchmark::kMillisecond);

void BM_GroceriesRules(benchmark::State& state) {
  const std::string text = ReadData("groceries.csv");
  for (auto _ : state) {
    Result<Baskets> baskets = ParseBaskets(text);
    Result<RuleTable> rules = MineRules(*baskets, {0.001, 0.8});
    benchmark::DoNotOptimize(rules->lift.data());
  }
}
BENCHMARK(BM_GroceriesRules)->Unit(benchmark::kMillisecond);

// Handles --write_peer_csv=PATH [--rows=N]; returns true when it did.
bool WritePeerCsv(int argc, char** argv) {
  std::string path;
  int64_t rows = 1'000'000;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--write_peer_csv=", 17) == 0) path = argv[i] + 17;
    if (std::strncmp(argv[i], "--rows=", 7) == 0) rows = std::atoll(argv[i] + 7);
  }
  if (path.empty()) return false;
  std::ofstream(path, std::ios::binary) << PeerCsv(SyntheticOrders(CustomersForRows(rows), 42));
  return true;
}

}  // namespace
}  // namespace crm::analytics

int main(int argc, char** argv) {
  if (crm::analytics::WritePeerCsv(argc, argv)) return 0;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
