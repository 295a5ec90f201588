// What the import keeps besides the customers and orders it writes: the committed runs (with the
// file's content hash), the column mapping remembered per header, and customers' numbers in other
// systems. Kinds and modes are stored as the fixed values of importing::ImportKind and the app's
// ImportMode; the store does not interpret them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// What an imported customer list said about a customer's past in the old system `source`
// (migration 0022). Amounts are minor units of the business's currency.
struct OpeningBalance {
  CustomerId customer_id;
  std::string source;
  int64_t visit_count = 0;
  int64_t total_spend = 0;
  std::optional<Timestamp> first_visit_at;
  std::optional<Timestamp> last_visit_at;
  int64_t points = 0;
  std::string tier;
  Timestamp created_at;
};

// A line of stock written off (migration 0023): not an order, and no customer's.
struct StockWriteOff {
  BranchId branch_id;
  std::string source;
  std::string external_id;  // the invoice number it came with
  std::string line_key;     // the line's content fingerprint: the same line is stored once
  std::string product;
  std::string product_code;
  int64_t quantity = 0;  // units written off, positive
  Timestamp written_off_at;
  Timestamp created_at;
};

// Persisted: the values never change.
enum class PhoneShareKind { kFamily = 1, kAlias = 2 };

// A phone a customer list gave to more than one name (migration 0022): `customer_id` is a separate
// customer sharing the number of `holder_id` (kFamily), or for kAlias the holder itself, known
// also as `alias`.
struct PhoneShare {
  CustomerId customer_id;
  CustomerId holder_id;
  std::string phone_e164;
  PhoneShareKind kind = PhoneShareKind::kFamily;
  std::string alias;
  Timestamp created_at;
};

// A column of a customer list that no field takes, kept for the customer (migration 0022).
struct CustomerAttribute {
  std::string key;  // the column's header
  std::string value;
  std::string source;
  Timestamp updated_at;
};

// Not thread-safe: it lives inside one transaction.
class ImportRepository {
 public:
  explicit ImportRepository(SqlConnection& connection) : connection_(connection) {}

  // The business's currency (ISO 4217; migration 0024), which imports read amounts in.
  Result<std::string> BusinessCurrency(BusinessId business);
  Status SetBusinessCurrency(BusinessId business, const std::string& currency);

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
  // Stores the customer's opening balance from `balance.source`; false (and nothing written) when
  // that source gave the customer one before. kNotFound when the customer is not the business's.
  Result<bool> AddOpening(BusinessId business, const OpeningBalance& balance);
  // Links a shared phone; an existing identical link is kept. kNotFound when a customer is not the
  // business's.
  Status AddPhoneShare(BusinessId business, const PhoneShare& share);
  // The links of a number, oldest first.
  Result<std::vector<PhoneShare>> PhoneShares(BusinessId business, const std::string& phone_e164);
  // The links a customer is part of (as the one sharing, or as the holder), oldest first.
  Result<std::vector<PhoneShare>> SharesOf(BusinessId business, CustomerId customer);

  // Sets (or replaces) the customer's attribute `attribute.key`. kNotFound when the customer is not
  // the business's.
  Status SetAttribute(BusinessId business, CustomerId customer, const CustomerAttribute& attribute);
  // The customer's attributes by key.
  Result<std::vector<CustomerAttribute>> Attributes(BusinessId business, CustomerId customer);

  // Stores the write-off; false (and nothing written) when the same line was stored before.
  Result<bool> AddWriteOff(BusinessId business, const StockWriteOff& write_off);
  // The customer's opening balances, oldest first.
  Result<std::vector<OpeningBalance>> Openings(BusinessId business, CustomerId customer);

  // The customer of the business with this (lower-case) e-mail; the lowest id when several share it.
  Result<std::optional<CustomerId>> FindCustomerByEmail(BusinessId business, const std::string& email);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
