// UndoService: the undo of the last action of today at the counter. The last action is the
// newest sale, redemption, coupon use, note or preference for the customer made today (the
// business's local day, by the injected clock) by the staff member asking — by anyone when a
// manager or owner asks — that has not been undone. Undoing a sale refunds it in full through the
// refund path (so the ledger takes back what it earned and gives back what it spent); a
// redemption gets its units back; a coupon is usable again; a note or preference is removed. Each
// action is undone at most once. Thread-safe.
#pragma once

#include <optional>

#include "app/order_service.h"
#include "app/principal.h"
#include "common/time.h"
#include "domain/counter_action.h"
#include "store/database.h"

namespace crm::app {

struct UndoResult {
  domain::CounterAction action;       // what was undone
  std::optional<domain::Order> refund;  // the refund written for a sale
  std::optional<int64_t> balance;     // the loyalty balance after, when the business has a program
};

class UndoService {
 public:
  UndoService(store::Database& database, const Clock& clock);

  // The action the principal may undo now for `customer`, or nullopt when there is none.
  // kNotFound when the customer is not the business's.
  Result<std::optional<domain::CounterAction>> LastAction(const Principal& principal, CustomerId customer);

  // Undoes the action `kind`/`id`, which must be what LastAction answers. Refusals carry a reason:
  // kFailedPrecondition "already_undone" (a second undo of the same action) or "not_last_action"
  // (not the newest, not today's, or not this customer's); kPermissionDenied "not_own_action" (the
  // last action of another staff member, for a staff principal). kNotFound for an unknown customer.
  Result<UndoResult> Undo(const Principal& principal, CustomerId customer, domain::CounterActionKind kind,
                          int64_t id);

 private:
  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
