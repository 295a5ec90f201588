// Request-building parts of the adapters that need no server; the adapters against the local fakes
// are exercised end to end in tests/e2e/test_messaging.py.
#include <gtest/gtest.h>

#include "messaging/nhn_provider.h"
#include "messaging/provider_common.h"
#include "messaging/smtp_provider.h"
#include "messaging/solapi_provider.h"

namespace crm::messaging {
namespace {

TEST(SolapiTest, AuthorizationIsHmacOfDateAndSalt) {
  SolapiSettings settings;
  settings.api_key = "KEY";
  settings.api_secret = "secret";
  // Known answer computed independently (Python hmac).
  EXPECT_EQ(SolapiAuthorization(settings, "2026-12-07T00:00:00.000Z", "0123456789abcdef"),
            "HMAC-SHA256 apiKey=KEY, date=2026-12-07T00:00:00.000Z, salt=0123456789abcdef, "
            "signature=43d4f59fe86e9a9e85670c43858abb6708856e3cb51c6c6e98eaf844a5250d38");
}

TEST(SolapiTest, StatusCodesMapToCrmActions) {
  EXPECT_EQ(SolapiCodeAction("1061"), ProviderAction::kSuppress);
  EXPECT_EQ(SolapiCodeAction("2061"), ProviderAction::kSuppress);
  for (const char* code : {"1062", "2062", "1064", "2064", "3059"}) {
    EXPECT_EQ(SolapiCodeAction(code), ProviderAction::kConfigurationError) << code;
  }
  EXPECT_EQ(SolapiCodeAction("3104"), ProviderAction::kFallbackToSms);
  EXPECT_EQ(SolapiCodeAction("3107"), ProviderAction::kFallbackToSms);
  EXPECT_EQ(SolapiCodeAction("3108"), ProviderAction::kReschedule);
  EXPECT_EQ(SolapiCodeAction("4000"), ProviderAction::kNone);
}

TEST(ProviderSettingsTest, MissingCredentialsAreNamed) {
  SystemClock clock;
  EXPECT_EQ(MakeSolapiProvider(SolapiSettings{}, clock).status().field(), "api_key");
  SolapiSettings solapi;
  solapi.api_key = "k";
  EXPECT_EQ(MakeSolapiProvider(solapi, clock).status().field(), "api_secret");
  EXPECT_EQ(MakeNhnProvider(NhnSettings{}, clock).status().field(), "sms_app_key");
  EXPECT_EQ(MakeSmtpProvider(SmtpSettings{}, clock).status().field(), "url");
  SmtpSettings smtp;
  smtp.url = "http://mail";
  EXPECT_EQ(MakeSmtpProvider(smtp, clock).status().field(), "url");
}

TEST(ProviderCommonTest, NumbersAndHmac) {
  EXPECT_EQ(NationalNumber("+821012345678"), "01012345678");
  EXPECT_EQ(NationalNumber("+82212345678"), "0212345678");
  EXPECT_EQ(Digits("080-123-4567"), "0801234567");
  EXPECT_EQ(HmacSha256Hex("secret", "2026-12-07T00:00:00.000Z0123456789abcdef"),
            "43d4f59fe86e9a9e85670c43858abb6708856e3cb51c6c6e98eaf844a5250d38");
}

TEST(SmtpTest, EmailCarriesOneClickUnsubscribeAndBothParts) {
  SmtpSettings settings;
  settings.from_address = "news@dangol.example";
  settings.from_name = "단골커피";
  domain::OutboxMessage m;
  m.business_id = BusinessId(3);
  m.idempotency_key = "c1-u9";
  m.recipient = "kim@example.com";
  m.subject = "(광고) 12월 소식";
  m.body = "본문";
  m.html_body = "<p>본문</p>";
  m.unsubscribe_url = "https://d.example/u/abc";
  std::string mail = BuildEmail(settings, m, Timestamp::FromSeconds(1'800'000'000));
  EXPECT_NE(mail.find("List-Unsubscribe: <https://d.example/u/abc>\r\n"), std::string::npos);
  EXPECT_NE(mail.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), std::string::npos);
  EXPECT_NE(mail.find("Message-ID: <3-c1-u9@dangol.outbox>\r\n"), std::string::npos);
  EXPECT_NE(mail.find("Content-Type: multipart/alternative"), std::string::npos);
  EXPECT_NE(mail.find("text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(mail.find("text/html; charset=UTF-8"), std::string::npos);
  EXPECT_NE(mail.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(mail.find("Date: Fri, 15 Jan 2027 08:00:00 +0000"), std::string::npos);
  // A line break in a header value cannot inject a header.
  m.recipient = "kim@example.com\r\nBcc: all@example.com";
  EXPECT_EQ(BuildEmail(settings, m, Timestamp::FromSeconds(0)).find("\r\nBcc:"), std::string::npos);
  // Informational mail has no unsubscribe headers.
  m.unsubscribe_url.clear();
  EXPECT_EQ(BuildEmail(settings, m, Timestamp::FromSeconds(0)).find("List-Unsubscribe"), std::string::npos);
}

}  // namespace
}  // namespace crm::messaging
