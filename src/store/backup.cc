#include "store/backup.h"

#include <sodium.h>

#include <algorithm>
#include <deque>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <unordered_map>
#include <vector>

namespace crm::store {
namespace {

using Json = nlohmann::json;

constexpr char kFormatName[] = "dangol-backup";
constexpr int64_t kPageRows = 5000;

// Tables in an order that satisfies their foreign keys. Tables of the business not named here (a
// newer schema's) follow in name order.
constexpr const char* kTableOrder[] = {
    "businesses",
    "branches",
    "staff",
    "staff_branches",
    "sessions",
    "api_tokens",
    "customers",
    "customer_tags",
    "customer_consents",
    "customer_anniversaries",
    "preferences",
    "notes",
    "prospects",
    "orders",
    "order_lines",
    "stock_write_offs",
    "access_log",
    "loyalty_programs",
    "loyalty_accounts",
    "ledger_entries",
    "loyalty_counts",
    "tier_changes",
    "coupon_templates",
    "coupons",
    "messaging_settings",
    "sender_numbers",
    "consent_events",
    "consent_notices",
    "suppressions",
    "campaigns",
    "campaign_recipients",
    "outbox_messages",
    "message_events",
    "automations",
    "automation_occurrences",
    "staff_tasks",
    "referrals",
    "gacha_draws",
    "idempotency_keys",
    "import_runs",
    "import_mappings",
    "customer_external_ids",
    "customer_opening_balances",
    "customer_phone_shares",
    "customer_attributes",
    "customer_merges",
    "duplicate_dismissals",
};

constexpr Statement kTables{
    "backup.tables", "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND "
    "table_type = 'BASE TABLE' ORDER BY 1"};
constexpr Statement kColumns{
    "backup.columns", "SELECT name FROM pragma_table_info($1) ORDER BY cid",
    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = current_schema() AND "
    "table_name = CAST($1 AS TEXT) ORDER BY ordinal_position"};
constexpr Statement kSchemaVersion{"backup.schema_version", "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};
constexpr Statement kBusinessSlug{"backup.business_slug", "SELECT slug FROM businesses WHERE id = $1"};
constexpr Statement kBusinessBySlug{"backup.business_by_slug", "SELECT id FROM businesses WHERE slug = $1"};
constexpr Statement kClearConsentEvents{"backup.clear_consent_events",
                                        "DELETE FROM consent_events WHERE business_id = $1"};
constexpr Statement kReferrer{"backup.referrer",
                              "UPDATE customers SET referrer_id = $3 WHERE business_id = $1 AND id = $2"};

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 15];
  }
  return hex;
}

class Sha256 {
 public:
  Sha256() { crypto_hash_sha256_init(&state_); }
  void Add(std::string_view text) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  std::string Finish() {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state_, digest);
    return Hex(digest, sizeof digest);
  }

 private:
  crypto_hash_sha256_state state_;
};

// The schema as this database has it: tables and their columns, read from the catalog. The
// statements built from it splice only names the catalog gave, never text from a file.
class Catalog {
 public:
  explicit Catalog(SqlConnection& connection) : connection_(connection) {}

