#include "common/sealed_stream.h"

#include <gtest/gtest.h>

#include <iterator>
#include <sstream>
#include <string>

namespace crm {
namespace {

constexpr size_t kChunk = 64 * 1024;

SealKey NewKey() { return *SealKey::FromKeyFileText(SealKey::GenerateKeyFileText()); }

// Plaintext of `size` bytes that differs from chunk to chunk.
std::string Text(size_t size) {
  std::string text(size, '\0');
  for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (i * 7 + i / 1000) % 26);
  return text;
}

std::string Seal(const std::string& plain, const SealKey& key) {
  std::ostringstream out;
  SealedWriter writer(out, key);
  writer.stream() << plain;
  EXPECT_TRUE(writer.Finish().ok());
  return out.str();
}

struct Opened {
  std::string plain;
  Status status;
};

Opened Open(const std::string& sealed, const SealKey& key) {
  std::istringstream in(sealed);
  SealedReader reader(in, key);
  std::string plain((std::istreambuf_iterator<char>(reader.stream())), std::istreambuf_iterator<char>());
  return {plain, reader.status()};
}

TEST(SealedStreamTest, RoundTripsAnySizeAndHidesThePlaintext) {
  const SealKey key = NewKey();
  for (size_t size : {size_t{0}, size_t{1}, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk, size_t{200'000}}) {
    const std::string plain = Text(size);
    const std::string sealed = Seal(plain, key);
    std::istringstream probe(sealed);
    EXPECT_TRUE(IsSealedStream(probe));
    if (size > 100) {
      EXPECT_EQ(sealed.find(plain.substr(0, 100)), std::string::npos);
    }
    const Opened opened = Open(sealed, key);
    EXPECT_TRUE(opened.status.ok()) << size << ": " << opened.status.message();
    EXPECT_EQ(opened.plain, plain) << size;
  }
  std::istringstream plain_file("{\"format\":\"dangol-backup\"}\n");
  EXPECT_FALSE(IsSealedStream(plain_file));
  EXPECT_EQ(plain_file.tellg(), 0);
}

TEST(SealedStreamTest, RewindingStartsDecryptionAgain) {
  const SealKey key = NewKey();
  const std::string plain = Text(150'000);
  std::istringstream in(Seal(plain, key));
  SealedReader reader(in, key);
  std::string first(1000, '\0');
  reader.stream().read(first.data(), 1000);
  EXPECT_EQ(first, plain.substr(0, 1000));
  reader.stream().clear();
  reader.stream().seekg(0);
  ASSERT_TRUE(reader.stream());
  std::string all((std::istreambuf_iterator<char>(reader.stream())), std::istreambuf_iterator<char>());
  EXPECT_EQ(all, plain);
  EXPECT_TRUE(reader.status().ok());
}

TEST(SealedStreamTest, AWrongKeyOpensNothing) {
  const std::string sealed = Seal(Text(100'000), NewKey());
  const Opened opened = Open(sealed, NewKey());
  EXPECT_EQ(opened.status.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(opened.plain.empty());
}

TEST(SealedStreamTest, AnyChangedByteIsRefused) {
  const SealKey key = NewKey();
  const std::string sealed = Seal(Text(3 * kChunk + 10), key);
  // In the header's salt and parameters, the stream header, a length, the first and the last chunk.
  for (size_t at : {size_t{20}, size_t{50}, size_t{70}, size_t{76}, size_t{1000}, sealed.size() - 5}) {
    std::string changed = sealed;
    changed[at] = static_cast<char>(changed[at] ^ 0x01);
    EXPECT_EQ(Open(changed, key).status.code(), StatusCode::kDataLoss) << "byte " << at;
  }
}

TEST(SealedStreamTest, ACutOffOrExtendedFileIsRefused) {
  const SealKey key = NewKey();
  // Exactly two chunks: the final chunk is empty, so cutting it off leaves whole plaintext chunks.
  const std::string plain = Text(2 * kChunk);
  const std::string sealed = Seal(plain, key);
  const size_t final_chunk = 4 + 17;  // its length and an empty ciphertext with the tag
  const Opened cut = Open(sealed.substr(0, sealed.size() - final_chunk), key);
  EXPECT_EQ(cut.plain, plain);  // every chunk read was genuine ...
  EXPECT_EQ(cut.status.code(), StatusCode::kDataLoss);  // ... but the end is missing
  EXPECT_EQ(Open(sealed.substr(0, sealed.size() / 2), key).status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(Open(sealed + "more", key).status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(Open(sealed.substr(0, 30), key).status.code(), StatusCode::kDataLoss);
}

TEST(SealedStreamTest, APassphraseSealsAndOpensOnlyWithItself) {
  auto key = SealKey::FromPassphrase("correct horse battery staple\n");
  ASSERT_TRUE(key.ok());
  const std::string plain = Text(70'000);
  const std::string sealed = Seal(plain, *key);
  EXPECT_EQ(Open(sealed, *key).plain, plain);
  EXPECT_EQ(Open(sealed, *SealKey::FromPassphrase("correct horse battery stapler")).status.code(),
            StatusCode::kDataLoss);
  // A key file cannot open what a passphrase sealed, and says why.
  EXPECT_EQ(Open(sealed, NewKey()).status.code(), StatusCode::kInvalidArgument);
}

TEST(SealedStreamTest, BadKeysAreRefusedWithTheirField) {
  EXPECT_EQ(SealKey::FromKeyFileText("abc").status().field(), "key_file");
  EXPECT_FALSE(SealKey::FromKeyFileText(std::string(64, 'z')).ok());
  EXPECT_TRUE(SealKey::FromKeyFileText("  " + std::string(64, 'a') + "\n").ok());
  EXPECT_EQ(SealKey::FromPassphrase("short").status().field(), "passphrase_file");
  EXPECT_NE(SealKey::GenerateKeyFileText(), SealKey::GenerateKeyFileText());
}

}  // namespace
}  // namespace crm
