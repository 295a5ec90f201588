#include "messaging/smtp_provider.h"

#include <ctime>
#include <cstring>

#include <curl/curl.h>
#include <fmt/format.h>
#include <sodium.h>

#include "messaging/http_client.h"
#include "messaging/provider_common.h"

namespace crm::messaging {
namespace {

std::string Base64(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

// Base64 in lines of 76 characters, as MIME bodies want.
std::string Base64Lines(std::string_view data) {
  std::string encoded = Base64(data);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

// An RFC 2047 encoded word for a header that may hold Hangul.
std::string EncodedWord(std::string_view text) { return fmt::format("=?UTF-8?B?{}?=", Base64(text)); }

// Header values never carry a line break (header injection).
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  return out;
}

std::string RfcDate(Timestamp date) {
  std::time_t seconds = date.seconds();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return buffer;
}

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t length = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, length);
  upload->offset += length;
  return length;
}

class SmtpProvider final : public Provider {
 public:
  SmtpProvider(const SmtpSettings& settings, const Clock& clock) : settings_(settings), clock_(clock) {
    EnsureCurlInitialized();
    curl_ = curl_easy_init();
  }
  ~SmtpProvider() override {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }

  std::string_view name() const override { return "smtp"; }
  bool Supports(domain::Channel channel) const override { return channel == domain::Channel::kEmail; }
  int max_batch_size() const override { return 50; }
  double messages_per_second() const override { return settings_.messages_per_second; }

  std::vector<SendResult> Send(std::span<const domain::OutboxMessage> batch) override {
    std::vector<SendResult> results;
    results.reserve(batch.size());
    for (const domain::OutboxMessage& m : batch) results.push_back(SendOne(m));
    return results;
  }

  Result<std::vector<DeliveryReport>> FetchReports() override { return std::vector<DeliveryReport>{}; }

 private:
  SendResult SendOne(const domain::OutboxMessage& m) {
    if (curl_ == nullptr) return {Internal("libcurl could not be initialised")};
    std::string text = BuildEmail(settings_, m, clock_.Now());
    Upload upload{text};
    curl_easy_reset(curl_);
    curl_slist* recipients = curl_slist_append(nullptr, fmt::format("<{}>", OneLine(m.recipient)).c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_USE_SSL, settings_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    if (!settings_.username.empty()) {
      curl_easy_setopt(curl_, CURLOPT_USERNAME, settings_.username.c_str());
      curl_easy_setopt(curl_, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, fmt::format("<{}>", settings_.from_address).c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(curl_, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, settings_.timeout_seconds);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    CURLcode code = curl_easy_perform(curl_);
    long reply = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(recipients);
    SendResult result;
    result.provider_code = std::to_string(reply);
    if (code == CURLE_OK) {
      result.provider_message_id = domain::ProviderIdempotencyKey(m);
      return result;
    }
    std::string what = fmt::format("smtp {}: {}", reply, curl_easy_strerror(code));
    // 4xx replies and lost connections are temporary; 5xx replies are permanent (bad address).
    if (code == CURLE_OPERATION_TIMEDOUT) {
      result.status = Status(StatusCode::kDeadlineExceeded, what);
    } else if (reply >= 500) {
      result.status = InvalidArgument(what);
    } else if (code == CURLE_LOGIN_DENIED) {
      result.status = Unauthenticated(what);
    } else {
      result.status = Unavailable(what);
    }
    return result;
  }

  SmtpSettings settings_;
  const Clock& clock_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::string BuildEmail(const SmtpSettings& settings, const domain::OutboxMessage& m, Timestamp date) {
  std::string key = domain::ProviderIdempotencyKey(m);
  std::string boundary = fmt::format("dangol-{}", Base64(key).substr(0, 24));
  for (char& c : boundary) {
    if (c == '+' || c == '/' || c == '=') c = 'x';
  }
  std::string out;
  std::string from_name = settings.from_name.empty() ? "" : EncodedWord(OneLine(settings.from_name)) + " ";
  out += fmt::format("From: {}<{}>\r\n", from_name, OneLine(settings.from_address));
  out += fmt::format("To: <{}>\r\n", OneLine(m.recipient));
  out += fmt::format("Subject: {}\r\n", EncodedWord(OneLine(m.subject)));
  out += fmt::format("Date: {}\r\n", RfcDate(date));
  out += fmt::format("Message-ID: <{}@dangol.outbox>\r\n", OneLine(key));
  out += fmt::format("X-Dangol-Key: {}\r\n", OneLine(key));
  if (!m.unsubscribe_url.empty()) {
    out += fmt::format("List-Unsubscribe: <{}>\r\n", OneLine(m.unsubscribe_url));
    out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  out += "MIME-Version: 1.0\r\n";
  out += fmt::format("Content-Type: multipart/alternative; boundary=\"{}\"\r\n\r\n", boundary);
  out += fmt::format("--{}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                     boundary, Base64Lines(m.body));
  if (!m.html_body.empty()) {
    out += fmt::format("--{}\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                       boundary, Base64Lines(m.html_body));
  }
  out += fmt::format("--{}--\r\n", boundary);
  return out;
}

Result<std::unique_ptr<Provider>> MakeSmtpProvider(const SmtpSettings& settings, const Clock& clock) {
  if (settings.url.empty()) return InvalidArgument("SMTP needs a server URL", "url");
  if (!settings.url.starts_with("smtp://") && !settings.url.starts_with("smtps://")) {
    return InvalidArgument("the SMTP URL starts with smtp:// or smtps://", "url");
  }
  if (settings.from_address.empty()) return InvalidArgument("SMTP needs a From address", "from_address");
  return std::unique_ptr<Provider>(std::make_unique<SmtpProvider>(settings, clock));
}

}  // namespace crm::messaging