  Status Load() {
    CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kTables, {}));
    for (const Row& row : rows) {
      const std::string table = row.GetText(0);
      if (table == "schema_migrations") continue;
      CRM_ASSIGN_OR_RETURN(auto columns, connection_.Query(kColumns, {Text(table)}));
      std::vector<std::string>& names = columns_[table];
      for (const Row& column : columns) names.push_back(column.GetText(0));
    }
    return Status::Ok();
  }

  // The tables that hold a business's rows, in foreign-key order.
  std::vector<std::string> BusinessTables() const {
    std::vector<std::string> ordered;
    for (const char* table : kTableOrder) {
      if (columns_.count(table) > 0) ordered.push_back(table);
    }
    std::vector<std::string> rest;
    for (const auto& [table, columns] : columns_) {
      if (std::find(ordered.begin(), ordered.end(), table) != ordered.end()) continue;
      if (std::find(columns.begin(), columns.end(), "business_id") != columns.end()) rest.push_back(table);
    }
    std::sort(rest.begin(), rest.end());
    ordered.insert(ordered.end(), rest.begin(), rest.end());
    return ordered;
  }

  const std::vector<std::string>* Columns(const std::string& table) const {
    auto it = columns_.find(table);
    return it == columns_.end() ? nullptr : &it->second;
  }
  bool Has(const std::string& table, const std::string& column) const {
    const auto* columns = Columns(table);
    return columns != nullptr && std::find(columns->begin(), columns->end(), column) != columns->end();
  }

  // A statement built at run time; it lives as long as the catalog.
  const Statement& Dynamic(const std::string& name, std::string sql) {
    auto it = statements_.find(name);
    if (it != statements_.end()) return it->second;
    texts_.push_back(name);
    const char* stored_name = texts_.back().c_str();
    texts_.push_back(std::move(sql));
    return statements_.emplace(name, Statement{stored_name, texts_.back().c_str()}).first->second;
  }

 private:
  SqlConnection& connection_;
  std::map<std::string, std::vector<std::string>> columns_;
  std::deque<std::string> texts_;
  std::unordered_map<std::string, Statement> statements_;
};

std::string Joined(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

Json ValueJson(const SqlValue& value) {
  if (const auto* number = std::get_if<int64_t>(&value)) return *number;
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return nullptr;
}

// One line of the file for one row; kDataLoss when a value is not valid UTF-8.
Result<std::string> RowLine(const std::string& table, const std::vector<std::string>& columns, const Row& row) {
  Json object = Json::object();  // keys in name order
  for (size_t i = 0; i < columns.size(); ++i) object[columns[i]] = ValueJson(row.value(i));
  try {
    return "{\"table\":" + Json(table).dump() + ",\"row\":" + object.dump() + "}\n";
  } catch (const Json::exception& error) {
    return DataLoss("table " + table + " holds text that is not UTF-8: " + error.what());
  }
}

Result<int> SchemaVersion(SqlConnection& connection) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection.Query(kSchemaVersion, {}));
  return static_cast<int>(rows.at(0).GetInt(0));
}

class BackupWriter {
 public:
  BackupWriter(SqlConnection& connection, Catalog& catalog, std::ostream& out, BackupSummary& summary)
      : connection_(connection), catalog_(catalog), out_(out), summary_(summary) {}

  void Start(const std::string& header_line) {
    out_ << header_line;
    hash_.Add(header_line);
  }

  Status Emit(const std::string& line, const std::string& table) {
    out_ << line;
    hash_.Add(line);
    ++summary_.rows;
    ++summary_.tables[table];
    return out_ ? Status::Ok() : Unavailable("cannot write the backup");
  }

