#include "main/outbox_setup.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/business_provider_directory.h"
#include "app/consent_gate.h"
#include "messaging/dispatcher.h"
#include "messaging/nhn_provider.h"
#include "messaging/smtp_provider.h"
#include "messaging/solapi_provider.h"

namespace crm::cli {
namespace {

using domain::Channel;

std::string Env(const char* name, std::string fallback = {}) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

Result<double> EnvRate(const char* name, double fallback) {
  std::string text = Env(name);
  if (text.empty()) return fallback;
  char* end = nullptr;
  double rate = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || rate <= 0) return InvalidArgument("a positive number", name);
  return rate;
}

class Runner final : public OutboxRunner {
 public:
  Runner(store::Database& database, const Clock& clock, const OutboxOptions& options,
         app::ProviderCredentialService& credentials)
      : gate_(database),
        database_(database),
        clock_(clock),
        options_(options),
        credentials_(credentials),
        business_directory_(credentials, directory_, clock) {}

  Status AddProviders() {
    if (!Env("DANGOL_SOLAPI_API_KEY").empty() || !Env("DANGOL_SOLAPI_API_SECRET").empty()) {
      messaging::SolapiSettings solapi;
      solapi.base_url = Env("DANGOL_SOLAPI_URL", solapi.base_url);
      solapi.api_key = Env("DANGOL_SOLAPI_API_KEY");
      solapi.api_secret = Env("DANGOL_SOLAPI_API_SECRET");
      solapi.kakao_pf_id = Env("DANGOL_SOLAPI_PF_ID");
      CRM_ASSIGN_OR_RETURN(solapi.messages_per_second, EnvRate("DANGOL_SOLAPI_RATE", solapi.messages_per_second));
      auto made = messaging::MakeSolapiProvider(solapi, clock_);
      if (!made.ok()) return InvalidArgument(made.status().message(), "DANGOL_SOLAPI_" + made.status().field());
      for (Channel c : {Channel::kSms, Channel::kLms, Channel::kMms, Channel::kAlimTalk, Channel::kBrandMessage}) {
        directory_.Set(c, made->get());
      }
      providers_.push_back(std::move(made).value());
    } else if (!Env("DANGOL_NHN_APP_KEY").empty() || !Env("DANGOL_NHN_SECRET_KEY").empty()) {
      messaging::NhnSettings nhn;
      nhn.sms_base_url = Env("DANGOL_NHN_SMS_URL", nhn.sms_base_url);
      nhn.sms_app_key = Env("DANGOL_NHN_APP_KEY");
      nhn.sms_secret_key = Env("DANGOL_NHN_SECRET_KEY");
      CRM_ASSIGN_OR_RETURN(nhn.messages_per_second, EnvRate("DANGOL_NHN_RATE", nhn.messages_per_second));
      auto made = messaging::MakeNhnProvider(nhn, clock_);
      if (!made.ok()) return InvalidArgument(made.status().message(), "DANGOL_NHN_" + made.status().field());
      for (Channel c : {Channel::kSms, Channel::kLms, Channel::kMms}) directory_.Set(c, made->get());
      providers_.push_back(std::move(made).value());
    }
    if (!Env("DANGOL_SMTP_URL").empty()) {
      messaging::SmtpSettings smtp;
      smtp.url = Env("DANGOL_SMTP_URL");
      smtp.from_address = Env("DANGOL_SMTP_FROM");
      smtp.from_name = Env("DANGOL_SMTP_FROM_NAME");
      smtp.username = Env("DANGOL_SMTP_USERNAME");
      smtp.password = Env("DANGOL_SMTP_PASSWORD");
      smtp.require_tls = Env("DANGOL_SMTP_REQUIRE_TLS", "1") != "0";
      auto made = messaging::MakeSmtpProvider(smtp, clock_);
      if (!made.ok()) return InvalidArgument(made.status().message(), "DANGOL_SMTP_" + made.status().field());
      directory_.Set(Channel::kEmail, made->get());
      providers_.push_back(std::move(made).value());
    }
    if (providers_.empty() && !credentials_.secret_box()) {
      return InvalidArgument("--outbox needs a provider: set DANGOL_SOLAPI_API_KEY, DANGOL_NHN_APP_KEY or DANGOL_SMTP_URL",
                             "--outbox");
    }
    return Status::Ok();
  }

  void Start() {
    messaging::DispatcherSettings settings;
    settings.lease_seconds = options_.lease_seconds;
    settings.report_poll_seconds = options_.report_poll_seconds;
    dispatcher_ = std::make_unique<messaging::Dispatcher>(database_, business_directory_, gate_, clock_, settings);
    thread_ = std::jthread([this](std::stop_token stop) { dispatcher_->Run(stop); });
    spdlog::info("outbox dispatcher started with {} provider(s)", providers_.size());
  }

  ~Runner() override {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }

 private:
  app::ConsentSendGate gate_;
  store::Database& database_;
  const Clock& clock_;
  OutboxOptions options_;
  app::ProviderCredentialService& credentials_;
  messaging::StaticProviderDirectory directory_;
  app::BusinessProviderDirectory business_directory_;
  std::vector<std::unique_ptr<messaging::Provider>> providers_;
  std::unique_ptr<messaging::Dispatcher> dispatcher_;
  std::jthread thread_;
};

}  // namespace

Result<std::unique_ptr<OutboxRunner>> StartOutbox(store::Database& database, const Clock& clock,
                                                  const OutboxOptions& options,
                                                  app::ProviderCredentialService& credentials) {
  if (options.lease_seconds < 1) return InvalidArgument("the lease is at least 1 second", "--outbox-lease-seconds");
  auto runner = std::make_unique<Runner>(database, clock, options, credentials);
  CRM_RETURN_IF_ERROR(runner->AddProviders());
  runner->Start();
  return std::unique_ptr<OutboxRunner>(std::move(runner));
}

}  // namespace crm::cli
