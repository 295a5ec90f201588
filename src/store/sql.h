// The small SQL interface the repositories are written against, so that each repository is one
// piece of code over two back ends (SQLite and PostgreSQL). Statements use PostgreSQL-style
// numbered parameters ($1, $2, ...); the SQLite driver maps them to ?NNN. Values are bound, never
// concatenated. Only store/ sees this header's users; nothing outside store/ includes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace crm::store {

enum class Dialect { kSqlite = 1, kPostgres = 2 };

// One bound value. Booleans are stored as 0/1 integers on both back ends.
using SqlValue = std::variant<std::nullptr_t, int64_t, std::string>;

inline SqlValue Null() { return nullptr; }
inline SqlValue Int(int64_t v) { return v; }
inline SqlValue Text(std::string v) { return v; }
template <typename T>
SqlValue OptionalInt(const std::optional<T>& v) {
  return v ? SqlValue(static_cast<int64_t>(*v)) : SqlValue(nullptr);
}

// One result row: columns by position.
class Row {
 public:
  explicit Row(std::vector<SqlValue> values) : values_(std::move(values)) {}
  bool IsNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(values_.at(i)); }
  int64_t GetInt(size_t i) const;           // NULL reads as 0
  std::string GetText(size_t i) const;      // NULL reads as ""
  std::optional<int64_t> GetOptionalInt(size_t i) const;
  size_t size() const { return values_.size(); }
  // The value as the driver read it (for code that copies whole rows).
  const SqlValue& value(size_t i) const { return values_.at(i); }

 private:
  std::vector<SqlValue> values_;
};

// A statement with its SQL for each dialect. Most statements are the same text on both; where a
// dialect differs the repository gives both. Defined as named constants beside the repository.
struct Statement {
  const char* name;  // unique, used as the prepared-statement key
  const char* sql;
  const char* postgres_sql = nullptr;  // when PostgreSQL needs other text
  const char* Text(Dialect dialect) const {
    return dialect == Dialect::kPostgres && postgres_sql ? postgres_sql : sql;
  }
};

// A connection inside a transaction. Not thread-safe: one thread uses it at a time.
// Failures: kAlreadyExists for a unique-constraint violation (message names the constraint),
// kFailedPrecondition for a foreign-key or check violation, kAborted for a serialization failure
// or deadlock (the caller may retry the whole transaction), kUnavailable when the server is gone,
// kInternal otherwise.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;
  virtual Status Execute(const Statement& statement, const std::vector<SqlValue>& params) = 0;
  virtual Result<std::vector<Row>> Query(const Statement& statement, const std::vector<SqlValue>& params) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;
};

}  // namespace crm::store
