#include "store/customer_repository.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "domain/korean_text.h"
#include "store/customer_row_repository.h"

namespace crm::store {
namespace {

#define CUSTOMER_COLUMNS                                                                                        \
  "id, business_id, name, family_name, given_name, phone_e164, email, birthday, birthday_calendar, "          \
  "birthday_leap_month, gender, source, referrer_id, address, visit_count, visits_last_year, total_spend, " \
  "first_visit_at, last_visit_at, created_at, updated_at"

constexpr Statement kInsert{
    "customer.insert",
    "INSERT INTO customers (business_id, name, family_name, given_name, name_key, given_key, initials, phone_e164, "
    "phone_last4, email, birthday, birthday_calendar, birthday_leap_month, gender, source, referrer_id, address, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
    "$18, $18) RETURNING id"};
constexpr Statement kUpdate{
    "customer.update",
    "UPDATE customers SET name = $3, family_name = $4, given_name = $5, name_key = $6, given_key = $7, "
    "initials = $8, phone_e164 = $9, phone_last4 = $10, email = $11, birthday = $12, birthday_calendar = $13, "
    "birthday_leap_month = $14, gender = $15, source = $16, referrer_id = $17, address = $18, updated_at = $19 "
    "WHERE business_id = $1 AND id = $2 RETURNING id"};
constexpr Statement kSelect{"customer.get",
                            "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE business_id = $1 AND id = $2 "
                            "AND merged_into IS NULL AND erased_at IS NULL"};
// The phone index is partial (phone_e164 <> ''); the planner uses it only when the query implies
// that condition, hence the redundant-looking term.
constexpr Statement kSelectForUpdate{
    "customer.get_for_update",
    "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE business_id = $1 AND id = $2 AND merged_into IS NULL "
    "AND erased_at IS NULL",
    "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE business_id = $1 AND id = $2 AND merged_into IS NULL "
    "AND erased_at IS NULL FOR UPDATE"};
constexpr Statement kByPhone{"customer.by_phone",
                             "SELECT id FROM customers WHERE business_id = $1 AND phone_e164 = $2 "
                             "AND phone_e164 <> ''"};
// The columns of a pick-list row, in LookupSummaryFromRow's order; customers_last4 covers them.
#define LOOKUP_COLUMNS "id, business_id, name, phone_e164, visit_count, visits_last_year, last_visit_at"

constexpr Statement kByLast4{
    "customer.lookup_last4",
    "SELECT " LOOKUP_COLUMNS " FROM customers WHERE business_id = $1 AND phone_last4 = $2 "
    "ORDER BY last_visit_at DESC, id DESC LIMIT $3",
    "SELECT " LOOKUP_COLUMNS " FROM customers WHERE business_id = $1 AND phone_last4 = $2 "
    "ORDER BY last_visit_at DESC NULLS LAST, id DESC LIMIT $3"};
constexpr Statement kByPhoneFull{"customer.lookup_phone",
                                 "SELECT " LOOKUP_COLUMNS " FROM customers WHERE business_id = $1 AND phone_e164 = $2 "
                                 "AND phone_e164 <> '' ORDER BY id LIMIT $3"};
constexpr Statement kByNamePrefix{"customer.lookup_name",
                                  "SELECT " LOOKUP_COLUMNS " FROM customers WHERE business_id = $1 AND name_key >= $2 "
                                  "AND name_key < $3 ORDER BY name_key, id LIMIT $4"};
constexpr Statement kByInitials{"customer.lookup_initials",
                                "SELECT " LOOKUP_COLUMNS " FROM customers WHERE business_id = $1 AND initials >= $2 "
                                "AND initials < $3 ORDER BY initials, id LIMIT $4"};
// The pick lists with their alerts (allergy 3, never 4) in one statement, for PostgreSQL, where
// each statement is a round trip: column 7 is a JSON array of [id, kind, subject] in id order, or
// NULL. PostgreSQL evaluates the subquery only for the rows the LIMIT keeps.
#define LOOKUP_ALERTS                                                                                     \
  ", (SELECT json_agg(json_build_array(p.id, p.kind, p.subject) ORDER BY p.id) FROM preferences p "      \
  "WHERE p.business_id = customers.business_id AND p.customer_id = customers.id AND p.kind IN (3, 4))"
constexpr Statement kByLast4WithAlerts{
    "customer.lookup_last4_alerts",
    "SELECT " LOOKUP_COLUMNS LOOKUP_ALERTS " FROM customers WHERE business_id = $1 AND phone_last4 = $2 "
    "ORDER BY last_visit_at DESC NULLS LAST, id DESC LIMIT $3"};
constexpr Statement kByPhoneFullWithAlerts{
    "customer.lookup_phone_alerts",
    "SELECT " LOOKUP_COLUMNS LOOKUP_ALERTS " FROM customers WHERE business_id = $1 AND phone_e164 = $2 "
    "AND phone_e164 <> '' ORDER BY id LIMIT $3"};
constexpr Statement kByNamePrefixWithAlerts{
    "customer.lookup_name_alerts",
    "SELECT " LOOKUP_COLUMNS LOOKUP_ALERTS " FROM customers WHERE business_id = $1 AND name_key >= $2 "
    "AND name_key < $3 ORDER BY name_key, id LIMIT $4"};
constexpr Statement kByInitialsWithAlerts{
    "customer.lookup_initials_alerts",
    "SELECT " LOOKUP_COLUMNS LOOKUP_ALERTS " FROM customers WHERE business_id = $1 AND initials >= $2 "
    "AND initials < $3 ORDER BY initials, id LIMIT $4"};
constexpr Statement kList{"customer.list",
                          "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE business_id = $1 AND id > $2 "
                          "AND merged_into IS NULL AND erased_at IS NULL ORDER BY id LIMIT $3"};
// Every condition of a CustomerFilter; a NULL parameter switches its condition off. The stage
// CASE is domain::ComputeStage in SQL ($12: the lapse cutoff, $13 and $14: the loyal and regular
// visit counts), so the list and the profile agree.
#define FILTER_CONDITIONS                                                                                        \
  " AND (CAST($4 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM customer_tags t WHERE t.business_id = $1 AND "        \
  "t.customer_id = c.id AND t.tag = CAST($4 AS TEXT)))"                                                         \
  " AND (CAST($5 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM customer_consents k WHERE k.business_id = $1 AND "  \
  "k.customer_id = c.id AND k.channel = CAST($5 AS BIGINT) AND k.granted = 1))"                                 \
  " AND (CAST($6 AS BIGINT) IS NULL OR COALESCE((SELECT a.tier_index FROM loyalty_accounts a WHERE "              \
  "a.business_id = $1 AND a.customer_id = c.id), 0) BETWEEN CAST($6 AS BIGINT) AND CAST($7 AS BIGINT))"          \
  " AND (CAST($8 AS BIGINT) IS NULL OR c.visit_count >= CAST($8 AS BIGINT))"                                     \
  " AND (CAST($9 AS BIGINT) IS NULL OR c.visit_count <= CAST($9 AS BIGINT))"                                     \
  " AND (CAST($10 AS BIGINT) IS NULL OR c.total_spend >= CAST($10 AS BIGINT))"                                   \
  " AND (CAST($11 AS BIGINT) IS NULL OR c.total_spend <= CAST($11 AS BIGINT))"                                   \
  " AND (CAST($15 AS BIGINT) IS NULL OR (CASE WHEN c.visit_count <= 0 OR c.last_visit_at IS NULL THEN 1 "        \
  "WHEN c.last_visit_at < CAST($12 AS BIGINT) THEN 5 WHEN c.visits_last_year >= CAST($13 AS BIGINT) THEN 4 "      \
  "WHEN c.visits_last_year >= CAST($14 AS BIGINT) THEN 3 ELSE 2 END) = CAST($15 AS BIGINT))"                     \
  " AND (CAST($16 AS BIGINT) IS NULL OR c.last_visit_at < CAST($16 AS BIGINT))"                                  \
  " AND (CAST($17 AS BIGINT) IS NULL OR c.last_visit_at >= CAST($17 AS BIGINT))"                                  \
  SEARCH_CONDITION

// The search box ($18: a LookupKind or NULL, $19: its value, $20: the end of a prefix range), as
// the counter lookup searches.
#define SEARCH_CONDITION                                                                                      \
  " AND (CAST($18 AS BIGINT) IS NULL OR (CAST($18 AS BIGINT) = 1 AND c.phone_last4 = CAST($19 AS TEXT))"        \
  " OR (CAST($18 AS BIGINT) = 2 AND c.phone_e164 = CAST($19 AS TEXT) AND c.phone_e164 <> '')"                   \
  " OR (CAST($18 AS BIGINT) = 3 AND c.name_key >= CAST($19 AS TEXT) AND c.name_key < CAST($20 AS TEXT))"       \
  " OR (CAST($18 AS BIGINT) = 4 AND c.initials >= CAST($19 AS TEXT) AND c.initials < CAST($20 AS TEXT)))"

constexpr Statement kListFiltered{"customer.list_filtered",
                                  "SELECT " CUSTOMER_COLUMNS " FROM customers c WHERE c.business_id = $1 AND c.id > $2 "
                                  "AND c.merged_into IS NULL AND c.erased_at IS NULL"
                                  FILTER_CONDITIONS " ORDER BY c.id LIMIT $3"};
// The loyalty standing of row c, 0 without an account.
#define ACCOUNT_VALUE(column)                                                                       \
  "COALESCE((SELECT a." column " FROM loyalty_accounts a WHERE a.business_id = $1 AND a.customer_id = c.id), 0)"
// The sort key ($22: a CustomerSort) times the direction ($21: 1 or -1); the stage is the CASE of
// FILTER_CONDITIONS, so its order is the LifecycleStage values'.
#define SORT_KEY                                                                                              \
  "(CASE CAST($22 AS BIGINT) WHEN 1 THEN COALESCE(c.last_visit_at, 0) WHEN 2 THEN c.visit_count "               \
  "WHEN 3 THEN c.total_spend WHEN 4 THEN " ACCOUNT_VALUE("balance") " WHEN 5 THEN " ACCOUNT_VALUE("tier_index")  \
  " WHEN 6 THEN (CASE WHEN c.visit_count <= 0 OR c.last_visit_at IS NULL THEN 1 "                               \
  "WHEN c.last_visit_at < CAST($12 AS BIGINT) THEN 5 WHEN c.visits_last_year >= CAST($13 AS BIGINT) THEN 4 "      \
  "WHEN c.visits_last_year >= CAST($14 AS BIGINT) THEN 3 ELSE 2 END) ELSE c.id END) * CAST($21 AS BIGINT)"
// $2 is the offset here. The window count is the number of matches before LIMIT and OFFSET.
constexpr Statement kSortedPage{"customer.sorted_page",
                                "SELECT " CUSTOMER_COLUMNS ", " ACCOUNT_VALUE("balance") ", "
                                ACCOUNT_VALUE("tier_index") ", COUNT(*) OVER () FROM customers c "
                                "WHERE c.business_id = $1 AND c.merged_into IS NULL AND c.erased_at IS NULL"
                                FILTER_CONDITIONS " ORDER BY " SORT_KEY ", c.id * CAST($21 AS BIGINT) "
                                "LIMIT $3 OFFSET $2"};
constexpr Statement kAddTag{"customer.tag_add",
                            "INSERT INTO customer_tags (business_id, customer_id, tag) SELECT business_id, id, CAST($3 AS TEXT) "
                            "FROM customers WHERE business_id = $1 AND id = $2 AND merged_into IS NULL "
                            "AND erased_at IS NULL ON CONFLICT DO NOTHING RETURNING customer_id"};
// A merged profile (merged_into set) and an erased one (erased_at set) keep their rows but are no
// customers any more: every query here skips them. The lookups need no such term: their phones and
// search keys are empty.
constexpr Statement kExists{"customer.exists",
                            "SELECT id FROM customers WHERE business_id = $1 AND id = $2 AND merged_into IS NULL "
                            "AND erased_at IS NULL"};
constexpr Statement kLock{"customer.lock",
                          "SELECT id FROM customers WHERE business_id = $1 AND id = $2 AND merged_into IS NULL "
                          "AND erased_at IS NULL",
                          "SELECT id FROM customers WHERE business_id = $1 AND id = $2 AND merged_into IS NULL "
                          "AND erased_at IS NULL FOR UPDATE"};
constexpr Statement kCount{"customer.count",
                           "SELECT COUNT(*) FROM customers WHERE business_id = $1 AND merged_into IS NULL "
                           "AND erased_at IS NULL"};
constexpr Statement kSaveStats{
    "customer.save_stats",
    "UPDATE customers SET visit_count = $3, visits_last_year = $4, total_spend = $5, first_visit_at = $6, "
    "last_visit_at = $7, updated_at = $8 WHERE business_id = $1 AND id = $2"};

constexpr Statement kDeleteTags{"customer.tags_delete",
                                "DELETE FROM customer_tags WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kInsertTag{"customer.tags_insert",
                               "INSERT INTO customer_tags (business_id, customer_id, tag) VALUES ($1, $2, $3) "
                               "ON CONFLICT DO NOTHING"};
constexpr Statement kSelectTags{"customer.tags",
                                "SELECT tag FROM customer_tags WHERE business_id = $1 AND customer_id = $2 ORDER BY tag"};
constexpr Statement kSelectTagsInRange{
    "customer.tags_range",
    "SELECT customer_id, tag FROM customer_tags WHERE business_id = $1 AND customer_id >= $2 AND customer_id <= $3 "
    "ORDER BY customer_id, tag"};
constexpr Statement kDeleteAnniversaries{
    "customer.anniversaries_delete", "DELETE FROM customer_anniversaries WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kInsertAnniversary{
    "customer.anniversaries_insert",
    "INSERT INTO customer_anniversaries (business_id, customer_id, position, label, date) VALUES ($1, $2, $3, $4, $5)"};
constexpr Statement kSelectAnniversaries{
    "customer.anniversaries",
    "SELECT label, date FROM customer_anniversaries WHERE business_id = $1 AND customer_id = $2 ORDER BY position"};
constexpr Statement kUpsertConsent{
    "customer.consent_upsert",
    "INSERT INTO customer_consents (business_id, customer_id, channel, granted, at, source) VALUES ($1, $2, $3, $4, "
    "$5, $6) ON CONFLICT (business_id, customer_id, channel) DO UPDATE SET granted = excluded.granted, at = "
    "excluded.at, source = excluded.source"};
constexpr Statement kSelectConsents{
    "customer.consents",
    "SELECT channel, granted, at, source FROM customer_consents WHERE business_id = $1 AND customer_id = $2 "
    "ORDER BY channel"};
constexpr Statement kInsertPreference{
    "preference.insert",
    "INSERT INTO preferences (business_id, customer_id, kind, subject, created_by, created_at) VALUES ($1, $2, $3, "
    "$4, $5, $6) RETURNING id"};
constexpr Statement kDeletePreference{
    "preference.delete",
    "DELETE FROM preferences WHERE business_id = $1 AND customer_id = $2 AND id = $3 RETURNING id"};
// The alerts (allergy 3, never 4) of a list of customers given as a JSON array of ids. On
// PostgreSQL the ids go in as an array (= ANY), which the planner answers from the
// (business_id, customer_id) index; as an IN over a set-returning function its generic plan
// scanned every preference of the business.
constexpr Statement kSelectAlerts{
    "preference.alerts",
    "SELECT customer_id, id, kind, subject FROM preferences WHERE business_id = $1 AND kind IN (3, 4) AND "
    "customer_id IN (SELECT value FROM json_each($2)) ORDER BY customer_id, id",
    "SELECT customer_id, id, kind, subject FROM preferences WHERE business_id = $1 AND kind IN (3, 4) AND "
    "customer_id = ANY(ARRAY(SELECT json_array_elements_text(CAST($2 AS json))::bigint)) ORDER BY customer_id, id"};
constexpr Statement kSelectNames{
    "customer.names",
    "SELECT id, name FROM customers WHERE business_id = $1 AND id IN (SELECT value FROM json_each($2)) ORDER BY id",
    "SELECT id, name FROM customers WHERE business_id = $1 AND "
    "id = ANY(ARRAY(SELECT json_array_elements_text(CAST($2 AS json))::bigint)) ORDER BY id"};
// Allergy (3) and never (4) first, then in the order they were recorded.
constexpr Statement kSelectPreferences{
    "preference.list",
    "SELECT id, kind, subject, created_by, created_at FROM preferences WHERE business_id = $1 AND customer_id = $2 "
    "ORDER BY CASE WHEN kind IN (3, 4) THEN 0 ELSE 1 END, id"};

// The greatest code point in UTF-8: appended to a prefix it bounds every string that starts with it.
constexpr const char* kPrefixEnd = "\xF4\x8F\xBF\xBF";

domain::Customer CustomerFromRow(const Row& row) {
  domain::Customer customer;
  customer.id = CustomerId(row.GetInt(0));
  customer.business_id = BusinessId(row.GetInt(1));
  customer.name = row.GetText(2);
  customer.family_name = row.GetText(3);
  customer.given_name = row.GetText(4);
  customer.phone_e164 = row.GetText(5);
  customer.email = row.GetText(6);
  if (!row.IsNull(7)) {
    auto date = Date::Parse(row.GetText(7));
    if (date.ok()) {
      customer.birthday = domain::Birthday{*date, static_cast<domain::CalendarType>(row.GetInt(8)), row.GetInt(9) != 0};
    }
  }
  customer.gender = static_cast<domain::Gender>(row.GetInt(10));
  customer.source = static_cast<domain::SourceChannel>(row.GetInt(11));
  if (auto referrer = row.GetOptionalInt(12)) customer.referrer_id = CustomerId(*referrer);
  customer.address = row.GetText(13);
  customer.stats.visit_count = row.GetInt(14);
  customer.stats.visits_last_year = row.GetInt(15);
  customer.stats.total_spend = Money(row.GetInt(16));
  if (auto first = row.GetOptionalInt(17)) customer.stats.first_visit_at = Timestamp::FromMicros(*first);
  if (auto last = row.GetOptionalInt(18)) customer.stats.last_visit_at = Timestamp::FromMicros(*last);
  customer.created_at = Timestamp::FromMicros(row.GetInt(19));
  customer.updated_at = Timestamp::FromMicros(row.GetInt(20));
  return customer;
}

domain::Customer LookupSummaryFromRow(const Row& row) {
  domain::Customer customer;
  customer.id = CustomerId(row.GetInt(0));
  customer.business_id = BusinessId(row.GetInt(1));
  customer.name = row.GetText(2);
  customer.phone_e164 = row.GetText(3);
  customer.stats.visit_count = row.GetInt(4);
  customer.stats.visits_last_year = row.GetInt(5);
  if (auto last = row.GetOptionalInt(6)) customer.stats.last_visit_at = Timestamp::FromMicros(*last);
  return customer;
}

// The columns shared by insert and update, from $offset on: name .. address.
std::vector<SqlValue> ProfileValues(const domain::Customer& customer) {
  const std::string last4 =
      customer.phone_e164.size() >= 4 ? customer.phone_e164.substr(customer.phone_e164.size() - 4) : "";
  return {Text(customer.name),
          Text(customer.family_name),
          Text(customer.given_name),
          Text(domain::NameSearchKey(customer.name)),
          Text(domain::NameSearchKey(customer.given_name)),
          Text(domain::InitialConsonantKey(customer.name)),
          Text(customer.phone_e164),
          Text(last4),
          Text(customer.email),
          customer.birthday ? Text(customer.birthday->date.ToString()) : Null(),
          Int(customer.birthday ? static_cast<int>(customer.birthday->calendar) : 1),
          Int(customer.birthday && customer.birthday->leap_month ? 1 : 0),
          Int(static_cast<int>(customer.gender)),
          Int(static_cast<int>(customer.source)),
          customer.referrer_id ? Int(customer.referrer_id->value()) : Null(),
          Text(customer.address)};
}

Status PhoneConflict(const Status& status) {
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("another customer already has this phone number", "phone").WithReason("phone_taken");
  }
  if (status.code() == StatusCode::kFailedPrecondition) {
    return FailedPrecondition("referrer is not a customer of this business", "referrer_id")
        .WithReason("referrer_not_found");
  }
  return status;
}

Result<std::vector<domain::Customer>> Summaries(Result<std::vector<Row>> rows,
                                                domain::Customer (*from_row)(const Row&) = CustomerFromRow) {
  if (!rows.ok()) return rows.status();
  std::vector<domain::Customer> customers;
  customers.reserve(rows->size());
  for (const Row& row : *rows) customers.push_back(from_row(row));
  return customers;
}

}  // namespace

