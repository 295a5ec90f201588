// The daily automation pass at 1,000,000 customers (PRODUCT.md: under 5 s): domain::Evaluate of a
// birthday automation (a third of the birthdays lunar), a days-after-visit and an overdue
// automation over in-memory facts shaped as AutomationService builds them, with the occurrences
// already fired in the look-back. Deterministic data (seeded).
#include <benchmark/benchmark.h>

#include <random>

#include "domain/automation.h"

namespace crm::domain {
namespace {

constexpr int32_t kToday = 20'794;  // 2026-12-07

FactsTable MakeFacts(int64_t customers) {
  std::mt19937_64 random(7);
  FactsTable facts;
  facts.rows.reserve(static_cast<size_t>(customers));
  for (int64_t id = 1; id <= customers; ++id) {
    CustomerFacts f;
    f.customer_id = id;
    const int32_t first = kToday - static_cast<int32_t>(random() % 1000);
    const int32_t last = first + static_cast<int32_t>(random() % static_cast<uint64_t>(kToday - first + 1));
    f.first_visit_day = first;
    f.last_visit_day = last;
    f.visit_count = 1 + static_cast<int32_t>(random() % 20);
    f.visits_begin = static_cast<uint32_t>(facts.visit_days.size());
    if (kToday - last <= 30) facts.visit_days.push_back(last);
    f.visits_end = static_cast<uint32_t>(facts.visit_days.size());
    if (random() % 100 < 60) {  // 60 % have a birthday on file
      f.birthday_month = static_cast<int8_t>(1 + random() % 12);
      f.birthday_day = static_cast<int8_t>(1 + random() % 28);
      f.lunar_birthday = random() % 3 == 0;
    }
    if (random() % 100 < 15) f.overdue_since_day = kToday - static_cast<int32_t>(random() % 60);
    facts.rows.push_back(f);
  }
  return facts;
}

Automation Make(TriggerKind kind, int days) {
  Automation a;
  a.id = AutomationId(1);
  a.name = "bench";
  a.trigger.kind = kind;
  a.trigger.days = days;
  a.body = "x";
  return a;
}

void Run(benchmark::State& state, TriggerKind kind, int days) {
  static const FactsTable facts = MakeFacts(1'000'000);
  const Automation automation = Make(kind, days);
  FiredOccurrences fired;
  SolarBirthdays birthdays;
  EvaluationOptions options;
  options.today = kToday;
  // Yesterday's pass fired a share of today's candidates: they are looked up, as in a real pass.
  {
    Evaluation yesterday;
    options.today = kToday - 1;
    yesterday = Evaluate(automation, facts, fired, options, birthdays);
    for (const DueOccurrence& due : yesterday.due) fired.Add(due.customer_id, due.occurrence, kToday - 1, true);
    options.today = kToday;
  }
  int64_t due = 0;
  for (auto _ : state) {
    Evaluation evaluation = Evaluate(automation, facts, fired, options, birthdays);
    due = static_cast<int64_t>(evaluation.due.size());
    benchmark::DoNotOptimize(evaluation);
  }
  state.counters["customers"] = static_cast<double>(facts.rows.size());
  state.counters["due"] = static_cast<double>(due);
}

void BM_Birthday1M(benchmark::State& state) { Run(state, TriggerKind::kBirthday, 0); }
void BM_DaysAfterVisit1M(benchmark::State& state) { Run(state, TriggerKind::kDaysAfterVisit, 21); }
void BM_Overdue1M(benchmark::State& state) { Run(state, TriggerKind::kOverdue, 0); }
BENCHMARK(BM_Birthday1M)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_DaysAfterVisit1M)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Overdue1M)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace crm::domain

BENCHMARK_MAIN();
