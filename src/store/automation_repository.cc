#include "store/automation_repository.h"

#include <cmath>

namespace crm::store {
namespace {

#define AUTOMATION_COLUMNS                                                                                      \
  "id, business_id, name, trigger_kind, trigger_days, trigger_threshold_permille, trigger_tier, action, "     \
  "send_hour, channel, fallback_channel, purpose, subject, body, coupon_template_id, frequency_cap_days, "    \
  "control_share_permille, seed, task_title, task_assignee, task_staff_id, task_kind, state, preset, "        \
  "created_at, updated_at, activated_at, last_run_at"

constexpr Statement kInsert{
    "automation.insert",
    "INSERT INTO automations (business_id, name, trigger_kind, trigger_days, trigger_threshold_permille, "
    "trigger_tier, action, send_hour, channel, fallback_channel, purpose, subject, body, coupon_template_id, "
    "frequency_cap_days, control_share_permille, seed, task_title, task_assignee, task_staff_id, task_kind, state, "
    "preset, activated_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
    "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26) RETURNING id"};
constexpr Statement kUpdate{
    "automation.update",
    "UPDATE automations SET name = $2, trigger_kind = $3, trigger_days = $4, trigger_threshold_permille = $5, "
    "trigger_tier = $6, action = $7, send_hour = $8, channel = $9, fallback_channel = $10, purpose = $11, "
    "subject = $12, body = $13, coupon_template_id = $14, frequency_cap_days = $15, control_share_permille = $16, "
    "seed = $17, task_title = $18, task_assignee = $19, task_staff_id = $20, task_kind = $21, state = $22, "
    "preset = $23, activated_at = $24, updated_at = $26 WHERE business_id = $1 AND id = $25 RETURNING id"};
constexpr Statement kGet{"automation.get",
                         "SELECT " AUTOMATION_COLUMNS " FROM automations WHERE business_id = $1 AND id = $2"};
constexpr Statement kGetForUpdate{
    "automation.get_for_update", "SELECT " AUTOMATION_COLUMNS " FROM automations WHERE business_id = $1 AND id = $2",
    "SELECT " AUTOMATION_COLUMNS " FROM automations WHERE business_id = $1 AND id = $2 FOR UPDATE"};
constexpr Statement kList{"automation.list",
                          "SELECT " AUTOMATION_COLUMNS " FROM automations WHERE business_id = $1 ORDER BY id"};
constexpr Statement kBusinessesWithActive{
    "automation.businesses_active", "SELECT DISTINCT business_id FROM automations WHERE state = 2 ORDER BY 1"};
constexpr Statement kMarkRun{
    "automation.mark_run",
    "UPDATE automations SET last_run_at = $3, last_run_day = $4 WHERE business_id = $1 AND id = $2"};
constexpr Statement kLastRunDay{"automation.last_run_day",
                                "SELECT last_run_day FROM automations WHERE business_id = $1 AND id = $2"};
constexpr Statement kTryLock{"automation.try_lock", "SELECT 1",
                             "SELECT CASE WHEN pg_try_advisory_xact_lock(CAST($1 AS BIGINT)) THEN 1 ELSE 0 END"};
constexpr Statement kInsertOccurrence{
    "automation.occurrence_insert",
    "INSERT INTO automation_occurrences (business_id, automation_id, customer_id, prospect_id, occurrence, grp, "
    "due_day, fired_day, fired_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id"};
constexpr Statement kAttach{
    "automation.occurrence_attach",
    "UPDATE automation_occurrences SET message_id = $6, task_id = $7, coupon_id = $8 WHERE business_id = $1 AND "
    "automation_id = $2 AND customer_id = $3 AND prospect_id = $4 AND occurrence = $5"};
#define OCCURRENCE_COLUMNS \
  "automation_id, customer_id, prospect_id, occurrence, grp, due_day, fired_day, fired_at, message_id, task_id, coupon_id"
constexpr Statement kFiredSince{
    "automation.fired_since",
    "SELECT " OCCURRENCE_COLUMNS " FROM automation_occurrences WHERE business_id = $1 AND automation_id = $2 AND "
    "fired_day >= $3 ORDER BY id"};
constexpr Statement kOccurrences{
    "automation.occurrences",
    "SELECT " OCCURRENCE_COLUMNS " FROM automation_occurrences WHERE business_id = $1 AND automation_id = $2 "
    "ORDER BY id"};
constexpr Statement kOutcomes{
    "automation.outcomes",
    "SELECT a.customer_id, a.grp, "
    "COALESCE((SELECT COUNT(*) FROM orders o WHERE o.business_id = a.business_id AND o.customer_id = a.customer_id "
    "AND o.kind = 1 AND o.ordered_at >= a.fired_at AND o.ordered_at < a.fired_at + $3), 0), "
    "COALESCE((SELECT SUM(o.total) FROM orders o WHERE o.business_id = a.business_id AND "
    "o.customer_id = a.customer_id AND o.ordered_at >= a.fired_at AND o.ordered_at < a.fired_at + $3), 0), "
    "CASE WHEN EXISTS (SELECT 1 FROM coupons k WHERE k.business_id = a.business_id AND k.id = a.coupon_id AND "
    "k.status = 2 AND k.redeemed_at >= a.fired_at AND k.redeemed_at < a.fired_at + $3) THEN 1 ELSE 0 END "
    "FROM automation_occurrences a WHERE a.business_id = $1 AND a.automation_id = $2 AND a.customer_id <> 0 "
    "ORDER BY a.id"};
constexpr Statement kSentMessages{
    "automation.sent_messages",
    "SELECT m.channel, COUNT(*) FROM outbox_messages m WHERE m.business_id = $1 AND m.automation_id = $2 AND "
    "m.status IN (3, 4) "
    "GROUP BY m.channel ORDER BY m.channel"};
constexpr Statement kNewCustomerVisits{
    "automation.new_customer_visits",
    "SELECT o.customer_id, o.ordered_at FROM orders o WHERE o.business_id = $1 AND o.kind = 1 AND o.ordered_at < $4 "
    "AND o.customer_id IN (SELECT f.customer_id FROM orders f WHERE f.business_id = $1 AND f.kind = 1 AND "
    "f.customer_id IS NOT NULL GROUP BY f.customer_id HAVING MIN(f.ordered_at) >= $2 AND MIN(f.ordered_at) < $3) "
    "ORDER BY o.customer_id, o.ordered_at, o.id"};
constexpr Statement kBirthdays{
    "automation.birthdays",
    "SELECT id, birthday, birthday_calendar, birthday_leap_month FROM customers WHERE business_id = $1 AND "
    "birthday IS NOT NULL AND birthday <> '' ORDER BY id"};
constexpr Statement kAnniversaries{
    "automation.anniversaries",
    "SELECT customer_id, date FROM customer_anniversaries WHERE business_id = $1 ORDER BY customer_id, position"};
constexpr Statement kTierPromotions{
    "automation.tier_promotions",
    "SELECT customer_id, created_at, to_index, tier_name FROM tier_changes WHERE business_id = $1 AND "
    "to_index > from_index AND created_at >= $2 AND created_at < $3 ORDER BY customer_id, id"};
constexpr Statement kReferralRewards{
    "automation.referral_rewards",
    "SELECT customer_id, rewarded_at FROM referrals WHERE business_id = $1 AND rewarded_at >= $2 AND "
    "rewarded_at < $3 UNION ALL SELECT referrer_id, rewarded_at FROM referrals WHERE business_id = $1 AND "
    "rewarded_at >= $2 AND rewarded_at < $3 ORDER BY 1, 2"};
constexpr Statement kPointsExpiring{
    "automation.points_expiring",
    "SELECT customer_id, MIN(expires_at) FROM ledger_entries WHERE business_id = $1 AND kind = 1 AND "
    "expires_at >= $2 AND expires_at < $3 GROUP BY customer_id ORDER BY customer_id"};
constexpr Statement kOpenProspects{
    "automation.open_prospects",
    "SELECT id, staff_id, created_at FROM prospects WHERE business_id = $1 AND customer_id IS NULL AND "
    "created_at >= $2 AND created_at < $3 ORDER BY id"};

SqlValue OptionalTime(const std::optional<Timestamp>& value) {
  return value ? SqlValue(value->micros()) : SqlValue(nullptr);
}

std::optional<Timestamp> TimeAt(const Row& row, size_t i) {
  if (auto v = row.GetOptionalInt(i)) return Timestamp::FromMicros(*v);
  return std::nullopt;
}

// $1..$26 of the insert; the update uses the same order with the id at $25.
std::vector<SqlValue> Fields(const domain::Automation& a) {
  return {Int(a.business_id.value()),
          Text(a.name),
          Int(static_cast<int64_t>(a.trigger.kind)),
          Int(a.trigger.days),
          Int(std::llround(a.trigger.threshold * 1000.0)),
          Text(a.trigger.tier),
          Int(static_cast<int64_t>(a.action)),
          Int(a.send_hour),
          Int(static_cast<int64_t>(a.channel)),
          OptionalInt(a.fallback_channel),
          Int(static_cast<int64_t>(a.purpose)),
          Text(a.subject),
          Text(a.body),
          a.coupon_template_id ? Int(a.coupon_template_id->value()) : Null(),
          Int(a.frequency_cap_days),
          Int(a.control_share_permille),
          Int(a.seed),
          Text(a.task.title),
          Int(static_cast<int64_t>(a.task.assignee)),
          a.task.staff_id ? Int(a.task.staff_id->value()) : Null(),
          Int(static_cast<int64_t>(a.task.kind)),
          Int(static_cast<int64_t>(a.state)),
          Text(a.preset),
          OptionalTime(a.activated_at),
          Int(a.created_at.micros()),
          Int(a.updated_at.micros())};
}

domain::Automation FromRow(const Row& row) {
  domain::Automation a;
  a.id = AutomationId(row.GetInt(0));
  a.business_id = BusinessId(row.GetInt(1));
  a.name = row.GetText(2);
  a.trigger.kind = static_cast<domain::TriggerKind>(row.GetInt(3));
  a.trigger.days = static_cast<int>(row.GetInt(4));
  a.trigger.threshold = static_cast<double>(row.GetInt(5)) / 1000.0;
  a.trigger.tier = row.GetText(6);
  a.action = static_cast<domain::AutomationAction>(row.GetInt(7));
  a.send_hour = static_cast<int>(row.GetInt(8));
  a.channel = static_cast<domain::Channel>(row.GetInt(9));
  if (auto v = row.GetOptionalInt(10)) a.fallback_channel = static_cast<domain::Channel>(*v);
  a.purpose = static_cast<domain::Purpose>(row.GetInt(11));
  a.subject = row.GetText(12);
  a.body = row.GetText(13);
  if (auto v = row.GetOptionalInt(14)) a.coupon_template_id = CouponTemplateId(*v);
  a.frequency_cap_days = static_cast<int>(row.GetInt(15));
  a.control_share_permille = static_cast<int>(row.GetInt(16));
  a.seed = row.GetInt(17);
  a.task.title = row.GetText(18);
  a.task.assignee = static_cast<domain::TaskAssignee>(row.GetInt(19));
  if (auto v = row.GetOptionalInt(20)) a.task.staff_id = StaffId(*v);
  a.task.kind = static_cast<domain::TaskKind>(row.GetInt(21));
  a.state = static_cast<domain::AutomationState>(row.GetInt(22));
  a.preset = row.GetText(23);
  a.created_at = Timestamp::FromMicros(row.GetInt(24));
  a.updated_at = Timestamp::FromMicros(row.GetInt(25));
  a.activated_at = TimeAt(row, 26);
  a.last_run_at = TimeAt(row, 27);
  return a;
}

OccurrenceRecord OccurrenceFromRow(const Row& row) {
  OccurrenceRecord r;
  r.automation_id = AutomationId(row.GetInt(0));
  r.customer_id = CustomerId(row.GetInt(1));
  if (row.GetInt(2) != 0) r.prospect_id = ProspectId(row.GetInt(2));
  r.occurrence = row.GetText(3);
  r.group = static_cast<domain::OccurrenceGroup>(row.GetInt(4));
  r.due_day = static_cast<int32_t>(row.GetInt(5));
  r.fired_day = static_cast<int32_t>(row.GetInt(6));
  r.fired_at = Timestamp::FromMicros(row.GetInt(7));
  if (auto v = row.GetOptionalInt(8)) r.message_id = MessageId(*v);
  if (auto v = row.GetOptionalInt(9)) r.task_id = TaskId(*v);
  r.coupon_id = row.GetOptionalInt(10);
  return r;
}

Result<std::vector<CustomerEvent>> Events(SqlConnection& connection, const Statement& statement, BusinessId business,
                                          Timestamp since, Timestamp until, bool with_tier) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection.Query(statement, {Int(business.value()), Int(since.micros()),
                                                               Int(until.micros())}));
  std::vector<CustomerEvent> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    CustomerEvent e;
    e.customer_id = CustomerId(row.GetInt(0));
    e.at = Timestamp::FromMicros(row.GetInt(1));
    if (with_tier) {
      e.tier_index = row.GetInt(2);
      e.tier_name = row.GetText(3);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<domain::Automation> AutomationRepository::Create(domain::Automation automation) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kInsert, Fields(automation)));
  automation.id = AutomationId(rows.at(0).GetInt(0));
  return automation;
}

