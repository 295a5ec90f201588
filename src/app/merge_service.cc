#include "app/merge_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "app/loyalty_posting.h"
#include "store/access_log_repository.h"
#include "store/customer_repository.h"
#include "store/enclosing_write.h"
#include "store/loyalty_repository.h"
#include "store/order_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kYearSeconds = 365LL * 86400;

Status LogAccess(store::Transaction& tx, const Principal& principal, CustomerId customer, domain::AccessAction action,
                 Timestamp at, std::string detail) {
  domain::AccessLogEntry entry;
  entry.business_id = principal.business_id;
  entry.at = at;
  entry.staff_id = principal.staff_id;
  entry.token_id = principal.token_id;
  entry.customer_id = customer;
  entry.action = action;
  entry.ip = principal.ip;
  entry.detail = std::move(detail);
  return tx.access_log().Append(entry);
}

// OK when the customer is the business's. Otherwise the reason: merged away already, or (for the
// id given in a body) not a customer of this business — the same answer for another business's
// customer and for an id that exists nowhere, so that the answer tells nothing about other
// businesses. An id in the path answers "not found", like any other route.
Status CheckCustomer(store::Transaction& tx, store::MergeRepository& merges, BusinessId business, CustomerId id,
                     const char* field, bool in_body) {
  CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(business, id));
  if (exists) return Status::Ok();
  CRM_ASSIGN_OR_RETURN(auto merge, merges.ActiveMergeOf(business, id));
  if (merge) {
    return FailedPrecondition(fmt::format("customer {} was merged into customer {} (merge {})", id.value(),
                                          merge->survivor_id.value(), merge->id),
                              field);
  }
  if (in_body)
    return FailedPrecondition("is not a customer of this business; only customers of one business merge", field);
  return NotFound("customer not found");
}

Status CheckPair(store::Transaction& tx, store::MergeRepository& merges, BusinessId business, CustomerId survivor,
                 CustomerId other) {
  CRM_RETURN_IF_ERROR(CheckCustomer(tx, merges, business, survivor, "id", false));
  if (survivor == other) return FailedPrecondition("a customer cannot be merged into itself", "other_id");
  return CheckCustomer(tx, merges, business, other, "other_id", true);
}

std::optional<Timestamp> Earlier(std::optional<Timestamp> a, std::optional<Timestamp> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

std::optional<Timestamp> Later(std::optional<Timestamp> a, std::optional<Timestamp> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

// Visits in the 365 days up to and including the last visit, counted from the orders.
Result<int64_t> VisitsInLastYear(store::Transaction& tx, BusinessId business, CustomerId customer,
                                 std::optional<Timestamp> last) {
  if (!last) return int64_t{0};
  return tx.orders().CountSales(business, customer, last->PlusSeconds(-kYearSeconds),
                                Timestamp::FromMicros(last->micros() + 1));
}

// Balance = ledger sum for one customer; an account is created for entries that sum to non-zero.
Result<int64_t> SyncBalance(store::Transaction& tx, BusinessId business, CustomerId customer, Timestamp now) {
  CRM_ASSIGN_OR_RETURN(int64_t sum, tx.loyalty().LedgerSum(business, customer));
  CRM_ASSIGN_OR_RETURN(auto account, tx.loyalty().GetAccount(business, customer));
  if (!account && sum == 0) return sum;
  if (!account) {
    CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount created, LoadAccount(tx, business, customer, now));
    account = created;
  }
  if (account->balance != sum) {
    account->balance = sum;
    account->updated_at = now;
    CRM_RETURN_IF_ERROR(tx.loyalty().SaveAccount(business, *account));
  }
  return sum;
}

// One loyalty account for the survivor, before the other profile's row goes: the other's account
// moves over when the survivor had none, else it is dropped and the higher of the two tiers kept.
// The balance is set by FinishLoyalty.
Result<std::optional<domain::LoyaltyAccount>> CombineAccounts(store::Transaction& tx, store::MergeRepository& merges,
                                                              BusinessId business, CustomerId survivor,
                                                              CustomerId other) {
  CRM_ASSIGN_OR_RETURN(auto account, tx.loyalty().GetAccount(business, survivor));
  CRM_ASSIGN_OR_RETURN(auto other_account, tx.loyalty().GetAccount(business, other));
  if (other_account && !account) {
    CRM_RETURN_IF_ERROR(merges.MoveAccount(business, other, survivor));
    account = other_account;
    account->customer_id = survivor;
  } else if (other_account) {
    if (other_account->tier.index > account->tier.index) account->tier = other_account->tier;
    CRM_RETURN_IF_ERROR(merges.DeleteAccount(business, other));
  }
  return account;
}

// The survivor's account after its statistics are merged: the balance is the sum of its ledger,
// which now holds both ledgers, and the tier is evaluated again. A promotion is recorded as a tier
// change (kept in the snapshot, so that undo removes it); no welcome coupon is issued.
Status FinishLoyalty(store::Transaction& tx, store::MergeRepository& merges, BusinessId business,
                     const domain::Customer& survivor, std::optional<domain::LoyaltyAccount> account, Timestamp now,
                     store::MergeSnapshot& snapshot) {
  if (!account) return Status::Ok();
  CRM_ASSIGN_OR_RETURN(account->balance, tx.loyalty().LedgerSum(business, survivor.id));
  account->updated_at = now;
  CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(business));
  if (program && !program->tiers.empty()) {
    CRM_ASSIGN_OR_RETURN(domain::TierChange change,
                         ReevaluateTier(tx, *program, business, survivor, account->tier, now));
    if (change.promoted || change.demoted) {
      const int index = std::clamp(change.state.index, 0, static_cast<int>(program->tiers.size()) - 1);
      CRM_RETURN_IF_ERROR(tx.loyalty().AppendTierChange(business, {survivor.id, account->tier.index, change.state.index,
                                                                   program->tiers[index].name, std::nullopt, now}));
      CRM_ASSIGN_OR_RETURN(auto created, merges.LastTierChange(business, survivor.id));
      if (created) snapshot.created_tier_changes.push_back(*created);
      account->tier = change.state;
    }
  }
  return tx.loyalty().SaveAccount(business, *account);
}