std::vector<SqlValue> CustomerProfileValues(const domain::Customer& customer) { return ProfileValues(customer); }

Result<CustomerId> CustomerRepository::Insert(const domain::Customer& customer) {
  std::vector<SqlValue> params{Int(customer.business_id.value())};
  for (SqlValue& value : ProfileValues(customer)) params.push_back(std::move(value));
  params.push_back(Int(customer.created_at.micros()));
  auto rows = connection_.Query(kInsert, params);
  if (!rows.ok()) return PhoneConflict(rows.status());
  domain::Customer stored = customer;
  stored.id = CustomerId(rows->at(0).GetInt(0));
  CRM_RETURN_IF_ERROR(SaveChildren(stored));
  return stored.id;
}

Status CustomerRepository::Update(const domain::Customer& customer) {
  std::vector<SqlValue> params{Int(customer.business_id.value()), Int(customer.id.value())};
  for (SqlValue& value : ProfileValues(customer)) params.push_back(std::move(value));
  params.push_back(Int(customer.updated_at.micros()));
  auto rows = connection_.Query(kUpdate, params);
  if (!rows.ok()) return PhoneConflict(rows.status());
  if (rows->empty()) return NotFound("customer not found");
  CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteTags, {Int(customer.business_id.value()), Int(customer.id.value())}));
  CRM_RETURN_IF_ERROR(
      connection_.Execute(kDeleteAnniversaries, {Int(customer.business_id.value()), Int(customer.id.value())}));
  return SaveChildren(customer);
}

