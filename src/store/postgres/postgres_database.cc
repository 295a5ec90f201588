#include "store/postgres/postgres_database.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/bulk_loader.h"
#include "store/database.h"
#include "store/enclosing_write.h"
#include "store/migrations.h"
#include "store/read_latest.h"
#include "store/sql.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

// A serialization failure or deadlock aborts the whole transaction; the work is run again from the
// start this many times in all before Write gives up with kAborted.
constexpr int kMaxWriteAttempts = 5;

// Key of the advisory lock that serialises migrations across servers sharing one database. Any
// fixed value works as long as nothing else in the database uses it; this one spells "Dangol".
constexpr int64_t kMigrationLockKey = 0x44616E676F6C;

const Statement kTakeMigrationLock = {
    "postgres_take_migration_lock",
    "SELECT pg_advisory_xact_lock($1)",
};

// Type OIDs from pg_type.h; the catalog fixes them, so they are safe to hard-code.
constexpr pqxx::oid kBoolOid = 16;
constexpr pqxx::oid kInt8Oid = 20;
constexpr pqxx::oid kInt2Oid = 21;
constexpr pqxx::oid kInt4Oid = 23;
constexpr pqxx::oid kNumericOid = 1700;

// kLatest runs each statement on its own, outside a transaction block (store/read_latest.h).
enum class TransactionKind { kRead, kWrite, kLatest };

// The first line of a server message without its "ERROR:" prefix. The DETAIL line that follows
// quotes row values (personal data), so it never makes it into a Status.
std::string FirstLine(std::string_view message) {
  message = message.substr(0, message.find('\n'));
  for (std::string_view prefix : {"ERROR:", "FATAL:", "PANIC:"}) {
    if (message.substr(0, prefix.size()) == prefix) {
      message.remove_prefix(prefix.size());
      break;
    }
  }
  while (!message.empty() && message.front() == ' ') message.remove_prefix(1);
  while (!message.empty() && (message.back() == ' ' || message.back() == '\r')) {
    message.remove_suffix(1);
  }
  return std::string(message);
}

std::string WithContext(std::string_view context, std::string_view message) {
  std::string out(context);
  out += ": ";
  out += message;
  return out;
}

// Maps an error the server reported (by SQLSTATE) to a Status. Constraint messages name the
// constraint and column but no values; data exceptions (class 22) may quote the offending value,
// so for those only the SQLSTATE is kept.
Status SqlErrorToStatus(const pqxx::sql_error& error, std::string_view context, bool* broken) {
  const std::string& state = error.sqlstate();
  std::string_view state_class = std::string_view(state).substr(0, 2);
  std::string message =
      state_class == "22" ? "invalid data (SQLSTATE " + state + ")" : FirstLine(error.what());
  message = WithContext(context, message);
  if (state == "23505") return AlreadyExists(std::move(message));
  if (state_class == "22") return InvalidArgument(std::move(message));
  if (state_class == "23") return FailedPrecondition(std::move(message));
  if (state == "40003") {
    *broken = true;
    return Unavailable(std::move(message));
  }
  if (state_class == "40") return Aborted(std::move(message));
  if (state == "57014") return Status(StatusCode::kDeadlineExceeded, std::move(message));
  if (state == "57P01" || state == "57P02" || state == "57P03" || state_class == "08") {
    *broken = true;
    return Unavailable(std::move(message));
  }
  if (state_class == "53") return ResourceExhausted(std::move(message));
  return Internal(std::move(message));
}

