// CounterAction: one thing staff did for a customer at the counter (a sale, a redemption, a
// coupon use, a note, a preference), as the undo of "the last action of today" sees it, and the
// rule that decides which of them is the last one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/time.h"

namespace crm::domain {

// Persisted in undone_actions.kind: the values never change.
enum class CounterActionKind { kOrder = 1, kRedemption = 2, kCouponUse = 3, kNote = 4, kPreference = 5 };

// "order", "redemption", "coupon_use", "note", "preference".
std::string_view CounterActionKindName(CounterActionKind kind);
std::optional<CounterActionKind> ParseCounterActionKind(std::string_view name);

struct CounterAction {
  CounterActionKind kind = CounterActionKind::kOrder;
  int64_t id = 0;  // the order, ledger entry, coupon, note or preference id
  CustomerId customer_id;
  std::optional<StaffId> staff_id;  // who did it; unset for a POS token or older rows
  Timestamp at;
  int64_t amount = 0;  // the order total (won) or the units spent; 0 otherwise
  std::string label;   // the coupon's name, the note's text or the preference's subject
};

// The latest of `candidates` (by time, then by kind and id so that the choice is stable); nullopt
// when there are none.
std::optional<CounterAction> LatestAction(const std::vector<CounterAction>& candidates);

}  // namespace crm::domain
