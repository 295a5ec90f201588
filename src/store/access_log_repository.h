// The personal-data access log: append-only, read by owners.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "domain/business.h"
#include "store/sql.h"

namespace crm::store {

class AccessLogRepository {
 public:
  explicit AccessLogRepository(SqlConnection& connection) : connection_(connection) {}
  Status Append(const domain::AccessLogEntry& entry);
  // Newest first, ids below `before` when given, optionally for one customer.
  Result<std::vector<domain::AccessLogEntry>> List(BusinessId business, std::optional<CustomerId> customer,
                                                   std::optional<int64_t> before, int limit);
  // Entries at or after `from` and before `to`, oldest first (id order), with ids above `after`
  // (paging), at most `limit`.
  Result<std::vector<domain::AccessLogEntry>> ListRange(BusinessId business, Timestamp from, Timestamp to,
                                                        int64_t after, int limit);
  // Deletes the business's entries before `cutoff`; how many.
  Result<int64_t> DeleteBefore(BusinessId business, Timestamp cutoff);
  // How many days the business keeps its entries. kNotFound for an unknown business.
  Result<int64_t> RetentionDays(BusinessId business);
  Status SetRetentionDays(BusinessId business, int64_t days);
  // Every business with its retention in days, in id order.
  Result<std::vector<std::pair<BusinessId, int64_t>>> RetentionByBusiness();

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