Result<domain::Automation> AutomationRepository::Update(const domain::Automation& automation) {
  std::vector<SqlValue> params = Fields(automation);
  params[24] = Int(automation.id.value());
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kUpdate, params));
  if (rows.empty()) return NotFound("automation not found");
  return Get(automation.business_id, automation.id);
}

Result<domain::Automation> AutomationRepository::Get(BusinessId business, AutomationId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGet, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("automation not found");
  return FromRow(rows[0]);
}

Result<domain::Automation> AutomationRepository::GetForUpdate(BusinessId business, AutomationId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGetForUpdate, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("automation not found");
  return FromRow(rows[0]);
}

Result<std::vector<domain::Automation>> AutomationRepository::List(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kList, {Int(business.value())}));
  std::vector<domain::Automation> out;
  for (const Row& row : rows) out.push_back(FromRow(row));
  return out;
}

Result<std::vector<BusinessId>> AutomationRepository::BusinessesWithActive() {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kBusinessesWithActive, {}));
  std::vector<BusinessId> out;
  for (const Row& row : rows) out.emplace_back(row.GetInt(0));
  return out;
}

Status AutomationRepository::MarkRun(BusinessId business, AutomationId id, Timestamp at, int32_t day) {
  return connection_.Execute(kMarkRun, {Int(business.value()), Int(id.value()), Int(at.micros()), Int(day)});
}

