#include "messaging/nhn_provider.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "messaging/http_client.h"
#include "messaging/provider_common.h"

namespace crm::messaging {
namespace {

using domain::Channel;
using nlohmann::json;

// "2024-03-01 09:30:00" in Korea time, as NHN's query parameters take it.
std::string NhnTime(Timestamp at) {
  std::time_t seconds = at.seconds() + 9 * 3600;
  std::tm local{};
  gmtime_r(&seconds, &local);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d%%20%H:%M:%S", &local);
  return buffer;
}

SendResult ResultFor(const json& item, const std::string& request_id) {
  SendResult result;
  int code = item.value("resultCode", -1);
  result.provider_code = std::to_string(code);
  if (code == 0) {
    result.provider_message_id = fmt::format("{}-{}", request_id, item.value("recipientSeq", 0));
    return result;
  }
  result.status = InvalidArgument(fmt::format("nhn {}: {}", code, item.value("resultMessage", "")));
  return result;
}

class NhnProvider final : public Provider {
 public:
  NhnProvider(const NhnSettings& settings, const Clock& clock)
      : settings_(settings), clock_(clock), http_(settings.timeout_seconds), last_poll_(clock.Now().PlusSeconds(-60)) {}

  std::string_view name() const override { return "nhn"; }
  bool Supports(Channel channel) const override {
    return channel == Channel::kSms || channel == Channel::kLms || channel == Channel::kMms ||
           (channel == Channel::kAlimTalk && !settings_.alimtalk_app_key.empty());
  }
  int max_batch_size() const override { return settings_.max_batch_size; }
  double messages_per_second() const override { return settings_.messages_per_second; }

  // NHN's SMS API takes one text for all recipients of a request, and our texts are personal, so
  // each message is its own request; the connection is kept alive between them.
  std::vector<SendResult> Send(std::span<const domain::OutboxMessage> batch) override {
    std::vector<SendResult> results;
    results.reserve(batch.size());
    for (const domain::OutboxMessage& m : batch) {
      // nlohmann throws on a value of an unexpected type: an odd answer is a transient failure.
      try {
        results.push_back(m.channel == Channel::kAlimTalk ? SendAlimTalk(m) : SendSms(m));
      } catch (const json::exception& error) {
        results.push_back({Unavailable(fmt::format("nhn answer not understood: {}", error.what()))});
      }
    }
    return results;
  }

  Result<std::vector<DeliveryReport>> FetchReports() override {
    try {
      return FetchReportsOrThrow();
    } catch (const json::exception& error) {
      return Unavailable(fmt::format("nhn report not understood: {}", error.what()));
    }
  }

 private:
  Result<std::vector<DeliveryReport>> FetchReportsOrThrow() {
    Timestamp now = clock_.Now();
    std::string url = fmt::format("{}/sms/v3.0/appKeys/{}/message-results?startUpdateDate={}&endUpdateDate={}",
                                  settings_.sms_base_url, settings_.sms_app_key, NhnTime(last_poll_), NhnTime(now));
    CRM_ASSIGN_OR_RETURN(HttpResponse response, http_.Send("GET", url, SmsHeaders(), ""));
    CRM_RETURN_IF_ERROR(StatusForHttp(response.status, "nhn message-results"));
    json answer = json::parse(response.body, nullptr, false);
    if (answer.is_discarded()) return Unavailable("nhn answered with malformed JSON");
    std::vector<DeliveryReport> reports;
    for (const json& item : answer.value("body", json::object()).value("data", json::array())) {
      std::string status = item.value("msgStatus", "");
      if (status != "3" && status != "0" && status != "5") continue;  // 1 requested, 2 processing, 4 cancelled
      DeliveryReport report;
      report.provider_key = item.value("recipientGroupingKey", "");
      report.provider_message_id = fmt::format("{}-{}", item.value("requestId", ""), item.value("recipientSeq", 0));
      report.delivered = status == "3";
      report.provider_code = item.value("resultCode", status);
      report.at = now;
      reports.push_back(std::move(report));
    }
    last_poll_ = now;
    return reports;
  }

