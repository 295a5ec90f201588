#include "app/opt_out_link.h"

#include <sodium.h>

#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace crm::app {
namespace {

constexpr size_t kMacHexLength = 32;

std::string Hex(const unsigned char* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.resize(size * 2);
  return out;
}

std::string Mac(std::string_view key_hex, std::string_view message) {
  std::vector<unsigned char> key(key_hex.size() / 2 + 1);
  size_t key_length = 0;
  if (sodium_hex2bin(key.data(), key.size(), key_hex.data(), key_hex.size(), nullptr, &key_length, nullptr) != 0) {
    key_length = 0;
  }
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key_length);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return Hex(mac, sizeof mac).substr(0, kMacHexLength);
}

std::optional<int64_t> Number(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace

std::string NewOptOutKey() {
  unsigned char key[32];
  randombytes_buf(key, sizeof key);
  return Hex(key, sizeof key);
}

std::string OptOutToken(std::string_view key_hex, BusinessId business, CustomerId customer) {
  const std::string subject = fmt::format("{}.{}", business.value(), customer.value());
  return subject + "." + Mac(key_hex, subject);
}

Result<OptOutSubject> ParseOptOutToken(std::string_view token) {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.size() - second - 1 != kMacHexLength) {
    return InvalidArgument("the opt-out link is not valid", "token");
  }
  auto business = Number(token.substr(0, first));
  auto customer = Number(token.substr(first + 1, second - first - 1));
  if (!business || !customer) return InvalidArgument("the opt-out link is not valid", "token");
  return OptOutSubject{BusinessId(*business), CustomerId(*customer)};
}

bool VerifyOptOutToken(std::string_view key_hex, std::string_view token) {
  const size_t last = token.rfind('.');
  if (key_hex.empty() || last == std::string_view::npos || token.size() - last - 1 != kMacHexLength) return false;
  const std::string expected = Mac(key_hex, token.substr(0, last));
  return sodium_memcmp(expected.data(), token.data() + last + 1, kMacHexLength) == 0;
}

std::string OptOutUrl(std::string_view base_url, std::string_view token) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  return fmt::format("{}/u/{}", base_url, token);
}

}  // namespace crm::app
