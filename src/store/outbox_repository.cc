#include "store/outbox_repository.h"

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace crm::store {
namespace {

using domain::MessageStatus;
using domain::OutboxMessage;

#define OUTBOX_COLUMNS(p)                                                                                         \
  p "id, " p "business_id, " p "campaign_id, " p "automation_id, " p "customer_id, " p "channel, " p "purpose, " p \
    "recipient, " p "sender, " p "subject, " p "body, " p "html_body, " p "template_code, " p "fallback_channel, " p \
    "unsubscribe_url, " p "idempotency_key, " p "status, " p "attempts, " p "next_attempt_at, " p                   \
    "provider_message_id, " p "provider_status_code, " p "last_error, " p "created_at, " p "updated_at, " p         \
    "sent_at, " p "delivered_at"

constexpr Statement kClaim{
    "outbox.claim",
    "UPDATE outbox_messages SET status = 2, attempts = attempts + 1, due_at = $2, claim_token = $3, updated_at = $1 "
    "WHERE id IN (SELECT id FROM outbox_messages WHERE status IN (1, 2) AND due_at <= $1 "
    "AND (CAST($5 AS BIGINT) IS NULL OR business_id = $5) ORDER BY due_at, id LIMIT $4) RETURNING " OUTBOX_COLUMNS(""),
    "WITH due AS (SELECT id FROM outbox_messages WHERE status IN (1, 2) AND due_at <= $1 "
    "AND ($5::bigint IS NULL OR business_id = $5) ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) "
    "UPDATE outbox_messages o SET status = 2, attempts = o.attempts + 1, due_at = $2, claim_token = $3, "
    "updated_at = $1 FROM due WHERE o.id = due.id RETURNING " OUTBOX_COLUMNS("o.")};

constexpr Statement kRecordOutcome{
    "outbox.record_outcome",
    "UPDATE outbox_messages SET status = CAST($3 AS BIGINT), "
    "next_attempt_at = COALESCE(CAST($4 AS BIGINT), next_attempt_at), due_at = COALESCE(CAST($4 AS BIGINT), due_at), "
    "provider_message_id = CASE WHEN CAST($5 AS TEXT) = '' THEN provider_message_id ELSE CAST($5 AS TEXT) END, "
    "provider_status_code = $6, last_error = $7, updated_at = CAST($8 AS BIGINT), "
    "sent_at = CASE WHEN CAST($3 AS BIGINT) = 3 THEN CAST($8 AS BIGINT) ELSE sent_at END, claim_token = '', "
    "channel = COALESCE(CAST($9 AS BIGINT), channel) "
    "WHERE id = $1 AND claim_token = $2 AND status = 2 RETURNING attempts"};

constexpr Statement kApplyReport{
    "outbox.apply_report",
    "UPDATE outbox_messages SET status = CAST($3 AS BIGINT), provider_status_code = $4, "
    "last_error = CASE WHEN CAST($3 AS BIGINT) = 5 THEN CAST($5 AS TEXT) ELSE last_error END, "
    "delivered_at = CASE WHEN CAST($3 AS BIGINT) = 4 THEN CAST($6 AS BIGINT) ELSE delivered_at END, "
    "sent_at = COALESCE(sent_at, CAST($6 AS BIGINT)), updated_at = CAST($6 AS BIGINT), claim_token = '', "
    "provider_message_id = CASE WHEN provider_message_id = '' THEN CAST($7 AS TEXT) ELSE provider_message_id END "
    "WHERE business_id = $1 AND idempotency_key = $2 AND status IN (2, 3) RETURNING id, attempts"};

constexpr Statement kCancelQueued{
    "outbox.cancel_queued",
    "UPDATE outbox_messages SET status = 6, updated_at = $3 "
    "WHERE business_id = $1 AND campaign_id = $2 AND status = 1 RETURNING id, attempts"};

constexpr Statement kEraseCustomer{
    "outbox.erase_customer",
    "UPDATE outbox_messages SET recipient = '', subject = '', body = '', html_body = '', unsubscribe_url = '', "
    "last_error = '', status = CASE WHEN status = 1 THEN 6 ELSE status END, updated_at = $3 "
    "WHERE business_id = $1 AND customer_id = $2 RETURNING id"};

constexpr Statement kGet{"outbox.get",
                         "SELECT " OUTBOX_COLUMNS("") " FROM outbox_messages WHERE business_id = $1 AND id = $2"};
constexpr Statement kGetByKey{
    "outbox.get_by_key",
    "SELECT " OUTBOX_COLUMNS("") " FROM outbox_messages WHERE business_id = $1 AND idempotency_key = $2"};
constexpr Statement kListForCustomer{
    "outbox.list_for_customer",
    "SELECT " OUTBOX_COLUMNS("") " FROM outbox_messages WHERE business_id = $1 AND customer_id = $2 AND id < $3 "
    "ORDER BY id DESC LIMIT $4"};
constexpr Statement kListForBusiness{
    "outbox.list_for_business",
    "SELECT " OUTBOX_COLUMNS("") " FROM outbox_messages WHERE business_id = $1 "
    "AND (CAST($2 AS BIGINT) IS NULL OR campaign_id = $2) AND (CAST($3 AS BIGINT) IS NULL OR status = $3) "
    "AND id < $4 ORDER BY id DESC LIMIT $5"};
constexpr Statement kCountByCampaign{
    "outbox.count_by_campaign",
    "SELECT campaign_id, status, COUNT(*) FROM outbox_messages WHERE business_id = $1 AND campaign_id IS NOT NULL "
    "GROUP BY campaign_id, status"};
constexpr Statement kListEvents{
    "outbox.list_events",
    "SELECT e.status, e.attempt, e.provider_status_code, e.detail, e.at FROM message_events e "
    "JOIN outbox_messages m ON m.id = e.message_id WHERE m.business_id = $1 AND e.message_id = $2 ORDER BY e.id"};
constexpr Statement kCountByStatus{
    "outbox.count_by_status",
    "SELECT status, COUNT(*) FROM outbox_messages WHERE business_id = $1 AND campaign_id = $2 GROUP BY status"};
constexpr Statement kCountRecentAdvertising{
    "outbox.count_recent_advertising",
    "SELECT COUNT(*) FROM outbox_messages WHERE business_id = $1 AND customer_id = $2 AND purpose = 2 "
    "AND status IN (3, 4) AND sent_at >= $3"};

// Multi-row INSERT statements of a few fixed sizes, built once: a batch is sent as the fewest
// statements of these sizes, so 100,000 rows take about 200 round trips instead of 100,000.
constexpr std::array<int, 4> kChunkSizes = {500, 100, 10, 1};

struct BulkStatements {
  std::array<std::string, kChunkSizes.size()> names;
  std::array<std::string, kChunkSizes.size()> texts;
  std::array<Statement, kChunkSizes.size()> statements;
};

// `row(first)` is the text of one row whose parameters start at $first; `tail` follows the rows.
std::unique_ptr<BulkStatements> MakeBulk(std::string_view name, std::string_view head, int width,
                                         const std::function<std::string(int)>& row, std::string_view tail = {}) {
  auto bulk = std::make_unique<BulkStatements>();
  for (size_t i = 0; i < kChunkSizes.size(); ++i) {
    bulk->names[i] = fmt::format("{}.{}", name, kChunkSizes[i]);
    std::string text(head);
    for (int r = 0; r < kChunkSizes[i]; ++r) {
      if (r > 0) text += ", ";
      text += row(r * width + 1);
    }
    text += tail;
    bulk->texts[i] = std::move(text);
    bulk->statements[i] = Statement{bulk->names[i].c_str(), bulk->texts[i].c_str()};
  }
  return bulk;
}

constexpr int kMessageWidth = 17;
const BulkStatements& MessageInserts() {
  static const std::unique_ptr<BulkStatements> bulk = MakeBulk(
      "outbox.insert",
      "INSERT INTO outbox_messages (business_id, campaign_id, automation_id, customer_id, channel, purpose, "
      "recipient, sender, subject, body, html_body, template_code, fallback_channel, unsubscribe_url, "
      "idempotency_key, status, attempts, next_attempt_at, due_at, created_at, updated_at) VALUES ",
      kMessageWidth, [](int p) {
        return fmt::format("(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 1, 0, ${}, ${}, "
                           "${}, ${})",
                           p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9, p + 10, p + 11, p + 12,
                           p + 13, p + 14, p + 15, p + 15, p + 16, p + 16);
      });
  return *bulk;
}

// An event carries its message's business, so that a business's events are found (backups, a
// sharded deployment) without the join.
constexpr int kEventWidth = 6;
const BulkStatements& EventInserts() {
  static const std::unique_ptr<BulkStatements> bulk = MakeBulk(
      "outbox.insert_events",
      "INSERT INTO message_events (business_id, message_id, status, attempt, provider_status_code, detail, at) "
      "SELECT m.business_id, v.column1, v.column2, v.column3, v.column4, v.column5, v.column6 FROM (VALUES ",
      kEventWidth,
      [](int p) {
        return fmt::format("(CAST(${} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS BIGINT), ${}, ${}, CAST(${} AS BIGINT))",
                           p, p + 1, p + 2, p + 3, p + 4, p + 5);
      },
      ") AS v JOIN outbox_messages m ON m.id = v.column1");
  return *bulk;
}

// Runs the bulk statement over `count` rows, appending the parameters of row i with add(i, params).
Status InsertInChunks(SqlConnection& connection, const BulkStatements& bulk, size_t count,
                      const std::function<void(size_t, std::vector<SqlValue>&)>& add) {
  size_t next = 0;
  std::vector<SqlValue> params;
  while (next < count) {
    size_t chunk = 0;
    while (static_cast<size_t>(kChunkSizes[chunk]) > count - next) ++chunk;
    size_t rows = kChunkSizes[chunk];
    params.clear();
    for (size_t i = 0; i < rows; ++i) add(next + i, params);
    CRM_RETURN_IF_ERROR(connection.Execute(bulk.statements[chunk], params));
    next += rows;
  }
  return Status::Ok();
}

SqlValue OptionalId(int64_t value, bool present) { return present ? Int(value) : Null(); }

// PostgreSQL: a batch as one JSON parameter expanded by the server (json_to_recordset), in chunks
// of kJsonChunk rows. Parsing one text value is far cheaper there than binding 17 text parameters
// per row (libpqxx sends every parameter as text), which kept 100,000 rows above 13 s.
constexpr size_t kJsonChunk = 5000;
constexpr const char* kInsertJsonSql =
    "INSERT INTO outbox_messages (business_id, campaign_id, automation_id, customer_id, channel, purpose, "
    "recipient, sender, subject, body, html_body, template_code, fallback_channel, unsubscribe_url, "
    "idempotency_key, status, attempts, next_attempt_at, due_at, created_at, updated_at) "
    "SELECT b, c, a, u, ch, p, r, s, sj, bd, h, t, f, uu, k, 1, 0, n, n, CAST($2 AS BIGINT), CAST($2 AS BIGINT) "
    "FROM json_to_recordset(CAST($1 AS json)) AS x(b bigint, c bigint, a bigint, u bigint, ch bigint, p bigint, "
    "r text, s text, sj text, bd text, h text, t text, f bigint, uu text, k text, n bigint)";
constexpr Statement kInsertJson{"outbox.insert_json", kInsertJsonSql, kInsertJsonSql};

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += fmt::format("\\u{:04x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
}

void AppendJsonInt(std::string& out, std::optional<int64_t> value) {
  out += value ? std::to_string(*value) : std::string("null");
}

Status EnqueueAsJson(SqlConnection& connection, std::span<const OutboxMessage> messages, Timestamp now) {
  std::string json;
  for (size_t first = 0; first < messages.size(); first += kJsonChunk) {
    const size_t end = std::min(messages.size(), first + kJsonChunk);
    json.clear();
    json += '[';
    for (size_t i = first; i < end; ++i) {
      const OutboxMessage& m = messages[i];
      if (i > first) json += ',';
      json += "{\"b\":";
      AppendJsonInt(json, m.business_id.value());
      json += ",\"c\":";
      AppendJsonInt(json, m.campaign_id ? std::optional<int64_t>(m.campaign_id->value()) : std::nullopt);
      json += ",\"a\":";
      AppendJsonInt(json, m.automation_id ? std::optional<int64_t>(m.automation_id->value()) : std::nullopt);
      json += ",\"u\":";
      AppendJsonInt(json, m.customer_id.valid() ? std::optional<int64_t>(m.customer_id.value()) : std::nullopt);
      json += ",\"ch\":";
      AppendJsonInt(json, static_cast<int64_t>(m.channel));
      json += ",\"p\":";
      AppendJsonInt(json, static_cast<int64_t>(m.purpose));
      json += ",\"r\":";
      AppendJsonString(json, m.recipient);
      json += ",\"s\":";
      AppendJsonString(json, m.sender);
      json += ",\"sj\":";
      AppendJsonString(json, m.subject);
      json += ",\"bd\":";
      AppendJsonString(json, m.body);
      json += ",\"h\":";
      AppendJsonString(json, m.html_body);
      json += ",\"t\":";
      AppendJsonString(json, m.template_code);
      json += ",\"f\":";
      AppendJsonInt(json, m.fallback_channel ? std::optional<int64_t>(static_cast<int64_t>(*m.fallback_channel))
                                             : std::nullopt);
      json += ",\"uu\":";
      AppendJsonString(json, m.unsubscribe_url);
      json += ",\"k\":";
      AppendJsonString(json, m.idempotency_key);
      json += ",\"n\":";
      AppendJsonInt(json, std::max(m.next_attempt_at, now).micros());
      json += '}';
    }
    json += ']';
    CRM_RETURN_IF_ERROR(connection.Execute(kInsertJson, {Text(json), Int(now.micros())}));
  }
  return Status::Ok();
}

OutboxMessage MessageFromRow(const Row& row) {
  OutboxMessage m;
  m.id = MessageId(row.GetInt(0));
  m.business_id = BusinessId(row.GetInt(1));
  if (auto v = row.GetOptionalInt(2)) m.campaign_id = CampaignId(*v);
  if (auto v = row.GetOptionalInt(3)) m.automation_id = AutomationId(*v);
  m.customer_id = CustomerId(row.GetInt(4));
  m.channel = static_cast<domain::Channel>(row.GetInt(5));
  m.purpose = static_cast<domain::Purpose>(row.GetInt(6));
  m.recipient = row.GetText(7);
  m.sender = row.GetText(8);
  m.subject = row.GetText(9);
  m.body = row.GetText(10);
  m.html_body = row.GetText(11);
  m.template_code = row.GetText(12);
  if (auto v = row.GetOptionalInt(13)) m.fallback_channel = static_cast<domain::Channel>(*v);
  m.unsubscribe_url = row.GetText(14);
  m.idempotency_key = row.GetText(15);
  m.status = static_cast<MessageStatus>(row.GetInt(16));
  m.attempts = static_cast<int>(row.GetInt(17));
  m.next_attempt_at = Timestamp::FromMicros(row.GetInt(18));
  m.provider_message_id = row.GetText(19);
  m.provider_status_code = row.GetText(20);
  m.last_error = row.GetText(21);
  m.created_at = Timestamp::FromMicros(row.GetInt(22));
  m.updated_at = Timestamp::FromMicros(row.GetInt(23));
  if (auto v = row.GetOptionalInt(24)) m.sent_at = Timestamp::FromMicros(*v);
  if (auto v = row.GetOptionalInt(25)) m.delivered_at = Timestamp::FromMicros(*v);
  return m;
}

Status InsertEvents(SqlConnection& connection, const std::vector<domain::MessageEvent>& events) {
  return InsertInChunks(connection, EventInserts(), events.size(), [&](size_t i, std::vector<SqlValue>& params) {
    const domain::MessageEvent& e = events[i];
    params.push_back(Int(e.message_id.value()));
    params.push_back(Int(static_cast<int64_t>(e.status)));
    params.push_back(Int(e.attempt));
    params.push_back(Text(e.provider_status_code));
    params.push_back(Text(e.detail));
    params.push_back(Int(e.at.micros()));
  });
}

}  // namespace

Status OutboxRepository::Enqueue(std::span<const OutboxMessage> messages, Timestamp now) {
  for (const OutboxMessage& m : messages) {
    if (m.idempotency_key.empty()) return InvalidArgument("a message needs an idempotency key", "idempotency_key");
    if (m.recipient.empty()) return InvalidArgument("a message needs a recipient", "recipient");
    if (!m.business_id.valid()) return InvalidArgument("a message needs a business", "business_id");
  }
  Status status = connection_.dialect() == Dialect::kPostgres ? EnqueueAsJson(connection_, messages, now)
                                                               : InsertInChunks(connection_, MessageInserts(), messages.size(), [&](size_t i, std::vector<SqlValue>& p) {
    const OutboxMessage& m = messages[i];
    p.push_back(Int(m.business_id.value()));
    p.push_back(OptionalId(m.campaign_id ? m.campaign_id->value() : 0, m.campaign_id.has_value()));
    p.push_back(OptionalId(m.automation_id ? m.automation_id->value() : 0, m.automation_id.has_value()));
    p.push_back(OptionalId(m.customer_id.value(), m.customer_id.valid()));
    p.push_back(Int(static_cast<int64_t>(m.channel)));
    p.push_back(Int(static_cast<int64_t>(m.purpose)));
    p.push_back(Text(m.recipient));
    p.push_back(Text(m.sender));
    p.push_back(Text(m.subject));
    p.push_back(Text(m.body));
    p.push_back(Text(m.html_body));
    p.push_back(Text(m.template_code));
    p.push_back(m.fallback_channel ? Int(static_cast<int64_t>(*m.fallback_channel)) : Null());
    p.push_back(Text(m.unsubscribe_url));
    p.push_back(Text(m.idempotency_key));
    p.push_back(Int(std::max(m.next_attempt_at, now).micros()));
    p.push_back(Int(now.micros()));
  });
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a message with this idempotency key is already queued", "idempotency_key");
  }
  return status;
}