  Status Table(const std::string& table, BusinessId business) {
    const std::vector<std::string>& columns = *catalog_.Columns(table);
    const std::string list = Joined(columns);
    if (table == "businesses") {
      const Statement& select =
          catalog_.Dynamic("backup.select." + table, "SELECT " + list + " FROM businesses WHERE id = $1");
      return Rows(table, columns, select, {Int(business.value())}, true);
    }
    if (!catalog_.Has(table, "id")) {
      // Rows of one order or one customer at a time (a window of their ids), each window in the
      // byte order of its lines, so that memory stays bounded by the window.
      for (const char* window : {"order_id", "customer_id"}) {
        if (catalog_.Has(table, window)) return Windows(table, columns, list, window, business);
      }
      const Statement& select =
          catalog_.Dynamic("backup.select." + table, "SELECT " + list + " FROM " + table + " WHERE business_id = $1");
      return Rows(table, columns, select, {Int(business.value())}, true);
    }
    // In pages of ids, so that a large table is never held whole.
    const Statement& select =
        catalog_.Dynamic("backup.select." + table, "SELECT " + list + " FROM " + table +
                                                       " WHERE business_id = $1 AND id > $2 ORDER BY id LIMIT $3");
    const size_t id_column = std::find(columns.begin(), columns.end(), "id") - columns.begin();
    int64_t after = 0;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(select, {Int(business.value()), Int(after), Int(kPageRows)}));
      for (const Row& row : rows) {
        CRM_ASSIGN_OR_RETURN(std::string line, RowLine(table, columns, row));
        CRM_RETURN_IF_ERROR(Emit(line, table));
      }
      if (static_cast<int64_t>(rows.size()) < kPageRows) return Status::Ok();
      after = rows.back().GetInt(id_column);
    }
  }

  std::string Digest() { return hash_.Finish(); }

 private:
  Status Windows(const std::string& table, const std::vector<std::string>& columns, const std::string& list,
                 const std::string& window, BusinessId business) {
    const Statement& bounds = catalog_.Dynamic(
        "backup.bounds." + table,
        "SELECT MIN(" + window + "), MAX(" + window + ") FROM " + table + " WHERE business_id = $1");
    const Statement& select = catalog_.Dynamic("backup.window." + table,
                                               "SELECT " + list + " FROM " + table + " WHERE business_id = $1 AND " +
                                                   window + " >= $2 AND " + window + " < $3");
    CRM_ASSIGN_OR_RETURN(auto range, connection_.Query(bounds, {Int(business.value())}));
    if (!range.empty() && !range[0].IsNull(0)) {
      const int64_t last = range[0].GetInt(1);
      for (int64_t from = range[0].GetInt(0); from <= last; from += kPageRows) {
        CRM_RETURN_IF_ERROR(
            Rows(table, columns, select, {Int(business.value()), Int(from), Int(from + kPageRows)}, true));
      }
    }
    // Rows without a value in the window column, if the column allows that.
    const Statement& without = catalog_.Dynamic(
        "backup.without." + table,
        "SELECT " + list + " FROM " + table + " WHERE business_id = $1 AND " + window + " IS NULL");
    return Rows(table, columns, without, {Int(business.value())}, true);
  }

  // Every row at once, written in the byte order of their lines (the same on both back ends,
  // whatever their text collations).
  Status Rows(const std::string& table, const std::vector<std::string>& columns, const Statement& select,
              const std::vector<SqlValue>& params, bool sort) {
    CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(select, params));
    std::vector<std::string> lines;
    lines.reserve(rows.size());
    for (const Row& row : rows) {
      CRM_ASSIGN_OR_RETURN(std::string line, RowLine(table, columns, row));
      lines.push_back(std::move(line));
    }
    if (sort) std::sort(lines.begin(), lines.end());
    for (const std::string& line : lines) CRM_RETURN_IF_ERROR(Emit(line, table));
    return Status::Ok();
  }

  SqlConnection& connection_;
  Catalog& catalog_;
  std::ostream& out_;
  BackupSummary& summary_;
  Sha256 hash_;
};

// Reads the file line by line, checking each against this database's schema, and inserts the rows.
class BackupReader {
 public:
  BackupReader(SqlConnection& connection, Catalog& catalog, BackupSummary& summary)
      : connection_(connection), catalog_(catalog), summary_(summary), tables_(catalog.BusinessTables()) {}

  Status Header(const std::string& line, int database_version) {
    const Json header = Json::parse(line, nullptr, false);
    if (!header.is_object() || header.value("format", "") != kFormatName) {
      return DataLoss("not a Dangol backup (the first line is not its header)");
    }
    if (header.value("format_version", 0) != kBackupFormatVersion) {
      return FailedPrecondition("backup format version " + header.value("format_version", Json(0)).dump() +
                                " is not one this version of Dangol reads");
    }
    summary_.schema_version = header.value("schema_version", 0);
    summary_.business_slug = header.value("business", "");
    if (summary_.schema_version <= 0 || summary_.business_slug.empty())
      return DataLoss("the backup's header is incomplete");
    if (summary_.schema_version > database_version) {
      return FailedPrecondition("the backup has schema version " + std::to_string(summary_.schema_version) +
                                ", newer than this database's " + std::to_string(database_version) +
                                "; restore with the Dangol version that wrote it");
    }
    CRM_ASSIGN_OR_RETURN(auto taken, connection_.Query(kBusinessBySlug, {Text(summary_.business_slug)}));
    if (!taken.empty()) {
      return AlreadyExists("business \"" + summary_.business_slug +
                           "\" exists in this database; restore into an empty database");
    }
    hash_.Add(line + "\n");
    return Status::Ok();
  }

