// Erasure of a customer's personal data (PIPA-03): the customer row becomes an anonymous
// tombstone (erased_at set, every personal field emptied) so that its orders and ledger entries
// still add up, and every other row that holds the customer's personal text is deleted or blanked:
// tags, anniversaries, preferences, notes, the free text of consents and agreements, prospects,
// numbers other systems gave the customer, access-log details, merge snapshots, saved idempotency
// answers that hold the customer's name, phone or e-mail, suppressed addresses and message texts.
// Also the retention query: the customers inactive since a cutoff. Not thread-safe; it lives
// inside one transaction.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "store/sql.h"

namespace crm::store {

// What one erasure changed, counts only (for the log and the answer).
struct ErasureCounts {
  int64_t profiles = 0;  // the customer and the merged profiles that lead to it
  int64_t rows_deleted = 0;
  int64_t rows_blanked = 0;
  int64_t messages = 0;
};

class ErasureRepository {
 public:
  explicit ErasureRepository(SqlConnection& connection) : connection_(connection) {}

  // Erases the customer as described above, at `now`. kNotFound when the customer is not the
  // business's or was merged into another; kFailedPrecondition when it was erased already.
  Result<ErasureCounts> Erase(BusinessId business, CustomerId customer, Timestamp now);

  // The customers (not merged, not erased) whose last visit (their creation when they never
  // visited) is before `cutoff`, in id order, at most `limit`.
  Result<std::vector<CustomerId>> InactiveSince(BusinessId business, Timestamp cutoff, int limit);
  // How many customers InactiveSince would find without a limit.
  Result<int64_t> CountInactiveSince(BusinessId business, Timestamp cutoff);

  // The business's retention period in months (0: off). kNotFound for an unknown business.
  Result<int64_t> RetentionMonths(BusinessId business);
  Status SetRetentionMonths(BusinessId business, int64_t months);
  // The businesses with a retention period set, in id order.
  Result<std::vector<std::pair<BusinessId, int64_t>>> BusinessesWithRetention();

 private:
  Status EraseRows(BusinessId business, CustomerId customer, Timestamp now, ErasureCounts& counts);
  Status BlankSavedAnswers(BusinessId business, const std::vector<std::string>& needles, ErasureCounts& counts);
  SqlConnection& connection_;
};

}  // namespace crm::store
