#include "common/secret_box.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(SecretBoxTest, SealedTextOpensWithTheSameKeyOnly) {
  auto box = SecretBox::FromHex(SecretBox::GenerateKeyHex());
  ASSERT_TRUE(box.ok());
  std::string sealed = box->Seal("api-secret-값");
  EXPECT_TRUE(sealed.starts_with("v1:"));
  EXPECT_EQ(sealed.find("api-secret"), std::string::npos);
  EXPECT_NE(sealed, box->Seal("api-secret-값"));  // a fresh nonce each time
  EXPECT_EQ(*box->Open(sealed), "api-secret-값");

  auto other = SecretBox::FromHex(SecretBox::GenerateKeyHex());
  EXPECT_EQ(other->Open(sealed).status().code(), StatusCode::kDataLoss);
  std::string altered = sealed;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box->Open(altered).ok());
}

TEST(SecretBoxTest, BadKeysAndTextsAreRefused) {
  EXPECT_EQ(SecretBox::FromHex("abc").status().field(), "secret_key");
  EXPECT_FALSE(SecretBox::FromHex(std::string(64, 'z')).ok());
  auto box = SecretBox::FromHex(std::string(64, '1'));
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(box->Open("plain").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(box->Open("v1:!!!").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*box->Open(box->Seal("")), "");
}

}  // namespace
}  // namespace crm
