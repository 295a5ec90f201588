// Handlers of a business's own provider credentials (owner only): which providers are set, with
// masked key ids; storing one provider's settings, sealed with the server key; forgetting one.
// Secrets go in and never come out.
#include <optional>

#include "app/provider_credentials.h"
#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {
namespace {

constexpr char kTag[] = "messaging";

Json ViewJson(const app::ProvidersView& view) {
  Json providers = Json::array();
  for (const app::ProviderSummary& p : view.providers) {
    providers.push_back({{"kind", app::ToString(p.kind)}, {"key_id", p.key_id}, {"base_url", p.base_url}});
  }
  return {{"server_key", view.server_key},
          {"providers", std::move(providers)},
          {"updated_at", view.updated_at ? Json(view.updated_at->ToIso8601()) : Json(nullptr)},
          {"fallback", "the server's providers (DANGOL_SOLAPI_*, DANGOL_NHN_*, DANGOL_SMTP_*) for other channels"}};
}

Result<Response> GetProviders(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto view, context.services.providers.Describe(context.principal()));
  return Response::Of(ViewJson(view));
}

Result<app::BusinessProviderSettings> ReadSettings(FieldReader& reader, messaging::ProviderKind kind) {
  app::BusinessProviderSettings s;
  auto text = [&](const char* name, std::string& out, Presence presence = Presence::kOptional) {
    if (auto value = reader.String(name, presence)) out = *value;
  };
  auto rate = [&](double& out) {
    if (auto value = reader.Integer("messages_per_second", 1, 100'000)) out = static_cast<double>(*value);
  };
  switch (kind) {
    case messaging::ProviderKind::kSolapi: {
      auto& solapi = s.solapi.emplace();
      text("api_key", solapi.api_key, Presence::kRequired);
      text("api_secret", solapi.api_secret, Presence::kRequired);
      text("base_url", solapi.base_url);
      text("kakao_pf_id", solapi.kakao_pf_id);
      rate(solapi.messages_per_second);
      break;
    }
    case messaging::ProviderKind::kNhnCloud: {
      auto& nhn = s.nhn.emplace();
      text("app_key", nhn.sms_app_key, Presence::kRequired);
      text("secret_key", nhn.sms_secret_key, Presence::kRequired);
      text("base_url", nhn.sms_base_url);
      text("alimtalk_app_key", nhn.alimtalk_app_key);
      text("alimtalk_secret_key", nhn.alimtalk_secret_key);
      text("alimtalk_base_url", nhn.alimtalk_base_url);
      text("sender_key", nhn.sender_key);
      rate(nhn.messages_per_second);
      break;
    }
    case messaging::ProviderKind::kSmtp: {
      auto& smtp = s.smtp.emplace();
      text("url", smtp.url, Presence::kRequired);
      text("from_address", smtp.from_address, Presence::kRequired);
      text("from_name", smtp.from_name);
      text("username", smtp.username);
      text("password", smtp.password);
      if (auto tls = reader.Bool("require_tls")) smtp.require_tls = *tls;
      rate(smtp.messages_per_second);
      break;
    }
  }
  if (!reader.ok()) return reader.status();
  return s;
}

Result<Response> PutProvider(RequestContext& context) {
  FieldReader reader(context.body);
  const std::string kind_text = reader.String("kind", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  const auto kind = app::ParseProviderKind(kind_text);
  if (!kind) return InvalidArgument("one of solapi, nhn, smtp", "kind");
  CRM_ASSIGN_OR_RETURN(app::BusinessProviderSettings settings, ReadSettings(reader, *kind));
  CRM_ASSIGN_OR_RETURN(auto view, context.services.providers.Save(context.principal(), settings));
  return Response::Of(ViewJson(view));
}

Result<Response> DeleteProvider(RequestContext& context) {
  const auto kind = app::ParseProviderKind(context.query.Get("kind").value_or(""));
  if (!kind) return InvalidArgument("one of solapi, nhn, smtp", "kind");
  CRM_ASSIGN_OR_RETURN(auto view, context.services.providers.Remove(context.principal(), *kind));
  return Response::Of(ViewJson(view));
}

}  // namespace

std::vector<Route> ProviderRoutes() {
  const std::string base = "/api/v1/messaging/providers";
  return {
      {{.method = Method::kGet, .pattern = base,
        .summary = "The business's own sending providers, with masked key ids (owner); never a secret", .tag = kTag,
        .response_schema = "MessagingProviders"},
       GetProviders},
      {{.method = Method::kPut, .pattern = base,
        .summary = "Store one provider's credentials, sealed with the server key (owner)", .tag = kTag,
        .request_schema = "MessagingProviderInput", .response_schema = "MessagingProviders"},
       PutProvider},
      {{.method = Method::kDelete, .pattern = base,
        .summary = "Forget the business's provider of a kind; the server's is used again", .tag = kTag,
        .query = {{.name = "kind", .description = "solapi, nhn or smtp", .required = true}},
        .response_schema = "MessagingProviders"},
       DeleteProvider},
  };
}

}  // namespace crm::http
