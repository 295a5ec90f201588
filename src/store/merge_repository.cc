#include "store/merge_repository.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace crm::store {
namespace {

using Json = nlohmann::json;

#define CUSTOMER_ROW_COLUMNS                                                                                     \
  "id, business_id, name, family_name, given_name, name_key, given_key, initials, phone_e164, phone_last4, "     \
  "email, birthday, birthday_calendar, birthday_leap_month, gender, source, referrer_id, address, visit_count, " \
  "visits_last_year, total_spend, first_visit_at, last_visit_at, created_at, updated_at, merged_into"
#define ACCOUNT_COLUMNS \
  "business_id, customer_id, balance, tier_index, tier_reached_at, referral_code, updated_at, tier_qualified_at"
#define REFERRAL_COLUMNS                                                                                       \
  "business_id, customer_id, referrer_id, rewarded_order_id, friend_entry_id, referrer_entry_id, created_at, " \
  "rewarded_at"
#define PREFERENCE_COLUMNS "id, business_id, customer_id, kind, subject, created_by, created_at"
#define GACHA_COLUMNS \
  "id, business_id, customer_id, seed, draw, total_weight, prize_index, prize_label, points, created_at"

// Ids as a JSON array in one bound parameter, so one statement serves any number of rows.
#define IN_IDS_SQLITE(n) "(SELECT value FROM json_each(" n "))"
#define IN_IDS_PG(n) "(SELECT json_array_elements_text(CAST(" n " AS json))::bigint)"

constexpr Statement kCustomerRows{"merge.customer_rows",
                                  "SELECT " CUSTOMER_ROW_COLUMNS
                                  " FROM customers WHERE business_id = $1 AND id IN ($2, $3) ORDER BY id"};
constexpr Statement kTagRows{"merge.tag_rows",
                             "SELECT business_id, customer_id, tag FROM customer_tags WHERE business_id = $1 AND "
                             "customer_id IN ($2, $3) ORDER BY customer_id, tag"};
constexpr Statement kConsentRows{"merge.consent_rows",
                                 "SELECT business_id, customer_id, channel, granted, at, source FROM customer_consents "
                                 "WHERE business_id = $1 AND customer_id IN ($2, $3) ORDER BY customer_id, channel"};
constexpr Statement kAgreementRows{
    "merge.agreement_rows",
    "SELECT business_id, customer_id, item, version, accepted_at, source FROM customer_agreements WHERE "
    "business_id = $1 AND customer_id IN ($2, $3) ORDER BY customer_id, item, version"};
constexpr Statement kAnniversaryRows{
    "merge.anniversary_rows",
    "SELECT business_id, customer_id, position, label, date FROM customer_anniversaries WHERE business_id = $1 AND "
    "customer_id IN ($2, $3) ORDER BY customer_id, position"};
constexpr Statement kAccountRows{"merge.account_rows", "SELECT " ACCOUNT_COLUMNS
                                                       " FROM loyalty_accounts WHERE business_id = $1 AND "
                                                       "customer_id IN ($2, $3) ORDER BY customer_id"};
constexpr Statement kReferralRows{"merge.referral_rows",
                                  "SELECT " REFERRAL_COLUMNS
                                  " FROM referrals WHERE business_id = $1 AND (customer_id IN ($2, $3) OR "
                                  "referrer_id IN ($2, $3)) ORDER BY customer_id"};
constexpr Statement kLastOrderId{"merge.last_order_id",
                                 "SELECT COALESCE(MAX(id), 0) FROM orders WHERE business_id = $1"};
constexpr Statement kLastLedgerId{"merge.last_ledger_id",
                                  "SELECT COALESCE(MAX(id), 0) FROM ledger_entries WHERE business_id = $1"};
constexpr Statement kOrderCount{"merge.order_count",
                                "SELECT COUNT(*) FROM orders WHERE business_id = $1 AND customer_id = $2"};

// Moves: each returns the ids it moved.
constexpr Statement kMoveOrders{"merge.move_orders",
                                "UPDATE orders SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 "
                                "RETURNING id"};
constexpr Statement kMoveLedger{
    "merge.move_ledger",
    "UPDATE ledger_entries SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 "
    "RETURNING id"};
constexpr Statement kMoveTierChanges{
    "merge.move_tier_changes",
    "UPDATE tier_changes SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 RETURNING id"};
constexpr Statement kMoveCounts{
    "merge.move_counts",
    "UPDATE loyalty_counts SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 RETURNING id"};
constexpr Statement kMoveCoupons{"merge.move_coupons",
                                 "UPDATE coupons SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 "
                                 "RETURNING id"};
constexpr Statement kMoveNotes{"merge.move_notes",
                               "UPDATE notes SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 "
                               "RETURNING id"};
constexpr Statement kMoveProspects{"merge.move_prospects",
                                   "UPDATE prospects SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 "
                                   "RETURNING id"};
constexpr Statement kMoveReferred{"merge.move_referred",
                                  "UPDATE customers SET referrer_id = $2 WHERE business_id = $1 AND referrer_id = $3 "
                                  "AND id <> $2 RETURNING id"};
constexpr Statement kClearSelfReferrer{
    "merge.clear_self_referrer",
    "UPDATE customers SET referrer_id = NULL WHERE business_id = $1 AND id = $2 AND referrer_id = $3"};
constexpr Statement kExternalIds{"merge.external_ids",
                                 "SELECT source, external_id FROM customer_external_ids WHERE business_id = $1 AND "
                                 "customer_id = $2 ORDER BY source, external_id"};
constexpr Statement kMoveExternalIds{
    "merge.move_external_ids",
    "UPDATE customer_external_ids SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3"};
// A preference of the merged profile that the survivor has too (same kind and subject) is a duplicate.
constexpr Statement kDuplicatePreferences{
    "merge.duplicate_preferences",
    "SELECT " PREFERENCE_COLUMNS
    " FROM preferences p WHERE business_id = $1 AND customer_id = $3 AND EXISTS "
    "(SELECT 1 FROM preferences q WHERE q.business_id = $1 AND q.customer_id = $2 AND q.kind = p.kind AND "
    "q.subject = p.subject) ORDER BY id"};
constexpr Statement kDeletePreference{"merge.delete_preference",
                                      "DELETE FROM preferences WHERE business_id = $1 AND id = $2"};
constexpr Statement kMovePreferences{
    "merge.move_preferences",
    "UPDATE preferences SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 RETURNING id"};
constexpr Statement kGachaRows{"merge.gacha_rows",
                               "SELECT " GACHA_COLUMNS " FROM gacha_draws WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kDeleteGacha{"merge.delete_gacha", "DELETE FROM gacha_draws WHERE business_id = $1 AND id = $2"};
constexpr Statement kMoveGacha{"merge.move_gacha",
                               "UPDATE gacha_draws SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3 "
                               "RETURNING id"};
constexpr Statement kReferralOf{"merge.referral_of",
                                "SELECT referrer_id FROM referrals WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kDeleteReferral{"merge.delete_referral",
                                    "DELETE FROM referrals WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kMoveReferralCustomer{
    "merge.move_referral_customer",
    "UPDATE referrals SET customer_id = $2 WHERE business_id = $1 AND customer_id = $3"};
constexpr Statement kMoveReferralReferrer{
    "merge.move_referral_referrer",
    "UPDATE referrals SET referrer_id = $2 WHERE business_id = $1 AND referrer_id = $3"};
constexpr Statement kMoveAccount{
    "merge.move_account", "UPDATE loyalty_accounts SET customer_id = $3 WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kDeleteAccount{"merge.delete_account",
                                   "DELETE FROM loyalty_accounts WHERE business_id = $1 AND customer_id = $2"};
// The merged profile's row stays (its id is never reused) with no personal data and no statistics.
constexpr Statement kRetireCustomer{
    "merge.retire_customer",
    "UPDATE customers SET merged_into = $3, name = '', family_name = '', given_name = '', name_key = '', "
    "given_key = '', initials = '', phone_e164 = '', phone_last4 = '', email = '', birthday = NULL, "
    "birthday_calendar = 1, birthday_leap_month = 0, gender = 0, referrer_id = NULL, address = '', visit_count = 0, "
    "visits_last_year = 0, total_spend = 0, first_visit_at = NULL, last_visit_at = NULL, updated_at = $4 "
    "WHERE business_id = $1 AND id = $2 AND merged_into IS NULL RETURNING id"};

// Undo.
constexpr Statement kRefundsOfMoved{"merge.refunds_of_moved",
                                    "SELECT COUNT(*) FROM orders WHERE business_id = $1 AND customer_id = $2 AND id > "
                                    "$4 AND original_order_id IN " IN_IDS_SQLITE("$3"),
                                    "SELECT COUNT(*) FROM orders WHERE business_id = $1 AND customer_id = $2 AND id > "
                                    "$4 AND original_order_id IN " IN_IDS_PG("$3")};
constexpr Statement kEntriesOnMoved{
    "merge.entries_on_moved",
    "SELECT COUNT(*) FROM ledger_entries WHERE business_id = $1 AND customer_id = $2 AND id > $5 AND (order_id "
    "IN " IN_IDS_SQLITE("$3") " OR related_id IN " IN_IDS_SQLITE("$4") ")",
    "SELECT COUNT(*) FROM ledger_entries WHERE business_id = $1 AND customer_id = $2 AND id > $5 AND (order_id "
    "IN " IN_IDS_PG("$3") " OR related_id IN " IN_IDS_PG("$4") ")"};
constexpr Statement kRestoreCustomer{
    "merge.restore_customer",
    "UPDATE customers SET name = $3, family_name = $4, given_name = $5, name_key = $6, given_key = $7, initials = $8, "
    "phone_e164 = $9, phone_last4 = $10, email = $11, birthday = $12, birthday_calendar = $13, "
    "birthday_leap_month = $14, gender = $15, source = $16, referrer_id = $17, address = $18, visit_count = $19, "
    "visits_last_year = $20, total_spend = $21, first_visit_at = $22, last_visit_at = $23, created_at = $24, "
    "updated_at = $25, merged_into = $26 WHERE business_id = $2 AND id = $1"};
constexpr Statement kClearTags{"merge.clear_tags",
                               "DELETE FROM customer_tags WHERE business_id = $1 AND customer_id IN ($2, $3)"};
constexpr Statement kClearConsents{"merge.clear_consents",
                                   "DELETE FROM customer_consents WHERE business_id = $1 AND customer_id IN ($2, $3)"};
constexpr Statement kClearAgreements{
    "merge.clear_agreements", "DELETE FROM customer_agreements WHERE business_id = $1 AND customer_id IN ($2, $3)"};
// The notices the merged profile accepted go to the survivor (the one accepted first is kept when
// both accepted the same version).
constexpr Statement kMoveAgreements{
    "merge.move_agreements",
    "INSERT INTO customer_agreements (business_id, customer_id, item, version, accepted_at, source) "
    "SELECT business_id, CAST($3 AS BIGINT), item, version, accepted_at, source FROM customer_agreements m WHERE "
    "m.business_id = $1 AND m.customer_id = $2 AND NOT EXISTS (SELECT 1 FROM customer_agreements s WHERE "
    "s.business_id = $1 AND s.customer_id = $3 AND s.item = m.item AND s.version = m.version)"};
constexpr Statement kEarlierAgreements{
    "merge.earlier_agreements",
    "UPDATE customer_agreements SET accepted_at = (SELECT m.accepted_at FROM customer_agreements m WHERE "
    "m.business_id = $1 AND m.customer_id = $2 AND m.item = customer_agreements.item AND "
    "m.version = customer_agreements.version), source = (SELECT m.source FROM customer_agreements m WHERE "
    "m.business_id = $1 AND m.customer_id = $2 AND m.item = customer_agreements.item AND "
    "m.version = customer_agreements.version) WHERE business_id = $1 AND customer_id = $3 AND EXISTS "
    "(SELECT 1 FROM customer_agreements m WHERE m.business_id = $1 AND m.customer_id = $2 AND "
    "m.item = customer_agreements.item AND m.version = customer_agreements.version AND "
    "m.accepted_at < customer_agreements.accepted_at)"};
constexpr Statement kInsertAgreement{
    "merge.insert_agreement",
    "INSERT INTO customer_agreements (business_id, customer_id, item, version, accepted_at, source) VALUES ($1, $2, "
    "$3, $4, $5, $6)"};
constexpr Statement kClearAnniversaries{
    "merge.clear_anniversaries",
    "DELETE FROM customer_anniversaries WHERE business_id = $1 AND customer_id IN ($2, $3)"};
constexpr Statement kClearAccounts{"merge.clear_accounts",
                                   "DELETE FROM loyalty_accounts WHERE business_id = $1 AND customer_id IN ($2, $3)"};
constexpr Statement kInsertTag{"merge.insert_tag",
                               "INSERT INTO customer_tags (business_id, customer_id, tag) VALUES ($1, $2, $3)"};
constexpr Statement kInsertConsent{
    "merge.insert_consent",
    "INSERT INTO customer_consents (business_id, customer_id, channel, granted, at, source) VALUES ($1, $2, $3, $4, "
    "$5, $6)"};
constexpr Statement kInsertAnniversary{
    "merge.insert_anniversary",
    "INSERT INTO customer_anniversaries (business_id, customer_id, position, label, date) VALUES ($1, $2, $3, $4, $5)"};
constexpr Statement kInsertAccount{
    "merge.insert_account",
    "INSERT INTO loyalty_accounts (" ACCOUNT_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr Statement kInsertReferral{
    "merge.insert_referral", "INSERT INTO referrals (" REFERRAL_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr Statement kInsertPreference{
    "merge.insert_preference", "INSERT INTO preferences (" PREFERENCE_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7)"};
constexpr Statement kInsertGacha{"merge.insert_gacha", "INSERT INTO gacha_draws (" GACHA_COLUMNS
                                                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};

// Moving back: the rows whose ids the snapshot lists go to the merged profile again.
#define MOVE_BACK(table)                                                                               \
  Statement {                                                                                          \
    "merge.back_" table,                                                                               \
        "UPDATE " table " SET customer_id = $2 WHERE business_id = $1 AND id IN " IN_IDS_SQLITE("$3"), \
        "UPDATE " table " SET customer_id = $2 WHERE business_id = $1 AND id IN " IN_IDS_PG("$3")      \
  }
constexpr Statement kBackOrders = MOVE_BACK("orders");
constexpr Statement kBackLedger = MOVE_BACK("ledger_entries");
constexpr Statement kBackTierChanges = MOVE_BACK("tier_changes");
constexpr Statement kBackCoupons = MOVE_BACK("coupons");
constexpr Statement kBackCounts = MOVE_BACK("loyalty_counts");
constexpr Statement kBackNotes = MOVE_BACK("notes");
constexpr Statement kBackPreferences = MOVE_BACK("preferences");
constexpr Statement kBackGacha = MOVE_BACK("gacha_draws");
constexpr Statement kBackProspects = MOVE_BACK("prospects");
constexpr Statement kBackReferred{
    "merge.back_referred",
    "UPDATE customers SET referrer_id = $2 WHERE business_id = $1 AND id IN " IN_IDS_SQLITE("$3"),
    "UPDATE customers SET referrer_id = $2 WHERE business_id = $1 AND id IN " IN_IDS_PG("$3")};
constexpr Statement kBackExternalId{
    "merge.back_external_id",
    "UPDATE customer_external_ids SET customer_id = $2 WHERE business_id = $1 AND source = $3 AND external_id = $4"};
constexpr Statement kSaleSpan{"merge.sale_span",
                              "SELECT MIN(ordered_at), MAX(ordered_at) FROM orders WHERE business_id = $1 AND "
                              "customer_id = $2 AND kind = 1"};
constexpr Statement kLastTierChange{"merge.last_tier_change",
                                    "SELECT MAX(id) FROM tier_changes WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kDeleteTierChanges{"merge.delete_tier_changes",
                                       "DELETE FROM tier_changes WHERE business_id = $1 AND id IN " IN_IDS_SQLITE("$2"),
                                       "DELETE FROM tier_changes WHERE business_id = $1 AND id IN " IN_IDS_PG("$2")};

constexpr Statement kInsertRecord{
    "merge.insert",
    "INSERT INTO customer_merges (business_id, survivor_id, merged_id, actor_staff_id, actor_token_id, choices, "
    "snapshot, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"};
#define RECORD_COLUMNS \
  "id, business_id, survivor_id, merged_id, actor_staff_id, actor_token_id, choices, created_at, undone_at"
constexpr Statement kGetRecord{"merge.get", "SELECT " RECORD_COLUMNS
                                            ", snapshot FROM customer_merges WHERE "
                                            "business_id = $1 AND id = $2"};
constexpr Statement kListRecords{"merge.list", "SELECT " RECORD_COLUMNS
                                               " FROM customer_merges WHERE business_id = $1 "
                                               "AND id < $2 ORDER BY id DESC LIMIT $3"};
constexpr Statement kActiveMergeOf{"merge.active_of", "SELECT " RECORD_COLUMNS
                                                      " FROM customer_merges WHERE business_id = $1 AND "
                                                      "merged_id = $2 AND undone_at IS NULL ORDER BY id DESC LIMIT 1"};
constexpr Statement kMarkUndone{"merge.mark_undone",
                                "UPDATE customer_merges SET undone_at = $3, undone_by_staff_id = $4, "
                                "undone_by_token_id = $5 WHERE business_id = $1 AND id = $2 AND undone_at IS NULL "
                                "RETURNING id"};
constexpr Statement kDismiss{
    "merge.dismiss",
    "INSERT INTO duplicate_dismissals (business_id, first_id, second_id, dismissed_by_staff_id, dismissed_at) VALUES "
    "($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"};
constexpr Statement kDismissed{"merge.dismissed",
                               "SELECT first_id, second_id FROM duplicate_dismissals WHERE business_id = $1 "
                               "ORDER BY first_id, second_id"};

// Chains of referrals are followed this far at most when looking for a loop.
constexpr int kMaxReferralChain = 10'000;

std::string IdList(const std::vector<int64_t>& ids) {
  std::string list = "[";
  for (int64_t id : ids) {
    if (list.size() > 1) list += ',';
    list += std::to_string(id);
  }
  return list + "]";
}

std::vector<RawRow> RawRows(const std::vector<Row>& rows) {
  std::vector<RawRow> raw;
  raw.reserve(rows.size());
  for (const Row& row : rows) {
    RawRow values;
    for (size_t i = 0; i < row.size(); ++i) values.push_back(row.value(i));
    raw.push_back(std::move(values));
  }
  return raw;
}

std::vector<int64_t> Ids(const std::vector<Row>& rows) {
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const Row& row : rows) ids.push_back(row.GetInt(0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

int64_t IntOf(const SqlValue& value) {
  if (const auto* number = std::get_if<int64_t>(&value)) return *number;
  return 0;
}

// Snapshot text: a versioned JSON document of whole rows (values as JSON null, integer or string)
// and id lists.
Json RowsJson(const std::vector<RawRow>& rows) {
  Json out = Json::array();
  for (const RawRow& row : rows) {
    Json values = Json::array();
    for (const SqlValue& value : row) {
      if (const auto* number = std::get_if<int64_t>(&value)) {
        values.push_back(*number);
      } else if (const auto* text = std::get_if<std::string>(&value)) {
        values.push_back(*text);
      } else {
        values.push_back(nullptr);
      }
    }
    out.push_back(std::move(values));
  }
  return out;
}

std::vector<RawRow> RowsFromJson(const Json& json) {
  std::vector<RawRow> rows;
  for (const Json& values : json) {
    RawRow row(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      const Json& value = values[i];
      if (value.is_number_integer()) {
        row[i].emplace<int64_t>(value.get<int64_t>());
      } else if (value.is_string()) {
        row[i].emplace<std::string>(value.get_ref<const std::string&>());
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string SnapshotText(const MergeSnapshot& s) {
  Json external = Json::array();
  for (const auto& [source, id] : s.external_ids) external.push_back(Json::array({source, id}));
  Json json{{"version", 1},
            {"customers", RowsJson(s.customers)},
            {"tags", RowsJson(s.tags)},
            {"consents", RowsJson(s.consents)},
            {"agreements", RowsJson(s.agreements)},
            {"anniversaries", RowsJson(s.anniversaries)},
            {"accounts", RowsJson(s.accounts)},
            {"referrals", RowsJson(s.referrals)},
            {"deleted_preferences", RowsJson(s.deleted_preferences)},
            {"deleted_gacha_draws", RowsJson(s.deleted_gacha_draws)},
            {"orders", s.orders},
            {"ledger_entries", s.ledger_entries},
            {"tier_changes", s.tier_changes},
            {"coupons", s.coupons},
            {"loyalty_counts", s.loyalty_counts},
            {"notes", s.notes},
            {"preferences", s.preferences},
            {"gacha_draws", s.gacha_draws},
            {"prospects", s.prospects},
            {"referred_customers", s.referred_customers},
            {"external_ids", std::move(external)},
            {"survivor_order_count", s.survivor_order_count},
            {"created_tier_changes", s.created_tier_changes},
            {"last_order_id", s.last_order_id},
            {"last_ledger_id", s.last_ledger_id}};
  return json.dump();
}

Result<MergeSnapshot> SnapshotFromText(const std::string& text) {
  // Erasing the customer empties the snapshot (it held the merged profile): nothing to undo.
  if (text.empty()) return MergeSnapshot{};
  try {
    const Json json = Json::parse(text);
    if (json.at("version").get<int>() != 1) return DataLoss("unknown merge snapshot version");
    MergeSnapshot s;
    s.customers = RowsFromJson(json.at("customers"));
    s.tags = RowsFromJson(json.at("tags"));
    s.consents = RowsFromJson(json.at("consents"));
    if (json.contains("agreements")) s.agreements = RowsFromJson(json.at("agreements"));
    s.anniversaries = RowsFromJson(json.at("anniversaries"));
    s.accounts = RowsFromJson(json.at("accounts"));
    s.referrals = RowsFromJson(json.at("referrals"));
    s.deleted_preferences = RowsFromJson(json.at("deleted_preferences"));
    s.deleted_gacha_draws = RowsFromJson(json.at("deleted_gacha_draws"));
    s.orders = json.at("orders").get<std::vector<int64_t>>();
    s.ledger_entries = json.at("ledger_entries").get<std::vector<int64_t>>();
    s.tier_changes = json.at("tier_changes").get<std::vector<int64_t>>();
    s.coupons = json.at("coupons").get<std::vector<int64_t>>();
    if (json.contains("loyalty_counts")) s.loyalty_counts = json.at("loyalty_counts").get<std::vector<int64_t>>();
    s.notes = json.at("notes").get<std::vector<int64_t>>();
    s.preferences = json.at("preferences").get<std::vector<int64_t>>();
    s.gacha_draws = json.at("gacha_draws").get<std::vector<int64_t>>();
    s.prospects = json.at("prospects").get<std::vector<int64_t>>();
    s.referred_customers = json.at("referred_customers").get<std::vector<int64_t>>();
    for (const Json& pair : json.at("external_ids")) {
      s.external_ids.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
    }
    s.survivor_order_count = json.at("survivor_order_count").get<int64_t>();
    s.created_tier_changes = json.at("created_tier_changes").get<std::vector<int64_t>>();
    s.last_order_id = json.at("last_order_id").get<int64_t>();
    s.last_ledger_id = json.at("last_ledger_id").get<int64_t>();
    return s;
  } catch (const Json::exception& error) {
    return DataLoss(std::string("merge snapshot is unreadable: ") + error.what());
  }
}

std::string ChoicesText(const std::vector<std::pair<std::string, std::string>>& choices) {
  Json json = Json::object();
  for (const auto& [field, side] : choices) json[field] = side;
  return json.dump();
}

std::vector<std::pair<std::string, std::string>> ChoicesFromText(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> choices;
  const Json json = Json::parse(text, nullptr, false);
  if (!json.is_object()) return choices;
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.value().is_string()) choices.emplace_back(it.key(), it.value().get<std::string>());
  }
  return choices;
}

MergeRecord RecordFromRow(const Row& row) {
  MergeRecord record;
  record.id = row.GetInt(0);
  record.business_id = BusinessId(row.GetInt(1));
  record.survivor_id = CustomerId(row.GetInt(2));
  record.merged_id = CustomerId(row.GetInt(3));
  if (auto staff = row.GetOptionalInt(4)) record.staff_id = StaffId(*staff);
  if (auto token = row.GetOptionalInt(5)) record.token_id = TokenId(*token);
  record.choices = ChoicesFromText(row.GetText(6));
  record.created_at = Timestamp::FromMicros(row.GetInt(7));
  if (auto undone = row.GetOptionalInt(8)) record.undone_at = Timestamp::FromMicros(*undone);
  return record;
}

SqlValue OptionalId(const std::optional<StaffId>& id) { return id ? Int(id->value()) : Null(); }
SqlValue OptionalId(const std::optional<TokenId>& id) { return id ? Int(id->value()) : Null(); }

}  // namespace

Result<MergeSnapshot> MergeRepository::Capture(BusinessId business, CustomerId survivor, CustomerId merged) {
  const std::vector<SqlValue> key{Int(business.value()), Int(survivor.value()), Int(merged.value())};
  MergeSnapshot snapshot;
  CRM_ASSIGN_OR_RETURN(auto customers, connection_.Query(kCustomerRows, key));
  if (customers.size() != 2) return NotFound("customer not found");
  snapshot.customers = RawRows(customers);
  CRM_ASSIGN_OR_RETURN(auto tags, connection_.Query(kTagRows, key));
  snapshot.tags = RawRows(tags);
  CRM_ASSIGN_OR_RETURN(auto consents, connection_.Query(kConsentRows, key));
  snapshot.consents = RawRows(consents);
  CRM_ASSIGN_OR_RETURN(auto agreements, connection_.Query(kAgreementRows, key));
  snapshot.agreements = RawRows(agreements);
  CRM_ASSIGN_OR_RETURN(auto anniversaries, connection_.Query(kAnniversaryRows, key));
  snapshot.anniversaries = RawRows(anniversaries);
  CRM_ASSIGN_OR_RETURN(auto accounts, connection_.Query(kAccountRows, key));
  snapshot.accounts = RawRows(accounts);
  CRM_ASSIGN_OR_RETURN(auto referrals, connection_.Query(kReferralRows, key));
  snapshot.referrals = RawRows(referrals);
  CRM_ASSIGN_OR_RETURN(snapshot.survivor_order_count, CountOrders(business, survivor));
  CRM_ASSIGN_OR_RETURN(auto last_order, connection_.Query(kLastOrderId, {Int(business.value())}));
  snapshot.last_order_id = last_order.at(0).GetInt(0);
  CRM_ASSIGN_OR_RETURN(auto last_entry, connection_.Query(kLastLedgerId, {Int(business.value())}));
  snapshot.last_ledger_id = last_entry.at(0).GetInt(0);
  return snapshot;
}

Status MergeRepository::MoveRows(BusinessId business, CustomerId survivor, CustomerId merged, MergeSnapshot& snapshot) {
  const SqlValue b = Int(business.value());
  const std::vector<SqlValue> move{b, Int(survivor.value()), Int(merged.value())};
  auto moved = [&](const Statement& statement, std::vector<int64_t>& into) -> Status {
    CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(statement, move));
    into = Ids(rows);
    return Status::Ok();
  };
  CRM_RETURN_IF_ERROR(moved(kMoveOrders, snapshot.orders));
  CRM_RETURN_IF_ERROR(moved(kMoveLedger, snapshot.ledger_entries));
  CRM_RETURN_IF_ERROR(moved(kMoveTierChanges, snapshot.tier_changes));
  CRM_RETURN_IF_ERROR(moved(kMoveCoupons, snapshot.coupons));
  CRM_RETURN_IF_ERROR(moved(kMoveCounts, snapshot.loyalty_counts));
  CRM_RETURN_IF_ERROR(moved(kMoveNotes, snapshot.notes));
  CRM_RETURN_IF_ERROR(moved(kMoveProspects, snapshot.prospects));

  CRM_ASSIGN_OR_RETURN(auto duplicates, connection_.Query(kDuplicatePreferences, move));
  snapshot.deleted_preferences = RawRows(duplicates);
  for (const Row& row : duplicates)
    CRM_RETURN_IF_ERROR(connection_.Execute(kDeletePreference, {b, Int(row.GetInt(0))}));
  CRM_RETURN_IF_ERROR(moved(kMovePreferences, snapshot.preferences));

  CRM_ASSIGN_OR_RETURN(auto survivor_draws, connection_.Query(kGachaRows, {b, Int(survivor.value())}));
  if (!survivor_draws.empty()) {
    CRM_ASSIGN_OR_RETURN(auto merged_draws, connection_.Query(kGachaRows, {b, Int(merged.value())}));
    snapshot.deleted_gacha_draws = RawRows(merged_draws);
    for (const Row& row : merged_draws) CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteGacha, {b, Int(row.GetInt(0))}));
  }
  CRM_RETURN_IF_ERROR(moved(kMoveGacha, snapshot.gacha_draws));

  CRM_ASSIGN_OR_RETURN(auto external, connection_.Query(kExternalIds, {b, Int(merged.value())}));
  for (const Row& row : external) snapshot.external_ids.emplace_back(row.GetText(0), row.GetText(1));
  CRM_RETURN_IF_ERROR(connection_.Execute(kMoveExternalIds, move));

  // The profile field referrer_id: customers the merged profile referred now name the survivor;
  // the survivor never names itself.
  CRM_RETURN_IF_ERROR(moved(kMoveReferred, snapshot.referred_customers));
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearSelfReferrer, move));

  // Referral rows. A row between the two profiles would make the survivor its own referrer.
  CRM_ASSIGN_OR_RETURN(auto survivor_referral, connection_.Query(kReferralOf, {b, Int(survivor.value())}));
  CRM_ASSIGN_OR_RETURN(auto merged_referral, connection_.Query(kReferralOf, {b, Int(merged.value())}));
  if (!survivor_referral.empty() && survivor_referral[0].GetInt(0) == merged.value()) {
    CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteReferral, {b, Int(survivor.value())}));
    survivor_referral.clear();
  }
  if (!merged_referral.empty()) {
    const bool to_self = merged_referral[0].GetInt(0) == survivor.value();
    if (to_self || !survivor_referral.empty()) {
      CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteReferral, {b, Int(merged.value())}));
    } else {
      CRM_RETURN_IF_ERROR(connection_.Execute(kMoveReferralCustomer, move));
    }
  }
  CRM_RETURN_IF_ERROR(connection_.Execute(kMoveReferralReferrer, move));
  // Two chains joined at the survivor may close a loop (the survivor referred someone up the
  // merged profile's chain): the survivor's own referral row is then dropped, which breaks it.
  int64_t current = survivor.value();
  std::set<int64_t> seen;
  for (int step = 0; step < kMaxReferralChain; ++step) {
    CRM_ASSIGN_OR_RETURN(auto up, connection_.Query(kReferralOf, {b, Int(current)}));
    if (up.empty()) break;
    current = up[0].GetInt(0);
    if (current == survivor.value() || !seen.insert(current).second) {
      CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteReferral, {b, Int(survivor.value())}));
      break;
    }
  }
  return Status::Ok();
}

