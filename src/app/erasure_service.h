// ErasureService: the right to erasure and the retention period (PIPA-03, PIPA-04). An owner or a
// manager erases a customer with a reason: in one transaction every personal field is destroyed
// wherever it lives (store::ErasureRepository) while orders and ledger entries stay as anonymous
// rows of a tombstone customer, and the erasure is written to the access log with its reason and
// counts. A business may set a retention period in months after the last visit; the daily job
// (RunRetention) erases the customers inactive past it with the reason "retention", and a dry run
// tells how many that would be, with masked samples. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "store/database.h"
#include "store/erasure_repository.h"

namespace crm::app {

struct ErasureResult {
  CustomerId customer;
  Timestamp erased_at;
  store::ErasureCounts counts;
};

struct RetentionSetting {
  int64_t months = 0;            // customers: 0 is off
  int64_t access_log_days = 0;   // the personal-data access log
};

struct RetentionPreview {
  int64_t months = 0;
  Timestamp cutoff;  // customers whose last visit (or creation) is before this
  int64_t count = 0;
  std::vector<std::string> samples;  // masked names (or masked phones), at most kSamples
};

struct RetentionRun {
  int64_t erased = 0;
  int64_t failed = 0;
  int64_t access_log_deleted = 0;  // access-log entries past the business's access_log_days
};

class ErasureService {
 public:
  static constexpr int64_t kMaxRetentionMonths = 1200;
  static constexpr size_t kSamples = 5;
  // PIPA-06: the access log is kept at least a year (two from 50,000 customers).
  static constexpr int64_t kMinAccessLogDays = 365;
  static constexpr int64_t kMaxAccessLogDays = 3650;

  ErasureService(store::Database& database, const Clock& clock);

  // Called after each committed erasure (outside the transaction), so that caches and the
  // in-memory import reports drop what they held about the business's customers.
  void OnErased(std::function<void(BusinessId)> callback) { on_erased_ = std::move(callback); }

  // Erases the customer. kPermissionDenied below manager; kInvalidArgument ("reason") for an
  // empty or over-long reason; kNotFound when the customer is not the business's (or was merged);
  // kFailedPrecondition when it was erased already.
  Result<ErasureResult> Erase(const Principal& principal, CustomerId id, const std::string& reason);

  // The business's retention periods. Reading takes a manager, changing them the owner; a value
  // not given stays; kInvalidArgument ("months") outside 0..kMaxRetentionMonths,
  // ("access_log_days") outside kMinAccessLogDays..kMaxAccessLogDays.
  Result<RetentionSetting> GetRetention(const Principal& principal);
  Result<RetentionSetting> SetRetention(const Principal& principal, std::optional<int64_t> months,
                                        std::optional<int64_t> access_log_days = {});

  // What the retention job would erase now (manager): the count and masked samples.
  Result<RetentionPreview> PreviewRetention(const Principal& principal);

  // Erases the business's customers inactive past its retention period at `now` (nothing when it
  // is off), each in its own transaction, logged as erased by the system with reason "retention".
  Result<RetentionRun> RunRetention(BusinessId business, Timestamp now);
  // Deletes the business's access-log entries older than its access_log_days at `now`; how many.
  Result<int64_t> PruneAccessLog(BusinessId business, Timestamp now);
  // RunRetention for every business, and the access-log entries of every business past its
  // access_log_days deleted; the totals.
  Result<RetentionRun> RunRetentionForAll(Timestamp now);

  // The retention cutoff: `months` calendar months before `now` (the day clamped to the month).
  static Timestamp CutoffFor(Timestamp now, int64_t months);

 private:
  Result<ErasureResult> EraseAs(BusinessId business, const Principal* principal, CustomerId id,
                                const std::string& reason, Timestamp now);

  store::Database& database_;
  const Clock& clock_;
  std::function<void(BusinessId)> on_erased_;
};

}  // namespace crm::app
