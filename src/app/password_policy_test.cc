#include "app/password_policy.h"

#include <gtest/gtest.h>

namespace crm::app {
namespace {

TEST(PasswordPolicyTest, ShortPasswordsAreRefusedNamingThePassword) {
  const Status status = CheckPasswordPolicy("Xk9$mQ2#a");  // nine characters
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field(), "password");
  EXPECT_NE(status.message().find("10 characters"), std::string::npos);
}

TEST(PasswordPolicyTest, CharactersNotBytesAreCounted) {
  EXPECT_EQ(CheckPasswordPolicy("단골손님비밀번호").code(), StatusCode::kInvalidArgument);  // 8 characters, 24 bytes
  EXPECT_TRUE(CheckPasswordPolicy("우리 가게 단골 손님 비밀").ok());
}

TEST(PasswordPolicyTest, CommonPasswordsAreRefusedWhateverTheirCase) {
  for (const char* password : {"1234567890", "qwertyuiop", "PASSWORD123", "Password1234", "1q2w3e4r5t"}) {
    EXPECT_EQ(CheckPasswordPolicy(password).code(), StatusCode::kInvalidArgument) << password;
  }
}

TEST(PasswordPolicyTest, AListedPasswordWithDigitsOrSymbolsAroundItIsRefused) {
  EXPECT_TRUE(IsCommonPassword("sunshine2024!!"));
  EXPECT_TRUE(IsCommonPassword("!!Princess1234"));
  EXPECT_TRUE(IsCommonPassword("tkfkdgo12345"));  // 사랑해 typed on a Latin keyboard
  EXPECT_EQ(CheckPasswordPolicy("sunshine2024!!").code(), StatusCode::kInvalidArgument);
}

TEST(PasswordPolicyTest, OneCharacterRepeatedIsRefused) {
  EXPECT_EQ(CheckPasswordPolicy("zzzzzzzzzzzz").code(), StatusCode::kInvalidArgument);
}

TEST(PasswordPolicyTest, LongUncommonPasswordsPass) {
  for (const char* password : {"correct horse battery", "staffpass123", "longenough1", "demo-password",
                               "Gangnam-cafe-7th-floor"}) {
    EXPECT_TRUE(CheckPasswordPolicy(password).ok()) << password;
  }
  EXPECT_FALSE(IsCommonPassword("correct horse battery"));
}

}  // namespace
}  // namespace crm::app
