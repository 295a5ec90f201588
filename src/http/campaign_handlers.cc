// Handlers of campaigns: drafts, the composer's preview, scheduling, cancel, test sends, the uplift
// report, and what a customer received.
#include <optional>
#include <vector>

#include "http/customer_query.h"
#include <fmt/format.h>

#include "domain/korean_text.h"
#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "campaigns";
constexpr char kChannels[] = "sms, lms, alimtalk, brand_message, email";
constexpr char kAudiences[] = "segment, rfm_segment, at_risk, overdue, filter, customer_ids";

Json OptionalTime(const std::optional<Timestamp>& at) { return at ? Json(at->ToIso8601()) : Json(nullptr); }

Json CampaignJson(const domain::Campaign& c) {
  Json json;
  json["id"] = c.id.value();
  json["name"] = c.name;
  json["status"] = domain::ToString(c.status);
  json["purpose"] = domain::ToString(c.purpose);
  json["channel"] = domain::ToString(c.channel);
  json["fallback_channel"] = c.fallback_channel ? Json(domain::ToString(*c.fallback_channel)) : Json(nullptr);
  json["audience"] = {{"kind", domain::ToString(c.audience_kind)}, {"value", c.audience_value}};
  json["subject"] = c.subject;
  json["body"] = c.body;
  json["sender_number"] = c.sender_number;
  json["coupon_template_id"] = c.coupon_template_id ? Json(c.coupon_template_id->value()) : Json(nullptr);
  json["scheduled_at"] = OptionalTime(c.scheduled_at);
  json["night_policy"] = domain::ToString(c.night_policy);
  json["control_share_permille"] = c.control_share_permille;
  json["seed"] = c.seed;
  json["counts"] = {{"audience", c.audience_count},
                    {"treated", c.treated_count},
                    {"control", c.control_count},
                    {"excluded", c.excluded_count}};
  json["cost_estimate"] = c.cost_estimate;
  json["created_at"] = c.created_at.ToIso8601();
  json["queued_at"] = OptionalTime(c.queued_at);
  return json;
}

std::optional<domain::Channel> ParseCampaignChannel(std::string_view text) {
  auto channel = domain::ParseChannel(text);
  if (channel == domain::Channel::kMms) return std::nullopt;
  return channel;
}

Result<domain::Campaign> ParseCampaign(const nlohmann::json& body, int64_t default_control) {
  FieldReader reader(body);
  domain::Campaign c;
  c.name = reader.String("name", Presence::kRequired).value_or("");
  c.purpose = reader.Enumerated<domain::Purpose>("purpose", domain::ParsePurpose, "advertising, informational",
                                                 Presence::kRequired)
                  .value_or(domain::Purpose::kAdvertising);
  c.channel = reader.Enumerated<domain::Channel>("channel", ParseCampaignChannel, kChannels, Presence::kRequired)
                  .value_or(domain::Channel::kSms);
  c.fallback_channel = reader.Enumerated<domain::Channel>("fallback_channel", ParseCampaignChannel, kChannels);
  if (const nlohmann::json* audience = reader.Object("audience", Presence::kRequired)) {
    FieldReader inner(*audience, "audience.");
    c.audience_kind = inner.Enumerated<domain::AudienceKind>("kind", domain::ParseAudienceKind, kAudiences,
                                                             Presence::kRequired)
                          .value_or(domain::AudienceKind::kSegment);
    c.audience_value = inner.String("value").value_or("");
    if (!inner.ok()) return inner.status();
  }
  c.subject = reader.String("subject").value_or("");
  c.body = reader.String("body", Presence::kRequired).value_or("");
  c.sender_number = reader.String("sender_number").value_or("");
  if (auto id = reader.Id("coupon_template_id")) c.coupon_template_id = CouponTemplateId(*id);
  c.scheduled_at = reader.Time("scheduled_at");
  c.night_policy = reader.Enumerated<domain::NightPolicy>("night_policy", domain::ParseNightPolicy,
                                                          "refuse, night_consent_only")
                       .value_or(domain::NightPolicy::kRefuse);
  c.control_share_permille = reader.Integer("control_share_permille", 0, 900).value_or(default_control);
  c.seed = reader.Integer("seed", 1, INT64_MAX).value_or(0);
  if (!reader.ok()) return reader.status();
  return c;
}