std::vector<std::pair<std::string, std::string>> ChoiceNames(const std::vector<domain::MergeChoice>& choices) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const domain::MergeChoice& choice : choices) names.emplace_back(ToString(choice.field), ToString(choice.side));
  return names;
}

}  // namespace

MergeService::MergeService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

Result<std::vector<importing::DuplicateCandidate>> MergeService::Duplicates(const Principal& principal, int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  constexpr int kPage = 1000;
  importing::DuplicateFinder finder;
  std::set<std::pair<int64_t, int64_t>> dismissed;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(auto pairs, store::MergeRepository(tx.connection()).Dismissed(principal.business_id));
    for (const auto& [first, second] : pairs) dismissed.emplace(first.value(), second.value());
    store::CustomerFilter filter;
    filter.limit = kPage;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.customers().List(principal.business_id, filter));
      for (const domain::Customer& customer : page) {
        std::optional<Date> birthday;
        if (customer.birthday) birthday = customer.birthday->date;
        finder.Add({customer.id.value(), customer.name, customer.phone_e164, customer.email, birthday});
      }
      if (static_cast<int>(page.size()) < kPage) return Status::Ok();
      filter.after = page.back().id;
    }
  }));
  std::vector<importing::DuplicateCandidate> candidates;
  for (importing::DuplicateCandidate& candidate : finder.Candidates()) {
    if (dismissed.count({candidate.first, candidate.second}) > 0) continue;
    if (static_cast<int>(candidates.size()) >= std::max(limit, 0)) break;
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

Status MergeService::Dismiss(const Principal& principal, CustomerId first, CustomerId second) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (first == second) return FailedPrecondition("a customer is not a duplicate of itself", "second_id");
  const Timestamp now = clock_.Now();
  return database_.Write([&](store::Transaction& tx) -> Status {
    for (auto [id, field] : {std::pair{first, "first_id"}, std::pair{second, "second_id"}}) {
      CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(principal.business_id, id));
      if (!exists) return NotFound(fmt::format("customer not found ({})", field));
    }
    return store::MergeRepository(tx.connection())
        .Dismiss(principal.business_id, first, second, principal.staff_id, now);
  });
}