Result<std::vector<OutboxMessage>> OutboxRepository::ClaimDue(Timestamp now, Timestamp lease_until,
                                                              const std::string& claim_token, int limit,
                                                              std::optional<BusinessId> only_business) {
  if (claim_token.empty()) return InvalidArgument("a claim needs a token", "claim_token");
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows,
                       connection_.Query(kClaim, {Int(now.micros()), Int(lease_until.micros()), Text(claim_token),
                                                  Int(std::max(limit, 0)),
                                                  only_business ? Int(only_business->value()) : Null()}));
  std::vector<OutboxMessage> messages;
  messages.reserve(rows.size());
  for (const Row& row : rows) messages.push_back(MessageFromRow(row));
  std::sort(messages.begin(), messages.end(), [](const OutboxMessage& a, const OutboxMessage& b) {
    return a.next_attempt_at != b.next_attempt_at ? a.next_attempt_at < b.next_attempt_at : a.id < b.id;
  });
  std::vector<domain::MessageEvent> events;
  events.reserve(messages.size());
  for (const OutboxMessage& m : messages) {
    events.push_back({m.id, MessageStatus::kSending, m.attempts, "", "", now});
  }
  CRM_RETURN_IF_ERROR(InsertEvents(connection_, events));
  return messages;
}

