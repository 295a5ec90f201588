// ReadLatest: a read whose statements need not share one snapshot, for the hot reads of one
// statement (the counter's pick list). A database that can run such a read more cheaply than
// Database::Read implements LatestReader: PostgreSQL runs it outside a transaction block, which
// saves the BEGIN and COMMIT round trips. Elsewhere it is Database::Read.
#pragma once

#include <functional>

#include "common/status.h"
#include "store/database.h"

namespace crm::store {

class Transaction;

// Implemented by a Database besides its interface. Thread-safe as the Database is.
class LatestReader {
 public:
  virtual ~LatestReader() = default;
  // Runs `work`, which only reads; each statement sees what was committed when it started.
  virtual Status ReadLatest(const std::function<Status(Transaction&)>& work) = 0;
};

// Runs `work` as LatestReader::ReadLatest when `database` offers it, else as Database::Read. For a
// read of one statement the two are the same; for several, their statements may see different
// commits. Returns what `work` returns, or the database's failure (kUnavailable, ...).
inline Status ReadLatest(Database& database, const std::function<Status(Transaction&)>& work) {
  if (auto* reader = dynamic_cast<LatestReader*>(&database)) return reader->ReadLatest(work);
  return database.Read(work);
}

}  // namespace crm::store