Status CustomerRepository::SaveChildren(const domain::Customer& customer) {
  const SqlValue business = Int(customer.business_id.value());
  const SqlValue id = Int(customer.id.value());
  for (const std::string& tag : customer.tags) {
    CRM_RETURN_IF_ERROR(connection_.Execute(kInsertTag, {business, id, Text(tag)}));
  }
  for (size_t i = 0; i < customer.anniversaries.size(); ++i) {
    const domain::Anniversary& anniversary = customer.anniversaries[i];
    CRM_RETURN_IF_ERROR(connection_.Execute(kInsertAnniversary, {business, id, Int(static_cast<int64_t>(i)),
                                                                 Text(anniversary.label),
                                                                 Text(anniversary.date.ToString())}));
  }
  for (const domain::Consent& consent : customer.consents) {
    CRM_RETURN_IF_ERROR(connection_.Execute(
        kUpsertConsent, {business, id, Int(static_cast<int>(consent.channel)), Int(consent.granted ? 1 : 0),
                         Int(consent.at.micros()), Text(consent.source)}));
  }
  return Status::Ok();
}

Result<domain::Customer> CustomerRepository::Get(BusinessId business, CustomerId id) {
  const std::vector<SqlValue> key{Int(business.value()), Int(id.value())};
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelect, key));
  if (rows.empty()) return NotFound("customer not found");
  domain::Customer customer = CustomerFromRow(rows[0]);
  CRM_ASSIGN_OR_RETURN(auto tags, connection_.Query(kSelectTags, key));
  for (const Row& row : tags) customer.tags.push_back(row.GetText(0));
  CRM_ASSIGN_OR_RETURN(auto anniversaries, connection_.Query(kSelectAnniversaries, key));
  for (const Row& row : anniversaries) {
    auto date = Date::Parse(row.GetText(1));
    if (date.ok()) customer.anniversaries.push_back({row.GetText(0), *date});
  }
  CRM_ASSIGN_OR_RETURN(auto consents, connection_.Query(kSelectConsents, key));
  for (const Row& row : consents) {
    customer.consents.push_back({static_cast<domain::ConsentChannel>(row.GetInt(0)), row.GetInt(1) != 0,
                                 Timestamp::FromMicros(row.GetInt(2)), row.GetText(3)});
  }
  CRM_ASSIGN_OR_RETURN(auto preferences, connection_.Query(kSelectPreferences, key));
  for (const Row& row : preferences) {
    domain::Preference preference;
    preference.id = PreferenceId(row.GetInt(0));
    preference.kind = static_cast<domain::PreferenceKind>(row.GetInt(1));
    preference.subject = row.GetText(2);
    preference.created_by = StaffId(row.GetInt(3));
    preference.created_at = Timestamp::FromMicros(row.GetInt(4));
    customer.preferences.push_back(std::move(preference));
  }
  return customer;
}

