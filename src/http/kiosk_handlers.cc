// Handlers for the kiosk: the devices a manager enables, and the few routes a kiosk device's own
// credential may call (the notices, a guest's own standing by full phone number, registration).
// Answers to a kiosk never carry a customer id, name, coupon code or anything of another guest.
#include <optional>
#include <string>
#include <vector>

#include "http/json_reader.h"
#include "http/loyalty_mapping.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "kiosk";

Json DeviceJson(const domain::KioskDevice& device) {
  Json json;
  json["id"] = device.id.value();
  json["name"] = device.name;
  json["created_at"] = device.created_at.ToIso8601();
  json["disabled_at"] = device.disabled_at ? Json(device.disabled_at->ToIso8601()) : Json(nullptr);
  return json;
}

Result<Response> EnableDevice(RequestContext& context) {
  FieldReader reader(context.body);
  const std::string name = reader.String("name", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(app::EnabledKioskDevice enabled, context.services.kiosk.EnableDevice(context.principal(), name));
  Json body = DeviceJson(enabled.device);
  body["token"] = enabled.secret;
  return Response::Of(std::move(body), 201);
}

Result<Response> ListDevices(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto devices, context.services.kiosk.Devices(context.principal()));
  Json items = Json::array();
  for (const domain::KioskDevice& device : devices) items.push_back(DeviceJson(device));
  return Response::Of(Json{{"items", std::move(items)}});
}

Result<Response> DisableDevice(RequestContext& context) {
  CRM_RETURN_IF_ERROR(
      context.services.kiosk.DisableDevice(context.principal(), context.PathId<KioskDeviceId>("id")));
  return Response::NoContent();
}

Result<Response> Notices(RequestContext&) {
  Json items = Json::array();
  for (domain::AgreementItem item : {domain::AgreementItem::kTerms, domain::AgreementItem::kPrivacy}) {
    items.push_back({{"item", domain::AgreementItemName(item)},
                     {"version", domain::CurrentVersion(item)},
                     {"required", true}});
  }
  return Response::Of(Json{{"items", std::move(items)}});
}

// The guest's own standing: the loyalty summary without coupons, referral code or ids.
Json StandingJson(const app::KioskStanding& standing) {
  Json json;
  json["known"] = standing.customer_id.has_value();
  if (!standing.account) {
    json["loyalty"] = nullptr;
    return json;
  }
  Json account = ToJson(*standing.account);
  Json loyalty;
  for (const char* key : {"program", "unit", "balance", "tier", "tier_index", "tier_metric", "next_tier",
                          "to_next_tier", "expiring_within_30_days", "next_expiry"}) {
    loyalty[key] = account[key];
  }
  loyalty["tier_by"] = domain::ToString(standing.account->program->tier_metric);  // visits, spend, earned
  loyalty["coupons"] = Json::array();
  json["loyalty"] = std::move(loyalty);
  return json;
}

Result<Response> Lookup(RequestContext& context) {
  std::optional<std::string> phone = context.query.Get("phone");
  if (!phone || phone->empty()) return InvalidArgument("a full phone number is required", "phone");
  Result<app::KioskStanding> standing = context.services.kiosk.Lookup(context.principal(), *phone);
  if (standing.status().code() == StatusCode::kResourceExhausted) {
    return TooManyRequests(standing.status(), context.services.kiosk.LookupRetryAfterSeconds(context.principal()));
  }
  if (!standing.ok()) return standing.status();
  return Response::Of(StandingJson(*standing));
}

