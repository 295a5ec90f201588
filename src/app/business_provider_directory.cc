#include "app/business_provider_directory.h"

#include <spdlog/spdlog.h>

#include "messaging/nhn_provider.h"
#include "messaging/smtp_provider.h"
#include "messaging/solapi_provider.h"

namespace crm::app {

using domain::Channel;

BusinessProviderDirectory::BusinessProviderDirectory(ProviderCredentialService& credentials,
                                                     messaging::ProviderDirectory& fallback, const Clock& clock,
                                                     int64_t refresh_seconds)
    : credentials_(credentials), fallback_(fallback), clock_(clock), refresh_seconds_(refresh_seconds) {}

void BusinessProviderDirectory::Refresh(BusinessId business, Entry& entry) {
  entry.checked_at = clock_.Now();
  auto opened = credentials_.LoadSealed(business);
  if (!opened.ok()) {
    // Settings that cannot be opened (another server key) leave the business on the server's own
    // providers rather than stop its messages; the log names the business only.
    spdlog::warn("provider settings of business {} cannot be used: {}", business.value(),
                 StatusCodeName(opened.status().code()));
    entry.fingerprint.clear();
    entry.by_channel.clear();
    return;
  }
  if (opened->sealed == entry.fingerprint) return;
  entry.fingerprint = opened->sealed;
  entry.by_channel.clear();
  const BusinessProviderSettings& s = opened->settings;
  auto keep = [&](Result<std::unique_ptr<messaging::Provider>> made,
                  std::initializer_list<Channel> channels) -> messaging::Provider* {
    if (!made.ok()) {
      spdlog::warn("a provider of business {} cannot be built: {}", business.value(),
                   StatusCodeName(made.status().code()));
      return nullptr;
    }
    adapters_.push_back(std::move(made).value());
    for (Channel channel : channels) entry.by_channel[channel] = adapters_.back().get();
    return adapters_.back().get();
  };
  if (s.nhn) {
    messaging::Provider* nhn = keep(messaging::MakeNhnProvider(*s.nhn, clock_), {Channel::kSms, Channel::kLms, Channel::kMms});
    if (nhn != nullptr && !s.nhn->alimtalk_app_key.empty()) entry.by_channel[Channel::kAlimTalk] = nhn;
  }
  // Solapi serves every text and Kakao channel, and wins over NHN Cloud when both are set.
  if (s.solapi) {
    keep(messaging::MakeSolapiProvider(*s.solapi, clock_),
         {Channel::kSms, Channel::kLms, Channel::kMms, Channel::kAlimTalk, Channel::kBrandMessage});
  }
  if (s.smtp) keep(messaging::MakeSmtpProvider(*s.smtp, clock_), {Channel::kEmail});
}

messaging::Provider* BusinessProviderDirectory::Find(BusinessId business, Channel channel) {
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(business);
    Entry& entry = it->second;
    if (inserted || clock_.Now().micros() - entry.checked_at.micros() >= refresh_seconds_ * 1'000'000) {
      Refresh(business, entry);
    }
    if (auto found = entry.by_channel.find(channel); found != entry.by_channel.end()) return found->second;
  }
  return fallback_.Find(business, channel);
}

std::vector<messaging::Provider*> BusinessProviderDirectory::All() {
  std::vector<messaging::Provider*> all = fallback_.All();
  std::lock_guard lock(mutex_);
  for (const auto& adapter : adapters_) all.push_back(adapter.get());
  return all;
}

}  // namespace crm::app