Result<domain::Campaign> ReadCampaign(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto settings, context.services.campaigns.Settings(context.principal()));
  return ParseCampaign(context.body, settings.control_share_permille);
}

Result<Response> ListCampaigns(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto campaigns, context.services.campaigns.List(context.principal()));
  CRM_ASSIGN_OR_RETURN(auto counts, context.services.outbox.CountByCampaign(context.principal()));
  Json items = Json::array();
  for (const domain::Campaign& c : campaigns) {
    Json item = CampaignJson(c);
    Json messages = Json::object();
    if (auto found = counts.find(c.id); found != counts.end()) {
      for (const auto& [status, count] : found->second) messages[domain::ToString(status)] = count;
    }
    item["messages"] = std::move(messages);  // its outbox messages by status, for the list's progress
    items.push_back(std::move(item));
  }
  return Response::Of(Json{{"items", std::move(items)}});
}

Result<Response> CreateCampaign(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Campaign draft, ReadCampaign(context));
  CRM_ASSIGN_OR_RETURN(auto created, context.services.campaigns.Create(context.principal(), std::move(draft)));
  return Response::Of(CampaignJson(created), 201);
}

Result<Response> GetCampaign(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto campaign,
                       context.services.campaigns.Get(context.principal(), context.PathId<CampaignId>("id")));
  return Response::Of(CampaignJson(campaign));
}

Result<Response> UpdateCampaign(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Campaign draft, ReadCampaign(context));
  CRM_ASSIGN_OR_RETURN(auto updated, context.services.campaigns.Update(
                                         context.principal(), context.PathId<CampaignId>("id"), std::move(draft)));
  return Response::Of(CampaignJson(updated));
}

Json ExclusionsJson(const std::map<domain::ExclusionReason, int64_t>& exclusions) {
  Json json = Json::object();
  for (const auto& [reason, count] : exclusions) json[domain::ToString(reason)] = count;
  return json;
}

Result<Response> PreviewCampaign(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Campaign draft, ReadCampaign(context));
  CRM_ASSIGN_OR_RETURN(app::CampaignPreview preview, context.services.campaigns.Preview(context.principal(), draft));
  Json body;
  body["audience"] = preview.audience;
  body["eligible"] = preview.eligible;
  body["treated"] = preview.treated;
  body["control"] = preview.control;
  body["exclusions"] = ExclusionsJson(preview.exclusions);
  Json samples = Json::array();
  for (const app::SampleRecipient& s : preview.samples) {
    samples.push_back({{"customer_id", s.customer_id.value()},
                       {"name", s.name},
                       {"address", s.address},
                       {"channel", domain::ToString(s.channel)},
                       {"body", s.body}});
  }
  body["samples"] = std::move(samples);
  Json costs = Json::array();
  for (const app::ChannelCost& c : preview.costs) {
    costs.push_back({{"channel", domain::ToString(c.channel)},
                     {"messages", c.messages},
                     {"unit_price", c.unit_price},
                     {"total", c.total}});
  }
  body["costs"] = std::move(costs);
  body["total_cost"] = preview.total_cost;
  Json violations = Json::array();
  for (const domain::RuleViolation& v : preview.message.violations) {
    violations.push_back({{"rule", v.rule}, {"code", v.code}, {"message", v.message}});
  }
  body["message"] = {{"channel", domain::ToString(preview.message.channel)},
                     {"subject", preview.message.subject},
                     {"body", preview.message.body},
                     {"length", preview.message.length},
                     {"limit", preview.message.limit ? Json(*preview.message.limit) : Json(nullptr)},
                     {"violations", std::move(violations)}};
  return Response::Of(std::move(body));
}

