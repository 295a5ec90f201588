#include "messaging/provider_common.h"

#include <sodium.h>

namespace crm::messaging {

std::string Digits(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

std::string NationalNumber(std::string_view e164) {
  if (e164.starts_with("+82")) return "0" + Digits(e164.substr(3));
  return Digits(e164);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
  return hex;
}

std::vector<SendResult> AllFailed(size_t count, const Status& status, const std::string& provider_code) {
  return std::vector<SendResult>(count, SendResult{status, "", provider_code, ProviderAction::kNone});
}

Provider* StaticProviderDirectory::Find(BusinessId, domain::Channel channel) {
  for (const auto& [served, provider] : providers_) {
    if (served == channel) return provider;
  }
  return nullptr;
}

void StaticProviderDirectory::Set(domain::Channel channel, Provider* provider) {
  for (auto& [served, current] : providers_) {
    if (served == channel) {
      current = provider;
      return;
    }
  }
  providers_.emplace_back(channel, provider);
}

std::vector<Provider*> StaticProviderDirectory::All() {
  std::vector<Provider*> all;
  for (const auto& [channel, provider] : providers_) {
    bool seen = false;
    for (Provider* p : all) seen = seen || p == provider;
    if (!seen) all.push_back(provider);
  }
  return all;
}

}  // namespace crm::messaging