Result<std::optional<int32_t>> AutomationRepository::LastRunDay(BusinessId business, AutomationId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kLastRunDay, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("automation not found");
  if (auto v = rows[0].GetOptionalInt(0)) return std::optional<int32_t>(static_cast<int32_t>(*v));
  return std::optional<int32_t>();
}

Result<bool> AutomationRepository::TryLockBusiness(BusinessId business) {
  std::vector<SqlValue> params;
  // The key: "auto" in the high 32 bits, the business id below, apart from other advisory locks.
  constexpr int64_t kAutomationLockSpace = int64_t{0x6175746f} << 32;
  if (connection_.dialect() == Dialect::kPostgres) params.push_back(Int(kAutomationLockSpace | business.value()));
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kTryLock, params));
  return !rows.empty() && rows[0].GetInt(0) == 1;
}

Result<bool> AutomationRepository::InsertOccurrence(BusinessId business, const OccurrenceRecord& r) {
  CRM_ASSIGN_OR_RETURN(
      auto rows, connection_.Query(kInsertOccurrence,
                                   {Int(business.value()), Int(r.automation_id.value()), Int(r.customer_id.value()),
                                    Int(r.prospect_id ? r.prospect_id->value() : 0), Text(r.occurrence),
                                    Int(static_cast<int64_t>(r.group)), Int(r.due_day), Int(r.fired_day),
                                    Int(r.fired_at.micros())}));
  return !rows.empty();
}

