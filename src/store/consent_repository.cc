#include "store/consent_repository.h"

namespace crm::store {
namespace {

#define SETTINGS_COLUMNS                                                                                   \
  "business_id, frequency_cap_count, frequency_cap_days, control_share_permille, price_sms, price_lms, " \
  "price_mms, price_alimtalk, price_brand, price_email, contact, opt_out_number, provider, "              \
  "provider_credentials, updated_at, public_base_url, opt_out_secret"

constexpr Statement kSettings{"consent.settings",
                              "SELECT " SETTINGS_COLUMNS " FROM messaging_settings WHERE business_id = $1"};
constexpr Statement kSaveSettings{
    "consent.settings_save",
    "INSERT INTO messaging_settings (" SETTINGS_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
    "$12, $13, $14, $15, $16, $17) ON CONFLICT (business_id) DO UPDATE SET frequency_cap_count = excluded.frequency_cap_count, "
    "frequency_cap_days = excluded.frequency_cap_days, control_share_permille = excluded.control_share_permille, "
    "price_sms = excluded.price_sms, price_lms = excluded.price_lms, price_mms = excluded.price_mms, "
    "price_alimtalk = excluded.price_alimtalk, price_brand = excluded.price_brand, price_email = "
    "excluded.price_email, contact = excluded.contact, opt_out_number = excluded.opt_out_number, provider = "
    "excluded.provider, provider_credentials = excluded.provider_credentials, updated_at = excluded.updated_at, "
    "public_base_url = excluded.public_base_url, opt_out_secret = excluded.opt_out_secret"};
constexpr Statement kAddSender{
    "consent.sender_add",
    "INSERT INTO sender_numbers (business_id, number, label, registered_at) VALUES ($1, $2, $3, $4) RETURNING id"};
constexpr Statement kSenders{
    "consent.senders",
    "SELECT id, business_id, number, label, registered_at FROM sender_numbers WHERE business_id = $1 ORDER BY id"};
constexpr Statement kRemoveSender{"consent.sender_remove",
                                  "DELETE FROM sender_numbers WHERE business_id = $1 AND id = $2 RETURNING id"};
constexpr Statement kRecordConsent{
    "consent.record",
    "INSERT INTO customer_consents (business_id, customer_id, channel, granted, at, source) VALUES ($1, $2, $3, $4, "
    "$5, $6) ON CONFLICT (business_id, customer_id, channel) DO UPDATE SET granted = excluded.granted, at = "
    "excluded.at, source = excluded.source"};
constexpr Statement kHistory{
    "consent.history",
    "SELECT id, customer_id, channel, granted, at, source FROM consent_events WHERE business_id = $1 AND "
    "customer_id = $2 ORDER BY id"};
constexpr Statement kEventsSince{
    "consent.events_since",
    "SELECT id, customer_id, channel, granted, at, source FROM consent_events WHERE business_id = $1 AND at >= $2 "
    "ORDER BY id LIMIT $3"};
constexpr Statement kSuppress{
    "consent.suppress",
    "INSERT INTO suppressions (business_id, address, reason, source, at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (business_id, address) DO NOTHING RETURNING address"};
constexpr Statement kFindSuppression{
    "consent.suppression_find",
    "SELECT address, reason, source, at FROM suppressions WHERE business_id = $1 AND address = $2"};
constexpr Statement kSuppressions{
    "consent.suppressions",
    "SELECT address, reason, source, at FROM suppressions WHERE business_id = $1 ORDER BY at DESC, address"};
constexpr Statement kUnsuppress{"consent.unsuppress",
                                "DELETE FROM suppressions WHERE business_id = $1 AND address = $2 RETURNING address"};

constexpr Statement kPendingConfirmations{
    "consent.pending_confirmations",
    "SELECT e.customer_id, e.channel, e.granted, e.at FROM consent_events e WHERE e.business_id = $1 AND "
    "e.at >= $2 AND e.channel IN (1, 2, 3) AND NOT EXISTS (SELECT 1 FROM consent_notices n WHERE "
    "n.business_id = e.business_id AND n.customer_id = e.customer_id AND n.kind = 1 AND "
    "n.consent_channel = e.channel AND n.decided_at = e.at) ORDER BY e.at, e.id LIMIT $3"};
constexpr Statement kPendingReconfirmations{
    "consent.pending_reconfirmations",
    "SELECT k.customer_id, k.channel, k.granted, k.at FROM customer_consents k WHERE k.business_id = $1 AND "
    "k.granted = 1 AND k.channel IN (1, 2, 3) AND k.at <= $2 AND NOT EXISTS (SELECT 1 FROM consent_notices n "
    "WHERE n.business_id = k.business_id AND n.customer_id = k.customer_id AND n.kind = 2 AND "
    "n.consent_channel = k.channel AND n.sent_at > $2) ORDER BY k.at, k.customer_id LIMIT $3"};
constexpr Statement kRecordNotice{
    "consent.notice_record",
    "INSERT INTO consent_notices (business_id, customer_id, kind, consent_channel, decided_at, sent_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING customer_id"};
constexpr Statement kLastReconfirmation{
    "consent.last_reconfirmation",
    "SELECT MAX(sent_at) FROM consent_notices WHERE business_id = $1 AND customer_id = $2 AND kind = 2 AND "
    "consent_channel = $3"};

std::vector<PendingNotice> NoticesFromRows(const std::vector<Row>& rows) {
  std::vector<PendingNotice> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back({CustomerId(row.GetInt(0)), static_cast<domain::ConsentChannel>(row.GetInt(1)),
                   row.GetInt(2) != 0, Timestamp::FromMicros(row.GetInt(3))});
  }
  return out;
}

ConsentEvent EventFromRow(const Row& row) {
  ConsentEvent e;
  e.id = row.GetInt(0);
  e.customer_id = CustomerId(row.GetInt(1));
  e.consent = {static_cast<domain::ConsentChannel>(row.GetInt(2)), row.GetInt(3) != 0,
               Timestamp::FromMicros(row.GetInt(4)), row.GetText(5)};
  return e;
}

Suppression SuppressionFromRow(const Row& row) {
  return {row.GetText(0), static_cast<domain::SuppressionReason>(row.GetInt(1)), row.GetText(2),
          Timestamp::FromMicros(row.GetInt(3))};
}

}  // namespace

