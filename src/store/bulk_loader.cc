#include "store/bulk_loader.h"

#include <initializer_list>
#include <string>
#include <utility>

#include "store/customer_row_repository.h"

namespace crm::store {
namespace {

// Each table's columns as its repository stores them, with the id where later rows refer to it.
#define CUSTOMERS_COLUMNS                                                                                     \
  "id, business_id, name, family_name, given_name, name_key, given_key, initials, phone_e164, phone_last4, " \
  "email, birthday, birthday_calendar, birthday_leap_month, gender, source, referrer_id, address, "          \
  "visit_count, visits_last_year, total_spend, first_visit_at, last_visit_at, created_at, updated_at"
constexpr BulkTarget kCustomers{
    "customers", CUSTOMERS_COLUMNS, 25,
    {"bulk.customers", "INSERT INTO customers (" CUSTOMERS_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                       "$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"}};
#define TAGS_COLUMNS "business_id, customer_id, tag"
constexpr BulkTarget kTags{"customer_tags", TAGS_COLUMNS, 3,
                           {"bulk.customer_tags", "INSERT INTO customer_tags (" TAGS_COLUMNS ") VALUES ($1, $2, $3)"}};
#define ANNIVERSARIES_COLUMNS "business_id, customer_id, position, label, date"
constexpr BulkTarget kAnniversaries{
    "customer_anniversaries", ANNIVERSARIES_COLUMNS, 5,
    {"bulk.customer_anniversaries",
     "INSERT INTO customer_anniversaries (" ANNIVERSARIES_COLUMNS ") VALUES ($1, $2, $3, $4, $5)"}};
#define CONSENTS_COLUMNS "business_id, customer_id, channel, granted, at, source"
constexpr BulkTarget kConsents{
    "customer_consents", CONSENTS_COLUMNS, 6,
    {"bulk.customer_consents", "INSERT INTO customer_consents (" CONSENTS_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6)"}};
#define PREFERENCES_COLUMNS "business_id, customer_id, kind, subject, created_by, created_at"
constexpr BulkTarget kPreferences{
    "preferences", PREFERENCES_COLUMNS, 6,
    {"bulk.preferences", "INSERT INTO preferences (" PREFERENCES_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6)"}};
#define NOTES_COLUMNS "business_id, customer_id, author_id, branch_id, text, pinned, created_at"
constexpr BulkTarget kNotes{
    "notes", NOTES_COLUMNS, 7, {"bulk.notes", "INSERT INTO notes (" NOTES_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7)"}};
#define ORDERS_COLUMNS                                                                                             \
  "id, business_id, branch_id, staff_id, customer_id, kind, original_order_id, ordered_at, total, channel, "       \
  "external_source, external_id, created_at, change_seq"
constexpr BulkTarget kOrders{
    "orders", ORDERS_COLUMNS, 14,
    {"bulk.orders", "INSERT INTO orders (" ORDERS_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                    "$12, $13, $14)"}};
#define ORDER_LINES_COLUMNS "business_id, order_id, line_no, product, category, quantity, unit_price"
constexpr BulkTarget kOrderLines{
    "order_lines", ORDER_LINES_COLUMNS, 7,
    {"bulk.order_lines", "INSERT INTO order_lines (" ORDER_LINES_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7)"}};
#define LEDGER_ENTRIES_COLUMNS \
  "id, business_id, customer_id, kind, amount, expires_at, order_id, related_id, staff_id, branch_id, reason, created_at"
constexpr BulkTarget kLedgerEntries{
    "ledger_entries", LEDGER_ENTRIES_COLUMNS, 12,
    {"bulk.ledger_entries", "INSERT INTO ledger_entries (" LEDGER_ENTRIES_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, "
                            "$7, $8, $9, $10, $11, $12)"}};
#define ACCOUNTS_COLUMNS \
  "business_id, customer_id, balance, tier_index, tier_reached_at, referral_code, updated_at, tier_qualified_at"
constexpr BulkTarget kAccounts{
    "loyalty_accounts", ACCOUNTS_COLUMNS, 8,
    {"bulk.loyalty_accounts",
     "INSERT INTO loyalty_accounts (" ACCOUNTS_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"}};

// `$1` new ids of a table, ascending. PostgreSQL draws them from the identity's sequence, so
// concurrent inserts never collide with them; SQLite's writer holds the database lock for the
// whole write, so the ids after the greatest one stay free until the commit.
#define RESERVE_IDS(table)                                                                           \
  Statement {                                                                                        \
    "bulk.reserve_" table,                                                                           \
        "WITH RECURSIVE n(i) AS (SELECT 1 WHERE $1 > 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1) " \
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM " table ") + i FROM n ORDER BY i",                 \
        "SELECT nextval(pg_get_serial_sequence('" table "', 'id')) FROM generate_series(1, $1) ORDER BY 1"  \
  }
constexpr Statement kReserveCustomerIds = RESERVE_IDS("customers");
constexpr Statement kReserveOrderIds = RESERVE_IDS("orders");
constexpr Statement kReserveLedgerEntryIds = RESERVE_IDS("ledger_entries");

// The same statement as OrderRepository's: the counter row stays locked until the commit.
constexpr Statement kNextChangeSeq{
    "bulk.next_change_seq",
    "INSERT INTO order_change_counters (business_id, last_seq) VALUES ($1, 1) ON CONFLICT (business_id) "
    "DO UPDATE SET last_seq = order_change_counters.last_seq + 1 RETURNING last_seq"};

SqlValue OptionalTime(const std::optional<Timestamp>& at) { return at ? Int(at->micros()) : Null(); }

template <typename IdType>
SqlValue OptionalIdValue(const std::optional<IdType>& id) {
  return id ? Int(id->value()) : Null();
}

template <typename IdType>
Result<std::vector<IdType>> ReserveIds(SqlConnection& connection, const Statement& statement, size_t count) {
  std::vector<IdType> ids;
  if (count == 0) return ids;
  CRM_ASSIGN_OR_RETURN(auto rows, connection.Query(statement, {Int(static_cast<int64_t>(count))}));
  if (rows.size() != count) return Internal("bulk: the database reserved a different number of ids");
  ids.reserve(count);
  for (const Row& row : rows) ids.emplace_back(row.GetInt(0));
  return ids;
}

void Push(std::vector<SqlValue>& buffer, std::initializer_list<SqlValue> values) {
  buffer.insert(buffer.end(), values.begin(), values.end());
}

}  // namespace

Result<std::vector<CustomerId>> BulkLoader::ReserveCustomerIds(size_t count) {
  return ReserveIds<CustomerId>(connection_, kReserveCustomerIds, count);
}

Result<std::vector<OrderId>> BulkLoader::ReserveOrderIds(size_t count) {
  return ReserveIds<OrderId>(connection_, kReserveOrderIds, count);
}

Result<std::vector<LedgerEntryId>> BulkLoader::ReserveLedgerEntryIds(size_t count) {
  return ReserveIds<LedgerEntryId>(connection_, kReserveLedgerEntryIds, count);
}

Result<int64_t> BulkLoader::TakeOrderChangeSeq(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kNextChangeSeq, {Int(business.value())}));
  if (rows.empty()) return Internal("bulk: no order change sequence number");
  return rows[0].GetInt(0);
}

void BulkLoader::AddCustomer(const domain::Customer& customer) {
  const SqlValue business = Int(customer.business_id.value());
  const SqlValue id = Int(customer.id.value());
  customers_.push_back(id);
  customers_.push_back(business);
  for (SqlValue& value : CustomerProfileValues(customer)) customers_.push_back(std::move(value));
  const domain::VisitStats& stats = customer.stats;
  Push(customers_, {Int(stats.visit_count), Int(stats.visits_last_year), Int(stats.total_spend.minor_units()),
                      OptionalTime(stats.first_visit_at), OptionalTime(stats.last_visit_at),
                      Int(customer.created_at.micros()), Int(customer.updated_at.micros())});
  for (const std::string& tag : customer.tags) Push(tags_, {business, id, Text(tag)});
  for (size_t i = 0; i < customer.anniversaries.size(); ++i) {
    const domain::Anniversary& anniversary = customer.anniversaries[i];
    Push(anniversaries_, {business, id, Int(static_cast<int64_t>(i)), Text(anniversary.label),
                            Text(anniversary.date.ToString())});
  }
  for (const domain::Consent& consent : customer.consents) {
    Push(consents_, {business, id, Int(static_cast<int>(consent.channel)), Int(consent.granted ? 1 : 0),
                       Int(consent.at.micros()), Text(consent.source)});
  }
}

void BulkLoader::AddPreference(BusinessId business, CustomerId customer, const domain::Preference& preference) {
  Push(preferences_, {Int(business.value()), Int(customer.value()), Int(static_cast<int>(preference.kind)),
                        Text(preference.subject),
                        preference.created_by.valid() ? Int(preference.created_by.value()) : Null(),
                        Int(preference.created_at.micros())});
}

void BulkLoader::AddNote(BusinessId business, const domain::Note& note) {
  Push(notes_, {Int(business.value()), Int(note.customer_id.value()),
                  note.author_id.value() > 0 ? Int(note.author_id.value()) : Null(),
                  note.branch_id.value() > 0 ? Int(note.branch_id.value()) : Null(), Text(note.text),
                  Int(note.pinned ? 1 : 0), Int(note.created_at.micros())});
}

void BulkLoader::AddOrder(const domain::Order& order, int64_t change_seq) {
  const SqlValue business = Int(order.business_id.value());
  const SqlValue id = Int(order.id.value());
  Push(orders_, {id, business, Int(order.branch_id.value()), OptionalIdValue(order.staff_id),
                   OptionalIdValue(order.customer_id), Int(static_cast<int>(order.kind)),
                   OptionalIdValue(order.original_order_id), Int(order.ordered_at.micros()),
                   Int(order.total.minor_units()), Int(static_cast<int>(order.channel)), Text(order.external_source),
                   Text(order.external_id), Int(order.created_at.micros()), Int(change_seq)});
  for (size_t i = 0; i < order.lines.size(); ++i) {
    const domain::OrderLine& line = order.lines[i];
    Push(lines_, {business, id, Int(static_cast<int64_t>(i)), Text(line.product), Text(line.category),
                    Int(line.quantity), Int(line.unit_price.minor_units())});
  }
}

void BulkLoader::AddLedgerEntry(const domain::LedgerEntry& e) {
  Push(ledger_entries_, {Int(e.id.value()), Int(e.business_id.value()), Int(e.customer_id.value()),
                           Int(static_cast<int64_t>(e.kind)), Int(e.amount), OptionalTime(e.expires_at),
                           OptionalIdValue(e.order_id), OptionalIdValue(e.related_id), OptionalIdValue(e.staff_id),
                           OptionalIdValue(e.branch_id), Text(e.reason), Int(e.created_at.micros())});
}

void BulkLoader::AddAccount(BusinessId business, const domain::LoyaltyAccount& account) {
  Push(accounts_, {Int(business.value()), Int(account.customer_id.value()), Int(account.balance),
                     Int(account.tier.index), OptionalTime(account.tier.reached_at), Text(account.referral_code),
                     Int(account.updated_at.micros()), OptionalTime(account.tier.qualified_at)});
}

Status BulkLoader::Append(const BulkTarget& target, const std::vector<SqlValue>& values) {
  if (values.size() % target.column_count != 0) return Internal("bulk rows do not match the table's columns");
  if (auto* appender = dynamic_cast<BulkAppender*>(&connection_)) return appender->AppendRows(target, values);
  std::vector<SqlValue> row(target.column_count);
  for (size_t start = 0; start < values.size(); start += target.column_count) {
    for (size_t column = 0; column < target.column_count; ++column) row[column] = values[start + column];
    CRM_RETURN_IF_ERROR(connection_.Execute(target.insert, row));
  }
  return Status::Ok();
}

Status BulkLoader::Flush() {
  // Parents before the rows that refer to them.
  const std::pair<const BulkTarget*, std::vector<SqlValue>*> tables[] = {
      {&kCustomers, &customers_},         {&kTags, &tags_},       {&kAnniversaries, &anniversaries_},
      {&kConsents, &consents_},           {&kPreferences, &preferences_}, {&kNotes, &notes_},
      {&kOrders, &orders_},               {&kOrderLines, &lines_}, {&kLedgerEntries, &ledger_entries_},
      {&kAccounts, &accounts_}};
  for (const auto& [target, rows] : tables) {
    CRM_RETURN_IF_ERROR(Append(*target, *rows));
    rows->clear();
  }
  return Status::Ok();
}

}  // namespace crm::store