Status MergeRepository::MoveAccount(BusinessId business, CustomerId from, CustomerId to) {
  return connection_.Execute(kMoveAccount, {Int(business.value()), Int(from.value()), Int(to.value())});
}

Status MergeRepository::DeleteAccount(BusinessId business, CustomerId customer) {
  return connection_.Execute(kDeleteAccount, {Int(business.value()), Int(customer.value())});
}

Status MergeRepository::RetireCustomer(BusinessId business, CustomerId merged, CustomerId survivor, Timestamp at) {
  const std::vector<SqlValue> only{Int(business.value()), Int(merged.value()), Int(merged.value())};
  const std::vector<SqlValue> pair{Int(business.value()), Int(merged.value()), Int(survivor.value())};
  CRM_RETURN_IF_ERROR(connection_.Execute(kEarlierAgreements, pair));
  CRM_RETURN_IF_ERROR(connection_.Execute(kMoveAgreements, pair));
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearAgreements, only));
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearTags, only));
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearConsents, only));
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearAnniversaries, only));
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRetireCustomer, {Int(business.value()), Int(merged.value()),
                                                                      Int(survivor.value()), Int(at.micros())}));
  if (rows.empty()) return NotFound("customer not found");
  return Status::Ok();
}

Status MergeRepository::CheckUndoable(BusinessId business, CustomerId survivor, const MergeSnapshot& snapshot) {
  const SqlValue b = Int(business.value());
  const SqlValue s = Int(survivor.value());
  CRM_ASSIGN_OR_RETURN(auto refunds, connection_.Query(kRefundsOfMoved, {b, s, Text(IdList(snapshot.orders)),
                                                                         Int(snapshot.last_order_id)}));
  if (refunds.at(0).GetInt(0) > 0) {
    return FailedPrecondition("an order that came with the merged profile was refunded after the merge");
  }
  CRM_ASSIGN_OR_RETURN(auto entries, connection_.Query(kEntriesOnMoved, {b, s, Text(IdList(snapshot.orders)),
                                                                         Text(IdList(snapshot.ledger_entries)),
                                                                         Int(snapshot.last_ledger_id)}));
  if (entries.at(0).GetInt(0) > 0) {
    return FailedPrecondition("points that came with the merged profile were used or expired after the merge");
  }
  return Status::Ok();
}