Result<std::optional<CustomerId>> CustomerRepository::FindByPhone(BusinessId business, const std::string& e164) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kByPhone, {Int(business.value()), Text(e164)}));
  if (rows.empty()) return std::optional<CustomerId>();
  return std::optional<CustomerId>(CustomerId(rows[0].GetInt(0)));
}

Result<std::vector<domain::Customer>> CustomerRepository::Lookup(BusinessId business, const LookupQuery& query) {
  const SqlValue id = Int(business.value());
  const SqlValue limit = Int(std::clamp(query.limit, 1, 100));
  switch (query.kind) {
    case LookupKind::kLast4:
      return Summaries(connection_.Query(kByLast4, {id, Text(query.value), limit}), LookupSummaryFromRow);
    case LookupKind::kPhone:
      return Summaries(connection_.Query(kByPhoneFull, {id, Text(query.value), limit}), LookupSummaryFromRow);
    case LookupKind::kNamePrefix:
      return Summaries(connection_.Query(kByNamePrefix, {id, Text(query.value), Text(query.value + kPrefixEnd), limit}), LookupSummaryFromRow);
    case LookupKind::kInitialsPrefix:
      return Summaries(connection_.Query(kByInitials, {id, Text(query.value), Text(query.value + kPrefixEnd), limit}), LookupSummaryFromRow);
  }
  return InvalidArgument("unknown lookup kind");
}

