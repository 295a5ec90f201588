// Queuing a campaign: 100,000 outbox rows in one transaction (the target is under 5 s on both back
// ends), on SQLite and, when DANGOL_TEST_POSTGRES_URL names a server, PostgreSQL
// (scripts/with-postgres build/bench/outbox_benchmark). Dispatch against the fake provider is
// measured by bench/outbox-dispatch.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/business_repository.h"
#include "store/database.h"
#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm {
namespace {

std::vector<domain::OutboxMessage> Campaign(BusinessId business, int count, int round) {
  std::vector<domain::OutboxMessage> messages(count);
  for (int i = 0; i < count; ++i) {
    domain::OutboxMessage& m = messages[i];
    m.business_id = business;
    m.campaign_id = CampaignId(round + 1);
    m.customer_id = CustomerId(i + 1);
    m.channel = domain::Channel::kLms;
    m.purpose = domain::Purpose::kAdvertising;
    m.recipient = "+8210" + std::to_string(10000000 + i);
    m.sender = "0212345678";
    m.subject = "12월 소식";
    m.body = "(광고)단골커피\n김민준님, 이번 주 라떼 1+1 쿠폰 AB12CD34를 드립니다. 12월 31일까지.\n[무료수신거부]0801234567";
    m.idempotency_key = "bench-" + std::to_string(round) + "-" + std::to_string(i);
  }
  return messages;
}

void Enqueue(benchmark::State& state, const std::string& url) {
  auto db = store::Database::Open(url);
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  domain::Business business;
  business.slug = "bench-" + std::to_string(std::rand());
  business.name = "bench";
  auto created = store::WriteValue<domain::Business>(**db, [&](store::Transaction& tx) { return tx.businesses().Create(business); });
  if (!created.ok()) {
    state.SkipWithError(created.status().ToString().c_str());
    return;
  }
  int count = static_cast<int>(state.range(0));
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<domain::OutboxMessage> messages = Campaign(created->id, count, round++);
    state.ResumeTiming();
    Status status = (*db)->Write([&](store::Transaction& tx) {
      return store::OutboxRepository(tx.connection()).Enqueue(messages, Timestamp::FromSeconds(1'800'000'000));
    });
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * count);
}

void BM_EnqueueSqlite(benchmark::State& state) {
  std::string dir = std::filesystem::temp_directory_path() / ("dangol-outbox-bench-" + std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  Enqueue(state, "sqlite:" + dir + "/bench.db");
  std::filesystem::remove_all(dir);
}

void BM_EnqueuePostgres(benchmark::State& state) {
  const char* url = std::getenv("DANGOL_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    state.SkipWithError("DANGOL_TEST_POSTGRES_URL is not set");
    return;
  }
  Enqueue(state, url);
}

BENCHMARK(BM_EnqueueSqlite)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_EnqueuePostgres)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace crm

BENCHMARK_MAIN();
