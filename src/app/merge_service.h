// MergeService: the duplicate review queue (candidates with scores and reasons, less the pairs a
// manager dismissed), the preview of a merge, the merge of one customer profile into another of the
// same business, and its undo. A merge keeps the survivor's id, takes the chosen field values,
// moves everything that hangs off the other profile to it (orders, ledger, loyalty balance, coupons,
// notes, preferences, consents, referrals, prospect cards, external numbers), recomputes the visit
// statistics and the tier, and deletes the other profile's row, keeping a snapshot in the merge
// record from which undo restores both profiles. Managers and owners only. Thread-safe.
#pragma once

#include <functional>

#include <optional>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "domain/merge.h"
#include "importing/duplicate_finder.h"
#include "store/database.h"
#include "store/merge_repository.h"

namespace crm::app {

struct MergePreview {
  domain::Customer survivor;
  domain::Customer other;
  std::vector<domain::MergeField> differing;
  std::vector<domain::MergeChoice> defaults;  // what a merge without choices would keep
};

struct MergeOutcome {
  int64_t merge_id = 0;
  domain::Customer survivor;  // as it is after the merge
  std::vector<domain::MergeChoice> choices;
};

class MergeService {
 public:
  MergeService(store::Database& database, const Clock& clock);

  // Candidate pairs best first, at most `limit`, without dismissed pairs.
  Result<std::vector<importing::DuplicateCandidate>> Duplicates(const Principal& principal, int limit);
  // Takes the pair off the review queue. kNotFound when either is not the business's customer;
  // kFailedPrecondition for a customer paired with itself.
  Status Dismiss(const Principal& principal, CustomerId first, CustomerId second);

  // kNotFound when `survivor` is not the business's; kFailedPrecondition when `other` is the same
  // customer, belongs to another business or was merged already.
  Result<MergePreview> Preview(const Principal& principal, CustomerId survivor, CustomerId other);

  // Merges `other` into `survivor`. Failures as Preview, and kInvalidArgument ("keep.FIELD") for a
  // choice that does not fit its field.
  Result<MergeOutcome> Merge(const Principal& principal, CustomerId survivor, CustomerId other,
                             const std::vector<domain::MergeChoice>& keep);

  // Newest first, ids below `before` when given (without snapshots).
  Result<std::vector<store::MergeRecord>> List(const Principal& principal, std::optional<int64_t> before, int limit);

  // Restores both profiles as they were before the merge; rows created since stay with the
  // survivor. kNotFound for another business's merge; kFailedPrecondition when it was undone already,
  // when the survivor was merged away since, when the merged profile's id or phone has been reused,
  // or when rows written since depend on rows the merge moved (a refund of a moved order, points
  // of the merged profile spent or expired since).
  Result<store::MergeRecord> Undo(const Principal& principal, int64_t merge_id);

  // Called after a merge or an undo has committed, with the business whose orders changed hands
  // (the server's analytics rebuild that business's aggregates).
  void OnCustomersMoved(std::function<void(BusinessId)> callback) { on_moved_ = std::move(callback); }

 private:
  store::Database& database_;
  const Clock& clock_;
  std::function<void(BusinessId)> on_moved_;
};

}  // namespace crm::app
