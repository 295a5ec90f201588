// Micro-benchmarks of the pure text functions on the counter-lookup and import paths: every lookup
// query goes through PhoneDigits/ParsePhone or NormalizeText + NameSearchKey/InitialConsonantKey, and
// every row of a pick list through MaskName. Each benchmark cycles through a fixed, varied set of
// inputs so that one lucky string does not decide the figure; items/s is calls per second.
//
//   build/bench/text_benchmark --benchmark_min_time=0.5

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "domain/korean_text.h"
#include "domain/phone.h"

namespace crm::domain {
namespace {

// The same number in the formats counters and imports use, plus other number types.
const std::vector<std::string> kPhones = {
    "010-1234-5678",   "+82 10 1234 5678", "821012345678", "1012345678",    "01012345678",
    "010.9876.5432",   "(010) 2222-3333",  "02-345-6789",  "031-123-4567",  "0082-10-5555-1212",
    "1588-1234",       "070-1234-5678",    "+1 650 253 0000",
};

// Input that fails: what a mistyped or hostile field looks like.
const std::vector<std::string> kBadPhones = {
    "010-1234",       "900101-1234567", "abc", "010-1234-56789", "+82", "",
    "0000-0000-0000", "999999999999999999",
};

// NFC Hangul names of the demo's shapes, a compound surname, Latin names, and NFD input as typed
// on some macOS keyboards (김철수 and 남궁민 decomposed).
const std::vector<std::string> kNames = {
    "김철수",
    "이서연",
    "박민준",
    "남궁민",
    "황보 지훈",
    "최 영희",
    "John Smith",
    "  Tran  Van   Minh ",
    "\u1100\u1175\u11B7\u110E\u1165\u11AF\u1109\u116E",
    "\u1102\u1161\u11B7\u1100\u116E\u11BC\u1106\u1175\u11AB",
    "정하윤",
    "Daniel Kim",
};

// NFC names only: what NameSearchKey, InitialConsonantKey and MaskName receive after NormalizeText.
const std::vector<std::string> kNfcNames = {
    "김철수", "이서연", "박민준", "남궁민", "황보 지훈", "최영희",
    "John Smith", "Tran Van Minh", "정하윤", "Daniel Kim", "이훈", "선우예진",
};

// Counter queries typed into the lookup box.
const std::vector<std::string> kQueries = {"ㄱㅊ", "ㅇㅈ", "ㅂㅅ", "김민", "이서", "ㄱㅊㅅ", "박", "jo"};

// Runs `function` over `inputs` round-robin and reports calls per second.
template <typename Function>
void CycleInputs(benchmark::State& state, const std::vector<std::string>& inputs, Function function) {
  std::size_t index = 0;
  for (auto _ : state) {
    auto result = function(inputs[index]);
    benchmark::DoNotOptimize(result);
    if (++index == inputs.size()) index = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_ParsePhone(benchmark::State& state) {
  CycleInputs(state, kPhones, [](std::string_view text) { return ParsePhone(text); });
}
BENCHMARK(BM_ParsePhone);

void BM_ParsePhoneInvalid(benchmark::State& state) {
  CycleInputs(state, kBadPhones, [](std::string_view text) { return ParsePhone(text); });
}
BENCHMARK(BM_ParsePhoneInvalid);

void BM_PhoneDigits(benchmark::State& state) {
  CycleInputs(state, kPhones, [](std::string_view text) { return PhoneDigits(text); });
}
BENCHMARK(BM_PhoneDigits);

void BM_NormalizeText(benchmark::State& state) {
  CycleInputs(state, kNames, [](std::string_view text) { return NormalizeText(text); });
}
BENCHMARK(BM_NormalizeText);

void BM_NameSearchKey(benchmark::State& state) {
  CycleInputs(state, kNfcNames, [](std::string_view text) { return NameSearchKey(text); });
}
BENCHMARK(BM_NameSearchKey);

void BM_InitialConsonantKey(benchmark::State& state) {
  CycleInputs(state, kNfcNames, [](std::string_view text) { return InitialConsonantKey(text); });
}
BENCHMARK(BM_InitialConsonantKey);

void BM_MaskName(benchmark::State& state) {
  CycleInputs(state, kNfcNames, [](std::string_view text) { return MaskName(text); });
}
BENCHMARK(BM_MaskName);

// What the lookup handler does to a query before it reaches the store: normalise, then classify
// as phone digits or 초성 or name prefix and build the key.
void BM_LookupQueryPipeline(benchmark::State& state) {
  CycleInputs(state, kQueries, [](std::string_view text) {
    Result<std::string> normalized = NormalizeText(text);
    if (!normalized.ok()) return std::string();
    if (std::string digits = PhoneDigits(*normalized); !digits.empty()) return digits;
    if (IsInitialConsonantQuery(*normalized)) return InitialConsonantKey(*normalized);
    return NameSearchKey(*normalized);
  });
}
BENCHMARK(BM_LookupQueryPipeline);

}  // namespace
}  // namespace crm::domain

BENCHMARK_MAIN();