Status AutomationRepository::AttachToOccurrence(BusinessId business, const OccurrenceRecord& r) {
  return connection_.Execute(
      kAttach, {Int(business.value()), Int(r.automation_id.value()), Int(r.customer_id.value()),
                Int(r.prospect_id ? r.prospect_id->value() : 0), Text(r.occurrence),
                r.message_id ? Int(r.message_id->value()) : Null(), r.task_id ? Int(r.task_id->value()) : Null(),
                r.coupon_id ? Int(*r.coupon_id) : Null()});
}

Result<std::vector<OccurrenceRecord>> AutomationRepository::FiredSince(BusinessId business, AutomationId automation,
                                                                       int32_t since_day) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kFiredSince, {Int(business.value()), Int(automation.value()), Int(since_day)}));
  std::vector<OccurrenceRecord> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(OccurrenceFromRow(row));
  return out;
}

Result<std::vector<OccurrenceRecord>> AutomationRepository::Occurrences(BusinessId business, AutomationId automation) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kOccurrences, {Int(business.value()), Int(automation.value())}));
  std::vector<OccurrenceRecord> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(OccurrenceFromRow(row));
  return out;
}

Result<std::vector<OccurrenceOutcome>> AutomationRepository::Outcomes(BusinessId business, AutomationId automation,
                                                                      int64_t window_micros) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kOutcomes, {Int(business.value()), Int(automation.value()),
                                                                Int(window_micros)}));
  std::vector<OccurrenceOutcome> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back({CustomerId(row.GetInt(0)), static_cast<domain::OccurrenceGroup>(row.GetInt(1)), row.GetInt(2),
                   row.GetInt(3), row.GetInt(4) != 0});
  }
  return out;
}

