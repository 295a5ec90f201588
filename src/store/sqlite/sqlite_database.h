// The SQLite back end of store::Database: one file in WAL mode with synchronous=FULL and foreign
// keys on; one writer thread that groups queued write transactions into one durable commit (each in
// its own savepoint, so one failing rolls back alone), and a pool of reader connections.
#pragma once

#include <memory>
#include <string>

#include "store/database.h"

namespace crm::store {

// Opens or creates the file at `path` (":memory:" is not supported: readers need the file) and
// applies pending migrations. Fails with kUnavailable when the file cannot be opened.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const DatabaseOptions& options);

}  // namespace crm::store
