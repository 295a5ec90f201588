// The dispatcher's providers when businesses may bring their own: a business with provider
// settings (ProviderCredentialService) sends through adapters built from them, every other business
// (and every channel the business's providers do not serve) through the server's providers from the
// environment. A business's settings are read again at most every `refresh_seconds`, so a change
// takes effect within that time; adapters are rebuilt only when the sealed settings changed, and
// replaced adapters are kept until the directory ends (a pointer the dispatcher holds stays valid).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/provider_credentials.h"
#include "messaging/provider.h"

namespace crm::app {

// Thread-safe.
class BusinessProviderDirectory final : public messaging::ProviderDirectory {
 public:
  // `fallback` (not owned) serves businesses without their own providers.
  BusinessProviderDirectory(ProviderCredentialService& credentials, messaging::ProviderDirectory& fallback,
                            const Clock& clock, int64_t refresh_seconds = 30);

  messaging::Provider* Find(BusinessId business, domain::Channel channel) override;
  std::vector<messaging::Provider*> All() override;

 private:
  struct Entry {
    Timestamp checked_at;
    std::string fingerprint;  // the sealed text the adapters were built from
    std::map<domain::Channel, messaging::Provider*> by_channel;
  };
  void Refresh(BusinessId business, Entry& entry);

  ProviderCredentialService& credentials_;
  messaging::ProviderDirectory& fallback_;
  const Clock& clock_;
  const int64_t refresh_seconds_;
  std::mutex mutex_;
  std::map<BusinessId, Entry> entries_;
  std::vector<std::unique_ptr<messaging::Provider>> adapters_;  // every adapter built, kept to the end
};

}  // namespace crm::app