Result<std::vector<std::pair<domain::Channel, int64_t>>> AutomationRepository::SentMessages(BusinessId business,
                                                                                          AutomationId automation) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kSentMessages, {Int(business.value()), Int(automation.value())}));
  std::vector<std::pair<domain::Channel, int64_t>> out;
  for (const Row& row : rows) out.emplace_back(static_cast<domain::Channel>(row.GetInt(0)), row.GetInt(1));
  return out;
}

Result<std::vector<NewCustomerVisit>> AutomationRepository::NewCustomerVisits(BusinessId business, Timestamp from,
                                                                              Timestamp until, Timestamp visits_until) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kNewCustomerVisits, {Int(business.value()), Int(from.micros()),
                                                                         Int(until.micros()),
                                                                         Int(visits_until.micros())}));
  std::vector<NewCustomerVisit> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back({CustomerId(row.GetInt(0)), Timestamp::FromMicros(row.GetInt(1))});
  return out;
}

Result<std::vector<BirthdayRow>> AutomationRepository::Birthdays(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kBirthdays, {Int(business.value())}));
  std::vector<BirthdayRow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    auto date = Date::Parse(row.GetText(1));
    if (!date.ok()) continue;  // imports validate dates; a bad one is not greeted
    BirthdayRow b;
    b.customer_id = CustomerId(row.GetInt(0));
    b.birthday.date = *date;
    b.birthday.calendar = static_cast<domain::CalendarType>(row.GetInt(2));
    b.birthday.leap_month = row.GetInt(3) != 0;
    out.push_back(b);
  }
  return out;
}

Result<std::vector<AnniversaryRow>> AutomationRepository::Anniversaries(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kAnniversaries, {Int(business.value())}));
  std::vector<AnniversaryRow> out;
  for (const Row& row : rows) {
    auto date = Date::Parse(row.GetText(1));
    if (!date.ok()) continue;
    out.push_back({CustomerId(row.GetInt(0)), *date});
  }
  return out;
}

Result<std::vector<CustomerEvent>> AutomationRepository::TierPromotions(BusinessId business, Timestamp since,
                                                                        Timestamp until) {
  return Events(connection_, kTierPromotions, business, since, until, true);
}

Result<std::vector<CustomerEvent>> AutomationRepository::ReferralRewards(BusinessId business, Timestamp since,
                                                                         Timestamp until) {
  return Events(connection_, kReferralRewards, business, since, until, false);
}

Result<std::vector<CustomerEvent>> AutomationRepository::PointsExpiring(BusinessId business, Timestamp since,
                                                                        Timestamp until) {
  return Events(connection_, kPointsExpiring, business, since, until, false);
}

Result<std::vector<ProspectRow>> AutomationRepository::OpenProspects(BusinessId business, Timestamp since,
                                                                     Timestamp until) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kOpenProspects, {Int(business.value()), Int(since.micros()),
                                                                     Int(until.micros())}));
  std::vector<ProspectRow> out;
  for (const Row& row : rows) {
    out.push_back({ProspectId(row.GetInt(0)), StaffId(row.GetInt(1)), Timestamp::FromMicros(row.GetInt(2))});
  }
  return out;
}

}  // namespace crm::store
