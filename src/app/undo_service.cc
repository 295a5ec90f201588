#include "app/undo_service.h"

#include <utility>
#include <vector>

#include "app/loyalty_posting.h"
#include "domain/business.h"
#include "domain/prospect.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/loyalty_repository.h"
#include "store/note_repository.h"
#include "store/transaction.h"
#include "store/undo_repository.h"

namespace crm::app {
namespace {

bool IsManager(const Principal& principal) { return principal.Require(domain::Role::kManager).ok(); }

bool Same(const std::optional<domain::CounterAction>& action, domain::CounterActionKind kind, int64_t id) {
  return action && action->kind == kind && action->id == id;
}

// The newest undoable action of today for `customer`: by `staff` when given, by anyone otherwise.
Result<std::optional<domain::CounterAction>> Latest(store::Transaction& tx, BusinessId business_id,
                                                    CustomerId customer, std::optional<StaffId> staff,
                                                    Timestamp now) {
  CRM_ASSIGN_OR_RETURN(domain::Business business, tx.businesses().Get(business_id));
  const domain::DayBounds today = domain::LocalDay(now, business.utc_offset_minutes);
  CRM_ASSIGN_OR_RETURN(auto actions, tx.undo().LatestActions(business_id, customer, staff, today.start, today.end));
  return domain::LatestAction(actions);
}

// What the principal may undo: their own actions, or anyone's for a manager. A staff-role token
// (no staff member) has no actions of its own.
Result<std::optional<domain::CounterAction>> LatestFor(store::Transaction& tx, const Principal& principal,
                                                       CustomerId customer, Timestamp now) {
  if (IsManager(principal)) return Latest(tx, principal.business_id, customer, std::nullopt, now);
  if (!principal.staff_id) return std::optional<domain::CounterAction>();
  return Latest(tx, principal.business_id, customer, principal.staff_id, now);
}

// Gives back the units of a redemption that paid for no order, as a reversal of that entry.
Status ReverseRedemption(store::Transaction& tx, const Principal& principal, const domain::CounterAction& action,
                         Timestamp now) {
  const BusinessId business = principal.business_id;
  CRM_ASSIGN_OR_RETURN(domain::LedgerEntry redeemed, tx.loyalty().Entry(business, LedgerEntryId(action.id)));
  CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(business));
  CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount account, LoadAccount(tx, business, action.customer_id, now));
  domain::LedgerEntry entry;
  entry.kind = domain::LedgerKind::kReverse;
  entry.amount = -redeemed.amount;
  entry.related_id = redeemed.id;
  entry.branch_id = redeemed.branch_id;
  entry.staff_id = principal.staff_id;
  entry.reason = "사용 취소";
  if (program && program->expiry_months > 0) entry.expires_at = domain::AddMonths(now, program->expiry_months);
  return AppendEntry(tx, business, account, std::move(entry), now).status();
}

// Carries out the undo of `action` inside the transaction.
Status Carry(store::Transaction& tx, const Principal& principal, const domain::CounterAction& action, Timestamp now,
             UndoResult& result) {
  const BusinessId business = principal.business_id;
  switch (action.kind) {
    case domain::CounterActionKind::kOrder: {
      CRM_ASSIGN_OR_RETURN(PostedOrder refund,
                           RefundInTransaction(tx, principal, OrderId(action.id), std::nullopt, "", "", now));
      result.refund = std::move(refund.order);
      return Status::Ok();
    }
    case domain::CounterActionKind::kRedemption:
      return ReverseRedemption(tx, principal, action, now);
    case domain::CounterActionKind::kCouponUse:
      return tx.coupons().RestoreRedeemed(business, CouponId(action.id));
    case domain::CounterActionKind::kNote:
      return tx.notes().Delete(business, action.customer_id, NoteId(action.id));
    case domain::CounterActionKind::kPreference:
      return tx.customers().DeletePreference(business, action.customer_id, PreferenceId(action.id));
  }
  return Internal("unknown action kind");
}

}  // namespace

UndoService::UndoService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Result<std::optional<domain::CounterAction>> UndoService::LastAction(const Principal& principal,
                                                                    CustomerId customer) {
  const Timestamp now = clock_.Now();
  return store::ReadValue<std::optional<domain::CounterAction>>(
      database_, [&](store::Transaction& tx) -> Result<std::optional<domain::CounterAction>> {
        CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, customer));
        if (!exists) return NotFound("customer not found");
        return LatestFor(tx, principal, customer, now);
      });
}

Result<UndoResult> UndoService::Undo(const Principal& principal, CustomerId customer, domain::CounterActionKind kind,
                                     int64_t id) {
  const Timestamp now = clock_.Now();
  UndoResult result;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    result = UndoResult{};
    const BusinessId business = principal.business_id;
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, customer));
    CRM_RETURN_IF_ERROR(ClaimIdempotency(tx, principal, now));
    // The last action is never an undone one (see UndoRepository::LatestActions), so it is asked
    // first: on SQLite a new note may carry the id of a note undone before.
    CRM_ASSIGN_OR_RETURN(auto mine, LatestFor(tx, principal, customer, now));
    if (!Same(mine, kind, id)) {
      CRM_ASSIGN_OR_RETURN(bool undone, tx.undo().IsUndone(business, kind, id));
      if (undone) return FailedPrecondition("this action has been undone already", "id").WithReason("already_undone");
      CRM_ASSIGN_OR_RETURN(auto anyone, Latest(tx, business, customer, std::nullopt, now));
      if (Same(anyone, kind, id)) {
        return PermissionDenied("only the staff member who did it or a manager can undo it")
            .WithReason("not_own_action");
      }
      return FailedPrecondition("only the last action of today can be undone", "id").WithReason("not_last_action");
    }
    CRM_RETURN_IF_ERROR(Carry(tx, principal, *mine, now, result));
    CRM_RETURN_IF_ERROR(tx.undo().MarkUndone(business, *mine, principal.staff_id, now));
    CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(business));
    if (program) {
      CRM_ASSIGN_OR_RETURN(auto account, tx.loyalty().GetAccount(business, customer));
      result.balance = account ? account->balance : 0;
    }
    result.action = *mine;
    return Status::Ok();
  }));
  return result;
}

}  // namespace crm::app
