#include "http/auth.h"

#include <gtest/gtest.h>

namespace crm::http {
namespace {

TEST(AuthTest, FindsTheSessionCookieAmongOthers) {
  EXPECT_EQ(CookieValue("theme=dark; dangol_session=abc123; lang=ko", "dangol_session"), "abc123");
  EXPECT_EQ(CookieValue("dangol_session=abc123", "dangol_session"), "abc123");
  EXPECT_EQ(CookieValue("dangol_session=\"quoted\"", "dangol_session"), "quoted");
}

TEST(AuthTest, MissingCookieIsNullopt) {
  EXPECT_FALSE(CookieValue("", "dangol_session").has_value());
  EXPECT_FALSE(CookieValue("xdangol_session=1; dangol_sessionx=2", "dangol_session").has_value());
  EXPECT_FALSE(CookieValue("garbage;;;", "dangol_session").has_value());
}

TEST(AuthTest, SessionCookieIsHttpOnlyAndStrict) {
  EXPECT_EQ(SessionCookie("tok", false), "dangol_session=tok; HttpOnly; SameSite=Strict; Path=/");
  EXPECT_EQ(SessionCookie("tok", true), "dangol_session=tok; HttpOnly; SameSite=Strict; Path=/; Secure");
}

TEST(AuthTest, ClearedCookieExpiresAtOnce) {
  EXPECT_EQ(ClearedSessionCookie(false), "dangol_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

TEST(AuthTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace crm::http