Result<domain::MessagingSettings> ConsentRepository::Settings(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSettings, {Int(business.value())}));
  domain::MessagingSettings s;
  s.business_id = business;
  if (rows.empty()) return s;
  const Row& row = rows.front();
  s.frequency_cap_count = row.GetInt(1);
  s.frequency_cap_days = row.GetInt(2);
  s.control_share_permille = row.GetInt(3);
  s.price_sms = row.GetInt(4);
  s.price_lms = row.GetInt(5);
  s.price_mms = row.GetInt(6);
  s.price_alimtalk = row.GetInt(7);
  s.price_brand = row.GetInt(8);
  s.price_email = row.GetInt(9);
  s.contact = row.GetText(10);
  s.opt_out_number = row.GetText(11);
  s.provider = row.GetText(12);
  s.provider_credentials = row.GetText(13);
  s.updated_at = Timestamp::FromMicros(row.GetInt(14));
  s.public_base_url = row.GetText(15);
  s.opt_out_secret = row.GetText(16);
  return s;
}

Status ConsentRepository::SaveSettings(const domain::MessagingSettings& s) {
  return connection_.Execute(
      kSaveSettings, {Int(s.business_id.value()), Int(s.frequency_cap_count), Int(s.frequency_cap_days),
                      Int(s.control_share_permille), Int(s.price_sms), Int(s.price_lms), Int(s.price_mms),
                      Int(s.price_alimtalk), Int(s.price_brand), Int(s.price_email), Text(s.contact),
                      Text(s.opt_out_number), Text(s.provider), Text(s.provider_credentials),
                      Int(s.updated_at.micros()), Text(s.public_base_url), Text(s.opt_out_secret)});
}

Result<domain::SenderNumber> ConsentRepository::AddSenderNumber(domain::SenderNumber number) {
  auto rows = connection_.Query(kAddSender, {Int(number.business_id.value()), Text(number.number),
                                             Text(number.label), Int(number.registered_at.micros())});
  if (!rows.ok()) {
    if (rows.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("this sender number is registered already", "number");
    }
    return rows.status();
  }
  number.id = rows->at(0).GetInt(0);
  return number;
}