  std::vector<std::pair<std::string, std::string>> SmsHeaders() const {
    return {{"X-Secret-Key", settings_.sms_secret_key}, {"Content-Type", "application/json;charset=UTF-8"}};
  }

  SendResult Post(const std::string& url, const std::string& secret, const json& request, const char* list_path) {
    Result<HttpResponse> response =
        http_.Send("POST", url, {{"X-Secret-Key", secret}, {"Content-Type", "application/json;charset=UTF-8"}},
                   request.dump());
    if (!response.ok()) return {response.status()};
    Status http_status = StatusForHttp(response->status, "nhn send");
    if (!http_status.ok()) return {http_status, "", std::to_string(response->status)};
    json answer = json::parse(response->body, nullptr, false);
    if (answer.is_discarded()) return {Unavailable("nhn answered with malformed JSON")};
    json header = answer.value("header", json::object());
    if (!header.value("isSuccessful", false)) {
      int code = header.value("resultCode", -1);
      return {FailedPrecondition(fmt::format("nhn {}: {}", code, header.value("resultMessage", ""))), "",
              std::to_string(code), ProviderAction::kConfigurationError};
    }
    json data = std::string(list_path) == "sms" ? answer.value("body", json::object()).value("data", json::object())
                                                : answer.value("message", json::object());
    json list = data.value(std::string(list_path) == "sms" ? "sendResultList" : "sendResults", json::array());
    if (list.empty()) return {Unavailable("nhn answered without a result for the message")};
    return ResultFor(list[0], data.value("requestId", ""));
  }

  SendResult SendSms(const domain::OutboxMessage& m) {
    bool long_text = m.channel != Channel::kSms;
    json request = {{"body", m.body},
                    {"sendNo", Digits(m.sender)},
                    {"recipientList",
                     {{{"recipientNo", NationalNumber(m.recipient)},
                       {"countryCode", "82"},
                       {"recipientGroupingKey", domain::ProviderIdempotencyKey(m)}}}}};
    if (long_text) request["title"] = m.subject;
    std::string url = fmt::format("{}/sms/v3.0/appKeys/{}/sender/{}", settings_.sms_base_url, settings_.sms_app_key,
                                  long_text ? "mms" : "sms");
    return Post(url, settings_.sms_secret_key, request, "sms");
  }

  SendResult SendAlimTalk(const domain::OutboxMessage& m) {
    json recipient = {{"recipientNo", NationalNumber(m.recipient)},
                      {"content", m.body},
                      {"recipientGroupingKey", domain::ProviderIdempotencyKey(m)}};
    if (m.fallback_channel) {
      recipient["resendParameter"] = {{"isResend", true},
                                      {"resendType", *m.fallback_channel == Channel::kSms ? "SMS" : "LMS"},
                                      {"resendContent", m.body},
                                      {"resendSendNo", Digits(m.sender)}};
    }
    json request = {{"senderKey", settings_.sender_key},
                    {"templateCode", m.template_code},
                    {"recipientList", json::array({recipient})}};
    std::string url = fmt::format("{}/alimtalk/v2.3/appkeys/{}/raw-messages", settings_.alimtalk_base_url,
                                  settings_.alimtalk_app_key);
    return Post(url, settings_.alimtalk_secret_key, request, "alimtalk");
  }

  NhnSettings settings_;
  const Clock& clock_;
  HttpClient http_;
  Timestamp last_poll_;
};

}  // namespace

Result<std::unique_ptr<Provider>> MakeNhnProvider(const NhnSettings& settings, const Clock& clock) {
  if (settings.sms_base_url.empty()) return InvalidArgument("NHN Cloud needs a base URL", "sms_base_url");
  if (settings.sms_app_key.empty()) return InvalidArgument("NHN Cloud needs an app key", "sms_app_key");
  if (settings.sms_secret_key.empty()) return InvalidArgument("NHN Cloud needs a secret key", "sms_secret_key");
  if (!settings.alimtalk_app_key.empty() && settings.alimtalk_secret_key.empty()) {
    return InvalidArgument("NHN AlimTalk needs its secret key", "alimtalk_secret_key");
  }
  return std::unique_ptr<Provider>(std::make_unique<NhnProvider>(settings, clock));
}

}  // namespace crm::messaging
