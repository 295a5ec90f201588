#include "app/provider_credentials.h"

#include <charconv>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "messaging/nhn_provider.h"
#include "messaging/smtp_provider.h"
#include "messaging/solapi_provider.h"
#include "store/consent_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr std::string_view kFormatLine = "dangol-providers 1";
constexpr const char* kNoOwnProvider = "fake";  // the settings' default: the server's own providers

std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unescape(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      const char next = value[++i];
      out += next == 'n' ? '\n' : next == 'r' ? '\r' : next;
    } else {
      out += value[i];
    }
  }
  return out;
}

std::string Number(double value) { return fmt::format("{}", value); }

double ParseNumber(const std::string& text, double fallback) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && value > 0 ? value : fallback;
}

// (name, value) pairs of each kind, in one order for encoding and one table for decoding.
using Fields = std::vector<std::pair<std::string, std::string>>;

Fields SolapiFields(const messaging::SolapiSettings& s) {
  return {{"base_url", s.base_url}, {"api_key", s.api_key}, {"api_secret", s.api_secret},
          {"kakao_pf_id", s.kakao_pf_id}, {"messages_per_second", Number(s.messages_per_second)}};
}
Fields NhnFields(const messaging::NhnSettings& s) {
  return {{"sms_base_url", s.sms_base_url},         {"alimtalk_base_url", s.alimtalk_base_url},
          {"sms_app_key", s.sms_app_key},           {"sms_secret_key", s.sms_secret_key},
          {"alimtalk_app_key", s.alimtalk_app_key}, {"alimtalk_secret_key", s.alimtalk_secret_key},
          {"sender_key", s.sender_key},             {"messages_per_second", Number(s.messages_per_second)}};
}
Fields SmtpFields(const messaging::SmtpSettings& s) {
  return {{"url", s.url},
          {"username", s.username},
          {"password", s.password},
          {"from_address", s.from_address},
          {"from_name", s.from_name},
          {"require_tls", s.require_tls ? "1" : "0"},
          {"messages_per_second", Number(s.messages_per_second)}};
}

void Assign(messaging::SolapiSettings& s, const std::map<std::string, std::string>& f) {
  auto get = [&](const char* name, std::string& out) {
    if (auto it = f.find(name); it != f.end()) out = it->second;
  };
  get("base_url", s.base_url);
  get("api_key", s.api_key);
  get("api_secret", s.api_secret);
  get("kakao_pf_id", s.kakao_pf_id);
  if (auto it = f.find("messages_per_second"); it != f.end()) s.messages_per_second = ParseNumber(it->second, s.messages_per_second);
}
void Assign(messaging::NhnSettings& s, const std::map<std::string, std::string>& f) {
  auto get = [&](const char* name, std::string& out) {
    if (auto it = f.find(name); it != f.end()) out = it->second;
  };
  get("sms_base_url", s.sms_base_url);
  get("alimtalk_base_url", s.alimtalk_base_url);
  get("sms_app_key", s.sms_app_key);
  get("sms_secret_key", s.sms_secret_key);
  get("alimtalk_app_key", s.alimtalk_app_key);
  get("alimtalk_secret_key", s.alimtalk_secret_key);
  get("sender_key", s.sender_key);
  if (auto it = f.find("messages_per_second"); it != f.end()) s.messages_per_second = ParseNumber(it->second, s.messages_per_second);
}
void Assign(messaging::SmtpSettings& s, const std::map<std::string, std::string>& f) {
  auto get = [&](const char* name, std::string& out) {
    if (auto it = f.find(name); it != f.end()) out = it->second;
  };
  get("url", s.url);
  get("username", s.username);
  get("password", s.password);
  get("from_address", s.from_address);
  get("from_name", s.from_name);
  if (auto it = f.find("require_tls"); it != f.end()) s.require_tls = it->second != "0";
  if (auto it = f.find("messages_per_second"); it != f.end()) s.messages_per_second = ParseNumber(it->second, s.messages_per_second);
}

std::string KindList(const BusinessProviderSettings& s) {
  std::string out;
  auto add = [&](messaging::ProviderKind kind) {
    if (!out.empty()) out += ',';
    out += ToString(kind);
  };
  if (s.solapi) add(messaging::ProviderKind::kSolapi);
  if (s.nhn) add(messaging::ProviderKind::kNhnCloud);
  if (s.smtp) add(messaging::ProviderKind::kSmtp);
  return out.empty() ? kNoOwnProvider : out;
}

