// Handlers of the outbox page (발송함): the business's messages newest first with their status, and
// one message with its full status history (MSG-08). Recipients are masked; the text of advertising
// messages is shown (the same offer to everyone), informational text (receipts, consent notices) is
// not.
#include <optional>
#include <string>

#include "domain/korean_text.h"
#include "http/json_mapping.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "messaging";
constexpr char kStatuses[] = "queued, sending, sent, delivered, failed, cancelled, suppressed";

Json OptionalTime(const std::optional<Timestamp>& at) { return at ? Json(at->ToIso8601()) : Json(nullptr); }

Json OutboxMessageJson(const domain::OutboxMessage& m) {
  const bool advertising = m.purpose == domain::Purpose::kAdvertising;
  return {{"id", m.id.value()},
          {"campaign_id", m.campaign_id ? Json(m.campaign_id->value()) : Json(nullptr)},
          {"customer_id", m.customer_id.value()},
          {"channel", domain::ToString(m.channel)},
          {"purpose", domain::ToString(m.purpose)},
          {"status", domain::ToString(m.status)},
          {"recipient", m.channel == domain::Channel::kEmail ? domain::MaskEmail(m.recipient)
                                                             : domain::MaskPhone(m.recipient)},
          {"subject", advertising ? Json(m.subject) : Json(nullptr)},
          {"body", advertising ? Json(m.body) : Json(nullptr)},
          {"attempts", m.attempts},
          {"provider_status_code", m.provider_status_code},
          {"created_at", m.created_at.ToIso8601()},
          {"sent_at", OptionalTime(m.sent_at)},
          {"delivered_at", OptionalTime(m.delivered_at)}};
}

Result<Response> ListOutbox(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PageRequest page, ReadPage(context.query, 50, 200));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> campaign, ReadIdParam(context.query, "campaign_id"));
  app::OutboxQuery query;
  query.limit = page.limit;
  if (page.cursor) query.before = MessageId(*page.cursor);
  if (campaign) query.campaign = CampaignId(*campaign);
  if (auto text = context.query.Get("status")) {
    query.status = domain::ParseMessageStatus(*text);
    if (!query.status) return InvalidArgument(std::string("expected one of ") + kStatuses, "status");
  }
  CRM_ASSIGN_OR_RETURN(app::OutboxPage result, context.services.outbox.List(context.principal(), query));
  Json items = Json::array();
  for (const domain::OutboxMessage& m : result.messages) items.push_back(OutboxMessageJson(m));
  std::optional<int64_t> next;
  if (result.next) next = result.next->value();
  return Response::Of(PageJson(std::move(items), next));
}

Result<Response> GetOutboxMessage(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::OutboxEntry entry,
                       context.services.outbox.Get(context.principal(), context.PathId<MessageId>("id")));
  Json body = OutboxMessageJson(entry.message);
  Json events = Json::array();
  for (const domain::MessageEvent& e : entry.events) {
    events.push_back({{"status", domain::ToString(e.status)},
                      {"attempt", e.attempt},
                      {"provider_status_code", e.provider_status_code},
                      {"detail", e.detail},
                      {"at", e.at.ToIso8601()}});
  }
  body["events"] = std::move(events);
  return Response::Of(std::move(body));
}

}  // namespace

std::vector<Route> OutboxRoutes() {
  const std::string base = "/api/v1/messaging/outbox";
  return {
      {{.method = Method::kGet, .pattern = base,
        .summary = "The business's outbox messages, newest first, with their status; recipients masked, the text "
                   "of advertising messages only (manager)",
        .tag = kTag,
        .query = {{.name = "campaign_id", .description = "only this campaign's messages", .type = "integer"},
                  {.name = "status", .description = kStatuses},
                  {.name = "limit", .description = "1..200, default 50", .type = "integer"},
                  {.name = "cursor", .description = "the next_cursor of the previous page"}},
        .response_schema = "OutboxList"},
       ListOutbox},
      {{.method = Method::kGet, .pattern = base + "/{id}",
        .summary = "One outbox message with its full status history, oldest first (MSG-08; manager)", .tag = kTag,
        .response_schema = "OutboxMessageHistory"},
       GetOutboxMessage},
  };
}

}  // namespace crm::http