Result<std::vector<domain::SenderNumber>> ConsentRepository::SenderNumbers(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSenders, {Int(business.value())}));
  std::vector<domain::SenderNumber> out;
  for (const Row& row : rows) {
    out.push_back({row.GetInt(0), BusinessId(row.GetInt(1)), row.GetText(2), row.GetText(3),
                   Timestamp::FromMicros(row.GetInt(4))});
  }
  return out;
}

Status ConsentRepository::RemoveSenderNumber(BusinessId business, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRemoveSender, {Int(business.value()), Int(id)}));
  if (rows.empty()) return NotFound("sender number not found");
  return Status::Ok();
}

Status ConsentRepository::RecordConsent(BusinessId business, CustomerId customer, const domain::Consent& consent) {
  return connection_.Execute(kRecordConsent, {Int(business.value()), Int(customer.value()),
                                              Int(static_cast<int64_t>(consent.channel)), Int(consent.granted ? 1 : 0),
                                              Int(consent.at.micros()), Text(consent.source)});
}

Result<std::vector<ConsentEvent>> ConsentRepository::History(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kHistory, {Int(business.value()), Int(customer.value())}));
  std::vector<ConsentEvent> out;
  for (const Row& row : rows) out.push_back(EventFromRow(row));
  return out;
}

Result<std::vector<ConsentEvent>> ConsentRepository::EventsSince(BusinessId business, Timestamp since, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kEventsSince, {Int(business.value()), Int(since.micros()), Int(limit)}));
  std::vector<ConsentEvent> out;
  for (const Row& row : rows) out.push_back(EventFromRow(row));
  return out;
}

Result<std::vector<PendingNotice>> ConsentRepository::PendingConfirmations(BusinessId business, Timestamp since,
                                                                          int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kPendingConfirmations,
                                                    {Int(business.value()), Int(since.micros()), Int(limit)}));
  return NoticesFromRows(rows);
}

Result<std::vector<PendingNotice>> ConsentRepository::PendingReconfirmations(BusinessId business,
                                                                            Timestamp granted_before, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kPendingReconfirmations, {Int(business.value()),
                                                                              Int(granted_before.micros()),
                                                                              Int(limit)}));
  return NoticesFromRows(rows);
}

Result<bool> ConsentRepository::RecordNotice(BusinessId business, NoticeKind kind, const PendingNotice& notice,
                                             Timestamp sent_at) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRecordNotice, {Int(business.value()),
                                                                    Int(notice.customer_id.value()),
                                                                    Int(static_cast<int64_t>(kind)),
                                                                    Int(static_cast<int64_t>(notice.channel)),
                                                                    Int(notice.decided_at.micros()),
                                                                    Int(sent_at.micros())}));
  return !rows.empty();
}

Result<std::optional<Timestamp>> ConsentRepository::LastReconfirmation(BusinessId business, CustomerId customer,
                                                                       domain::ConsentChannel channel) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kLastReconfirmation,
                                                    {Int(business.value()), Int(customer.value()),
                                                     Int(static_cast<int64_t>(channel))}));
  if (rows.empty() || rows.front().IsNull(0)) return std::optional<Timestamp>();
  return std::optional<Timestamp>(Timestamp::FromMicros(rows.front().GetInt(0)));
}

Result<bool> ConsentRepository::Suppress(BusinessId business, const Suppression& s) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSuppress, {Int(business.value()), Text(s.address),
                                                                Int(static_cast<int64_t>(s.reason)),
                                                                Text(s.source), Int(s.at.micros())}));
  return !rows.empty();
}

Result<std::optional<Suppression>> ConsentRepository::FindSuppression(BusinessId business,
                                                                      const std::string& address) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindSuppression, {Int(business.value()), Text(address)}));
  if (rows.empty()) return std::optional<Suppression>();
  return std::optional<Suppression>(SuppressionFromRow(rows.front()));
}

Result<std::vector<Suppression>> ConsentRepository::Suppressions(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSuppressions, {Int(business.value())}));
  std::vector<Suppression> out;
  for (const Row& row : rows) out.push_back(SuppressionFromRow(row));
  return out;
}

Status ConsentRepository::Unsuppress(BusinessId business, const std::string& address) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kUnsuppress, {Int(business.value()), Text(address)}));
  if (rows.empty()) return NotFound("the address is not suppressed");
  return Status::Ok();
}

}  // namespace crm::store
