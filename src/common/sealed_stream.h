// Sealed files (encrypted backups): a stream encrypted in chunks with libsodium's secretstream
// (XChaCha20-Poly1305), under a 32-byte key from a key file or derived from a passphrase with
// Argon2id. Every chunk is authenticated together with the file's header, and the last one carries
// the final tag, so a wrong key, a changed byte, reordered chunks or a cut-off file are all refused.
//
// The layout:
//   "DANGOL-SEALED-1\n"                 16 bytes, the magic
//   kind                                1 byte: 1 key file, 2 passphrase
//   salt, opslimit, memlimit            16 + 8 + 8 bytes (little-endian; zeros for a key file)
//   secretstream header                 24 bytes
//   chunks: length (4 bytes LE) || ciphertext of up to 64 KiB of plaintext
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace crm {

// Where the key comes from; the derived key never leaves these classes.
struct SealKey {
  enum class Kind : uint8_t { kKeyFile = 1, kPassphrase = 2 };
  Kind kind = Kind::kKeyFile;
  std::string secret;  // the 32 raw key bytes, or the passphrase

  // A key file holds 64 hex characters (surrounding white space allowed). kInvalidArgument otherwise.
  static Result<SealKey> FromKeyFileText(std::string_view text);
  // A passphrase of at least 12 bytes. kInvalidArgument otherwise.
  static Result<SealKey> FromPassphrase(std::string_view passphrase);
  // A fresh key as 64 hex characters, for a new key file.
  static std::string GenerateKeyFileText();
};

// True when `in` starts with the magic (the position is restored).
bool IsSealedStream(std::istream& in);

// Writes sealed data to `out`: write the plaintext through stream(), then Finish().
class SealedWriter {
 public:
  // Argon2id cost for a passphrase (libsodium's "moderate": 256 MiB, about a second).
  SealedWriter(std::ostream& out, const SealKey& key);
  ~SealedWriter();
  SealedWriter(const SealedWriter&) = delete;
  SealedWriter& operator=(const SealedWriter&) = delete;

  // The plaintext goes here. Invalid (bad state) when the constructor failed: see status().
  std::ostream& stream() { return stream_; }
  Status status() const { return status_; }
  // Seals the last chunk with the final tag and flushes `out`.
  Status Finish();

 private:
  class Buffer;
  Status status_;  // before buffer_: the buffer's constructor sets it
  std::unique_ptr<Buffer> buffer_;
  std::ostream stream_;
};

// Reads sealed data from a seekable `in`. stream() yields the plaintext; it may be rewound to the
// start (seekg(0)), which starts decryption again. On a wrong key or a damaged file the stream
// fails and status() says why (kDataLoss).
class SealedReader {
 public:
  SealedReader(std::istream& in, const SealKey& key);
  ~SealedReader();
  SealedReader(const SealedReader&) = delete;
  SealedReader& operator=(const SealedReader&) = delete;

  std::istream& stream() { return stream_; }
  // OK once the whole file was read, authenticated and ended with its final chunk.
  Status status() const;
  // A wrong key or damage met so far (OK while nothing bad was read, even if not read to the end).
  Status error() const;

 private:
  class Buffer;
  std::unique_ptr<Buffer> buffer_;
  std::istream stream_;
};

}  // namespace crm