Result<LookupHits> CustomerRowRepository::LookupWithAlerts(BusinessId business, const LookupQuery& query) {
  LookupHits hits;
  if (connection_.dialect() != Dialect::kPostgres) {
    CustomerRepository customers(connection_);
    CRM_ASSIGN_OR_RETURN(hits.customers, customers.Lookup(business, query));
    std::vector<CustomerId> ids;
    for (const domain::Customer& customer : hits.customers) ids.push_back(customer.id);
    CRM_ASSIGN_OR_RETURN(hits.alerts, customers.Alerts(business, ids));
    return hits;
  }
  const SqlValue id = Int(business.value());
  const SqlValue limit = Int(std::clamp(query.limit, 1, 100));
  Result<std::vector<Row>> rows = InvalidArgument("unknown lookup kind");
  switch (query.kind) {
    case LookupKind::kLast4:
      rows = connection_.Query(kByLast4WithAlerts, {id, Text(query.value), limit});
      break;
    case LookupKind::kPhone:
      rows = connection_.Query(kByPhoneFullWithAlerts, {id, Text(query.value), limit});
      break;
    case LookupKind::kNamePrefix:
      rows = connection_.Query(kByNamePrefixWithAlerts,
                               {id, Text(query.value), Text(query.value + kPrefixEnd), limit});
      break;
    case LookupKind::kInitialsPrefix:
      rows = connection_.Query(kByInitialsWithAlerts,
                               {id, Text(query.value), Text(query.value + kPrefixEnd), limit});
      break;
  }
  if (!rows.ok()) return rows.status();
  for (const Row& row : *rows) {
    hits.customers.push_back(LookupSummaryFromRow(row));
    if (row.IsNull(7)) continue;
    const nlohmann::json alerts = nlohmann::json::parse(row.GetText(7), nullptr, /*allow_exceptions=*/false);
    if (!alerts.is_array()) return Internal("lookup: alerts are not a JSON array");
    for (const nlohmann::json& alert : alerts) {
      if (!alert.is_array() || alert.size() != 3 || !alert[0].is_number_integer() || !alert[1].is_number_integer() ||
          !alert[2].is_string()) {
        return Internal("lookup: an alert is not [id, kind, subject]");
      }
      domain::Preference preference;
      preference.id = PreferenceId(alert[0].get<int64_t>());
      preference.kind = static_cast<domain::PreferenceKind>(alert[1].get<int64_t>());
      preference.subject = alert[2].get<std::string>();
      hits.alerts.emplace_back(hits.customers.back().id, std::move(preference));
    }
  }
  return hits;
}