Status MergeRepository::Restore(BusinessId business, CustomerId survivor, CustomerId merged,
                                const MergeSnapshot& snapshot) {
  const SqlValue b = Int(business.value());
  const SqlValue m = Int(merged.value());
  const std::vector<SqlValue> both{b, Int(survivor.value()), m};
  // The survivor first: its old phone may be the one the merged profile needs back.
  if (snapshot.customers.size() != 2) return DataLoss("merge snapshot lacks a profile");
  std::vector<const RawRow*> rows;
  for (const RawRow& row : snapshot.customers) {
    if (IntOf(row.at(0)) == merged.value())
      rows.push_back(&row);
    else
      rows.insert(rows.begin(), &row);
  }
  for (const RawRow* row : rows) {
    Status restored = connection_.Execute(kRestoreCustomer, *row);
    if (restored.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("the merged profile's phone number now belongs to another customer", "phone");
    }
    CRM_RETURN_IF_ERROR(restored);
  }
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearTags, both));
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearConsents, both));
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearAgreements, both));
  CRM_RETURN_IF_ERROR(connection_.Execute(kClearAnniversaries, both));
  for (const RawRow& row : snapshot.tags) CRM_RETURN_IF_ERROR(connection_.Execute(kInsertTag, row));
  for (const RawRow& row : snapshot.consents) CRM_RETURN_IF_ERROR(connection_.Execute(kInsertConsent, row));
  for (const RawRow& row : snapshot.agreements) CRM_RETURN_IF_ERROR(connection_.Execute(kInsertAgreement, row));
  for (const RawRow& row : snapshot.anniversaries) CRM_RETURN_IF_ERROR(connection_.Execute(kInsertAnniversary, row));

  auto back = [&](const Statement& statement, const std::vector<int64_t>& ids) -> Status {
    if (ids.empty()) return Status::Ok();
    return connection_.Execute(statement, {b, m, Text(IdList(ids))});
  };
  if (!snapshot.created_tier_changes.empty()) {
    CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteTierChanges, {b, Text(IdList(snapshot.created_tier_changes))}));
  }
  CRM_RETURN_IF_ERROR(back(kBackOrders, snapshot.orders));
  CRM_RETURN_IF_ERROR(back(kBackLedger, snapshot.ledger_entries));
  CRM_RETURN_IF_ERROR(back(kBackTierChanges, snapshot.tier_changes));
  CRM_RETURN_IF_ERROR(back(kBackCoupons, snapshot.coupons));
  CRM_RETURN_IF_ERROR(back(kBackCounts, snapshot.loyalty_counts));
  CRM_RETURN_IF_ERROR(back(kBackNotes, snapshot.notes));
  CRM_RETURN_IF_ERROR(back(kBackPreferences, snapshot.preferences));
  CRM_RETURN_IF_ERROR(back(kBackGacha, snapshot.gacha_draws));
  CRM_RETURN_IF_ERROR(back(kBackProspects, snapshot.prospects));
  CRM_RETURN_IF_ERROR(back(kBackReferred, snapshot.referred_customers));
  for (const auto& [source, id] : snapshot.external_ids) {
    CRM_RETURN_IF_ERROR(connection_.Execute(kBackExternalId, {b, m, Text(source), Text(id)}));
  }
  for (const RawRow& row : snapshot.deleted_preferences)
    CRM_RETURN_IF_ERROR(connection_.Execute(kInsertPreference, row));
  for (const RawRow& row : snapshot.deleted_gacha_draws) CRM_RETURN_IF_ERROR(connection_.Execute(kInsertGacha, row));

  // Referral rows that involved either profile go back as they were.
  std::set<int64_t> referred;
  for (const RawRow& row : snapshot.referrals) referred.insert(IntOf(row.at(1)));
  for (int64_t customer : referred) CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteReferral, {b, Int(customer)}));
  for (const RawRow& row : snapshot.referrals) CRM_RETURN_IF_ERROR(connection_.Execute(kInsertReferral, row));

  CRM_RETURN_IF_ERROR(connection_.Execute(kClearAccounts, both));
  for (RawRow row : snapshot.accounts) {
    row.resize(8, Null());  // a snapshot taken before accounts kept tier_qualified_at
    CRM_RETURN_IF_ERROR(connection_.Execute(kInsertAccount, row));
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> MergeRepository::LastTierChange(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kLastTierChange, {Int(business.value()), Int(customer.value())}));
  return rows.empty() ? std::optional<int64_t>() : rows[0].GetOptionalInt(0);
}

