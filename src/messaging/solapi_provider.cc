#include "messaging/solapi_provider.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include "messaging/http_client.h"
#include "messaging/provider_common.h"

namespace crm::messaging {
namespace {

using domain::Channel;
using nlohmann::json;

const char* SolapiType(Channel channel) {
  switch (channel) {
    case Channel::kSms: return "SMS";
    case Channel::kLms: return "LMS";
    case Channel::kMms: return "MMS";
    case Channel::kAlimTalk: return "ATA";
    case Channel::kBrandMessage: return "CTA";
    case Channel::kEmail: return "";
  }
  return "";
}

json MessageJson(const SolapiSettings& settings, const domain::OutboxMessage& m) {
  json message = {{"to", NationalNumber(m.recipient)},
                  {"from", Digits(m.sender)},
                  {"text", m.body},
                  {"type", SolapiType(m.channel)},
                  {"customFields", {{"key", domain::ProviderIdempotencyKey(m)}}}};
  if ((m.channel == Channel::kLms || m.channel == Channel::kMms) && !m.subject.empty()) message["subject"] = m.subject;
  if (m.channel == Channel::kAlimTalk) {
    // Solapi sends the text again by SMS/LMS itself when Kakao cannot deliver, unless disableSms.
    message["kakaoOptions"] = {{"pfId", settings.kakao_pf_id},
                               {"templateId", m.template_code},
                               {"disableSms", !m.fallback_channel.has_value()}};
  } else if (m.channel == Channel::kBrandMessage) {
    message["kakaoOptions"] = {{"pfId", settings.kakao_pf_id}};
  }
  return message;
}

// The outcome of a per-message status code in a send answer.
SendResult ResultForCode(const std::string& code, const std::string& message_id, const std::string& text) {
  SendResult result;
  result.provider_code = code;
  result.provider_message_id = message_id;
  result.action = SolapiCodeAction(code);
  if (code == "2000" || code == "3000" || code == "4000") return result;
  std::string what = fmt::format("solapi {}: {}", code, text);
  switch (result.action) {
    case ProviderAction::kReschedule: result.status = Unavailable(what); break;
    case ProviderAction::kConfigurationError:
    case ProviderAction::kSuppress:
    case ProviderAction::kFallbackToSms: result.status = FailedPrecondition(what); break;
    case ProviderAction::kNone: result.status = InvalidArgument(what); break;
  }
  return result;
}

class SolapiProvider final : public Provider {
 public:
  SolapiProvider(const SolapiSettings& settings, const Clock& clock)
      : settings_(settings), clock_(clock), http_(settings.timeout_seconds) {}

  std::string_view name() const override { return "solapi"; }
  bool Supports(Channel channel) const override { return channel != Channel::kEmail; }
  int max_batch_size() const override { return settings_.max_batch_size; }
  double messages_per_second() const override { return settings_.messages_per_second; }

  std::vector<SendResult> Send(std::span<const domain::OutboxMessage> batch) override {
    // nlohmann throws on a value of an unexpected type; a provider's odd answer is a transient
    // failure of the call, never an exception out of the dispatcher.
    try {
      return SendOrThrow(batch);
    } catch (const json::exception& error) {
      return AllFailed(batch.size(), Unavailable(fmt::format("solapi answer not understood: {}", error.what())));
    }
  }

  Result<std::vector<DeliveryReport>> FetchReports() override {
    try {
      return FetchReportsOrThrow();
    } catch (const json::exception& error) {
      return Unavailable(fmt::format("solapi report not understood: {}", error.what()));
    }
  }

 private:
  std::vector<SendResult> SendOrThrow(std::span<const domain::OutboxMessage> batch) {
    json messages = json::array();
    for (const domain::OutboxMessage& m : batch) messages.push_back(MessageJson(settings_, m));
    json request = {{"messages", std::move(messages)}, {"showMessageList", true}, {"allowDuplicates", false}};
    Result<HttpResponse> response = http_.Send("POST", settings_.base_url + "/messages/v4/send-many/detail",
                                               Headers(), request.dump());
    if (!response.ok()) return AllFailed(batch.size(), response.status());
    Status http_status = StatusForHttp(response->status, "solapi send-many");
    if (!http_status.ok()) return AllFailed(batch.size(), http_status, ErrorCode(response->body, response->status));
    json answer = json::parse(response->body, nullptr, false);
    if (answer.is_discarded()) return AllFailed(batch.size(), Unavailable("solapi answered with malformed JSON"));

    std::map<std::string, SendResult> by_key;
    for (const json& item : answer.value("messageList", json::array())) {
      std::string key = item.value("customFields", json::object()).value("key", "");
      by_key[key] = ResultForCode(item.value("statusCode", "2000"), item.value("messageId", ""),
                                  item.value("statusMessage", ""));
    }
    for (const json& item : answer.value("failedMessageList", json::array())) {
      std::string key = item.value("customFields", json::object()).value("key", "");
      by_key[key] = ResultForCode(item.value("statusCode", ""), item.value("messageId", ""),
                                  item.value("statusMessage", ""));
    }
    std::vector<SendResult> results;
    results.reserve(batch.size());
    for (const domain::OutboxMessage& m : batch) {
      auto found = by_key.find(domain::ProviderIdempotencyKey(m));
      if (found == by_key.end()) {
        // Neither accepted nor refused: ask again later with the same key, which is safe.
        results.push_back({Unavailable("solapi did not answer for this message"), "", "", ProviderAction::kNone});
      } else {
        results.push_back(found->second);
      }
    }
    return results;
  }

