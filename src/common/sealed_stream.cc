#include "common/sealed_stream.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace crm {
namespace {

constexpr std::string_view kMagic = "DANGOL-SEALED-1\n";
constexpr size_t kChunk = 64 * 1024;
constexpr size_t kKeyBytes = crypto_secretstream_xchacha20poly1305_KEYBYTES;
constexpr size_t kSaltBytes = crypto_pwhash_SALTBYTES;
// Magic, kind, salt, opslimit, memlimit: authenticated with every chunk.
constexpr size_t kPrefixBytes = kMagic.size() + 1 + kSaltBytes + 8 + 8;
constexpr size_t kStreamHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kABytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kMinPassphrase = 12;

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

void PutU64(unsigned char* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}
uint64_t GetU64(const unsigned char* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<uint64_t>(in[i]) << (8 * i);
  return value;
}

// The stream key from the key file's bytes, or from the passphrase with Argon2id.
Status DeriveKey(const SealKey& key, const unsigned char* salt, uint64_t opslimit, uint64_t memlimit,
                 unsigned char out[kKeyBytes]) {
  if (key.kind == SealKey::Kind::kKeyFile) {
    if (key.secret.size() != kKeyBytes) return InvalidArgument("the key must be 32 bytes", "key_file");
    std::memcpy(out, key.secret.data(), kKeyBytes);
    return Status::Ok();
  }
  if (crypto_pwhash(out, kKeyBytes, key.secret.data(), key.secret.size(), salt, opslimit, memlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhausted("not enough memory to derive the key from the passphrase");
  }
  return Status::Ok();
}

Status Damaged() { return DataLoss("the sealed file cannot be opened: wrong key, or the file was changed"); }

}  // namespace

Result<SealKey> SealKey::FromKeyFileText(std::string_view text) {
  CRM_CHECK(SodiumReady());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  SealKey key{.kind = Kind::kKeyFile, .secret = std::string(kKeyBytes, '\0')};
  size_t length = 0;
  if (text.size() != 2 * kKeyBytes ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.secret.data()), key.secret.size(), text.data(),
                     text.size(), nullptr, &length, nullptr) != 0 ||
      length != kKeyBytes) {
    return InvalidArgument("the key file must hold 64 hexadecimal characters", "key_file");
  }
  return key;
}

Result<SealKey> SealKey::FromPassphrase(std::string_view passphrase) {
  CRM_CHECK(SodiumReady());
  while (!passphrase.empty() && (passphrase.back() == '\n' || passphrase.back() == '\r')) passphrase.remove_suffix(1);
  if (passphrase.size() < kMinPassphrase) {
    return InvalidArgument("the passphrase must be at least 12 characters", "passphrase_file");
  }
  return SealKey{.kind = Kind::kPassphrase, .secret = std::string(passphrase)};
}

std::string SealKey::GenerateKeyFileText() {
  CRM_CHECK(SodiumReady());
  unsigned char key[kKeyBytes];
  crypto_secretstream_xchacha20poly1305_keygen(key);
  char hex[2 * kKeyBytes + 1];
  sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
  sodium_memzero(key, sizeof(key));
  return std::string(hex) + "\n";
}

bool IsSealedStream(std::istream& in) {
  const std::istream::pos_type start = in.tellg();
  char magic[kMagic.size()];
  in.read(magic, sizeof(magic));
  const bool sealed = in.gcount() == static_cast<std::streamsize>(sizeof(magic)) &&
                      std::string_view(magic, sizeof(magic)) == kMagic;
  in.clear();
  in.seekg(start);
  return sealed;
}

// ---- writing ----