Result<int64_t> OutboxRepository::RecordOutcomes(std::span<const MessageOutcome> outcomes) {
  std::vector<domain::MessageEvent> events;
  for (const MessageOutcome& o : outcomes) {
    CRM_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        connection_.Query(kRecordOutcome,
                          {Int(o.id.value()), Text(o.claim_token), Int(static_cast<int64_t>(o.status)),
                           o.next_attempt_at ? Int(o.next_attempt_at->micros()) : Null(), Text(o.provider_message_id),
                           Text(o.provider_status_code), Text(o.detail), Int(o.at.micros()),
                           o.new_channel ? Int(static_cast<int64_t>(*o.new_channel)) : Null()}));
    if (rows.empty()) continue;
    events.push_back({o.id, o.status, static_cast<int>(rows[0].GetInt(0)), o.provider_status_code, o.detail, o.at});
  }
  CRM_RETURN_IF_ERROR(InsertEvents(connection_, events));
  return static_cast<int64_t>(events.size());
}

Result<int64_t> OutboxRepository::ApplyDeliveryReports(std::span<const DeliveryUpdate> updates) {
  std::vector<domain::MessageEvent> events;
  for (const DeliveryUpdate& u : updates) {
    if (u.status != MessageStatus::kDelivered && u.status != MessageStatus::kFailed) {
      return InvalidArgument("a delivery report is delivered or failed", "status");
    }
    CRM_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         connection_.Query(kApplyReport, {Int(u.business_id.value()), Text(u.idempotency_key),
                                                          Int(static_cast<int64_t>(u.status)),
                                                          Text(u.provider_status_code), Text(u.detail),
                                                          Int(u.at.micros()), Text(u.provider_message_id)}));
    if (rows.empty()) continue;
    events.push_back({MessageId(rows[0].GetInt(0)), u.status, static_cast<int>(rows[0].GetInt(1)),
                      u.provider_status_code, u.detail, u.at});
  }
  CRM_RETURN_IF_ERROR(InsertEvents(connection_, events));
  return static_cast<int64_t>(events.size());
}