  // A row line; kDataLoss for anything else that is not the end line.
  Status Line(const std::string& line, bool* ended) {
    const Json object = Json::parse(line, nullptr, false);
    if (!object.is_object()) return DataLoss("line " + std::to_string(summary_.rows + 2) + " is not JSON");
    if (object.contains("end")) {
      *ended = true;
      return End(object);
    }
    hash_.Add(line + "\n");
    const Json* table_name = object.contains("table") ? &object.at("table") : nullptr;
    const Json* row = object.contains("row") ? &object.at("row") : nullptr;
    if (table_name == nullptr || !table_name->is_string() || row == nullptr || !row->is_object()) {
      return DataLoss("line " + std::to_string(summary_.rows + 2) + " is not a table row");
    }
    return Insert(table_name->get<std::string>(), *row);
  }

  Status Finish() {
    for (const auto& [customer, referrer] : referrers_) {
      CRM_RETURN_IF_ERROR(connection_.Execute(kReferrer, {Int(business_id_), Int(customer), Int(referrer)}));
    }
    if (connection_.dialect() != Dialect::kPostgres) return Status::Ok();
    for (const auto& [table, count] : summary_.tables) {
      if (!catalog_.Has(table, "id")) continue;
      const Statement& sequence =
          catalog_.Dynamic("restore.sequence." + table, "SELECT setval(pg_get_serial_sequence('" + table +
                                                            "', 'id'), "
                                                            "COALESCE((SELECT MAX(id) FROM " +
                                                            table + "), 0) + 1, false)");
      CRM_RETURN_IF_ERROR(connection_.Query(sequence, {}).status());
    }
    return Status::Ok();
  }

 private:
  Status Insert(const std::string& table, const Json& row) {
    if (std::find(tables_.begin(), tables_.end(), table) == tables_.end()) {
      return InvalidArgument("the backup has a table this database does not have: " + table);
    }
    // Every row must belong to the one business of the file: a file cannot write elsewhere.
    const char* scope = table == "businesses" ? "id" : "business_id";
    if (!row.contains(scope) || !row.at(scope).is_number_integer()) {
      return DataLoss("a row of " + table + " has no " + scope);
    }
    const int64_t business = row.at(scope).get<int64_t>();
    if (table == "businesses") {
      if (business_id_ != 0) return DataLoss("the backup holds more than one business");
      if (row.value("slug", "") != summary_.business_slug)
        return DataLoss("the business row does not match the header");
      business_id_ = business;
    } else if (business != business_id_) {
      return DataLoss("a row of " + table + " belongs to another business than the backup's");
    }
    if (table == "consent_events" && !consent_events_cleared_) {
      // Restoring customer_consents fired the history triggers; the file's own history replaces
      // what they wrote, so that ids and times are the original ones.
      CRM_RETURN_IF_ERROR(connection_.Execute(kClearConsentEvents, {Int(business_id_)}));
      consent_events_cleared_ = true;
    }
    std::vector<std::string> columns;
    std::vector<SqlValue> values;
    for (auto it = row.begin(); it != row.end(); ++it) {
      if (!catalog_.Has(table, it.key())) {
        return InvalidArgument("the backup has a column this database does not have: " + table + "." + it.key());
      }
      columns.push_back(it.key());
      const Json& value = it.value();
      if (table == "customers" && it.key() == "referrer_id" && value.is_number_integer()) {
        // Set once every customer is in: a referrer may have a higher id.
        referrers_.emplace_back(row.value("id", int64_t{0}), value.get<int64_t>());
        values.push_back(Null());
      } else if (value.is_number_integer()) {
        values.push_back(Int(value.get<int64_t>()));
      } else if (value.is_string()) {
        values.push_back(Text(value.get<std::string>()));
      } else if (value.is_null()) {
        values.push_back(Null());
      } else {
        return DataLoss("a value of " + table + "." + it.key() + " is neither text, an integer nor null");
      }
    }
    std::string placeholders;
    for (size_t i = 1; i <= columns.size(); ++i) placeholders += (i > 1 ? ", $" : "$") + std::to_string(i);
    const std::string list = Joined(columns);
    const Statement& insert =
        catalog_.Dynamic("restore.insert." + table + "(" + list + ")",
                         "INSERT INTO " + table + " (" + list + ") VALUES (" + placeholders + ")");
    Status inserted = connection_.Execute(insert, values);
    if (inserted.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("a row of " + table +
                           " has an id this database uses already; restore into an empty database");
    }
    if (!inserted.ok()) return Status(inserted.code(), "restoring " + table + ": " + inserted.message());
    ++summary_.rows;
    ++summary_.tables[table];
    return Status::Ok();
  }