class SealedWriter::Buffer : public std::streambuf {
 public:
  Buffer(std::ostream& out, const SealKey& key, Status& status) : out_(out) {
    CRM_CHECK(SodiumReady());
    std::memcpy(prefix_, kMagic.data(), kMagic.size());
    unsigned char* p = prefix_ + kMagic.size();
    *p++ = static_cast<unsigned char>(key.kind);
    uint64_t opslimit = 0;
    uint64_t memlimit = 0;
    std::memset(p, 0, kSaltBytes);
    if (key.kind == SealKey::Kind::kPassphrase) {
      randombytes_buf(p, kSaltBytes);
      opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
      memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
    }
    const unsigned char* salt = p;
    PutU64(p + kSaltBytes, opslimit);
    PutU64(p + kSaltBytes + 8, memlimit);
    unsigned char stream_key[kKeyBytes];
    status = DeriveKey(key, salt, opslimit, memlimit, stream_key);
    if (!status.ok()) return;
    unsigned char header[kStreamHeaderBytes];
    crypto_secretstream_xchacha20poly1305_init_push(&state_, header, stream_key);
    sodium_memzero(stream_key, sizeof(stream_key));
    out_.write(reinterpret_cast<const char*>(prefix_), kPrefixBytes);
    out_.write(reinterpret_cast<const char*>(header), sizeof(header));
    plain_.reserve(kChunk);
    ready_ = true;
  }
  ~Buffer() override {
    sodium_memzero(&state_, sizeof(state_));
    if (!plain_.empty()) sodium_memzero(plain_.data(), plain_.size());
  }

  bool Push(bool final) {
    if (!ready_) return false;
    sealed_.resize(plain_.size() + kABytes);
    unsigned long long length = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &state_, sealed_.data(), &length, reinterpret_cast<const unsigned char*>(plain_.data()), plain_.size(),
        prefix_, kPrefixBytes,
        final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    unsigned char size[4];
    for (int i = 0; i < 4; ++i) size[i] = static_cast<unsigned char>(length >> (8 * i));
    out_.write(reinterpret_cast<const char*>(size), sizeof(size));
    out_.write(reinterpret_cast<const char*>(sealed_.data()), static_cast<std::streamsize>(length));
    sodium_memzero(plain_.data(), plain_.size());
    plain_.clear();
    if (final) ready_ = false;
    return static_cast<bool>(out_);
  }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char byte = traits_type::to_char_type(c);
    return xsputn(&byte, 1) == 1 ? c : traits_type::eof();
  }
  std::streamsize xsputn(const char* data, std::streamsize count) override {
    if (!ready_) return 0;
    std::streamsize written = 0;
    while (written < count) {
      const size_t take = std::min(kChunk - plain_.size(), static_cast<size_t>(count - written));
      plain_.append(data + written, take);
      written += static_cast<std::streamsize>(take);
      if (plain_.size() == kChunk && !Push(false)) return written;
    }
    return written;
  }

 private:
  std::ostream& out_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  unsigned char prefix_[kPrefixBytes];
  std::string plain_;
  std::vector<unsigned char> sealed_;
  bool ready_ = false;
};

SealedWriter::SealedWriter(std::ostream& out, const SealKey& key)
    : buffer_(std::make_unique<Buffer>(out, key, status_)), stream_(buffer_.get()) {
  if (!status_.ok()) stream_.setstate(std::ios::badbit);
}

SealedWriter::~SealedWriter() = default;

Status SealedWriter::Finish() {
  CRM_RETURN_IF_ERROR(status_);
  stream_.flush();
  if (!stream_ || !buffer_->Push(true)) return Unavailable("cannot write the sealed file");
  return Status::Ok();
}

// ---- reading ----

class SealedReader::Buffer : public std::streambuf {
 public:
  Buffer(std::istream& in, const SealKey& key) : in_(in), key_(key), start_(in.tellg()) { Start(); }
  ~Buffer() override {
    sodium_memzero(key_.secret.data(), key_.secret.size());
    sodium_memzero(stream_key_, sizeof(stream_key_));
    sodium_memzero(&state_, sizeof(state_));
    if (!plain_.empty()) sodium_memzero(plain_.data(), plain_.size());
  }

  Status error() const { return status_; }
  // OK once the whole file was read and its last chunk carried the final tag.
  Status status() const {
    if (!status_.ok()) return status_;
    if (!final_) return DataLoss("the sealed file is incomplete: it was cut off");
    return Status::Ok();
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (!status_.ok() || !NextChunk()) return traits_type::eof();
    setg(plain_.data(), plain_.data(), plain_.data() + plain_.size());
    return plain_.empty() ? underflow() : traits_type::to_int_type(*gptr());
  }
  // Only a rewind to the start is supported: decryption starts again.
  pos_type seekoff(off_type offset, std::ios::seekdir dir, std::ios::openmode which) override {
    if (offset == 0 && dir == std::ios::beg) return seekpos(0, which);
    return pos_type(off_type(-1));
  }
  pos_type seekpos(pos_type position, std::ios::openmode) override {
    if (position != pos_type(0)) return pos_type(off_type(-1));
    Start();
    return status_.ok() ? pos_type(0) : pos_type(off_type(-1));
  }

