#include "store/migrations.h"

#include <fmt/format.h>

namespace crm::store {

namespace internal {
extern const std::vector<Migration> kSQLITEMigrations;
extern const std::vector<Migration> kPOSTGRESMigrations;
}  // namespace internal

const std::vector<Migration>& MigrationsFor(Dialect dialect) {
  return dialect == Dialect::kPostgres ? internal::kPOSTGRESMigrations : internal::kSQLITEMigrations;
}

namespace {
constexpr Statement kCreateMigrationsTable{
    "migrations.create",
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"};
constexpr Statement kCurrentVersion{"migrations.current",
                                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};
constexpr Statement kRecordVersion{"migrations.record",
                                   "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"};
}  // namespace

Status ApplyMigrations(SqlConnection& connection, int* version) {
  CRM_RETURN_IF_ERROR(connection.Execute(kCreateMigrationsTable, {}));
  CRM_ASSIGN_OR_RETURN(auto rows, connection.Query(kCurrentVersion, {}));
  int current = rows.empty() ? 0 : static_cast<int>(rows[0].GetInt(0));
  for (const Migration& migration : MigrationsFor(connection.dialect())) {
    if (migration.version <= current) continue;
    Status applied = connection.ExecuteScript(migration.sql);
    if (!applied.ok()) {
      return Status(applied.code(), fmt::format("migration {} failed: {}", migration.name, applied.message()));
    }
    CRM_RETURN_IF_ERROR(connection.Execute(kRecordVersion, {Int(migration.version), Text(migration.name)}));
    current = migration.version;
  }
  *version = current;
  return Status::Ok();
}

}  // namespace crm::store
