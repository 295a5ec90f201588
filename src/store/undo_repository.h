// UndoRepository: the counter actions of a day that may be undone, and the record of those that
// were. The actions themselves live in their own tables (orders, ledger_entries, coupons, notes,
// preferences); this repository reads the latest of each kind and keeps undone_actions.
#pragma once

#include <optional>
#include <vector>

#include "domain/counter_action.h"
#include "store/sql.h"

namespace crm::store {

class UndoRepository {
 public:
  explicit UndoRepository(SqlConnection& connection) : connection_(connection) {}

  // The latest action of each kind done for `customer` in [from, to) that has not been undone
  // (at most one per kind): by `staff` when given, by anyone otherwise. A sale counts only while
  // no refund of it exists; a redemption only when it paid for no order.
  Result<std::vector<domain::CounterAction>> LatestActions(BusinessId business, CustomerId customer,
                                                           std::optional<StaffId> staff, Timestamp from,
                                                           Timestamp to);
  // Whether an action of this kind and id has been undone. A deleted note's or preference's id
  // may be given to a later row on SQLite, so callers ask this only about an action that is not
  // the current last one.
  Result<bool> IsUndone(BusinessId business, domain::CounterActionKind kind, int64_t id);
  // Records the undo. A row for the same kind and id (a deleted note's id given to a later note on
  // SQLite) is replaced: callers undo only the current last action, which is never undone.
  Status MarkUndone(BusinessId business, const domain::CounterAction& action, std::optional<StaffId> by,
                    Timestamp at);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