 private:
  void Start() {
    status_ = Status::Ok();
    final_ = false;
    plain_.clear();
    setg(nullptr, nullptr, nullptr);
    in_.clear();
    in_.seekg(start_);
    unsigned char prefix[kPrefixBytes];
    unsigned char header[kStreamHeaderBytes];
    in_.read(reinterpret_cast<char*>(prefix), sizeof(prefix));
    in_.read(reinterpret_cast<char*>(header), sizeof(header));
    if (!in_ || std::memcmp(prefix, kMagic.data(), kMagic.size()) != 0) {
      status_ = DataLoss("not a sealed file");
      return;
    }
    std::memcpy(prefix_, prefix, sizeof(prefix));
    const auto kind = static_cast<SealKey::Kind>(prefix[kMagic.size()]);
    if (kind != key_.kind) {
      status_ = InvalidArgument(kind == SealKey::Kind::kPassphrase ? "the file was sealed with a passphrase"
                                                                   : "the file was sealed with a key file",
                                "key");
      return;
    }
    if (!derived_) {
      const unsigned char* salt = prefix + kMagic.size() + 1;
      const uint64_t opslimit = GetU64(salt + kSaltBytes);
      const uint64_t memlimit = GetU64(salt + kSaltBytes + 8);
      if (kind == SealKey::Kind::kPassphrase &&
          (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
           memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE)) {
        status_ = Damaged();
        return;
      }
      status_ = DeriveKey(key_, salt, opslimit, memlimit, stream_key_);
      if (!status_.ok()) return;
      derived_ = true;
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state_, header, stream_key_) != 0) status_ = Damaged();
  }

  // Reads, checks and decrypts the next chunk into plain_. False at the end or on an error.
  bool NextChunk() {
    if (final_) {
      // Nothing may follow the final chunk.
      if (in_.peek() != std::istream::traits_type::eof()) status_ = Damaged();
      return false;
    }
    unsigned char size[4];
    in_.read(reinterpret_cast<char*>(size), sizeof(size));
    if (in_.gcount() == 0 && in_.eof()) return false;  // cut off: status() says so
    if (in_.gcount() != sizeof(size)) {
      status_ = Damaged();
      return false;
    }
    size_t length = 0;
    for (int i = 0; i < 4; ++i) length |= static_cast<size_t>(size[i]) << (8 * i);
    if (length < kABytes || length > kChunk + kABytes) {
      status_ = Damaged();
      return false;
    }
    sealed_.resize(length);
    in_.read(reinterpret_cast<char*>(sealed_.data()), static_cast<std::streamsize>(length));
    if (static_cast<size_t>(in_.gcount()) != length) {
      status_ = Damaged();
      return false;
    }
    plain_.resize(length - kABytes);
    unsigned long long plain_length = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state_, reinterpret_cast<unsigned char*>(plain_.data()),
                                                   &plain_length, &tag, sealed_.data(), length, prefix_,
                                                   kPrefixBytes) != 0) {
      plain_.clear();
      status_ = Damaged();
      return false;
    }
    plain_.resize(plain_length);
    final_ = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    return true;
  }

  std::istream& in_;
  SealKey key_;
  std::istream::pos_type start_;
  unsigned char prefix_[kPrefixBytes] = {};
  unsigned char stream_key_[kKeyBytes] = {};
  bool derived_ = false;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::string plain_;
  std::vector<unsigned char> sealed_;
  Status status_;
  bool final_ = false;
};

SealedReader::SealedReader(std::istream& in, const SealKey& key)
    : buffer_(std::make_unique<Buffer>(in, key)), stream_(buffer_.get()) {}

SealedReader::~SealedReader() = default;

Status SealedReader::status() const { return buffer_->status(); }

Status SealedReader::error() const { return buffer_->error(); }

}  // namespace crm
