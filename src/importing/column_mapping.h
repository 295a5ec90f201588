// Which column of an imported file holds what: the fields Dangol knows, the kinds of file it
// imports, and a guess of the mapping from Korean and English headers and their synonyms
// (이름/성명/고객명, 전화번호/휴대폰/연락처, InvoiceNo, ...). The guess is shown to the user, who may
// correct it; the app remembers the corrected mapping for the next file with the same header.
// Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace crm::importing {

// Persisted in remembered mappings: the values never change.
enum class Field {
  kIgnore = 0,
  kName = 1,
  kPhone = 2,
  kEmail = 3,
  kBirthday = 4,
  kGender = 5,
  kCustomerExternalId = 6,  // the customer's number in the other system (CustomerID)
  kAddress = 7,
  kTags = 8,
  kOrderExternalId = 9,  // invoice or order number
  kOrderedAt = 10,
  kTotal = 11,  // the order's amount (orders kind)
  kProduct = 12,
  kProductCode = 13,
  kQuantity = 14,
  kUnitPrice = 15,
  kCountry = 16,
  kCreatedAt = 17,  // when the customer joined
  // A customer list's history, kept as the customer's opening balance (see docs/import.md).
  kLastVisitAt = 18,
  kFirstVisitAt = 19,
  kVisitCount = 20,
  kLifetimeSpend = 21,
  kPoints = 22,  // the points balance in the old system: an opening ledger entry
  kTier = 23,    // the tier name in the old system, kept with the opening balance
  kNotes = 24,   // a memo: one note, written by "import"
  kPreferences = 25,  // "알레르기: 땅콩; 싫어함: 오이": preferences, allergies as alerts
  kAttribute = 26,    // kept as the customer's attribute, keyed by the header; any number of columns
};

// Persisted in import runs: the values never change.
enum class ImportKind { kCustomers = 1, kOrders = 2, kOrderLines = 3, kTransactions = 4 };

const char* FieldName(Field field);  // "name", "phone", "order_external_id", ...
std::optional<Field> ParseField(std::string_view name);
const char* ImportKindName(ImportKind kind);  // "customers", "orders", "order_lines", "transactions"
std::optional<ImportKind> ParseImportKind(std::string_view name);

// One entry per column of the header.
struct ColumnMapping {
  std::vector<std::string> headers;
  std::vector<Field> fields;
  // The first column mapped to `field`, if any.
  std::optional<size_t> ColumnOf(Field field) const;
};

// The fields a file of `kind` may carry, and those it must.
std::vector<Field> AllowedFields(ImportKind kind);
std::vector<Field> RequiredFields(ImportKind kind);

// Maps each header to the first allowed field whose synonyms match it after normalising (NFC,
// lower case, spaces, '_', '-', '.' and brackets removed); a field is given to one column only.
// In a customers file a column no field takes is kept as an attribute.
ColumnMapping GuessMapping(const std::vector<std::string>& headers, ImportKind kind);

// Checks a user's mapping: one entry per header, only allowed fields, each at most once, every
// required field present. kInvalidArgument ("mapping") saying what is wrong.
Status ValidateMapping(const ColumnMapping& mapping, ImportKind kind);

// The key a mapping is remembered by: the fingerprint of the normalised headers.
std::string HeaderKey(const std::vector<std::string>& headers);

}  // namespace crm::importing