// Converts the exception being handled to a Status; call it only inside a catch block. Sets
// *broken when the connection can no longer be trusted and must be replaced.
Status CurrentExceptionToStatus(std::string_view context, bool* broken) {
  try {
    throw;
  } catch (const pqxx::in_doubt_error&) {
    // The connection dropped during COMMIT: the server may or may not have kept the work.
    *broken = true;
    return Unavailable(WithContext(context, "connection lost during commit; outcome unknown"));
  } catch (const pqxx::broken_connection& error) {
    *broken = true;
    return Unavailable(WithContext(context, FirstLine(error.what())));
  } catch (const pqxx::unique_violation& error) {
    return AlreadyExists(WithContext(context, FirstLine(error.what())));
  } catch (const pqxx::foreign_key_violation& error) {
    return FailedPrecondition(WithContext(context, FirstLine(error.what())));
  } catch (const pqxx::check_violation& error) {
    return FailedPrecondition(WithContext(context, FirstLine(error.what())));
  } catch (const pqxx::not_null_violation& error) {
    return FailedPrecondition(WithContext(context, FirstLine(error.what())));
  } catch (const pqxx::serialization_failure& error) {
    return Aborted(WithContext(context, FirstLine(error.what())));
  } catch (const pqxx::deadlock_detected& error) {
    return Aborted(WithContext(context, FirstLine(error.what())));
  } catch (const pqxx::sql_error& error) {
    return SqlErrorToStatus(error, context, broken);
  } catch (const std::exception& error) {
    // Usage, conversion and range errors from libpqxx: bugs on our side. Their text holds no
    // parameter values (those are only ever bound).
    return Internal(WithContext(context, FirstLine(error.what())));
  } catch (...) {
    return Internal(WithContext(context, "unknown exception from libpqxx"));
  }
}

// Converts one field of a result. Integer and boolean columns become int64 as on SQLite; so does a
// numeric that holds a whole number (SUM over bigint returns numeric); everything else is text.
SqlValue ConvertField(const pqxx::field& field, pqxx::oid type) {
  if (field.is_null()) return nullptr;
  const char* begin = field.c_str();
  const char* end = begin + field.size();
  if (type == kBoolOid) return int64_t{field.size() > 0 && begin[0] == 't' ? 1 : 0};
  if (type == kInt8Oid || type == kInt2Oid || type == kInt4Oid || type == kNumericOid) {
    int64_t value = 0;
    auto [stop, error] = std::from_chars(begin, end, value);
    if (error == std::errc() && stop == end) return value;
  }
  return std::string(begin, end);
}

std::vector<Row> ConvertResult(const pqxx::result& result) {
  const auto column_count = result.columns();
  std::vector<pqxx::oid> types(column_count);
  for (pqxx::row::size_type column = 0; column < column_count; ++column) {
    types[column] = result.column_type(column);
  }
  std::vector<Row> rows;
  rows.reserve(result.size());
  for (const pqxx::row& row : result) {
    std::vector<SqlValue> values;
    values.reserve(column_count);
    for (pqxx::row::size_type column = 0; column < column_count; ++column) {
      values.push_back(ConvertField(row[column], types[column]));
    }
    rows.emplace_back(std::move(values));
  }
  return rows;
}

// Appends `value` to a line of COPY's text format: \\N for NULL; backslash, tab, newline and
// carriage return escaped, so that a field can hold any text.
void AppendCopyField(const SqlValue& value, std::string& line) {
  if (const auto* integer = std::get_if<int64_t>(&value)) {
    line += std::to_string(*integer);
    return;
  }
  const auto* text = std::get_if<std::string>(&value);
  if (text == nullptr) {
    line += "\\N";
    return;
  }
  for (char c : *text) {
    switch (c) {
      case '\\': line += "\\\\"; break;
      case '\t': line += "\\t"; break;
      case '\n': line += "\\n"; break;
      case '\r': line += "\\r"; break;
      default: line += c;
    }
  }
}