Result<int64_t> OutboxRepository::CancelQueued(BusinessId business, CampaignId campaign, Timestamp now) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows,
                       connection_.Query(kCancelQueued, {Int(business.value()), Int(campaign.value()), Int(now.micros())}));
  std::vector<domain::MessageEvent> events;
  events.reserve(rows.size());
  for (const Row& row : rows) {
    events.push_back({MessageId(row.GetInt(0)), MessageStatus::kCancelled, static_cast<int>(row.GetInt(1)), "",
                      "campaign cancelled", now});
  }
  CRM_RETURN_IF_ERROR(InsertEvents(connection_, events));
  return static_cast<int64_t>(rows.size());
}

Result<int64_t> OutboxRepository::EraseCustomer(BusinessId business, CustomerId customer, Timestamp now) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kEraseCustomer, {Int(business.value()),
                                                                                 Int(customer.value()), Int(now.micros())}));
  return static_cast<int64_t>(rows.size());
}

Result<OutboxMessage> OutboxRepository::Get(BusinessId business, MessageId id) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kGet, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("no such message");
  return MessageFromRow(rows[0]);
}

Result<OutboxMessage> OutboxRepository::GetByIdempotencyKey(BusinessId business, const std::string& key) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kGetByKey, {Int(business.value()), Text(key)}));
  if (rows.empty()) return NotFound("no message with this idempotency key");
  return MessageFromRow(rows[0]);
}