ProvidersView ViewOf(const BusinessProviderSettings& s, bool server_key, std::optional<Timestamp> updated_at) {
  ProvidersView view;
  view.server_key = server_key;
  view.updated_at = updated_at;
  if (s.solapi) view.providers.push_back({messaging::ProviderKind::kSolapi, MaskKeyId(s.solapi->api_key), s.solapi->base_url});
  if (s.nhn) view.providers.push_back({messaging::ProviderKind::kNhnCloud, MaskKeyId(s.nhn->sms_app_key), s.nhn->sms_base_url});
  if (s.smtp) view.providers.push_back({messaging::ProviderKind::kSmtp, MaskKeyId(s.smtp->username), s.smtp->url});
  return view;
}

// Builds the adapter once to have its own checks say what is missing or malformed.
Status Validate(const BusinessProviderSettings& s, const Clock& clock) {
  if (s.solapi) CRM_RETURN_IF_ERROR(messaging::MakeSolapiProvider(*s.solapi, clock).status());
  if (s.nhn) CRM_RETURN_IF_ERROR(messaging::MakeNhnProvider(*s.nhn, clock).status());
  if (s.smtp) CRM_RETURN_IF_ERROR(messaging::MakeSmtpProvider(*s.smtp, clock).status());
  return Status::Ok();
}

}  // namespace

const char* ToString(messaging::ProviderKind kind) {
  switch (kind) {
    case messaging::ProviderKind::kSolapi: return "solapi";
    case messaging::ProviderKind::kNhnCloud: return "nhn";
    case messaging::ProviderKind::kSmtp: return "smtp";
  }
  return "solapi";
}

std::optional<messaging::ProviderKind> ParseProviderKind(std::string_view text) {
  if (text == "solapi") return messaging::ProviderKind::kSolapi;
  if (text == "nhn") return messaging::ProviderKind::kNhnCloud;
  if (text == "smtp") return messaging::ProviderKind::kSmtp;
  return std::nullopt;
}

std::string MaskKeyId(std::string_view key) {
  if (key.empty()) return "";
  if (key.size() <= 8) return std::string(key.size(), '*');
  return fmt::format("{}****{}", key.substr(0, 4), key.substr(key.size() - 4));
}

std::string EncodeProviderSettings(const BusinessProviderSettings& settings) {
  std::string out(kFormatLine);
  out += '\n';
  auto write = [&](const char* kind, const Fields& fields) {
    for (const auto& [name, value] : fields) out += fmt::format("{}.{}={}\n", kind, name, Escape(value));
  };
  if (settings.solapi) write("solapi", SolapiFields(*settings.solapi));
  if (settings.nhn) write("nhn", NhnFields(*settings.nhn));
  if (settings.smtp) write("smtp", SmtpFields(*settings.smtp));
  return out;
}

Result<BusinessProviderSettings> DecodeProviderSettings(std::string_view text) {
  const size_t first_end = text.find('\n');
  if (text.substr(0, first_end) != kFormatLine) return DataLoss("provider settings in an unknown format");
  std::map<std::string, std::map<std::string, std::string>> kinds;
  size_t at = first_end == std::string_view::npos ? text.size() : first_end + 1;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    const size_t dot = line.find('.');
    const size_t equals = line.find('=');
    if (dot == std::string_view::npos || equals == std::string_view::npos || dot > equals) {
      return DataLoss("provider settings with a malformed line");
    }
    kinds[std::string(line.substr(0, dot))][std::string(line.substr(dot + 1, equals - dot - 1))] =
        Unescape(line.substr(equals + 1));
  }
  BusinessProviderSettings settings;
  for (const auto& [kind, fields] : kinds) {
    if (kind == "solapi") {
      Assign(settings.solapi.emplace(), fields);
    } else if (kind == "nhn") {
      Assign(settings.nhn.emplace(), fields);
    } else if (kind == "smtp") {
      Assign(settings.smtp.emplace(), fields);
    } else {
      return DataLoss("provider settings of an unknown provider");
    }
  }
  return settings;
}

ProviderCredentialService::ProviderCredentialService(store::Database& database, const Clock& clock)
    : database_(database), clock_(clock) {}