// One server connection and the transaction currently open on it. Implements SqlConnection for the
// repositories; PostgresDatabase begins and ends the transactions. Not thread-safe: the pool hands
// it to one thread at a time.
class PgConnection final : public SqlConnection, public BulkAppender {
 public:
  // Connects to `url`. Fails with kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& url) {
    try {
      auto connection = std::make_unique<pqxx::connection>(url);
      return std::unique_ptr<PgConnection>(new PgConnection(std::move(connection)));
    } catch (...) {
      bool broken = true;
      Status status = CurrentExceptionToStatus("connecting to PostgreSQL", &broken);
      if (status.code() == StatusCode::kUnavailable) return status;
      return Unavailable(status.message());
    }
  }

  ~PgConnection() override {
    // The transaction must go before the connection it runs on; its destructor rolls back and
    // swallows errors itself.
    transaction_.reset();
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Execute(const Statement& statement, const std::vector<SqlValue>& params) override {
    return Run(statement, params, nullptr);
  }

  Result<std::vector<Row>> Query(const Statement& statement,
                                 const std::vector<SqlValue>& params) override {
    std::vector<Row> rows;
    CRM_RETURN_IF_ERROR(Run(statement, params, &rows));
    return rows;
  }

  // COPY ... FROM STDIN: all rows in one stream, instead of a round trip per row.
  Status AppendRows(const BulkTarget& target, const std::vector<SqlValue>& values) override {
    CRM_RETURN_IF_ERROR(CheckUsable());
    if (target.column_count == 0 || values.size() % target.column_count != 0) {
      return Internal("bulk rows do not match the table's columns");
    }
    if (values.empty()) return Status::Ok();
    std::vector<std::string> columns;
    for (std::string_view rest = target.columns; !rest.empty();) {
      const size_t comma = rest.find(',');
      std::string_view column = rest.substr(0, comma);
      while (!column.empty() && column.front() == ' ') column.remove_prefix(1);
      columns.emplace_back(column);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (columns.size() != target.column_count) return Internal("bulk columns do not match their count");
    try {
      // libpqxx 6's stream_to takes only tuples; tablewriter, deprecated there, is the class that
      // sends a line of COPY text as given.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      pqxx::tablewriter writer(*transaction_, target.table, columns.begin(), columns.end());
#pragma GCC diagnostic pop
      std::string line;
      for (size_t start = 0; start < values.size(); start += target.column_count) {
        line.clear();
        for (size_t column = 0; column < target.column_count; ++column) {
          if (column > 0) line += '\t';
          AppendCopyField(values[start + column], line);
        }
        writer.write_raw_line(line);
      }
      writer.complete();
      return Status::Ok();
    } catch (...) {
      return Fail(CurrentExceptionToStatus(target.table, &broken_));
    }
  }

  Status ExecuteScript(std::string_view sql) override {
    if (sql.rfind("ROLLBACK TO SAVEPOINT", 0) == 0) return RollbackToSavepoint(sql);
    CRM_RETURN_IF_ERROR(CheckUsable());
    try {
      transaction_->exec(std::string(sql));
      return Status::Ok();
    } catch (...) {
      return Fail(CurrentExceptionToStatus("script", &broken_));
    }
  }

  // PostgreSQL refuses every statement after a failed one until a savepoint from before it is
  // rolled back to (store/enclosing_write.h); then the transaction is usable again, so the
  // failure this connection remembers is forgotten.
  Status RollbackToSavepoint(std::string_view sql) {
    if (transaction_ == nullptr) return Internal("statement outside a transaction");
    try {
      transaction_->exec(std::string(sql));
      failure_.reset();
      return Status::Ok();
    } catch (...) {
      return Fail(CurrentExceptionToStatus("script", &broken_));
    }
  }

  // Opens a transaction: read-write at read committed, or read-only at repeatable read so that
  // every statement of a Read sees the same snapshot. kLatest sends nothing: its statements run
  // in autocommit, one round trip each.
  Status Begin(TransactionKind kind) {
    transaction_.reset();
    failure_.reset();
    try {
      if (kind == TransactionKind::kWrite) {
        transaction_ = std::make_unique<pqxx::work>(*connection_);
      } else if (kind == TransactionKind::kLatest) {
        transaction_ = std::make_unique<pqxx::nontransaction>(*connection_);
      } else {
        transaction_ =
            std::make_unique<pqxx::transaction<pqxx::isolation_level::repeatable_read,
                                               pqxx::readwrite_policy::read_only>>(*connection_);
      }
      return Status::Ok();
    } catch (...) {
      transaction_.reset();
      return CurrentExceptionToStatus("begin", &broken_);
    }
  }

  // Commits the open transaction. When a statement failed earlier the server has already rolled
  // the transaction back, so this rolls back too and returns that statement's status.
  Status Commit() {
    if (transaction_ == nullptr) return Internal("commit without a transaction");
    if (failure_) {
      Status failure = *failure_;
      Abort();
      return failure;
    }
    Status status;
    try {
      transaction_->commit();
    } catch (...) {
      status = CurrentExceptionToStatus("commit", &broken_);
    }
    transaction_.reset();
    return status;
  }

  // Rolls back the open transaction, if any. Errors are dropped on purpose: a rollback that fails
  // means the connection is gone, which broken() reports.
  void Abort() {
    if (transaction_ == nullptr) return;
    try {
      transaction_->abort();
    } catch (...) {
      broken_ = true;
    }
    transaction_.reset();
    failure_.reset();
  }

  // True when the connection can no longer be used and must be replaced.
  bool broken() const { return broken_ || !connection_->is_open(); }

 private:
  explicit PgConnection(std::unique_ptr<pqxx::connection> connection)
      : connection_(std::move(connection)),
        quiet_notices_(std::make_unique<pqxx::quiet_errorhandler>(*connection_)) {}

  Status CheckUsable() {
    if (transaction_ == nullptr) return Internal("statement outside a transaction");
    if (failure_) {
      return Status(failure_->code(),
                    "an earlier statement failed, transaction aborted: " + failure_->message());
    }
    return Status::Ok();
  }

  // Remembers the first failure: PostgreSQL aborts the whole transaction on any error, so later
  // statements and the commit report it rather than a confusing "transaction is aborted".
  Status Fail(Status status) {
    if (!failure_) failure_ = status;
    return status;
  }

  // Prepares `statement` on this connection the first time it is used. libpqxx sends the PREPARE
  // lazily on first execution.
  Status Prepare(const Statement& statement) {
    const char* sql = statement.Text(Dialect::kPostgres);
    auto it = prepared_.find(statement.name);
    if (it != prepared_.end()) {
      if (it->second == sql) return Status::Ok();
      return Internal(WithContext(statement.name, "statement name used for two different texts"));
    }
    try {
      connection_->prepare(statement.name, sql);
    } catch (...) {
      return CurrentExceptionToStatus(statement.name, &broken_);
    }
    prepared_.emplace(statement.name, sql);
    return Status::Ok();
  }

  Status Run(const Statement& statement, const std::vector<SqlValue>& params,
             std::vector<Row>* rows) {
    CRM_RETURN_IF_ERROR(CheckUsable());
    CRM_RETURN_IF_ERROR(Prepare(statement));
    // Integers are rendered to text here; libpq sends every parameter as text, and the server
    // casts it to the type the statement expects.
    std::vector<std::string> integer_texts;
    integer_texts.reserve(params.size());
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const SqlValue& param : params) {
      if (const auto* integer = std::get_if<int64_t>(&param)) {
        integer_texts.push_back(std::to_string(*integer));
        values.push_back(integer_texts.back().c_str());
      } else if (const auto* text = std::get_if<std::string>(&param)) {
        values.push_back(text->c_str());
      } else {
        values.push_back(nullptr);
      }
    }
    try {
      pqxx::result result =
          transaction_->exec_prepared(statement.name, pqxx::prepare::make_dynamic_params(values));
      if (rows != nullptr) *rows = ConvertResult(result);
      return Status::Ok();
    } catch (...) {
      return Fail(CurrentExceptionToStatus(statement.name, &broken_));
    }
  }

  std::unique_ptr<pqxx::connection> connection_;
  // Drops server notices ("relation already exists, skipping") that libpqxx would print to stderr.
  std::unique_ptr<pqxx::quiet_errorhandler> quiet_notices_;
  std::unique_ptr<pqxx::transaction_base> transaction_;
  std::unordered_map<std::string, std::string> prepared_;  // statement name -> SQL text
  std::optional<Status> failure_;                          // first failure in this transaction
  bool broken_ = false;
};