Result<int64_t> MergeRepository::CountOrders(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kOrderCount, {Int(business.value()), Int(customer.value())}));
  return rows.at(0).GetInt(0);
}

Result<std::optional<std::pair<Timestamp, Timestamp>>> MergeRepository::SaleSpan(BusinessId business,
                                                                                 CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSaleSpan, {Int(business.value()), Int(customer.value())}));
  if (rows.empty() || rows[0].IsNull(0)) return std::optional<std::pair<Timestamp, Timestamp>>();
  return std::optional<std::pair<Timestamp, Timestamp>>(
      std::pair{Timestamp::FromMicros(rows[0].GetInt(0)), Timestamp::FromMicros(rows[0].GetInt(1))});
}

Result<int64_t> MergeRepository::Insert(const MergeRecord& record) {
  CRM_ASSIGN_OR_RETURN(
      auto rows,
      connection_.Query(kInsertRecord, {Int(record.business_id.value()), Int(record.survivor_id.value()),
                                        Int(record.merged_id.value()), OptionalId(record.staff_id),
                                        OptionalId(record.token_id), Text(ChoicesText(record.choices)),
                                        Text(SnapshotText(record.snapshot)), Int(record.created_at.micros())}));
  return rows.at(0).GetInt(0);
}

Result<MergeRecord> MergeRepository::Get(BusinessId business, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGetRecord, {Int(business.value()), Int(id)}));
  if (rows.empty()) return NotFound("merge not found");
  MergeRecord record = RecordFromRow(rows[0]);
  CRM_ASSIGN_OR_RETURN(record.snapshot, SnapshotFromText(rows[0].GetText(9)));
  return record;
}

