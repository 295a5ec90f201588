// Numbered schema migrations, one ordered set per dialect, compiled into the binary from
// store/migrations/<dialect>/NNNN_*.sql. Applied by `dangol migrate` and on every open.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "store/sql.h"

namespace crm::store {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// The migrations of `dialect`, ordered by version.
const std::vector<Migration>& MigrationsFor(Dialect dialect);

// Applies, inside the caller's transaction, every migration newer than the version recorded in the
// schema_migrations table (created when missing). On success *version is the newest version.
// Fails with the driver's status when a statement fails; nothing of that migration is kept then.
Status ApplyMigrations(SqlConnection& connection, int* version);

}  // namespace crm::store
