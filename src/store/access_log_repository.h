// The personal-data access log: append-only, read by owners.
#pragma once

#include <optional>
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

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
