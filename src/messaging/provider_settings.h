// The settings each provider adapter takes. They hold credentials: the campaigns side stores them
// per business encrypted with common/secret_box.h and decrypts them only to build an adapter; they
// are never logged (no ToString on purpose). Base URLs are settings so that tests and the demo point
// the adapters at the local fakes (scripts/fake-provider).
#pragma once

#include <string>

namespace crm::messaging {

// Which adapter a business uses. Persisted: the values never change.
enum class ProviderKind { kSolapi = 1, kNhnCloud = 2, kSmtp = 3 };

// Solapi (api.solapi.com): SMS/LMS/MMS, AlimTalk (ATA) and brand/friend messages (CTA), one
// send-many call for up to 10,000 messages, HMAC-SHA256 signed (MSG-04).
struct SolapiSettings {
  std::string base_url = "https://api.solapi.com";
  std::string api_key;
  std::string api_secret;
  std::string kakao_pf_id;  // the business's Kakao channel (pfId), for AlimTalk and brand messages
  double messages_per_second = 1000;
  int max_batch_size = 1000;  // the API takes 10,000; smaller batches lose less on a timeout
  long timeout_seconds = 30;
};

// NHN Cloud Notification: SMS (sms/v3.0) and AlimTalk (alimtalk/v2.x), app key in the path and the
// secret key in X-Secret-Key (MSG-04, MSG-05).
struct NhnSettings {
  std::string sms_base_url = "https://api-sms.cloud.toast.com";
  std::string alimtalk_base_url = "https://api-alimtalk.cloud.toast.com";
  std::string sms_app_key;
  std::string sms_secret_key;
  std::string alimtalk_app_key;
  std::string alimtalk_secret_key;
  std::string sender_key;  // Kakao sender key for AlimTalk
  double messages_per_second = 300;
  int max_batch_size = 1000;  // recipientList holds at most 1,000
  long timeout_seconds = 30;
};

// E-mail over SMTP (libcurl): "smtp://host:25", "smtp://host:587" (STARTTLS when offered, required
// with require_tls) or "smtps://host:465".
struct SmtpSettings {
  std::string url;
  std::string username;
  std::string password;
  std::string from_address;  // the envelope and From address
  std::string from_name;     // shown name, e.g. the business name
  bool require_tls = true;
  double messages_per_second = 50;
  long timeout_seconds = 30;
};

}  // namespace crm::messaging