Result<MergePreview> MergeService::Preview(const Principal& principal, CustomerId survivor, CustomerId other) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  MergePreview preview;
  const Timestamp now = clock_.Now();
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    store::MergeRepository merges(tx.connection());
    CRM_RETURN_IF_ERROR(CheckPair(tx, merges, principal.business_id, survivor, other));
    CRM_ASSIGN_OR_RETURN(preview.survivor, tx.customers().Get(principal.business_id, survivor));
    CRM_ASSIGN_OR_RETURN(preview.other, tx.customers().Get(principal.business_id, other));
    preview.differing = domain::DifferingFields(preview.survivor, preview.other);
    CRM_ASSIGN_OR_RETURN(preview.defaults, domain::ResolveChoices(preview.survivor, preview.other, {}));
    // Both whole profiles are shown: a view of personal data, logged like a profile view.
    for (CustomerId id : {survivor, other}) {
      CRM_RETURN_IF_ERROR(LogAccess(tx, principal, id, domain::AccessAction::kViewProfile, now, "merge-preview"));
    }
    return Status::Ok();
  }));
  return preview;
}

Result<MergeOutcome> MergeService::Merge(const Principal& principal, CustomerId survivor_id, CustomerId other_id,
                                         const std::vector<domain::MergeChoice>& keep) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  const BusinessId business = principal.business_id;
  MergeOutcome outcome;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    store::MergeRepository merges(tx.connection());
    CRM_RETURN_IF_ERROR(CheckPair(tx, merges, business, survivor_id, other_id));
    // Both rows locked, lower id first (a fixed order, so two merges cannot deadlock); a sale of
    // either waits for the merge and then finds its customer moved or gone.
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, std::min(survivor_id, other_id)));
    CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, std::max(survivor_id, other_id)));
    CRM_ASSIGN_OR_RETURN(domain::Customer survivor, tx.customers().Get(business, survivor_id));
    CRM_ASSIGN_OR_RETURN(domain::Customer other, tx.customers().Get(business, other_id));
    CRM_ASSIGN_OR_RETURN(outcome.choices, domain::ResolveChoices(survivor, other, keep));
    domain::Customer merged = domain::MergedProfile(survivor, other, outcome.choices);

    CRM_ASSIGN_OR_RETURN(store::MergeSnapshot snapshot, merges.Capture(business, survivor_id, other_id));
    CRM_RETURN_IF_ERROR(merges.MoveRows(business, survivor_id, other_id, snapshot));
    CRM_ASSIGN_OR_RETURN(auto account, CombineAccounts(tx, merges, business, survivor_id, other_id));
    CRM_RETURN_IF_ERROR(merges.RetireCustomer(business, other_id, survivor_id, now));

    merged.stats.visit_count = survivor.stats.visit_count + other.stats.visit_count;
    merged.stats.total_spend = survivor.stats.total_spend + other.stats.total_spend;
    merged.stats.first_visit_at = Earlier(survivor.stats.first_visit_at, other.stats.first_visit_at);
    merged.stats.last_visit_at = Later(survivor.stats.last_visit_at, other.stats.last_visit_at);
    CRM_ASSIGN_OR_RETURN(merged.stats.visits_last_year,
                         VisitsInLastYear(tx, business, survivor_id, merged.stats.last_visit_at));
    merged.updated_at = now;
    CRM_RETURN_IF_ERROR(tx.customers().Update(merged));
    CRM_RETURN_IF_ERROR(tx.customers().SaveStats(business, survivor_id, merged.stats, now));
    CRM_RETURN_IF_ERROR(FinishLoyalty(tx, merges, business, merged, account, now, snapshot));

    store::MergeRecord record;
    record.business_id = business;
    record.survivor_id = survivor_id;
    record.merged_id = other_id;
    record.staff_id = principal.staff_id;
    record.token_id = principal.token_id;
    record.choices = ChoiceNames(outcome.choices);
    record.created_at = now;
    record.snapshot = std::move(snapshot);
    CRM_ASSIGN_OR_RETURN(outcome.merge_id, merges.Insert(record));
    const std::string detail =
        fmt::format("merge {}: customer {} into {}", outcome.merge_id, other_id.value(), survivor_id.value());
    CRM_RETURN_IF_ERROR(LogAccess(tx, principal, survivor_id, domain::AccessAction::kMerge, now, detail));
    CRM_RETURN_IF_ERROR(LogAccess(tx, principal, other_id, domain::AccessAction::kMerge, now, detail));
    CRM_ASSIGN_OR_RETURN(outcome.survivor, tx.customers().Get(business, survivor_id));
    return Status::Ok();
  }));
  if (on_moved_) {
    // Inside a keyed request's enclosing transaction the move is not committed yet.
    store::AfterCommit(database_, [on_moved = on_moved_, business = principal.business_id] { on_moved(business); });
  }
  return outcome;
}

