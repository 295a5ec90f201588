// Secrets at rest (provider credentials in business settings): authenticated encryption with
// libsodium's secretbox (XSalsa20-Poly1305) under a server key that never enters the database.
// The sealed form is text, "v1:" + base64(nonce || ciphertext), so it fits a TEXT column.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace crm {

// A 32-byte server key. Thread-safe (immutable).
class SecretBox {
 public:
  // From the key's 64 hex characters (configuration). kInvalidArgument otherwise.
  static Result<SecretBox> FromHex(std::string_view hex);
  // A fresh random key as 64 hex characters, for `dangol` to print once at set-up.
  static std::string GenerateKeyHex();

  // The sealed text of `plaintext`, with a random nonce.
  std::string Seal(std::string_view plaintext) const;
  // The plaintext. kDataLoss when `sealed` was not made by this key or was altered;
  // kInvalidArgument when it is not in the sealed form at all.
  Result<std::string> Open(std::string_view sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace crm
