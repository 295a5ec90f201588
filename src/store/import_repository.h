// What the import keeps besides the customers and orders it writes: the committed runs (with the
// file's content hash), the column mapping remembered per header, and customers' numbers in other
// systems. Kinds and modes are stored as the fixed values of importing::ImportKind and the app's
// ImportMode; the store does not interpret them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ids.h"
#include "common/time.h"
#include "store/sql.h"

namespace crm::store {

struct ImportRun {
  int64_t id = 0;
  BusinessId business_id;
  int kind = 0;
  int mode = 0;
  std::string file_hash;
  std::string source;  // the external source name its orders and customer numbers carry
  int64_t rows_read = 0;
  int64_t rows_rejected = 0;
  int64_t rows_skipped = 0;
  int64_t customers_created = 0;
  int64_t customers_updated = 0;
  int64_t orders_created = 0;
  int64_t orders_existing = 0;
  Timestamp started_at;
  Timestamp finished_at;
};

// Not thread-safe: it lives inside one transaction.
class ImportRepository {
 public:
  explicit ImportRepository(SqlConnection& connection) : connection_(connection) {}

  // Stores a committed run; returns its id.
  Result<int64_t> InsertRun(const ImportRun& run);
  // kNotFound when the run is not the business's.
  Result<ImportRun> GetRun(BusinessId business, int64_t id);
  // The latest run of the same kind whose file had this hash, if any.
  Result<std::optional<ImportRun>> FindRunByHash(BusinessId business, int kind, const std::string& file_hash);

  // Remembers (or replaces) the mapping for a header; `fields` is the app's text form.
  Status SaveMapping(BusinessId business, int kind, const std::string& header_key, const std::string& fields,
                     Timestamp at);
  Result<std::optional<std::string>> FindMapping(BusinessId business, int kind, const std::string& header_key);

  // Records that `source` calls the customer `external_id`. kAlreadyExists when the number is
  // taken; kNotFound when the customer is not the business's.
  Status LinkCustomer(BusinessId business, const std::string& source, const std::string& external_id,
                      CustomerId customer);
  Result<std::optional<CustomerId>> FindCustomer(BusinessId business, const std::string& source,
                                                 const std::string& external_id);
  // The customer of the business with this (lower-case) e-mail; the lowest id when several share it.
  Result<std::optional<CustomerId>> FindCustomerByEmail(BusinessId business, const std::string& email);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