Result<std::vector<MergeRecord>> MergeRepository::List(BusinessId business, std::optional<int64_t> before, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kListRecords, {Int(business.value()), Int(before.value_or(INT64_MAX)),
                                                        Int(std::clamp(limit, 1, 500))}));
  std::vector<MergeRecord> records;
  for (const Row& row : rows) records.push_back(RecordFromRow(row));
  return records;
}

Result<std::optional<MergeRecord>> MergeRepository::ActiveMergeOf(BusinessId business, CustomerId merged) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kActiveMergeOf, {Int(business.value()), Int(merged.value())}));
  if (rows.empty()) return std::optional<MergeRecord>();
  return std::optional<MergeRecord>(RecordFromRow(rows[0]));
}

Status MergeRepository::MarkUndone(BusinessId business, int64_t id, Timestamp at, std::optional<StaffId> staff,
                                   std::optional<TokenId> token) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kMarkUndone, {Int(business.value()), Int(id), Int(at.micros()),
                                                                  OptionalId(staff), OptionalId(token)}));
  if (rows.empty()) return FailedPrecondition("this merge has been undone already");
  return Status::Ok();
}

Status MergeRepository::Dismiss(BusinessId business, CustomerId first, CustomerId second, std::optional<StaffId> staff,
                                Timestamp at) {
  const CustomerId low = std::min(first, second);
  const CustomerId high = std::max(first, second);
  return connection_.Execute(
      kDismiss, {Int(business.value()), Int(low.value()), Int(high.value()), OptionalId(staff), Int(at.micros())});
}

Result<std::vector<std::pair<CustomerId, CustomerId>>> MergeRepository::Dismissed(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kDismissed, {Int(business.value())}));
  std::vector<std::pair<CustomerId, CustomerId>> pairs;
  for (const Row& row : rows) pairs.emplace_back(CustomerId(row.GetInt(0)), CustomerId(row.GetInt(1)));
  return pairs;
}

}  // namespace crm::store
