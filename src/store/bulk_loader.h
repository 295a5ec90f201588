// Bulk loading of generated data (the demo business): many new customers with their children,
// orders, ledger entries and accounts in one write. Ids are reserved up front, so rows that refer
// to each other are known before anything is written; then each table is written in one
// SqlConnection::AppendRows, which is a single COPY on PostgreSQL instead of a round trip per row,
// and a prepared INSERT per row on SQLite. The rows are exactly those the repositories' Insert,
// AddPreference, Add, Append and CreateAccount would store, and the database checks them the same
// way (keys, references, checks).
#pragma once

#include <cstddef>
#include <vector>

#include "common/status.h"
#include "domain/customer.h"
#include "domain/loyalty.h"
#include "domain/order.h"
#include "store/sql.h"

namespace crm::store {

// A table that new rows are appended to in bulk: its name and columns, and the INSERT of one row
// with those columns as $1..$n, which a connection without a bulk path runs per row. Table and
// column names are constants of this module, never input.
struct BulkTarget {
  const char* table;
  const char* columns;  // "a, b, c", in the order of each row's values
  size_t column_count;
  Statement insert;
};

// Implemented by a SqlConnection that can append many rows in one operation (PostgreSQL: COPY).
class BulkAppender {
 public:
  virtual ~BulkAppender() = default;
  // Appends rows to target.table: `values` holds target.column_count values per row, row after
  // row. Fails as an INSERT of the rows would; the transaction must then be rolled back.
  virtual Status AppendRows(const BulkTarget& target, const std::vector<SqlValue>& values) = 0;
};

// Buffers rows until Flush. Not thread-safe; lives inside one write transaction.
class BulkLoader {
 public:
  explicit BulkLoader(SqlConnection& connection) : connection_(connection) {}

  // `count` new ids of the table, ascending, taken from its sequence (PostgreSQL) or after its
  // greatest id (SQLite, whose single writer holds the write lock until the commit).
  Result<std::vector<CustomerId>> ReserveCustomerIds(size_t count);
  Result<std::vector<OrderId>> ReserveOrderIds(size_t count);
  Result<std::vector<LedgerEntryId>> ReserveLedgerEntryIds(size_t count);
  // The business's next order change sequence number, as OrderRepository takes it for the orders
  // of a write (the counter row stays locked until the commit), for AddOrder.
  Result<int64_t> TakeOrderChangeSeq(BusinessId business);

  // A customer row with the id set, its visit statistics, created_at and updated_at, and its tags,
  // anniversaries and consents.
  void AddCustomer(const domain::Customer& customer);
  void AddPreference(BusinessId business, CustomerId customer, const domain::Preference& preference);
  void AddNote(BusinessId business, const domain::Note& note);
  // An order with the id set and its lines, stamped with `change_seq` (OrderRepository's
  // TakeOrderChangeSeq for this transaction).
  void AddOrder(const domain::Order& order, int64_t change_seq);
  // A ledger entry with the id set.
  void AddLedgerEntry(const domain::LedgerEntry& entry);
  void AddAccount(BusinessId business, const domain::LoyaltyAccount& account);

  // Writes every buffered row, table after table in reference order, and empties the buffers.
  // Fails as an insert would (kAlreadyExists, kFailedPrecondition, ...); the caller's transaction
  // then keeps nothing.
  Status Flush();

 private:
  Status Append(const BulkTarget& target, const std::vector<SqlValue>& values);

  SqlConnection& connection_;
  std::vector<SqlValue> customers_, tags_, anniversaries_, consents_, preferences_, notes_, orders_, lines_,
      ledger_entries_, accounts_;
};

}  // namespace crm::store