// A fixed number of connection slots shared by all threads. A slot whose connection broke is
// refilled by the next thread that needs it. Thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, int capacity, std::unique_ptr<PgConnection> first)
      : url_(std::move(url)), empty_slots_(capacity - 1) {
    idle_.push_back(std::move(first));
  }

  // Waits for a free connection, connecting a new one for an empty slot. Fails with kUnavailable
  // when a new connection cannot be made.
  Result<std::unique_ptr<PgConnection>> Acquire() {
    {
      std::unique_lock lock(mutex_);
      available_.wait(lock, [this] { return !idle_.empty() || empty_slots_ > 0; });
      if (!idle_.empty()) {
        std::unique_ptr<PgConnection> connection = std::move(idle_.back());
        idle_.pop_back();
        return connection;
      }
      --empty_slots_;
    }
    auto connection = PgConnection::Connect(url_);
    if (!connection.ok()) {
      std::lock_guard lock(mutex_);
      ++empty_slots_;
      available_.notify_one();
    }
    return connection;
  }

  // Returns a connection to the pool; a broken one is dropped and its slot left empty.
  void Release(std::unique_ptr<PgConnection> connection) {
    if (connection->broken()) connection.reset();
    std::lock_guard lock(mutex_);
    if (connection == nullptr) {
      ++empty_slots_;
    } else {
      idle_.push_back(std::move(connection));
    }
    available_.notify_one();
  }

 private:
  const std::string url_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mutex_
  int empty_slots_;                                  // guarded by mutex_
};