  Status End(const Json& end) {
    const std::string digest = hash_.Finish();
    if (end.value("sha256", "") != digest) return DataLoss("the backup's checksum does not match: it was altered");
    if (end.value("rows", int64_t{-1}) != summary_.rows) return DataLoss("the backup's row count does not match");
    const Json tables = end.value("tables", Json::object());
    for (const auto& [table, count] : summary_.tables) {
      if (tables.value(table, int64_t{-1}) != count) return DataLoss("the row count of " + table + " does not match");
    }
    if (business_id_ == 0) return DataLoss("the backup holds no business");
    return Status::Ok();
  }

  SqlConnection& connection_;
  Catalog& catalog_;
  BackupSummary& summary_;
  const std::vector<std::string> tables_;
  Sha256 hash_;
  int64_t business_id_ = 0;
  std::vector<std::pair<int64_t, int64_t>> referrers_;
  bool consent_events_cleared_ = false;
};

}  // namespace

Result<BackupSummary> WriteBackup(SqlConnection& connection, BusinessId business, std::ostream& out) {
  BackupSummary summary;
  CRM_ASSIGN_OR_RETURN(auto slug, connection.Query(kBusinessSlug, {Int(business.value())}));
  if (slug.empty()) return NotFound("business not found");
  summary.business_slug = slug[0].GetText(0);
  CRM_ASSIGN_OR_RETURN(summary.schema_version, SchemaVersion(connection));
  Catalog catalog(connection);
  CRM_RETURN_IF_ERROR(catalog.Load());

  Json header = Json::object();
  header["format"] = kFormatName;
  header["format_version"] = kBackupFormatVersion;
  header["schema_version"] = summary.schema_version;
  header["business"] = summary.business_slug;
  const std::string header_line = header.dump() + "\n";
  BackupWriter writer(connection, catalog, out, summary);
  writer.Start(header_line);
  for (const std::string& table : catalog.BusinessTables()) CRM_RETURN_IF_ERROR(writer.Table(table, business));
  Json tables = Json::object();
  for (const auto& [table, count] : summary.tables) tables[table] = count;
  Json end = Json::object();
  end["end"] = true;
  end["rows"] = summary.rows;
  end["tables"] = std::move(tables);
  end["sha256"] = writer.Digest();
  out << end.dump() << "\n";
  out.flush();
  if (!out) return Unavailable("cannot write the backup");
  return summary;
}

Result<BackupSummary> RestoreBackup(SqlConnection& connection, std::istream& in) {
  BackupSummary summary;
  CRM_ASSIGN_OR_RETURN(const int database_version, SchemaVersion(connection));
  Catalog catalog(connection);
  CRM_RETURN_IF_ERROR(catalog.Load());
  BackupReader reader(connection, catalog, summary);
  std::string line;
  if (!std::getline(in, line)) return DataLoss("the backup is empty");
  CRM_RETURN_IF_ERROR(reader.Header(line, database_version));
  bool ended = false;
  while (!ended && std::getline(in, line)) CRM_RETURN_IF_ERROR(reader.Line(line, &ended));
  if (!ended) return DataLoss("the backup is truncated: its end line is missing");
  while (std::getline(in, line)) {
    if (!line.empty()) return DataLoss("the backup has lines after its end line");
  }
  CRM_RETURN_IF_ERROR(reader.Finish());
  return summary;
}

}  // namespace crm::store
