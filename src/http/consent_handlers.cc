// Handlers of consent and messaging settings: the public opt-out page's API, opt-outs at the
// counter, the consent history, the 080 opt-out list and suppressions, sender numbers, prices and
// caps, the consent notices and the processors text of the privacy policy.
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "domain/korean_text.h"
#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "messaging";
constexpr char kConsentChannels[] = "sms, kakao, email, night";

Json SettingsJson(const domain::MessagingSettings& s) {
  return {{"frequency_cap_count", s.frequency_cap_count},
          {"frequency_cap_days", s.frequency_cap_days},
          {"control_share_permille", s.control_share_permille},
          {"prices", {{"sms", s.price_sms}, {"lms", s.price_lms}, {"mms", s.price_mms},
                      {"alimtalk", s.price_alimtalk}, {"brand_message", s.price_brand}, {"email", s.price_email}}},
          {"contact", s.contact},
          {"opt_out_number", s.opt_out_number},
          {"provider", s.provider},
          {"public_base_url", s.public_base_url}};
}

Result<Response> GetSettings(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto settings, context.services.campaigns.Settings(context.principal()));
  return Response::Of(SettingsJson(settings));
}

Result<Response> PutSettings(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::MessagingSettings s, context.services.campaigns.Settings(context.principal()));
  FieldReader reader(context.body);
  s.frequency_cap_count = reader.Integer("frequency_cap_count", 0, 100).value_or(s.frequency_cap_count);
  s.frequency_cap_days = reader.Integer("frequency_cap_days", 1, 365).value_or(s.frequency_cap_days);
  s.control_share_permille = reader.Integer("control_share_permille", 0, 900).value_or(s.control_share_permille);
  if (const nlohmann::json* prices = reader.Object("prices")) {
    FieldReader p(*prices, "prices.");
    s.price_sms = p.Integer("sms", 0, 10'000).value_or(s.price_sms);
    s.price_lms = p.Integer("lms", 0, 10'000).value_or(s.price_lms);
    s.price_mms = p.Integer("mms", 0, 10'000).value_or(s.price_mms);
    s.price_alimtalk = p.Integer("alimtalk", 0, 10'000).value_or(s.price_alimtalk);
    s.price_brand = p.Integer("brand_message", 0, 10'000).value_or(s.price_brand);
    s.price_email = p.Integer("email", 0, 10'000).value_or(s.price_email);
    if (!p.ok()) return p.status();
  }
  s.contact = reader.String("contact").value_or(s.contact);
  s.opt_out_number = reader.String("opt_out_number").value_or(s.opt_out_number);
  s.public_base_url = reader.String("public_base_url").value_or(s.public_base_url);
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(auto saved, context.services.campaigns.SaveSettings(context.principal(), std::move(s)));
  return Response::Of(SettingsJson(saved));
}

Json SenderJson(const domain::SenderNumber& n) {
  return {{"id", n.id}, {"number", n.number}, {"label", n.label}, {"registered_at", n.registered_at.ToIso8601()}};
}

Result<Response> ListSenders(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto numbers, context.services.campaigns.SenderNumbers(context.principal()));
  Json items = Json::array();
  for (const auto& n : numbers) items.push_back(SenderJson(n));
  return Response::Of(Json{{"items", std::move(items)}});
}

Result<Response> AddSender(RequestContext& context) {
  FieldReader reader(context.body);
  std::string number = reader.String("number", Presence::kRequired).value_or("");
  std::string label = reader.String("label").value_or("");
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(auto added, context.services.campaigns.AddSenderNumber(context.principal(), number, label));
  return Response::Of(SenderJson(added), 201);
}

Result<Response> RemoveSender(RequestContext& context) {
  CRM_RETURN_IF_ERROR(context.services.campaigns.RemoveSenderNumber(context.principal(), context.PathId<int64_t>("id")));
  return Response::NoContent();
}

Result<Response> ListSuppressions(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto list, context.services.consents.Suppressions(context.principal()));
  Json items = Json::array();
  for (const store::Suppression& s : list) {
    const bool email = s.address.find('@') != std::string::npos;
    items.push_back({{"address", email ? domain::MaskEmail(s.address) : domain::MaskPhone(s.address)},
                     {"reason", domain::ToString(s.reason)},
                     {"source", s.source},
                     {"at", s.at.ToIso8601()}});
  }
  return Response::Of(Json{{"items", std::move(items)}});
}

Result<Response> Add080(RequestContext& context) {
  FieldReader reader(context.body);
  std::vector<std::string> numbers;
  if (const nlohmann::json* list = reader.Array("numbers", Presence::kRequired)) {
    for (size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_string()) return InvalidArgument("a phone number string", fmt::format("numbers[{}]", i));
      numbers.push_back((*list)[i].get<std::string>());
    }
  }
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(int64_t added, context.services.consents.AddOptOuts080(context.principal(), numbers));
  return Response::Of(Json{{"added", added}, {"received", numbers.size()}});
}

Result<Response> RemoveSuppression(RequestContext& context) {
  FieldReader reader(context.body);
  std::string address = reader.String("address", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  CRM_RETURN_IF_ERROR(context.services.consents.Unsuppress(context.principal(), address));
  return Response::NoContent();
}

Result<Response> QueueNotices(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::NoticeCounts counts, context.services.consents.QueueConsentNotices(context.principal()));
  return Response::Of(Json{{"confirmations", counts.confirmations},
                           {"reconfirmations", counts.reconfirmations},
                           {"without_address", counts.without_address}});
}

Result<Response> Processors(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto text, context.services.consents.ProcessorsText(context.principal()));
  return Response::Of(Json{{"ko", text.first}, {"en", text.second}});
}

Result<Response> ConsentHistory(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto events,
                       context.services.consents.History(context.principal(), context.PathId<CustomerId>("id")));
  Json items = Json::array();
  for (const store::ConsentEvent& e : events) {
    items.push_back({{"channel", domain::ToString(e.consent.channel)},
                     {"granted", e.consent.granted},
                     {"at", e.consent.at.ToIso8601()},
                     {"source", e.consent.source}});
  }
  return Response::Of(Json{{"items", std::move(items)}});
}