Result<domain::Customer> CustomerRowRepository::LockAndGetRow(BusinessId business, CustomerId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectForUpdate, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("customer not found");
  return CustomerFromRow(rows[0]);
}

bool CustomerFilter::HasConditions() const {
  return tag || consent || tier_min || tier_max || stage || visits_min || visits_max || spend_min || spend_max ||
         last_visit_before || last_visit_after || search;
}

namespace {

SqlValue OptionalTime(const std::optional<Timestamp>& time) {
  return time ? SqlValue(time->micros()) : SqlValue(nullptr);
}

// The parameters of kListFiltered.
std::vector<SqlValue> FilterParams(BusinessId business, const CustomerFilter& filter, SqlValue after, SqlValue limit) {
  const domain::StageRules rules;
  const bool tier = filter.tier_min || filter.tier_max;
  return {Int(business.value()),
          std::move(after),
          std::move(limit),
          filter.tag ? Text(*filter.tag) : Null(),
          filter.consent ? Int(static_cast<int64_t>(*filter.consent)) : Null(),
          tier ? Int(filter.tier_min.value_or(0)) : Null(),
          Int(filter.tier_max.value_or(std::numeric_limits<int64_t>::max())),
          OptionalInt(filter.visits_min),
          OptionalInt(filter.visits_max),
          OptionalInt(filter.spend_min),
          OptionalInt(filter.spend_max),
          Int((filter.as_of.seconds() - rules.lapsed_after_days * 86400) * 1'000'000),
          Int(rules.loyal_visits_per_year),
          Int(rules.regular_visits_per_year),
          filter.stage ? Int(static_cast<int64_t>(*filter.stage)) : Null(),
          OptionalTime(filter.last_visit_before),
          OptionalTime(filter.last_visit_after),
          filter.search ? Int(static_cast<int64_t>(filter.search->kind)) : Null(),
          filter.search ? Text(filter.search->value) : Null(),
          filter.search ? Text(filter.search->value + kPrefixEnd) : Null()};
}

}  // namespace

