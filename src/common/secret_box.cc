#include "common/secret_box.h"

#include <sodium.h>

namespace crm {
namespace {

constexpr std::string_view kPrefix = "v1:";

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

Result<SecretBox> SecretBox::FromHex(std::string_view hex) {
  CRM_CHECK(SodiumReady());
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  size_t length = 0;
  if (hex.size() != 2 * crypto_secretbox_KEYBYTES ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(), hex.size(), nullptr,
                     &length, nullptr) != 0 ||
      length != crypto_secretbox_KEYBYTES) {
    return InvalidArgument("the secret key must be 64 hexadecimal characters", "secret_key");
  }
  return SecretBox(std::move(key));
}

std::string SecretBox::GenerateKeyHex() {
  CRM_CHECK(SodiumReady());
  unsigned char key[crypto_secretbox_KEYBYTES];
  crypto_secretbox_keygen(key);
  char hex[2 * crypto_secretbox_KEYBYTES + 1];
  sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
  sodium_memzero(key, sizeof(key));
  return hex;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), out, reinterpret_cast<const unsigned char*>(key_.data()));
  std::string encoded(sodium_base64_ENCODED_LEN(sealed.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), out, sealed.size(), sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(encoded.size() - 1);  // the terminating NUL
  return std::string(kPrefix) + encoded;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (!sealed.starts_with(kPrefix)) return InvalidArgument("not a sealed secret", "secret");
  sealed.remove_prefix(kPrefix.size());
  std::string raw(sealed.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), sealed.data(), sealed.size(),
                        nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return InvalidArgument("not a sealed secret", "secret");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  std::string plaintext(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()), in + crypto_secretbox_NONCEBYTES,
                                 length - crypto_secretbox_NONCEBYTES, in,
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0) {
    return DataLoss("the secret was sealed with another key or altered");
  }
  return plaintext;
}

}  // namespace crm