Result<Response> CounterOptOut(RequestContext& context) {
  FieldReader reader(context.body);
  std::vector<domain::ConsentChannel> channels;
  if (const nlohmann::json* list = reader.Array("channels")) {
    for (size_t i = 0; i < list->size(); ++i) {
      auto channel = (*list)[i].is_string() ? domain::ParseConsentChannel((*list)[i].get<std::string>()) : std::nullopt;
      if (!channel) {
        return InvalidArgument(std::string("expected one of ") + kConsentChannels, fmt::format("channels[{}]", i));
      }
      channels.push_back(*channel);
    }
  }
  if (!reader.ok()) return reader.status();
  CRM_RETURN_IF_ERROR(
      context.services.consents.RecordOptOut(context.principal(), context.PathId<CustomerId>("id"), channels));
  return Response::NoContent();
}

Result<Response> OptOutLink(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(std::string link,
                       context.services.consents.LinkFor(context.principal(), context.PathId<CustomerId>("id")));
  return Response::Of(Json{{"url", link}});
}

Json OptOutPageJson(const app::OptOutPage& page) {
  return {{"business", page.business_name}, {"customer", page.customer_name}, {"receiving", page.receiving}};
}

Result<Response> PublicOptOutPage(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto page, context.services.consents.Page(context.query.Get("token").value_or("")));
  return Response::Of(OptOutPageJson(page));
}

Result<Response> PublicOptOut(RequestContext& context) {
  FieldReader reader(context.body);
  std::string token = reader.String("token", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(auto page, context.services.consents.OptOut(token));
  return Response::Of(OptOutPageJson(page));
}

}  // namespace