Result<std::vector<domain::Customer>> CustomerRepository::List(BusinessId business, const CustomerFilter& filter) {
  SqlValue after = Int(filter.after ? filter.after->value() : 0);
  SqlValue limit = Int(std::clamp(filter.limit, 1, 5000));
  auto page = filter.HasConditions()
                  ? Summaries(connection_.Query(kListFiltered, FilterParams(business, filter, after, limit)))
                  : Summaries(connection_.Query(kList, {Int(business.value()), after, limit}));
  if (!page.ok() || page->empty()) return page;
  // Pages are in id order, so the tags of a page are one range scan of the tag index.
  CRM_ASSIGN_OR_RETURN(auto tags, connection_.Query(kSelectTagsInRange, {Int(business.value()),
                                                                         Int(page->front().id.value()),
                                                                         Int(page->back().id.value())}));
  size_t next = 0;
  for (const Row& row : tags) {
    const CustomerId owner(row.GetInt(0));
    while (next < page->size() && (*page)[next].id < owner) ++next;
    if (next < page->size() && (*page)[next].id == owner) (*page)[next].tags.push_back(row.GetText(1));
  }
  return page;
}

Result<CustomerListPage> CustomerRepository::SortedPage(BusinessId business, const CustomerFilter& filter,
                                                       CustomerSort sort, SortDirection direction, int64_t offset) {
  std::vector<SqlValue> params = FilterParams(business, filter, Int(std::max<int64_t>(offset, 0)),
                                              Int(std::clamp(filter.limit, 1, 5000)));
  params.push_back(Int(static_cast<int64_t>(direction)));
  params.push_back(Int(static_cast<int64_t>(sort)));
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSortedPage, params));
  CustomerListPage page;
  if (rows.empty() && offset > 0) {
    // Past the end: the window count comes with rows only, so ask for the first one.
    params[1] = Int(0);
    params[2] = Int(1);
    CRM_ASSIGN_OR_RETURN(auto first, connection_.Query(kSortedPage, params));
    if (!first.empty()) page.total = first.front().GetInt(23);
    return page;
  }
  int64_t low = std::numeric_limits<int64_t>::max();
  int64_t high = 0;
  std::unordered_map<int64_t, size_t> position;
  for (const Row& row : rows) {
    CustomerListRow item{CustomerFromRow(row), row.GetInt(21), row.GetInt(22)};
    page.total = row.GetInt(23);
    low = std::min(low, item.customer.id.value());
    high = std::max(high, item.customer.id.value());
    position[item.customer.id.value()] = page.rows.size();
    page.rows.push_back(std::move(item));
  }
  if (page.rows.empty()) return page;
  CRM_ASSIGN_OR_RETURN(auto tags, connection_.Query(kSelectTagsInRange, {Int(business.value()), Int(low), Int(high)}));
  for (const Row& row : tags) {
    auto found = position.find(row.GetInt(0));
    if (found != position.end()) page.rows[found->second].customer.tags.push_back(row.GetText(1));
  }
  return page;
}

