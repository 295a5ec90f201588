// Database: a handle on one SQLite file or one PostgreSQL database, which runs read and write
// transactions. The app layer owns the transaction boundary: it passes a function that does the
// work through the repositories of the Transaction it is given, and the whole function commits or
// nothing does. A write is acknowledged (Write returns OK) only once it is durable.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/sql.h"

namespace crm::store {

class Transaction;

struct DatabaseOptions {
  int reader_connections = 4;  // SQLite reader pool / PostgreSQL pool size
  // SQLite: how many queued write transactions may share one commit (group commit).
  int max_group_commit = 256;
};

// Thread-safe: any thread may call Read and Write at the same time.
class Database {
 public:
  virtual ~Database() = default;

  // Opens "sqlite:PATH" (creating the file) or "postgresql://..." and applies pending migrations.
  // Fails with kInvalidArgument for an unknown URL scheme, kUnavailable when the database cannot
  // be reached or opened.
  static Result<std::unique_ptr<Database>> Open(const std::string& url, const DatabaseOptions& options = {});

  virtual Dialect dialect() const = 0;

  // Runs `work` in a read-only transaction with a consistent snapshot.
  virtual Status Read(const std::function<Status(Transaction&)>& work) = 0;

  // Runs `work` in a write transaction. If it returns a non-OK status nothing it did is kept and
  // that status is returned. On SQLite, writes from many threads are grouped into one durable
  // commit (each in its own savepoint); on PostgreSQL a serialization failure is retried.
  virtual Status Write(const std::function<Status(Transaction&)>& work) = 0;

  // The schema version after Open, for `dangol migrate` to report.
  virtual int schema_version() const = 0;
};

// Helpers that carry a value out of a transaction.
template <typename T>
Result<T> ReadValue(Database& db, const std::function<Result<T>(Transaction&)>& work) {
  std::optional<T> out;
  Status status = db.Read([&](Transaction& tx) -> Status {
    auto result = work(tx);
    if (!result.ok()) return result.status();
    out = std::move(result).value();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*out);
}

template <typename T>
Result<T> WriteValue(Database& db, const std::function<Result<T>(Transaction&)>& work) {
  std::optional<T> out;
  Status status = db.Write([&](Transaction& tx) -> Status {
    auto result = work(tx);
    if (!result.ok()) return result.status();
    out = std::move(result).value();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*out);
}

}  // namespace crm::store