Result<Response> ScheduleCampaign(RequestContext& context) {
  FieldReader reader(context.body);
  std::optional<Timestamp> at = reader.Time("at");
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(auto campaign, context.services.campaigns.Schedule(context.principal(),
                                                                          context.PathId<CampaignId>("id"), at));
  return Response::Of(CampaignJson(campaign));
}

Result<Response> CancelCampaign(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto campaign,
                       context.services.campaigns.Cancel(context.principal(), context.PathId<CampaignId>("id")));
  return Response::Of(CampaignJson(campaign));
}

Result<Response> TestSend(RequestContext& context) {
  FieldReader reader(context.body);
  std::vector<std::string> phones;
  if (const nlohmann::json* list = reader.Array("phones", Presence::kRequired)) {
    for (const auto& phone : *list) {
      if (!phone.is_string()) return InvalidArgument("phone numbers are strings", "phones");
      phones.push_back(phone.get<std::string>());
    }
  }
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(int64_t queued, context.services.campaigns.TestSend(
                                           context.principal(), context.PathId<CampaignId>("id"), phones));
  return Response::Of(Json{{"queued", queued}}, 202);
}

Json DifferenceJson(const domain::Difference& d) {
  if (!d.defined) return nullptr;
  return {{"treated", d.treated}, {"control", d.control}, {"difference", d.difference}, {"low", d.low}, {"high", d.high}};
}

Json GroupJson(const app::GroupFigures& g) {
  return {{"customers", g.customers},
          {"buyers", g.buyers},
          {"visits", g.visits},
          {"revenue", g.revenue},
          {"redemptions", g.redemptions}};
}

Result<Response> CampaignReport(RequestContext& context) {
  int window_days = 14;
  if (auto text = context.query.Get("window_days")) {
    try {
      size_t used = 0;
      window_days = std::stoi(*text, &used);
      if (used != text->size()) return InvalidArgument("window_days is a number of days", "window_days");
    } catch (const std::exception&) {
      return InvalidArgument("window_days is a number of days", "window_days");
    }
  }
  CRM_ASSIGN_OR_RETURN(app::CampaignReport report, context.services.campaigns.Report(
                                                       context.principal(), context.PathId<CampaignId>("id"),
                                                       window_days));
  Json messages = Json::object();
  for (const auto& [status, count] : report.messages) messages[domain::ToString(status)] = count;
  Json body;
  body["campaign"] = CampaignJson(report.campaign);
  body["progress"] = report.progress;
  body["messages"] = std::move(messages);
  body["exclusions"] = ExclusionsJson(report.exclusions);
  body["window"] = {{"start", report.window_start.ToIso8601()},
                    {"end", report.window_end.ToIso8601()},
                    {"days", report.window_days}};
  body["treated"] = GroupJson(report.treated);
  body["control"] = GroupJson(report.control);
  body["uplift"] = {{"visits_per_customer", DifferenceJson(report.uplift.visits_per_customer)},
                    {"buyer_share", DifferenceJson(report.uplift.buyer_share)},
                    {"revenue_per_customer", DifferenceJson(report.uplift.revenue_per_customer)},
                    {"redemption_share", DifferenceJson(report.uplift.redemptions_per_customer)},
                    {"incremental_revenue", report.uplift.incremental_revenue},
                    {"message_cost", report.uplift.message_cost},
                    {"net", report.uplift.net}};
  body["as_of"] = report.as_of.ToIso8601();
  return Response::Of(std::move(body));
}

Json MessageJson(const domain::OutboxMessage& m) {
  return {{"id", m.id.value()},
          {"channel", domain::ToString(m.channel)},
          {"purpose", domain::ToString(m.purpose)},
          {"status", domain::ToString(m.status)},
          {"recipient", m.channel == domain::Channel::kEmail ? domain::MaskEmail(m.recipient)
                                                             : domain::MaskPhone(m.recipient)},
          {"subject", m.subject},
          {"body", m.body},
          {"provider_status_code", m.provider_status_code},
          {"created_at", m.created_at.ToIso8601()},
          {"sent_at", OptionalTime(m.sent_at)},
          {"delivered_at", OptionalTime(m.delivered_at)}};
}

