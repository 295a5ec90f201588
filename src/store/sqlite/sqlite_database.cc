#include "store/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "store/enclosing_write.h"
#include "store/migrations.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

// Rewrites PostgreSQL-style $N parameters to SQLite's ?N, leaving string literals alone.
std::string ToSqliteParameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool in_literal = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') in_literal = !in_literal;
    if (!in_literal && c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '?';
      continue;
    }
    out += c;
  }
  return out;
}

Status StatusFromSqlite(sqlite3* db, int rc, std::string_view what) {
  const int extended = sqlite3_extended_errcode(db);
  const std::string message = fmt::format("{}: {}", what, sqlite3_errmsg(db));
  switch (extended) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return AlreadyExists(message);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
      return FailedPrecondition(message);
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Aborted(message);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Unavailable(message);
    case SQLITE_CORRUPT:
      return DataLoss(message);
    default:
      return Internal(message);
  }
}

class SqliteConnection final : public SqlConnection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Unavailable(fmt::format("cannot open SQLite database: {}", message));
    }
    auto connection = std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
    sqlite3_busy_timeout(db, 10'000);
    CRM_RETURN_IF_ERROR(connection->ExecuteScript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
        "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"));
    return connection;
  }

  ~SqliteConnection() override {
    for (auto& [name, statement] : cache_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Execute(const Statement& statement, const std::vector<SqlValue>& params) override {
    CRM_ASSIGN_OR_RETURN(sqlite3_stmt * prepared, Prepare(statement, params));
    int rc;
    while ((rc = sqlite3_step(prepared)) == SQLITE_ROW) {
    }
    Status status = rc == SQLITE_DONE ? Status::Ok() : StatusFromSqlite(db_, rc, statement.name);
    sqlite3_reset(prepared);
    return status;
  }

  Result<std::vector<Row>> Query(const Statement& statement, const std::vector<SqlValue>& params) override {
    CRM_ASSIGN_OR_RETURN(sqlite3_stmt * prepared, Prepare(statement, params));
    std::vector<Row> rows;
    const int columns = sqlite3_column_count(prepared);
    int rc;
    while ((rc = sqlite3_step(prepared)) == SQLITE_ROW) {
      std::vector<SqlValue> values;
      values.reserve(columns);
      for (int i = 0; i < columns; ++i) {
        switch (sqlite3_column_type(prepared, i)) {
          case SQLITE_NULL:
            values.emplace_back(nullptr);
            break;
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(prepared, i)));
            break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(prepared, i));
            values.emplace_back(std::string(text ? text : "", sqlite3_column_bytes(prepared, i)));
          }
        }
      }
      rows.emplace_back(std::move(values));
    }
    Status status = rc == SQLITE_DONE ? Status::Ok() : StatusFromSqlite(db_, rc, statement.name);
    sqlite3_reset(prepared);
    if (!status.ok()) return status;
    return rows;
  }

  Status ExecuteScript(std::string_view sql) override {
    char* error = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc == SQLITE_OK) return Status::Ok();
    Status status = StatusFromSqlite(db_, rc, "script");
    sqlite3_free(error);
    return status;
  }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  Result<sqlite3_stmt*> Prepare(const Statement& statement, const std::vector<SqlValue>& params) {
    sqlite3_stmt*& prepared = cache_[statement.name];
    if (prepared == nullptr) {
      const std::string sql = ToSqliteParameters(statement.Text(Dialect::kSqlite));
      const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                        &prepared, nullptr);
      if (rc != SQLITE_OK) {
        Status status = StatusFromSqlite(db_, rc, statement.name);
        cache_.erase(statement.name);
        return status;
      }
    }
    sqlite3_clear_bindings(prepared);
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (const auto* number = std::get_if<int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(prepared, index, *number);
      } else if (const auto* text = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text(prepared, index, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(prepared, index);
      }
      if (rc != SQLITE_OK) return StatusFromSqlite(db_, rc, statement.name);
    }
    return prepared;
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

struct WriteJob {
  const std::function<Status(Transaction&)>* work;
  std::promise<Status> done;
};

// SQLite keeps memory statistics by default, taking a process-wide mutex on every allocation it
// makes; nothing here reads them, and a large import spent about a sixth of its time in that
// mutex. Only possible before SQLite initialises (later the call fails harmlessly), so done once,
// before the first connection opens.
void DisableMemoryStatistics() {
  static const bool done = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}

class SqliteDatabase final : public Database {
 public:
  static Result<std::unique_ptr<Database>> Create(const std::string& path, const DatabaseOptions& options) {
    DisableMemoryStatistics();
    auto database = std::unique_ptr<SqliteDatabase>(new SqliteDatabase(options));
    CRM_ASSIGN_OR_RETURN(database->writer_, SqliteConnection::Open(path));
    CRM_RETURN_IF_ERROR(database->writer_->ExecuteScript("BEGIN IMMEDIATE"));
    Status migrated = ApplyMigrations(*database->writer_, &database->schema_version_);
    CRM_RETURN_IF_ERROR(database->writer_->ExecuteScript(migrated.ok() ? "COMMIT" : "ROLLBACK"));
    CRM_RETURN_IF_ERROR(migrated);
    for (int i = 0; i < std::max(1, options.reader_connections); ++i) {
      CRM_ASSIGN_OR_RETURN(auto reader, SqliteConnection::Open(path));
      database->idle_readers_.push_back(std::move(reader));
    }
    database->writer_thread_ = std::thread([db = database.get()] { db->WriterLoop(); });
    return std::unique_ptr<Database>(std::move(database));
  }

