#include "store/erasure_repository.h"

#include <string>

#include "store/outbox_repository.h"

namespace crm::store {
namespace {

// The customer's state and the values saved answers are searched for; locked on PostgreSQL so
// that an order or an edit of the same customer waits for the erasure.
constexpr Statement kState{
    "erasure.state",
    "SELECT erased_at, merged_into, name, family_name, given_name, phone_e164, email FROM customers "
    "WHERE business_id = $1 AND id = $2",
    "SELECT erased_at, merged_into, name, family_name, given_name, phone_e164, email FROM customers "
    "WHERE business_id = $1 AND id = $2 FOR UPDATE"};
// The profiles merged into one customer (already emptied by the merge, but their merge snapshots
// and child rows are the same person's).
constexpr Statement kMergedInto{"erasure.merged_into",
                                "SELECT id, phone_e164, email FROM customers WHERE business_id = $1 AND "
                                "merged_into = $2 ORDER BY id"};

constexpr Statement kProfile{
    "erasure.profile",
    "UPDATE customers SET name = '', family_name = '', given_name = '', name_key = '', given_key = '', "
    "initials = '', phone_e164 = '', phone_last4 = '', email = '', birthday = NULL, birthday_calendar = 1, "
    "birthday_leap_month = 0, gender = 0, address = '', erased_at = $3, updated_at = $3 "
    "WHERE business_id = $1 AND id = $2 RETURNING id"};

// Rows that are nothing but personal text: deleted.
constexpr Statement kDeletes[] = {
    {"erasure.tags", "DELETE FROM customer_tags WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.anniversaries",
     "DELETE FROM customer_anniversaries WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.preferences", "DELETE FROM preferences WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.notes", "DELETE FROM notes WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.external_ids",
     "DELETE FROM customer_external_ids WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.attributes",
     "DELETE FROM customer_attributes WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.phone_shares",
     "DELETE FROM customer_phone_shares WHERE business_id = $1 AND (customer_id = $2 OR holder_id = $2) "
     "RETURNING 1"},
    {"erasure.opening_balances",
     "DELETE FROM customer_opening_balances WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
};

// Rows kept for their facts (when consent was given, which messages went out, who looked at the
// profile) with their free text blanked.
constexpr Statement kBlanks[] = {
    {"erasure.consents",
     "UPDATE customer_consents SET source = '' WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.consent_events",
     "UPDATE consent_events SET source = '' WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.agreements",
     "UPDATE customer_agreements SET source = '' WHERE business_id = $1 AND customer_id = $2 RETURNING 1"},
    {"erasure.prospects",
     "UPDATE prospects SET name = '', phone_e164 = '', how_met = '', liked = '' WHERE business_id = $1 AND "
     "customer_id = $2 RETURNING 1"},
    {"erasure.access_log",
     "UPDATE access_log SET detail = '' WHERE business_id = $1 AND customer_id = $2 AND detail <> '' RETURNING 1"},
    {"erasure.merges",
     "UPDATE customer_merges SET snapshot = '', choices = '{}' WHERE business_id = $1 AND "
     "(survivor_id = $2 OR merged_id = $2) AND snapshot <> '' RETURNING 1"},
    {"erasure.message_events",
     "UPDATE message_events SET detail = '', provider_status_code = '' WHERE message_id IN (SELECT id FROM "
     "outbox_messages WHERE business_id = $1 AND customer_id = $2) AND (detail <> '' OR "
     "provider_status_code <> '') RETURNING 1"},
};

constexpr Statement kDeleteSuppression{
    "erasure.suppression", "DELETE FROM suppressions WHERE business_id = $1 AND address = $2 RETURNING 1"};

// A saved answer (the body of a keyed request, kept for replays) that holds the text is blanked:
// a replay then answers the same status without a body.
constexpr Statement kBlankAnswers{
    "erasure.saved_answers",
    "UPDATE idempotency_keys SET response = '' WHERE business_id = $1 AND response <> '' AND "
    "instr(response, $2) > 0 RETURNING 1",
    "UPDATE idempotency_keys SET response = '' WHERE business_id = $1 AND response <> '' AND "
    "strpos(response, $2) > 0 RETURNING 1"};

// Last visit, or creation for a customer who never visited, before the cutoff.
constexpr Statement kInactive{
    "erasure.inactive",
    "SELECT id FROM customers WHERE business_id = $1 AND merged_into IS NULL AND erased_at IS NULL AND "
    "COALESCE(last_visit_at, created_at) < $2 ORDER BY id LIMIT $3"};

constexpr Statement kCountInactive{
    "erasure.count_inactive",
    "SELECT COUNT(*) FROM customers WHERE business_id = $1 AND merged_into IS NULL AND erased_at IS NULL AND "
    "COALESCE(last_visit_at, created_at) < $2"};
constexpr Statement kRetention{"erasure.retention", "SELECT retention_months FROM businesses WHERE id = $1"};
constexpr Statement kSetRetention{"erasure.set_retention",
                                  "UPDATE businesses SET retention_months = $2 WHERE id = $1 RETURNING id"};
constexpr Statement kWithRetention{
    "erasure.with_retention", "SELECT id, retention_months FROM businesses WHERE retention_months > 0 ORDER BY id"};

// "+821012345678" is also written "01012345678".
std::string NationalForm(const std::string& e164) {
  if (e164.rfind("+82", 0) == 0) return "0" + e164.substr(3);
  return std::string();
}

}  // namespace

Status ErasureRepository::EraseRows(BusinessId business, CustomerId customer, Timestamp now,
                                    ErasureCounts& counts) {
  const std::vector<SqlValue> params{Int(business.value()), Int(customer.value())};
  for (const Statement& statement : kDeletes) {
    CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(statement, params));
    counts.rows_deleted += static_cast<int64_t>(rows.size());
  }
  for (const Statement& statement : kBlanks) {
    CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(statement, params));
    counts.rows_blanked += static_cast<int64_t>(rows.size());
  }
  // Message texts and recipients; a message still queued is cancelled.
  OutboxRepository outbox(connection_);
  CRM_ASSIGN_OR_RETURN(int64_t messages, outbox.EraseCustomer(business, customer, now));
  counts.messages += messages;
  CRM_ASSIGN_OR_RETURN(std::vector<Row> erased, connection_.Query(kProfile, {Int(business.value()),
                                                                             Int(customer.value()), Int(now.micros())}));
  counts.profiles += static_cast<int64_t>(erased.size());
  return Status::Ok();
}