// Holds a pooled connection for one transaction and gives it back, rolled back if still open.
class Lease {
 public:
  Lease(ConnectionPool& pool, std::unique_ptr<PgConnection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  ~Lease() {
    connection_->Abort();
    pool_.Release(std::move(connection_));
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  PgConnection& connection() { return *connection_; }

 private:
  ConnectionPool& pool_;
  std::unique_ptr<PgConnection> connection_;
};

// Thread-safe: every call takes its own connection from the pool. ReadLatest (store/read_latest.h)
// runs outside a transaction block.
class PostgresDatabase final : public Database, public LatestReader {
 public:
  PostgresDatabase(std::string url, int pool_size, std::unique_ptr<PgConnection> first)
      : pool_size_(pool_size), pool_(std::move(url), pool_size, std::move(first)) {}

  // Applies pending migrations under the advisory lock, so that servers starting together apply
  // each migration once.
  Status Migrate() {
    return WriteOnConnection([this](PgConnection& connection) -> Status {
      CRM_RETURN_IF_ERROR(connection.Execute(kTakeMigrationLock, {Int(kMigrationLockKey)}));
      return ApplyMigrations(connection, &schema_version_);
    });
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Read(const std::function<Status(Transaction&)>& work) override {
    if (Transaction* enclosing = EnclosingWrite::Current(*this)) return EnclosingWrite::RunNested(*enclosing, work);
    return RunOnce(TransactionKind::kRead, [&work](PgConnection& connection) {
      Transaction transaction(connection);
      return work(transaction);
    });
  }

  Status ReadLatest(const std::function<Status(Transaction&)>& work) override {
    if (Transaction* enclosing = EnclosingWrite::Current(*this)) return EnclosingWrite::RunNested(*enclosing, work);
    return RunOnce(TransactionKind::kLatest, [&work](PgConnection& connection) {
      Transaction transaction(connection);
      return work(transaction);
    });
  }

  Status Write(const std::function<Status(Transaction&)>& work) override {
    if (Transaction* enclosing = EnclosingWrite::Current(*this)) return EnclosingWrite::RunNested(*enclosing, work);
    return WriteOnConnection([&work](PgConnection& connection) {
      Transaction transaction(connection);
      Status status = work(transaction);
      return status.ok() ? FinishWrite(transaction) : status;
    });
  }

  int schema_version() const override { return schema_version_; }

 private:
  using ConnectionWork = std::function<Status(PgConnection&)>;

  Status WriteOnConnection(const ConnectionWork& work) {
    Status status;
    for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
      status = RunOnce(TransactionKind::kWrite, work);
      if (status.code() != StatusCode::kAborted) return status;
    }
    return status;
  }

  // Runs `work` in one transaction and commits it if `work` succeeds. A connection found broken
  // when the transaction begins (the server restarted while it sat idle) is dropped and another
  // taken; no work has run at that point, so this is always safe. After a restart every pooled
  // connection may be dead, hence up to pool size + 1 tries, the last on a fresh connection.
  Status RunOnce(TransactionKind kind, const ConnectionWork& work) {
    for (int attempt = 0;; ++attempt) {
      CRM_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> connection, pool_.Acquire());
      Lease lease(pool_, std::move(connection));
      Status begun = lease.connection().Begin(kind);
      if (begun.code() == StatusCode::kUnavailable && attempt < pool_size_) continue;
      CRM_RETURN_IF_ERROR(begun);
      Status status = work(lease.connection());
      if (!status.ok()) {
        lease.connection().Abort();
        return status;
      }
      return lease.connection().Commit();
    }
  }

  const int pool_size_;
  ConnectionPool pool_;
  int schema_version_ = 0;  // set once by Migrate, before the database is shared
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url,
                                               const DatabaseOptions& options) {
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> first, PgConnection::Connect(url));
  const int pool_size = std::max(2, options.reader_connections);
  auto database = std::make_unique<PostgresDatabase>(url, pool_size, std::move(first));
  CRM_RETURN_IF_ERROR(database->Migrate());
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace crm::store
