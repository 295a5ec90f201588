// The PostgreSQL back end of store::Database, over libpqxx: a pool of connections, each
// transaction on one of them, serialization failures retried.
#pragma once

#include <memory>
#include <string>

#include "store/database.h"

namespace crm::store {

// Connects to `url` ("postgresql://user@host:port/db"), applies pending migrations (serialised
// across servers by an advisory lock) and returns the database. Fails with kUnavailable when the
// server cannot be reached.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const DatabaseOptions& options);

}  // namespace crm::store
