#include "store/database.h"

#include "store/postgres/postgres_database.h"
#include "store/sqlite/sqlite_database.h"

namespace crm::store {

Result<std::unique_ptr<Database>> Database::Open(const std::string& url, const DatabaseOptions& options) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    std::string path = url.substr(kSqlite.size());
    if (path.empty()) return InvalidArgument("sqlite URL needs a file path: sqlite:PATH", "db");
    return OpenSqlite(path, options);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgres(url, options);
  }
  return InvalidArgument("database URL must start with sqlite: or postgresql://", "db");
}

}  // namespace crm::store
