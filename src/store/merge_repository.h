// Storage of customer merges: the record of each merge (who, when, the choices, and a snapshot of
// what it changed), the row moves a merge makes (every row that hangs off the merged profile is
// re-pointed at the survivor) and their reversal for undo, and the duplicate pairs a manager
// dismissed from the review queue. Not thread-safe; it lives inside one transaction.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "store/sql.h"

namespace crm::store {

using RawRow = std::vector<SqlValue>;

// What a merge changed, enough to undo it: whole rows as they were before (the two customer rows
// with their tags, consents and anniversaries, the loyalty accounts, the referral rows that
// involved either, and rows the merge deleted as duplicates), and the ids of rows it moved.
struct MergeSnapshot {
  std::vector<RawRow> customers;
  std::vector<RawRow> tags;
  std::vector<RawRow> consents;
  std::vector<RawRow> agreements;  // terms and privacy notices accepted (customer_agreements)
  std::vector<RawRow> anniversaries;
  std::vector<RawRow> accounts;
  std::vector<RawRow> referrals;
  std::vector<RawRow> deleted_preferences;
  std::vector<RawRow> deleted_gacha_draws;
  std::vector<int64_t> orders;
  std::vector<int64_t> ledger_entries;
  std::vector<int64_t> tier_changes;
  std::vector<int64_t> coupons;
  std::vector<int64_t> loyalty_counts;
  std::vector<int64_t> notes;
  std::vector<int64_t> preferences;
  std::vector<int64_t> gacha_draws;
  std::vector<int64_t> prospects;
  std::vector<int64_t> referred_customers;                        // customers whose referrer_id was the merged profile
  std::vector<std::pair<std::string, std::string>> external_ids;  // (source, external id)
  int64_t survivor_order_count = 0;                               // the survivor's orders before the merge
  std::vector<int64_t> created_tier_changes;                      // the promotion the merge itself recorded, if any
  // The highest order and ledger ids of the business at the merge: rows above are written since.
  int64_t last_order_id = 0;
  int64_t last_ledger_id = 0;
};

struct MergeRecord {
  int64_t id = 0;
  BusinessId business_id;
  CustomerId survivor_id;
  CustomerId merged_id;
  std::optional<StaffId> staff_id;
  std::optional<TokenId> token_id;
  std::vector<std::pair<std::string, std::string>> choices;  // field name → "this" | "other" | "both"
  Timestamp created_at;
  std::optional<Timestamp> undone_at;
  MergeSnapshot snapshot;  // filled by Get only; List leaves it empty
};

class MergeRepository {
 public:
  explicit MergeRepository(SqlConnection& connection) : connection_(connection) {}

  // Captures the whole rows of both customers that a merge may change or delete.
  // kNotFound when either is not the business's.
  Result<MergeSnapshot> Capture(BusinessId business, CustomerId survivor, CustomerId merged);

  // Re-points every row of `merged` at `survivor` and records the moves in `snapshot`: orders,
  // ledger entries, tier changes, coupons, notes, preferences (one that the survivor has already,
  // same kind and subject, is deleted), the gacha draw (deleted when the survivor drew too),
  // external customer numbers, prospect cards, customers it referred, and referral rows (a row that
  // would make a profile its own referrer or close a referral loop is deleted).
  Status MoveRows(BusinessId business, CustomerId survivor, CustomerId merged, MergeSnapshot& snapshot);
  // Re-points the merged profile's loyalty account at the survivor (which had none).
  Status MoveAccount(BusinessId business, CustomerId from, CustomerId to);
  Status DeleteAccount(BusinessId business, CustomerId customer);
  // Retires the merged profile: its tags, consents and anniversaries are deleted, and its row is
  // kept (so its id is never reused) marked merged_into the survivor, without personal data or
  // statistics. Every CustomerRepository query skips it from then on. kNotFound when it is not a
  // customer of the business (or retired already).
  Status RetireCustomer(BusinessId business, CustomerId merged, CustomerId survivor, Timestamp at);

  // kFailedPrecondition (with the reason) when rows written since the merge depend on rows the merge
  // moved, so that moving them back would split them: a refund of a moved order, a ledger entry on
  // a moved order or reversing a moved entry.
  Status CheckUndoable(BusinessId business, CustomerId survivor, const MergeSnapshot& snapshot);
  // Puts back what the snapshot holds: both customer rows (the merged one no longer retired) with
  // their tags, consents and anniversaries, the moved rows, the deleted rows, the referral
  // rows and the loyalty accounts. kAlreadyExists when the merged profile's phone has been taken.
  Status Restore(BusinessId business, CustomerId survivor, CustomerId merged, const MergeSnapshot& snapshot);
  // The id of the customer's latest tier change, if any.
  Result<std::optional<int64_t>> LastTierChange(BusinessId business, CustomerId customer);
  // The customer's orders (sales and refunds).
  Result<int64_t> CountOrders(BusinessId business, CustomerId customer);
  // The first and last sale time of the customer, if any sale.
  Result<std::optional<std::pair<Timestamp, Timestamp>>> SaleSpan(BusinessId business, CustomerId customer);

  // Stores a merge record; returns its id.
  Result<int64_t> Insert(const MergeRecord& record);
  // kNotFound when the merge is not the business's.
  Result<MergeRecord> Get(BusinessId business, int64_t id);
  // Newest first, ids below `before` when given.
  Result<std::vector<MergeRecord>> List(BusinessId business, std::optional<int64_t> before, int limit);
  // The merge (not undone) that removed this customer, if any.
  Result<std::optional<MergeRecord>> ActiveMergeOf(BusinessId business, CustomerId merged);
  // kFailedPrecondition when it was undone before (perhaps by a concurrent undo).
  Status MarkUndone(BusinessId business, int64_t id, Timestamp at, std::optional<StaffId> staff,
                    std::optional<TokenId> token);

  // Dismissed duplicate pairs (lower id first); dismissing a pair twice is not an error.
  Status Dismiss(BusinessId business, CustomerId first, CustomerId second, std::optional<StaffId> staff, Timestamp at);
  Result<std::vector<std::pair<CustomerId, CustomerId>>> Dismissed(BusinessId business);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