  Result<std::vector<DeliveryReport>> FetchReportsOrThrow() {
    std::string url = fmt::format("{}/messages/v4/list?limit=500&startKey={}", settings_.base_url, next_key_);
    CRM_ASSIGN_OR_RETURN(HttpResponse response, http_.Send("GET", url, Headers(), ""));
    CRM_RETURN_IF_ERROR(StatusForHttp(response.status, "solapi list"));
    json answer = json::parse(response.body, nullptr, false);
    if (answer.is_discarded()) return Unavailable("solapi answered with malformed JSON");
    json listing = answer.value("messageList", json::object());
    if (!listing.is_object()) return Unavailable("solapi answered without a message list");
    std::vector<DeliveryReport> reports;
    for (const auto& [id, item] : listing.items()) {
      std::string code = item.value("statusCode", "");
      if (code == "2000" || code == "3000") continue;  // still on its way
      DeliveryReport report;
      report.provider_key = item.value("customFields", json::object()).value("key", "");
      report.provider_message_id = item.value("messageId", id);
      report.delivered = code == "4000";
      report.provider_code = code;
      report.action = SolapiCodeAction(code);
      report.at = clock_.Now();
      reports.push_back(std::move(report));
    }
    if (answer.contains("nextKey") && answer["nextKey"].is_string()) next_key_ = answer["nextKey"].get<std::string>();
    return reports;
  }

  std::vector<std::pair<std::string, std::string>> Headers() {
    unsigned char salt_bytes[16];
    randombytes_buf(salt_bytes, sizeof(salt_bytes));
    char salt[33];
    sodium_bin2hex(salt, sizeof(salt), salt_bytes, sizeof(salt_bytes));
    std::string date = clock_.Now().ToIso8601();
    return {{"Authorization", SolapiAuthorization(settings_, date, salt)},
            {"Content-Type", "application/json; charset=utf-8"}};
  }

  static std::string ErrorCode(const std::string& body, long http_status) {
    json answer = json::parse(body, nullptr, false);
    if (!answer.is_discarded() && answer.is_object() && answer.contains("errorCode")) {
      return answer["errorCode"].is_string() ? answer["errorCode"].get<std::string>() : answer["errorCode"].dump();
    }
    return std::to_string(http_status);
  }

  SolapiSettings settings_;
  const Clock& clock_;
  HttpClient http_;
  std::string next_key_;
};

}  // namespace

ProviderAction SolapiCodeAction(const std::string& code) {
  if (code == "1061" || code == "2061") return ProviderAction::kSuppress;
  if (code == "1062" || code == "2062" || code == "1064" || code == "2064" || code == "3059") {
    return ProviderAction::kConfigurationError;
  }
  if (code == "3104" || code == "3107") return ProviderAction::kFallbackToSms;
  if (code == "3108") return ProviderAction::kReschedule;
  return ProviderAction::kNone;
}

std::string SolapiAuthorization(const SolapiSettings& settings, const std::string& date, const std::string& salt) {
  return fmt::format("HMAC-SHA256 apiKey={}, date={}, salt={}, signature={}", settings.api_key, date, salt,
                     HmacSha256Hex(settings.api_secret, date + salt));
}

Result<std::unique_ptr<Provider>> MakeSolapiProvider(const SolapiSettings& settings, const Clock& clock) {
  if (settings.base_url.empty()) return InvalidArgument("Solapi needs a base URL", "base_url");
  if (settings.api_key.empty()) return InvalidArgument("Solapi needs an API key", "api_key");
  if (settings.api_secret.empty()) return InvalidArgument("Solapi needs an API secret", "api_secret");
  return std::unique_ptr<Provider>(std::make_unique<SolapiProvider>(settings, clock));
}

}  // namespace crm::messaging
