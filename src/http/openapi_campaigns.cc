// The OpenAPI schemas of campaigns, consent and messaging settings (http/campaign_handlers.cc,
// http/consent_handlers.cc).
#include "http/openapi.h"

#include <string>
#include <utility>
#include <vector>

#include "http/openapi_schema.h"
namespace crm::http {

using namespace schema;  // NOLINT(google-build-using-namespace): the schema vocabulary

namespace {

const std::vector<std::string> kChannels{"sms", "lms", "alimtalk", "brand_message", "email"};

}  // namespace

void AddCampaignSchemas(Json& schemas) {
  const Json audience =
      Object({{"kind", Enum({"segment", "rfm_segment", "at_risk", "overdue", "filter", "customer_ids"})},
              {"value", String()}},
             {"kind"});
  std::vector<std::pair<std::string, Json>> input = {
      {"name", String()},
      {"purpose", Enum({"advertising", "informational"})},
      {"channel", Enum(kChannels)},
      {"fallback_channel", Nullable(Enum({"sms", "lms"}))},
      {"audience", audience},
      {"subject", String()},
      {"body", String()},
      {"sender_number", String()},
      {"coupon_template_id", Nullable(Integer())},
      {"scheduled_at", Nullable(TimeSchema())},
      {"night_policy", Enum({"refuse", "night_consent_only"})},
      {"control_share_permille", Integer()},
      {"seed", Integer()}};
  schemas["CampaignInput"] = Object(input, {"name", "purpose", "channel", "audience", "body"});
  std::vector<std::pair<std::string, Json>> campaign = input;
  campaign.push_back({"id", Integer()});
  campaign.push_back({"status", Enum({"draft", "scheduled", "queued", "sending", "done", "cancelled"})});
  campaign.push_back({"counts", Object({{"audience", Integer()}, {"treated", Integer()}, {"control", Integer()},
                                        {"excluded", Integer()}})});
  campaign.push_back({"cost_estimate", Integer()});
  campaign.push_back({"created_at", TimeSchema()});
  campaign.push_back({"queued_at", Nullable(TimeSchema())});
  schemas["Campaign"] = Object(campaign);
  std::vector<std::pair<std::string, Json>> listed = campaign;
  listed.push_back({"messages", CountsByName()});  // its outbox messages by status
  schemas["CampaignList"] = Object({{"items", ArrayOf(Object(listed))}}, {"items"});
  const Json violation = Object({{"rule", String()}, {"code", String()}, {"message", String()}});
  schemas["CampaignPreview"] = Object(
      {{"audience", Integer()},
       {"eligible", Integer()},
       {"treated", Integer()},
       {"control", Integer()},
       {"exclusions", CountsByName()},
       {"samples", ArrayOf(Object({{"customer_id", Integer()}, {"name", String()}, {"address", String()},
                                   {"channel", Enum(kChannels)}, {"body", String()}}))},
       {"costs", ArrayOf(Object({{"channel", Enum(kChannels)}, {"messages", Integer()}, {"unit_price", Integer()},
                                 {"total", Integer()}}))},
       {"total_cost", Integer()},
       {"message", Object({{"channel", Enum(kChannels)}, {"subject", String()}, {"body", String()},
                           {"length", Integer()}, {"limit", Nullable(Integer())},
                           {"violations", ArrayOf(violation)}})}});
  schemas["ScheduleInput"] = Object({{"at", Nullable(TimeSchema())}});
  schemas["TestSendInput"] = Object({{"phones", ArrayOf(String())}}, {"phones"});
  schemas["TestSendResult"] = Object({{"queued", Integer()}});
  const Json group = Object({{"customers", Integer()}, {"buyers", Integer()}, {"visits", Integer()},
                             {"revenue", Integer()}, {"redemptions", Integer()}});
  const Json difference = Nullable(Object({{"treated", Number()}, {"control", Number()}, {"difference", Number()},
                                           {"low", Number()}, {"high", Number()}}));
  schemas["CampaignReport"] = Object(
      {{"campaign", Ref("Campaign")},
       {"progress", Enum({"draft", "scheduled", "sending", "done", "cancelled"})},
       {"messages", CountsByName()},
       {"exclusions", CountsByName()},
       {"window", Object({{"start", TimeSchema()}, {"end", TimeSchema()}, {"days", Integer()}})},
       {"treated", group},
       {"control", group},
       {"uplift", Object({{"visits_per_customer", difference}, {"buyer_share", difference},
                          {"revenue_per_customer", difference}, {"redemption_share", difference},
                          {"incremental_revenue", Integer()}, {"message_cost", Integer()}, {"net", Integer()}})},
       {"as_of", TimeSchema()}});
  const Json message = Object({{"id", Integer()}, {"channel", Enum(kChannels)}, {"purpose", String()},
                               {"status", String()}, {"recipient", String()}, {"subject", String()},
                               {"body", String()}, {"provider_status_code", String()}, {"created_at", TimeSchema()},
                               {"sent_at", Nullable(TimeSchema())}, {"delivered_at", Nullable(TimeSchema())}});
  schemas["CustomerMessages"] = Object(
      {{"items", ArrayOf(Object({{"campaign_id", Nullable(Integer())}, {"campaign_name", String()},
                                 {"group", Enum({"treated", "control", "excluded"})},
                                 {"exclusion", Nullable(String())}, {"message", Nullable(message)},
                                 {"at", TimeSchema()}}))}});

  const Json outbox_message = Object(
      {{"id", Integer()}, {"campaign_id", Nullable(Integer())}, {"customer_id", Integer()},
       {"channel", Enum(kChannels)}, {"purpose", Enum({"advertising", "informational"})},
       {"status", Enum({"queued", "sending", "sent", "delivered", "failed", "cancelled", "suppressed"})},
       {"recipient", String()}, {"subject", Nullable(String())}, {"body", Nullable(String())},
       {"attempts", Integer()}, {"provider_status_code", String()}, {"created_at", TimeSchema()},
       {"sent_at", Nullable(TimeSchema())}, {"delivered_at", Nullable(TimeSchema())}});
  schemas["OutboxList"] =
      Object({{"items", ArrayOf(outbox_message)}, {"next_cursor", Nullable(String())}}, {"items"});
  Json history = outbox_message;
  history["properties"]["events"] =
      ArrayOf(Object({{"status", String()}, {"attempt", Integer()}, {"provider_status_code", String()},
                      {"detail", String()}, {"at", TimeSchema()}}));
  schemas["OutboxMessageHistory"] = std::move(history);

  schemas["MessagingSettings"] = Object(
      {{"frequency_cap_count", Integer()},
       {"frequency_cap_days", Integer()},
       {"control_share_permille", Integer()},
       {"prices", Object({{"sms", Integer()}, {"lms", Integer()}, {"mms", Integer()}, {"alimtalk", Integer()},
                          {"brand_message", Integer()}, {"email", Integer()}})},
       {"contact", String()},
       {"opt_out_number", String()},
       {"provider", String()},
       {"public_base_url", String()}});
  schemas["SenderNumberInput"] = Object({{"number", String()}, {"label", String()}}, {"number"});
  schemas["SenderNumber"] =
      Object({{"id", Integer()}, {"number", String()}, {"label", String()}, {"registered_at", TimeSchema()}});
  schemas["SenderNumberList"] = Object({{"items", ArrayOf(Ref("SenderNumber"))}}, {"items"});
  schemas["SuppressionList"] = Object(
      {{"items", ArrayOf(Object({{"address", String()},
                                 {"reason", Enum({"opt_out_080", "bounce", "withdrawn", "erased"})},
                                 {"source", String()}, {"at", TimeSchema()}}))}});
  schemas["OptOutNumbers"] = Object({{"numbers", ArrayOf(String())}}, {"numbers"});
  schemas["OptOutNumbersResult"] = Object({{"added", Integer()}, {"received", Integer()}});
  schemas["SuppressionAddress"] = Object({{"address", String()}}, {"address"});
  schemas["ConsentNoticeCounts"] =
      Object({{"confirmations", Integer()}, {"reconfirmations", Integer()}, {"without_address", Integer()}});
  schemas["ProcessorsText"] = Object({{"ko", String()}, {"en", String()}});
  schemas["ConsentHistory"] = Object(
      {{"items", ArrayOf(Object({{"channel", Enum({"sms", "kakao", "email", "night"})}, {"granted", Boolean()},
                                 {"at", TimeSchema()}, {"source", String()}}))}});
  schemas["CounterOptOut"] = Object({{"channels", ArrayOf(Enum({"sms", "kakao", "email", "night"}))}});
  schemas["OptOutLink"] = Object({{"url", String()}});
  schemas["OptOutPage"] = Object({{"business", String()}, {"customer", String()}, {"receiving", Boolean()}});
  schemas["OptOutInput"] = Object({{"token", String()}}, {"token"});
  schemas["MessagingProviders"] = Object(
      {{"server_key", Boolean()},
       {"providers", ArrayOf(Object({{"kind", Enum({"solapi", "nhn", "smtp"})},
                                     {"key_id", String()},
                                     {"base_url", String()}}))},
       {"updated_at", Nullable(TimeSchema())},
       {"fallback", String()}},
      {"server_key", "providers"});
  // One provider's settings, by kind: solapi (api_key, api_secret, base_url, kakao_pf_id), nhn
  // (app_key, secret_key, base_url, alimtalk_app_key, alimtalk_secret_key, alimtalk_base_url,
  // sender_key) or smtp (url, from_address, from_name, username, password, require_tls).
  schemas["MessagingProviderInput"] = Object(
      {{"kind", Enum({"solapi", "nhn", "smtp"})}, {"api_key", String()}, {"api_secret", String()},
       {"base_url", String()}, {"kakao_pf_id", String()}, {"app_key", String()}, {"secret_key", String()},
       {"alimtalk_app_key", String()}, {"alimtalk_secret_key", String()}, {"alimtalk_base_url", String()},
       {"sender_key", String()}, {"url", String()}, {"from_address", String()}, {"from_name", String()},
       {"username", String()}, {"password", String()}, {"require_tls", Boolean()},
       {"messages_per_second", Integer()}},
      {"kind"});
}

// The schemas of erasure and retention (http/privacy_handlers.cc).
void AddPrivacySchemas(Json& schemas) {
  schemas["ErasureInput"] = Object({{"reason", String()}}, {"reason"});
  schemas["Erasure"] = Object({{"id", Integer()},
                               {"erased_at", TimeSchema()},
                               {"rows_deleted", Integer()},
                               {"rows_blanked", Integer()},
                               {"messages", Integer()}});
  schemas["Retention"] = Object({{"months", Integer()}, {"access_log_days", Integer()}}, {"months", "access_log_days"});
  schemas["RetentionInput"] = Object({{"months", Integer()}, {"access_log_days", Integer()}});
  schemas["RetentionDryRun"] = Object({{"months", Integer()},
                                       {"cutoff", Nullable(TimeSchema())},
                                       {"count", Integer()},
                                       {"samples", ArrayOf(String())}});
}

}  // namespace crm::http
