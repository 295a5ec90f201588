#include "domain/counter_action.h"

#include <array>
#include <tuple>
#include <utility>

namespace crm::domain {
namespace {

constexpr std::array<std::pair<CounterActionKind, std::string_view>, 5> kNames = {{
    {CounterActionKind::kOrder, "order"},
    {CounterActionKind::kRedemption, "redemption"},
    {CounterActionKind::kCouponUse, "coupon_use"},
    {CounterActionKind::kNote, "note"},
    {CounterActionKind::kPreference, "preference"},
}};

}  // namespace

std::string_view CounterActionKindName(CounterActionKind kind) {
  for (const auto& [value, name] : kNames) {
    if (value == kind) return name;
  }
  return "order";
}

std::optional<CounterActionKind> ParseCounterActionKind(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::optional<CounterAction> LatestAction(const std::vector<CounterAction>& candidates) {
  const CounterAction* latest = nullptr;
  for (const CounterAction& action : candidates) {
    if (latest == nullptr || std::tuple(action.at, static_cast<int>(action.kind), action.id) >
                                 std::tuple(latest->at, static_cast<int>(latest->kind), latest->id)) {
      latest = &action;
    }
  }
  if (latest == nullptr) return std::nullopt;
  return *latest;
}

}  // namespace crm::domain