Result<ProviderCredentialService::Opened> ProviderCredentialService::LoadSealed(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(domain::MessagingSettings settings,
                       store::ReadValue<domain::MessagingSettings>(database_, [&](store::Transaction& tx) {
                         return store::ConsentRepository(tx.connection()).Settings(business);
                       }));
  Opened out;
  out.sealed = settings.provider_credentials;
  if (out.sealed.empty()) return out;
  if (!box_) return FailedPrecondition("the server has no key to open provider settings").WithReason("no_server_key");
  auto opened = box_->Open(out.sealed);
  if (!opened.ok()) return DataLoss("the provider settings cannot be opened with this server's key");
  CRM_ASSIGN_OR_RETURN(out.settings, DecodeProviderSettings(*opened));
  return out;
}

Result<BusinessProviderSettings> ProviderCredentialService::Load(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(Opened opened, LoadSealed(business));
  return std::move(opened.settings);
}

Result<ProvidersView> ProviderCredentialService::Describe(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  CRM_ASSIGN_OR_RETURN(domain::MessagingSettings settings,
                       store::ReadValue<domain::MessagingSettings>(database_, [&](store::Transaction& tx) {
                         return store::ConsentRepository(tx.connection()).Settings(principal.business_id);
                       }));
  const std::optional<Timestamp> updated =
      settings.provider_credentials.empty() ? std::nullopt : std::optional<Timestamp>(settings.updated_at);
  CRM_ASSIGN_OR_RETURN(BusinessProviderSettings own, Load(principal.business_id));
  return ViewOf(own, box_.has_value(), updated);
}

Result<ProvidersView> ProviderCredentialService::Store(const Principal& principal,
                                                       const std::function<Status(BusinessProviderSettings&)>& change) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  if (!box_) {
    return FailedPrecondition("the server has no key to seal provider settings (DANGOL_SECRET_KEY)", "kind")
        .WithReason("no_server_key");
  }
  const Timestamp now = clock_.Now();
  BusinessProviderSettings stored;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    store::ConsentRepository consents(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::MessagingSettings settings, consents.Settings(principal.business_id));
    if (!settings.provider_credentials.empty()) {
      auto opened = box_->Open(settings.provider_credentials);
      if (!opened.ok()) return DataLoss("the provider settings cannot be opened with this server's key");
      CRM_ASSIGN_OR_RETURN(stored, DecodeProviderSettings(*opened));
    }
    CRM_RETURN_IF_ERROR(change(stored));
    settings.business_id = principal.business_id;
    settings.provider = KindList(stored);
    settings.provider_credentials = stored.empty() ? std::string() : box_->Seal(EncodeProviderSettings(stored));
    settings.updated_at = now;
    return consents.SaveSettings(settings);
  }));
  return ViewOf(stored, true, stored.empty() ? std::nullopt : std::optional<Timestamp>(now));
}

Result<ProvidersView> ProviderCredentialService::Save(const Principal& principal,
                                                      const BusinessProviderSettings& update) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  const int set = (update.solapi ? 1 : 0) + (update.nhn ? 1 : 0) + (update.smtp ? 1 : 0);
  if (set != 1) return InvalidArgument("give the settings of one provider", "kind");
  CRM_RETURN_IF_ERROR(Validate(update, clock_));
  return Store(principal, [&](BusinessProviderSettings& stored) -> Status {
    if (update.solapi) stored.solapi = update.solapi;
    if (update.nhn) stored.nhn = update.nhn;
    if (update.smtp) stored.smtp = update.smtp;
    return Status::Ok();
  });
}

Result<ProvidersView> ProviderCredentialService::Remove(const Principal& principal, messaging::ProviderKind kind) {
  return Store(principal, [&](BusinessProviderSettings& stored) -> Status {
    bool had = false;
    switch (kind) {
      case messaging::ProviderKind::kSolapi: had = stored.solapi.has_value(); stored.solapi.reset(); break;
      case messaging::ProviderKind::kNhnCloud: had = stored.nhn.has_value(); stored.nhn.reset(); break;
      case messaging::ProviderKind::kSmtp: had = stored.smtp.has_value(); stored.smtp.reset(); break;
    }
    if (!had) return NotFound("the business has no such provider");
    return Status::Ok();
  });
}

}  // namespace crm::app