  ~SqliteDatabase() override {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    queue_ready_.notify_all();
    if (writer_thread_.joinable()) writer_thread_.join();
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  int schema_version() const override { return schema_version_; }

  Status Read(const std::function<Status(Transaction&)>& work) override {
    if (Transaction* enclosing = EnclosingWrite::Current(*this)) return EnclosingWrite::RunNested(*enclosing, work);
    std::unique_ptr<SqliteConnection> reader = AcquireReader();
    Status status = reader->ExecuteScript("BEGIN");
    if (status.ok()) {
      Transaction tx(*reader);
      status = work(tx);
      Status ended = reader->ExecuteScript(status.ok() ? "COMMIT" : "ROLLBACK");
      if (status.ok()) status = ended;
    }
    ReleaseReader(std::move(reader));
    return status;
  }

  Status Write(const std::function<Status(Transaction&)>& work) override {
    if (Transaction* enclosing = EnclosingWrite::Current(*this)) return EnclosingWrite::RunNested(*enclosing, work);
    WriteJob job{&work, {}};
    std::future<Status> done = job.done.get_future();
    {
      std::lock_guard lock(queue_mutex_);
      if (stopping_) return Unavailable("database is closing");
      queue_.push_back(&job);
    }
    queue_ready_.notify_one();
    return done.get();
  }

 private:
  explicit SqliteDatabase(const DatabaseOptions& options) : options_(options) {}

  std::unique_ptr<SqliteConnection> AcquireReader() {
    std::unique_lock lock(readers_mutex_);
    reader_free_.wait(lock, [this] { return !idle_readers_.empty(); });
    auto reader = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    return reader;
  }

  void ReleaseReader(std::unique_ptr<SqliteConnection> reader) {
    {
      std::lock_guard lock(readers_mutex_);
      idle_readers_.push_back(std::move(reader));
    }
    reader_free_.notify_one();
  }

  // Takes every queued write (up to the group limit), runs each in its own savepoint inside one
  // transaction, commits once (one fsync for the group) and only then answers the callers.
  void WriterLoop() {
    for (;;) {
      std::vector<WriteJob*> batch;
      {
        std::unique_lock lock(queue_mutex_);
        queue_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        while (!queue_.empty() && static_cast<int>(batch.size()) < options_.max_group_commit) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      RunGroup(batch);
    }
  }

  void RunGroup(const std::vector<WriteJob*>& batch) {
    std::vector<Status> results(batch.size());
    Status begun = writer_->ExecuteScript("BEGIN IMMEDIATE");
    if (!begun.ok()) {
      for (WriteJob* job : batch) job->done.set_value(begun);
      return;
    }
    if (batch.size() == 1) {
      // Alone in its group: no savepoint. Inside a savepoint SQLite keeps a statement journal
      // whose upkeep grows with every page the transaction touched, which makes large
      // transactions (imports, demo data) quadratic.
      Transaction tx(*writer_);
      Status status = (*batch[0]->work)(tx);
      if (status.ok()) status = FinishWrite(tx);
      Status ended = writer_->ExecuteScript(status.ok() ? "COMMIT" : "ROLLBACK");
      if (!ended.ok()) (void)writer_->ExecuteScript("ROLLBACK");
      if (status.ok()) status = ended;
      batch[0]->done.set_value(std::move(status));
      return;
    }
    bool any_ok = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      Status status = writer_->ExecuteScript("SAVEPOINT job");
      if (status.ok()) {
        Transaction tx(*writer_);
        status = (*batch[i]->work)(tx);
        if (status.ok()) status = FinishWrite(tx);
        if (!status.ok()) {
          Status undone = writer_->ExecuteScript("ROLLBACK TO job");
          CRM_CHECK(undone.ok());
        }
        Status released = writer_->ExecuteScript("RELEASE job");
        CRM_CHECK(released.ok());
      }
      any_ok = any_ok || status.ok();
      results[i] = std::move(status);
    }
    Status committed = writer_->ExecuteScript(any_ok ? "COMMIT" : "ROLLBACK");
    if (!committed.ok()) {
      // Nothing of the group is durable: every caller that would have succeeded learns so.
      (void)writer_->ExecuteScript("ROLLBACK");
      for (Status& status : results) {
        if (status.ok()) status = committed;
      }
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(std::move(results[i]));
  }

  DatabaseOptions options_;
  int schema_version_ = 0;
  std::unique_ptr<SqliteConnection> writer_;
  std::thread writer_thread_;
  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<WriteJob*> queue_;
  bool stopping_ = false;
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const DatabaseOptions& options) {
  if (path == ":memory:") return InvalidArgument("SQLite needs a file path, not :memory:", "db");
  return SqliteDatabase::Create(path, options);
}

}  // namespace crm::store