Result<std::vector<OutboxMessage>> OutboxRepository::ListForCustomer(BusinessId business, CustomerId customer,
                                                                     int limit, std::optional<MessageId> before) {
  int64_t below = before ? before->value() : INT64_MAX;
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows,
                       connection_.Query(kListForCustomer, {Int(business.value()), Int(customer.value()), Int(below),
                                                            Int(std::max(limit, 0))}));
  std::vector<OutboxMessage> messages;
  messages.reserve(rows.size());
  for (const Row& row : rows) messages.push_back(MessageFromRow(row));
  return messages;
}

Result<std::vector<OutboxMessage>> OutboxRepository::ListForBusiness(BusinessId business,
                                                                     std::optional<CampaignId> campaign,
                                                                     std::optional<MessageStatus> status, int limit,
                                                                     std::optional<MessageId> before) {
  int64_t below = before ? before->value() : INT64_MAX;
  CRM_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      connection_.Query(kListForBusiness,
                        {Int(business.value()), OptionalId(campaign ? campaign->value() : 0, campaign.has_value()),
                         OptionalId(status ? static_cast<int64_t>(*status) : 0, status.has_value()), Int(below),
                         Int(std::max(limit, 0))}));
  std::vector<OutboxMessage> messages;
  messages.reserve(rows.size());
  for (const Row& row : rows) messages.push_back(MessageFromRow(row));
  return messages;
}