Result<std::vector<store::MergeRecord>> MergeService::List(const Principal& principal, std::optional<int64_t> before,
                                                           int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<std::vector<store::MergeRecord>>(database_, [&](store::Transaction& tx) {
    return store::MergeRepository(tx.connection()).List(principal.business_id, before, limit);
  });
}

Result<store::MergeRecord> MergeService::Undo(const Principal& principal, int64_t merge_id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  const BusinessId business = principal.business_id;
  store::MergeRecord result;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    store::MergeRepository merges(tx.connection());
    CRM_ASSIGN_OR_RETURN(store::MergeRecord record, merges.Get(business, merge_id));
    if (record.undone_at) return FailedPrecondition("this merge has been undone already");
    if (record.snapshot.customers.empty()) {
      return FailedPrecondition("the customer of this merge was erased: it cannot be undone");
    }
    const CustomerId survivor = record.survivor_id;
    const CustomerId merged = record.merged_id;
    Status locked = tx.customers().LockForUpdate(business, survivor);
    if (locked.code() == StatusCode::kNotFound) {
      CRM_ASSIGN_OR_RETURN(auto later, merges.ActiveMergeOf(business, survivor));
      if (later) {
        return FailedPrecondition(
            fmt::format("customer {} was merged into customer {} since (merge {}); undo that "
                        "merge first",
                        survivor.value(), later->survivor_id.value(), later->id));
      }
      return FailedPrecondition("the surviving customer no longer exists");
    }
    CRM_RETURN_IF_ERROR(locked);
    const store::MergeSnapshot& snapshot = record.snapshot;
    CRM_RETURN_IF_ERROR(merges.CheckUndoable(business, survivor, snapshot));

    CRM_ASSIGN_OR_RETURN(domain::Customer before_undo, tx.customers().Get(business, survivor));
    CRM_ASSIGN_OR_RETURN(int64_t orders_now, merges.CountOrders(business, survivor));
    Status restored = merges.Restore(business, survivor, merged, snapshot);
    if (restored.code() == StatusCode::kAlreadyExists) return FailedPrecondition(restored.message(), restored.field());
    CRM_RETURN_IF_ERROR(restored);

    // Orders taken since the merge stay with the survivor: its statistics are then the current
    // ones less the merged profile's, with the visit times read from its orders.
    const int64_t orders_at_merge = snapshot.survivor_order_count + static_cast<int64_t>(snapshot.orders.size());
    if (orders_now != orders_at_merge) {
      CRM_ASSIGN_OR_RETURN(domain::Customer other, tx.customers().Get(business, merged));
      domain::VisitStats stats;
      stats.visit_count = std::max<int64_t>(0, before_undo.stats.visit_count - other.stats.visit_count);
      stats.total_spend = before_undo.stats.total_spend - other.stats.total_spend;
      CRM_ASSIGN_OR_RETURN(auto span, merges.SaleSpan(business, survivor));
      if (span) {
        stats.first_visit_at = span->first;
        stats.last_visit_at = span->second;
      }
      CRM_ASSIGN_OR_RETURN(stats.visits_last_year, VisitsInLastYear(tx, business, survivor, stats.last_visit_at));
      CRM_RETURN_IF_ERROR(tx.customers().SaveStats(business, survivor, stats, now));
    }
    CRM_ASSIGN_OR_RETURN(int64_t survivor_balance, SyncBalance(tx, business, survivor, now));
    if (survivor_balance < 0) {
      return FailedPrecondition("points that came with the merged profile were spent after the merge");
    }
    CRM_RETURN_IF_ERROR(SyncBalance(tx, business, merged, now).status());
    CRM_RETURN_IF_ERROR(merges.MarkUndone(business, merge_id, now, principal.staff_id, principal.token_id));
    const std::string detail = fmt::format("undo merge {}", merge_id);
    CRM_RETURN_IF_ERROR(LogAccess(tx, principal, survivor, domain::AccessAction::kUndoMerge, now, detail));
    CRM_RETURN_IF_ERROR(LogAccess(tx, principal, merged, domain::AccessAction::kUndoMerge, now, detail));
    result = record;
    result.undone_at = now;
    return Status::Ok();
  }));
  if (on_moved_) {
    // Inside a keyed request's enclosing transaction the move is not committed yet.
    store::AfterCommit(database_, [on_moved = on_moved_, business = principal.business_id] { on_moved(business); });
  }
  return result;
}

}  // namespace crm::app