std::vector<Route> ConsentRoutes() {
  const std::string base = "/api/v1/messaging";
  return {
      {{.method = Method::kGet, .pattern = base + "/settings",
        .summary = "Frequency cap, control-group share, unit prices, contact, 080 number, provider", .tag = kTag,
        .response_schema = "MessagingSettings"},
       GetSettings},
      {{.method = Method::kPut, .pattern = base + "/settings", .summary = "Change messaging settings (owner)",
        .tag = kTag, .request_schema = "MessagingSettings", .response_schema = "MessagingSettings"},
       PutSettings},
      {{.method = Method::kGet, .pattern = base + "/sender-numbers", .summary = "Registered sender numbers (MSG-06)",
        .tag = kTag, .response_schema = "SenderNumberList"},
       ListSenders},
      {{.method = Method::kPost, .pattern = base + "/sender-numbers",
        .summary = "Register a sender number verified with the provider (owner)", .tag = kTag,
        .request_schema = "SenderNumberInput", .response_schema = "SenderNumber", .success_status = 201},
       AddSender},
      {{.method = Method::kDelete, .pattern = base + "/sender-numbers/{id}", .summary = "Remove a sender number",
        .tag = kTag, .success_status = 204},
       RemoveSender},
      {{.method = Method::kGet, .pattern = base + "/suppressions",
        .summary = "The suppression list (080 opt-outs, bounces, withdrawn, erased), masked", .tag = kTag,
        .response_schema = "SuppressionList"},
       ListSuppressions},
      {{.method = Method::kPost, .pattern = base + "/suppressions/080",
        .summary = "Add the 080 opt-out list fetched from the provider (MSG-07)", .tag = kTag,
        .request_schema = "OptOutNumbers", .response_schema = "OptOutNumbersResult"},
       Add080},
      {{.method = Method::kPost, .pattern = base + "/suppressions/remove",
        .summary = "Take an address off the suppression list (owner)", .tag = kTag,
        .request_schema = "SuppressionAddress", .success_status = 204},
       RemoveSuppression},
      {{.method = Method::kPost, .pattern = base + "/consent-notices",
        .summary = "Queue the owed notices: confirmations of consent decisions (ADV-04) and two-year "
                   "reconfirmations (ADV-05), by SMS or e-mail, never AlimTalk",
        .tag = kTag, .response_schema = "ConsentNoticeCounts"},
       QueueNotices},
      {{.method = Method::kGet, .pattern = base + "/processors",
        .summary = "The processors (수탁사) text of the privacy policy for the sending provider (MSG-10)", .tag = kTag,
        .response_schema = "ProcessorsText"},
       Processors},
      {{.method = Method::kGet, .pattern = "/api/v1/customers/{id}/consents",
        .summary = "Every consent decision of the customer with time and source, oldest first", .tag = kTag,
        .response_schema = "ConsentHistory"},
       ConsentHistory},
      {{.method = Method::kPost, .pattern = "/api/v1/customers/{id}/opt-out",
        .summary = "Record an opt-out given at the counter (all marketing channels unless named)", .tag = kTag,
        .request_schema = "CounterOptOut", .success_status = 204},
       CounterOptOut},
      {{.method = Method::kGet, .pattern = "/api/v1/customers/{id}/opt-out-link",
        .summary = "The customer's signed opt-out link", .tag = kTag, .response_schema = "OptOutLink"},
       OptOutLink},
      {{.method = Method::kGet, .pattern = "/api/v1/opt-out", .summary = "What the public opt-out page shows",
        .tag = kTag, .access = Access::kPublic,
        .query = {{.name = "token", .description = "the token of the signed link", .required = true}},
        .response_schema = "OptOutPage"},
       PublicOptOutPage},
      {{.method = Method::kPost, .pattern = "/api/v1/opt-out",
        .summary = "One-tap opt-out from the signed link: every marketing consent withdrawn at once", .tag = kTag,
        .access = Access::kPublic, .request_schema = "OptOutInput", .response_schema = "OptOutPage"},
       PublicOptOut},
  };
}

}  // namespace crm::http