Result<app::KioskRegistration> ParseRegistration(const nlohmann::json& body) {
  FieldReader reader(body);
  app::KioskRegistration registration;
  registration.phone = reader.String("phone", Presence::kRequired).value_or("");
  if (const nlohmann::json* agreements = reader.Array("agreements")) {
    for (size_t i = 0; i < agreements->size(); ++i) {
      FieldReader fields((*agreements)[i], IndexedName("agreements", i) + ".");
      domain::Agreement agreement;
      agreement.item = fields
                           .Enumerated<domain::AgreementItem>("item", domain::ParseAgreementItem, "terms, privacy",
                                                              Presence::kRequired)
                           .value_or(domain::AgreementItem::kTerms);
      agreement.version = fields.String("version", Presence::kRequired).value_or("");
      if (!fields.ok()) return fields.status();
      registration.agreements.push_back(std::move(agreement));
    }
  }
  if (const nlohmann::json* consents = reader.Array("consents")) {
    for (size_t i = 0; i < consents->size(); ++i) {
      FieldReader fields((*consents)[i], IndexedName("consents", i) + ".");
      domain::Consent consent;
      consent.channel = fields
                            .Enumerated<domain::ConsentChannel>("channel", domain::ParseConsentChannel,
                                                                "sms, kakao, email, night", Presence::kRequired)
                            .value_or(domain::ConsentChannel::kSms);
      consent.granted = fields.Bool("granted", Presence::kRequired).value_or(false);
      if (!fields.ok()) return fields.status();
      registration.consents.push_back(consent);
    }
  }
  if (!reader.ok()) return reader.status();
  return registration;
}

Result<Response> Register(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::KioskRegistration registration, ParseRegistration(context.body));
  const std::string phone = registration.phone;
  CRM_ASSIGN_OR_RETURN(domain::Customer customer,
                       context.services.kiosk.Register(context.principal(), std::move(registration)));
  CRM_ASSIGN_OR_RETURN(app::KioskStanding standing,
                       context.services.kiosk.StandingAfterRegistration(context.principal(), phone));
  Json body = StandingJson(standing);
  Json accepted = Json::array();
  for (const domain::Agreement& agreement : customer.agreements) {
    accepted.push_back({{"item", domain::AgreementItemName(agreement.item)}, {"version", agreement.version}});
  }
  body["agreements"] = std::move(accepted);
  return Response::Of(std::move(body), 201);
}

}  // namespace

std::vector<Route> KioskRoutes() {
  return {
      {{.method = Method::kGet,
        .pattern = "/api/v1/kiosk-devices",
        .summary = "The business's kiosk devices (manager)",
        .tag = kTag,
        .response_schema = "KioskDeviceList"},
       ListDevices},
      {{.method = Method::kPost,
        .pattern = "/api/v1/kiosk-devices",
        .summary = "Enable a kiosk device (manager); the answer carries its credential, shown once",
        .tag = kTag,
        .request_schema = "KioskDeviceInput",
        .response_schema = "KioskDevice",
        .success_status = 201,
        .secret_fields = {"token"}},
       EnableDevice},
      {{.method = Method::kPost,
        .pattern = "/api/v1/kiosk-devices/{id}/disable",
        .summary = "Disable a kiosk device (manager): its credential is refused from its next request",
        .tag = kTag,
        .success_status = 204},
       DisableDevice},
      {{.method = Method::kGet,
        .pattern = "/api/v1/kiosk/notices",
        .summary = "The notices a guest must accept, with their current versions (kiosk devices may call it)",
        .tag = kTag,
        .response_schema = "KioskNotices",
        .kiosk = true},
       Notices},
      {{.method = Method::kGet,
        .pattern = "/api/v1/kiosk/lookup",
        .summary = "A guest's own standing by full phone number (kiosk devices may call it)",
        .tag = kTag,
        .query = {{.name = "phone", .description = "the full phone number", .required = true}},
        .response_schema = "KioskStanding",
        .kiosk = true},
       Lookup},
      {{.method = Method::kPost,
        .pattern = "/api/v1/kiosk/register",
        .summary = "Register a guest with the notices accepted and marketing choices (kiosk devices may call it)",
        .tag = kTag,
        .request_schema = "KioskRegistration",
        .response_schema = "KioskStanding",
        .success_status = 201,
        .kiosk = true},
       Register},
  };
}

}  // namespace crm::http