Result<std::map<CampaignId, std::map<MessageStatus, int64_t>>> OutboxRepository::CountByCampaign(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kCountByCampaign, {Int(business.value())}));
  std::map<CampaignId, std::map<MessageStatus, int64_t>> counts;
  for (const Row& row : rows) {
    counts[CampaignId(row.GetInt(0))][static_cast<MessageStatus>(row.GetInt(1))] = row.GetInt(2);
  }
  return counts;
}

Result<std::vector<domain::MessageEvent>> OutboxRepository::ListEvents(BusinessId business, MessageId id) {
  CRM_ASSIGN_OR_RETURN(OutboxMessage message, Get(business, id));
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows, connection_.Query(kListEvents, {Int(business.value()), Int(id.value())}));
  std::vector<domain::MessageEvent> events;
  events.reserve(rows.size() + 1);
  events.push_back({id, MessageStatus::kQueued, 0, "", "", message.created_at});
  for (const Row& row : rows) {
    events.push_back({id, static_cast<MessageStatus>(row.GetInt(0)), static_cast<int>(row.GetInt(1)), row.GetText(2),
                      row.GetText(3), Timestamp::FromMicros(row.GetInt(4))});
  }
  return events;
}

Result<std::map<MessageStatus, int64_t>> OutboxRepository::CountByStatus(BusinessId business, CampaignId campaign) {
  CRM_ASSIGN_OR_RETURN(std::vector<Row> rows,
                       connection_.Query(kCountByStatus, {Int(business.value()), Int(campaign.value())}));
  std::map<MessageStatus, int64_t> counts;
  for (const Row& row : rows) counts[static_cast<MessageStatus>(row.GetInt(0))] = row.GetInt(1);
  return counts;
}

Result<std::map<CustomerId, int>> OutboxRepository::CountRecentAdvertising(BusinessId business,
                                                                           std::span<const CustomerId> customers,
                                                                           Timestamp since) {
  std::map<CustomerId, int> counts;
  for (CustomerId customer : customers) {
    if (counts.contains(customer)) continue;
    CRM_ASSIGN_OR_RETURN(std::vector<Row> rows,
                         connection_.Query(kCountRecentAdvertising,
                                           {Int(business.value()), Int(customer.value()), Int(since.micros())}));
    int64_t count = rows.empty() ? 0 : rows[0].GetInt(0);
    if (count > 0) counts[customer] = static_cast<int>(count);
  }
  return counts;
}

}  // namespace crm::store