Result<Response> CustomerMessages(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto entries, context.services.campaigns.CustomerMessages(
                                         context.principal(), context.PathId<CustomerId>("id")));
  Json items = Json::array();
  for (const app::CustomerMessageEntry& e : entries) {
    items.push_back({{"campaign_id", e.campaign_id ? Json(e.campaign_id->value()) : Json(nullptr)},
                     {"campaign_name", e.campaign_name},
                     {"group", domain::ToString(e.group)},
                     {"exclusion", e.exclusion ? Json(domain::ToString(*e.exclusion)) : Json(nullptr)},
                     {"message", e.message ? MessageJson(*e.message) : Json(nullptr)},
                     {"at", e.at.ToIso8601()}});
  }
  return Response::Of(Json{{"items", std::move(items)}});
}

}  // namespace

void InstallCampaignHooks(app::Services& services) {
  services.campaigns.SetFilterParser([](const std::string& text) -> Result<app::CustomerQuery> {
    CRM_ASSIGN_OR_RETURN(QueryParams params, QueryParams::Parse(text));
    return ReadCustomerQuery(params);
  });
}

std::vector<Route> CampaignRoutes() {
  const std::string base = "/api/v1/campaigns";
  return {
      {{.method = Method::kGet, .pattern = base, .summary = "The business's campaigns, newest first", .tag = kTag,
        .response_schema = "CampaignList"},
       ListCampaigns},
      {{.method = Method::kPost, .pattern = base,
        .summary = "Create a draft campaign; a message that breaks a rule is refused naming it (400, reason the "
                   "rule's code)",
        .tag = kTag, .request_schema = "CampaignInput", .response_schema = "Campaign", .success_status = 201},
       CreateCampaign},
      {{.method = Method::kPost, .pattern = base + "/preview",
        .summary = "Audience size, exclusions by reason, ten masked samples, cost per channel and the composed "
                   "message with its length and rule violations",
        .tag = kTag, .request_schema = "CampaignInput", .response_schema = "CampaignPreview"},
       PreviewCampaign},
      {{.method = Method::kGet, .pattern = base + "/{id}", .summary = "One campaign", .tag = kTag,
        .response_schema = "Campaign"},
       GetCampaign},
      {{.method = Method::kPut, .pattern = base + "/{id}", .summary = "Replace a draft", .tag = kTag,
        .request_schema = "CampaignInput", .response_schema = "Campaign"},
       UpdateCampaign},
      {{.method = Method::kPost, .pattern = base + "/{id}/schedule",
        .summary = "Queue the campaign now or at `at`: one outbox message per treated recipient with its own "
                   "coupon, a control group that receives nothing; advertising into 21:00-08:00 is refused "
                   "(reason night_hours) unless held to night consent",
        .tag = kTag, .request_schema = "ScheduleInput", .response_schema = "Campaign"},
       ScheduleCampaign},
      {{.method = Method::kPost, .pattern = base + "/{id}/cancel",
        .summary = "Cancel: unsent messages cancelled, unused coupons voided", .tag = kTag,
        .response_schema = "Campaign"},
       CancelCampaign},
      {{.method = Method::kPost, .pattern = base + "/{id}/test",
        .summary = "Send the message with sample values to up to five staff phones", .tag = kTag,
        .request_schema = "TestSendInput", .response_schema = "TestSendResult", .success_status = 202},
       TestSend},
      {{.method = Method::kGet, .pattern = base + "/{id}/report",
        .summary = "Treated against control over the window: visits, buyers, revenue, redemptions, differences "
                   "with 95 % intervals, incremental revenue minus message cost",
        .tag = kTag,
        .query = {{.name = "window_days", .description = "1..90, default 14", .type = "integer"}},
        .response_schema = "CampaignReport"},
       CampaignReport},
      {{.method = Method::kGet, .pattern = "/api/v1/customers/{id}/messages",
        .summary = "The campaigns and notices that reached the customer (or held them out), newest first",
        .tag = kTag, .response_schema = "CustomerMessages"},
       CustomerMessages},
  };
}

}  // namespace crm::http