Result<int64_t> CustomerRepository::AddTag(BusinessId business, const std::vector<CustomerId>& ids,
                                           const std::string& tag) {
  int64_t added = 0;
  for (CustomerId id : ids) {
    CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kAddTag, {Int(business.value()), Int(id.value()), Text(tag)}));
    added += static_cast<int64_t>(rows.size());
  }
  return added;
}

namespace {

// A JSON array of the ids, the one parameter of kSelectNames.
std::string IdArray(const std::vector<CustomerId>& ids) {
  std::string id_list = "[";
  for (CustomerId id : ids) {
    if (id_list.size() > 1) id_list += ',';
    id_list += std::to_string(id.value());
  }
  return id_list + ']';
}

}  // namespace

Result<std::vector<std::pair<CustomerId, std::string>>> CustomerRepository::Names(BusinessId business,
                                                                                  const std::vector<CustomerId>& ids) {
  std::vector<std::pair<CustomerId, std::string>> names;
  if (ids.empty()) return names;
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectNames, {Int(business.value()), Text(IdArray(ids))}));
  for (const Row& row : rows) names.emplace_back(CustomerId(row.GetInt(0)), row.GetText(1));
  return names;
}

Result<std::vector<std::pair<CustomerId, domain::Preference>>> CustomerRepository::Alerts(
    BusinessId business, const std::vector<CustomerId>& ids) {
  std::vector<std::pair<CustomerId, domain::Preference>> alerts;
  if (ids.empty()) return alerts;
  std::string id_list = "[";
  for (CustomerId id : ids) {
    if (id_list.size() > 1) id_list += ',';
    id_list += std::to_string(id.value());
  }
  id_list += ']';
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectAlerts, {Int(business.value()), Text(id_list)}));
  for (const Row& row : rows) {
    domain::Preference preference;
    preference.id = PreferenceId(row.GetInt(1));
    preference.kind = static_cast<domain::PreferenceKind>(row.GetInt(2));
    preference.subject = row.GetText(3);
    alerts.emplace_back(CustomerId(row.GetInt(0)), std::move(preference));
  }
  return alerts;
}

Result<bool> CustomerRepository::Exists(BusinessId business, CustomerId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kExists, {Int(business.value()), Int(id.value())}));
  return !rows.empty();
}

Status CustomerRepository::LockForUpdate(BusinessId business, CustomerId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kLock, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("customer not found");
  return Status::Ok();
}

Status CustomerRepository::SaveStats(BusinessId business, CustomerId id, const domain::VisitStats& stats,
                                     Timestamp updated_at) {
  return connection_.Execute(
      kSaveStats, {Int(business.value()), Int(id.value()), Int(stats.visit_count), Int(stats.visits_last_year),
                   Int(stats.total_spend.minor_units()),
                   stats.first_visit_at ? Int(stats.first_visit_at->micros()) : Null(),
                   stats.last_visit_at ? Int(stats.last_visit_at->micros()) : Null(), Int(updated_at.micros())});
}

Result<PreferenceId> CustomerRepository::AddPreference(BusinessId business, CustomerId customer,
                                                       const domain::Preference& preference) {
  auto rows = connection_.Query(kInsertPreference,
                                {Int(business.value()), Int(customer.value()), Int(static_cast<int>(preference.kind)),
                                 Text(preference.subject),
                                 preference.created_by.valid() ? Int(preference.created_by.value()) : Null(),
                                 Int(preference.created_at.micros())});
  if (!rows.ok() && rows.status().code() == StatusCode::kFailedPrecondition) return NotFound("customer not found");
  if (!rows.ok()) return rows.status();
  return PreferenceId(rows->at(0).GetInt(0));
}

Status CustomerRepository::DeletePreference(BusinessId business, CustomerId customer, PreferenceId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kDeletePreference, {Int(business.value()), Int(customer.value()),
                                                                         Int(id.value())}));
  if (rows.empty()) return NotFound("preference not found");
  return Status::Ok();
}

Result<int64_t> CustomerRepository::Count(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCount, {Int(business.value())}));
  return rows.at(0).GetInt(0);
}

}  // namespace crm::store