Status ErasureRepository::BlankSavedAnswers(BusinessId business, const std::vector<std::string>& needles,
                                            ErasureCounts& counts) {
  for (const std::string& needle : needles) {
    // Too short a text would blank unrelated answers; the values searched are whole names,
    // numbers and addresses.
    if (needle.size() < 4) continue;
    CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kBlankAnswers, {Int(business.value()), Text(needle)}));
    counts.rows_blanked += static_cast<int64_t>(rows.size());
    CRM_ASSIGN_OR_RETURN(std::vector<Row> suppressed,
                         connection_.Query(kDeleteSuppression, {Int(business.value()), Text(needle)}));
    counts.rows_deleted += static_cast<int64_t>(suppressed.size());
  }
  return Status::Ok();
}

Result<ErasureCounts> ErasureRepository::Erase(BusinessId business, CustomerId customer, Timestamp now) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> state, connection_.Query(kState, {Int(business.value()), Int(customer.value())}));
  if (state.empty() || !state[0].IsNull(1)) return NotFound("no such customer");
  if (!state[0].IsNull(0)) return FailedPrecondition("this customer was erased already");

  std::vector<std::string> needles;
  for (size_t column = 2; column <= 6; ++column) needles.push_back(state[0].GetText(column));
  needles.push_back(NationalForm(state[0].GetText(5)));

  // The customer and every profile merged into it (directly or through earlier merges).
  std::vector<CustomerId> people{customer};
  for (size_t next = 0; next < people.size(); ++next) {
    CRM_ASSIGN_OR_RETURN(std::vector<Row> merged,
                         connection_.Query(kMergedInto, {Int(business.value()), Int(people[next].value())}));
    for (const Row& row : merged) {
      people.emplace_back(row.GetInt(0));
      needles.push_back(row.GetText(1));
      needles.push_back(row.GetText(2));
    }
  }
  ErasureCounts counts;
  for (CustomerId person : people) CRM_RETURN_IF_ERROR(EraseRows(business, person, now, counts));
  CRM_RETURN_IF_ERROR(BlankSavedAnswers(business, needles, counts));
  return counts;
}

Result<std::vector<CustomerId>> ErasureRepository::InactiveSince(BusinessId business, Timestamp cutoff, int limit) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows,
                       connection_.Query(kInactive, {Int(business.value()), Int(cutoff.micros()), Int(limit)}));
  std::vector<CustomerId> ids;
  ids.reserve(rows.size());
  for (const Row& row : rows) ids.emplace_back(row.GetInt(0));
  return ids;
}

Result<int64_t> ErasureRepository::CountInactiveSince(BusinessId business, Timestamp cutoff) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows,
                       connection_.Query(kCountInactive, {Int(business.value()), Int(cutoff.micros())}));
  return rows.empty() ? 0 : rows[0].GetInt(0);
}

Result<int64_t> ErasureRepository::RetentionMonths(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kRetention, {Int(business.value())}));
  if (rows.empty()) return NotFound("no such business");
  return rows[0].GetInt(0);
}

Status ErasureRepository::SetRetentionMonths(BusinessId business, int64_t months) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kSetRetention, {Int(business.value()), Int(months)}));
  if (rows.empty()) return NotFound("no such business");
  return Status::Ok();
}

Result<std::vector<std::pair<BusinessId, int64_t>>> ErasureRepository::BusinessesWithRetention() {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kWithRetention, {}));
  std::vector<std::pair<BusinessId, int64_t>> result;
  for (const Row& row : rows) result.emplace_back(BusinessId(row.GetInt(0)), row.GetInt(1));
  return result;
}

}  // namespace crm::store
