#include "domain/message_rules.h"

#include <algorithm>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "domain/message.h"

namespace crm::domain {

void PrintTo(const RuleViolation& violation, std::ostream* out) {
  *out << violation.rule << "/" << violation.code << ": " << violation.message;
}

namespace {

std::string Repeat(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

bool HasRule(const std::vector<RuleViolation>& violations, std::string_view rule, std::string_view code) {
  return std::any_of(violations.begin(), violations.end(),
                     [&](const RuleViolation& v) { return v.rule == rule && v.code == code; });
}

SenderProfile Profile() {
  SenderProfile profile;
  profile.business_name = "단골커피";
  profile.contact_number = "02-123-4567";
  profile.registered_sender_numbers = {"02-123-4567", "010-9999-0000"};
  profile.opt_out_number = "080-123-4567";
  return profile;
}

ComposedMessage Sms(std::string body, Purpose purpose = Purpose::kAdvertising) {
  ComposedMessage message;
  message.channel = Channel::kSms;
  message.purpose = purpose;
  message.sender = "010-9999-0000";
  message.body = std::move(body);
  return message;
}

// ----- Length (MSG-05)

TEST(Cp949Test, HangulCountsTwoBytesAsciiOne) {
  EXPECT_EQ(*Cp949ByteLength(""), 0);
  EXPECT_EQ(*Cp949ByteLength("abc 123"), 7);
  EXPECT_EQ(*Cp949ByteLength("단골"), 4);
  EXPECT_EQ(*Cp949ByteLength("(광고)단골\n"), 11);
  // A syllable outside KS X 1001's 2,350 (똠) is still 2 bytes in CP949 (UHC).
  EXPECT_EQ(*Cp949ByteLength("똠방각하"), 8);
}

TEST(Cp949Test, EmojiIsRefusedNamingTheCharacter) {
  Result<int64_t> length = Cp949ByteLength("쿠폰 도착 🎉 확인");
  ASSERT_FALSE(length.ok());
  EXPECT_EQ(length.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(length.status().reason(), "not_cp949");
  EXPECT_NE(length.status().message().find("🎉"), std::string::npos);
  EXPECT_NE(length.status().message().find("U+1F389"), std::string::npos);
}

TEST(Cp949Test, InvalidUtf8IsRefused) {
  Result<int64_t> length = Cp949ByteLength(std::string("ab\xff", 3));
  ASSERT_FALSE(length.ok());
  EXPECT_EQ(length.status().reason(), "invalid_utf8");
}

TEST(ClassifyTest, FortyFiveHangulIsSmsFortySixIsLms) {
  EXPECT_EQ(*ClassifyTextMessage(Repeat("가", 45), false), Channel::kSms);
  EXPECT_EQ(*ClassifyTextMessage(Repeat("가", 46), false), Channel::kLms);
  EXPECT_EQ(*ClassifyTextMessage(Repeat("a", 90), false), Channel::kSms);
  EXPECT_EQ(*ClassifyTextMessage(Repeat("a", 91), false), Channel::kLms);
  EXPECT_EQ(*ClassifyTextMessage("짧은 글", true), Channel::kMms);
}

TEST(ClassifyTest, PastTwoThousandBytesIsTooLong) {
  EXPECT_EQ(*ClassifyTextMessage(Repeat("가", 1000), false), Channel::kLms);
  Result<Channel> channel = ClassifyTextMessage(Repeat("가", 1001), false);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().reason(), "too_long");
  EXPECT_EQ(channel.status().field(), "body");
}

TEST(ClassifyTest, LimitsPerChannel) {
  EXPECT_EQ(BodyLimit(Channel::kSms), 90);
  EXPECT_EQ(BodyLimit(Channel::kLms), 2000);
  EXPECT_EQ(BodyLimit(Channel::kMms), 2000);
  EXPECT_EQ(BodyLimit(Channel::kAlimTalk), 1000);
  EXPECT_EQ(BodyLimit(Channel::kBrandMessage), 1300);
  EXPECT_EQ(BodyLimit(Channel::kEmail), std::nullopt);
}

TEST(CharacterCountTest, CountsCodePoints) {
  EXPECT_EQ(CharacterCount("단골 a🎉"), 5);
}

// ----- Templates

TEST(TemplateTest, RendersKoreanAndEnglishNames) {
  TemplateValues values;
  values.name = "김철수";
  values.points = "1,200";
  values.tier = "골드";
  values.next_reward = "아메리카노";
  values.coupon_code = "AB12CD";
  values.opt_out = "https://d.example/o/x";
  Result<std::string> text = RenderTemplate(
      "#{이름}님 #{포인트}P #{등급} #{다음보상} #{쿠폰코드} #{수신거부} / #{name} #{ coupon_code }", values);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "김철수님 1,200P 골드 아메리카노 AB12CD https://d.example/o/x / 김철수 AB12CD");
}

TEST(TemplateTest, UnknownVariableIsNamed) {
  Result<std::string> text = RenderTemplate("안녕 #{생일}", TemplateValues{});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().reason(), "unknown_variable");
  EXPECT_NE(text.status().message().find("#{생일}"), std::string::npos);
  EXPECT_EQ(text.status().field(), "body");
}

TEST(TemplateTest, UsedVariableWithoutValueIsRefused) {
  TemplateValues values;
  values.name = "김철수";
  Result<std::string> text = RenderTemplate("#{이름}님 쿠폰 #{쿠폰코드}", values);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().reason(), "missing_value");
  EXPECT_NE(text.status().message().find("쿠폰코드"), std::string::npos);
}

TEST(TemplateTest, UnclosedVariableIsRefused) {
  Result<std::string> text = RenderTemplate("#{이름 님", TemplateValues{});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().reason(), "unclosed_variable");
}

TEST(TemplateTest, ListsVariablesOnceInOrder) {
  auto variables = TemplateVariables("#{쿠폰코드} #{이름} #{name} 끝");
  ASSERT_TRUE(variables.ok());
  EXPECT_EQ(*variables, (std::vector<TemplateVariable>{TemplateVariable::kCouponCode, TemplateVariable::kName}));
  EXPECT_TRUE(TemplateVariables("no variables, # { } fine").ok());
}

// ----- Advertising format (ADV-03, MSG-02, MSG-03, MSG-06, MSG-07)

TEST(CheckMessageTest, BuiltAdvertisingSmsPasses) {
  ComposedMessage message = BuildAdvertisingMessage(Sms("이번 주 라떼 1+1", Purpose::kAdvertising), Profile());
  EXPECT_TRUE(message.body.starts_with("(광고)단골커피"));
  EXPECT_NE(message.body.find("[무료수신거부]0801234567"), std::string::npos);
  EXPECT_NE(message.body.find("02-123-4567"), std::string::npos);  // contact differs from the sender
  message.channel = *ClassifyTextMessage(message.body, false);
  EXPECT_EQ(CheckMessage(message, Profile()), std::vector<RuleViolation>{});
}

TEST(CheckMessageTest, BuildIsIdempotentOnThePrefix) {
  ComposedMessage message = BuildAdvertisingMessage(Sms("(광고)단골커피 라떼 1+1"), Profile());
  EXPECT_TRUE(message.body.starts_with("(광고)단골커피 라떼"));
  EXPECT_EQ(message.body.find("(광고)", 1), std::string::npos);
}

TEST(CheckMessageTest, MissingPrefixIsRefused) {
  auto violations = CheckMessage(Sms("단골커피 라떼 1+1 문의 02-123-4567 [무료수신거부]080-123-4567"), Profile());
  EXPECT_TRUE(HasRule(violations, "ADV-03", "missing_ad_prefix"));
}

TEST(CheckMessageTest, BracketAndSpacedVariantsAreRefused) {
  for (std::string variant : {"[광고]", "(광 고)"}) {
    auto violations = CheckMessage(Sms(variant + "단골커피 라떼 02-123-4567 [무료수신거부]0801234567"), Profile());
    EXPECT_TRUE(HasRule(violations, "ADV-03", "ad_prefix_variant")) << variant;
    EXPECT_NE(violations.front().message.find(variant), std::string::npos);
  }
}

TEST(CheckMessageTest, MissingOptOutIsRefused) {
  auto violations = CheckMessage(Sms("(광고)단골커피 라떼 1+1 02-123-4567"), Profile());
  EXPECT_TRUE(HasRule(violations, "MSG-07", "missing_opt_out"));
}

TEST(CheckMessageTest, NoRegisteredOptOutNumberIsRefused) {
  SenderProfile profile = Profile();
  profile.opt_out_number.clear();
  auto violations = CheckMessage(Sms("(광고)단골커피 라떼 02-123-4567 무료수신거부"), profile);
  EXPECT_TRUE(HasRule(violations, "MSG-07", "no_opt_out_number"));
  profile.opt_out_number = "02-555-0000";
  EXPECT_TRUE(HasRule(CheckMessage(Sms("(광고)단골커피 02-123-4567 [무료수신거부]025550000"), profile), "MSG-07",
                      "opt_out_not_080"));
}

TEST(CheckMessageTest, MissingBusinessNameAndContactAreRefused) {
  auto violations = CheckMessage(Sms("(광고)라떼 1+1 [무료수신거부]0801234567"), Profile());
  EXPECT_TRUE(HasRule(violations, "ADV-03", "missing_business_name"));
  EXPECT_TRUE(HasRule(violations, "ADV-03", "missing_contact"));
}

TEST(CheckMessageTest, ContactMayBeOmittedWhenItIsTheSender) {
  ComposedMessage message = Sms("(광고)단골커피 라떼 [무료수신거부]0801234567");
  message.sender = "02-123-4567";
  EXPECT_EQ(CheckMessage(message, Profile()), std::vector<RuleViolation>{});
}

TEST(CheckMessageTest, UnregisteredSenderIsRefusedEvenForInformational) {
  ComposedMessage message = Sms("포인트 100P 적립", Purpose::kInformational);
  message.sender = "010-1111-2222";
  auto violations = CheckMessage(message, Profile());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, "MSG-06");
  EXPECT_EQ(violations[0].code, "unregistered_sender");
}

TEST(CheckMessageTest, InformationalNeedsNoAdFormat) {
  EXPECT_EQ(CheckMessage(Sms("포인트 100P가 적립되었습니다", Purpose::kInformational), Profile()),
            std::vector<RuleViolation>{});
}

TEST(CheckMessageTest, SmsTooLongAndEmojiAreRefused) {
  ComposedMessage message = Sms(Repeat("가", 46), Purpose::kInformational);
  EXPECT_TRUE(HasRule(CheckMessage(message, Profile()), "MSG-05", "too_long_for_sms"));
  message.channel = Channel::kLms;
  EXPECT_EQ(CheckMessage(message, Profile()), std::vector<RuleViolation>{});
  message.subject = Repeat("가", 21);
  EXPECT_TRUE(HasRule(CheckMessage(message, Profile()), "MSG-05", "subject_too_long"));
  EXPECT_TRUE(HasRule(CheckMessage(Sms("축하 🎉", Purpose::kInformational), Profile()), "MSG-05", "not_cp949"));
  EXPECT_TRUE(HasRule(CheckMessage(Sms("  ", Purpose::kInformational), Profile()), "MSG-05", "empty_body"));
}

TEST(CheckMessageTest, AlimTalkCannotAdvertiseAndNeedsTemplate) {
  ComposedMessage message;
  message.channel = Channel::kAlimTalk;
  message.purpose = Purpose::kAdvertising;
  message.body = "(광고)단골커피 쿠폰";
  auto violations = CheckMessage(message, Profile());
  EXPECT_TRUE(HasRule(violations, "MSG-02", "advertising_on_alimtalk"));
  EXPECT_TRUE(HasRule(violations, "MSG-01", "missing_template"));
  message.purpose = Purpose::kInformational;
  message.template_code = "POINT_EARNED";
  EXPECT_EQ(CheckMessage(message, Profile()), std::vector<RuleViolation>{});
  message.body = Repeat("가", 1001);
  EXPECT_TRUE(HasRule(CheckMessage(message, Profile()), "MSG-01", "too_long"));
  // Building an advertisement leaves AlimTalk untouched: it stays refusable.
  message.purpose = Purpose::kAdvertising;
  EXPECT_EQ(BuildAdvertisingMessage(message, Profile()).body, message.body);
}

TEST(CheckMessageTest, BrandMessageNeedsNo080) {
  SenderProfile profile = Profile();
  profile.opt_out_number.clear();
  ComposedMessage message;
  message.channel = Channel::kBrandMessage;
  message.body = "주말 브런치 20% 할인";
  message = BuildAdvertisingMessage(message, profile);
  EXPECT_TRUE(message.body.starts_with("(광고)단골커피"));
  EXPECT_EQ(message.body.find("080"), std::string::npos);
  EXPECT_EQ(CheckMessage(message, profile), std::vector<RuleViolation>{});
  message.body = Repeat("가", 1301);
  EXPECT_TRUE(HasRule(CheckMessage(message, profile), "MSG-03", "too_long"));
}

TEST(CheckMessageTest, EmailNeedsPrefixedSubjectAndUnsubscribeLink) {
  ComposedMessage message;
  message.channel = Channel::kEmail;
  message.sender = "news@dangol.example";
  message.subject = "12월 소식";
  message.body = "단골커피 12월 신메뉴";
  message.html_body = "<html><body><p>단골커피 12월 신메뉴</p></body></html>";
  message.purpose = Purpose::kAdvertising;
  auto violations = CheckMessage(message, Profile());
  EXPECT_TRUE(HasRule(violations, "ADV-03", "missing_ad_prefix"));
  EXPECT_TRUE(HasRule(violations, "ADV-03", "missing_unsubscribe_link"));

  message.unsubscribe_url = "https://d.example/u/abc";
  ComposedMessage built = BuildAdvertisingMessage(message, Profile());
  EXPECT_EQ(built.subject, "(광고) 12월 소식");
  EXPECT_NE(built.body.find("https://d.example/u/abc"), std::string::npos);
  EXPECT_NE(built.html_body.find("<a href=\"https://d.example/u/abc\">"), std::string::npos);
  EXPECT_LT(built.html_body.find("https://d.example/u/abc"), built.html_body.find("</body>"));
  EXPECT_EQ(CheckMessage(built, Profile()), std::vector<RuleViolation>{});

  built.body = "단골커피";
  built.html_body = "<p>단골커피</p>";
  EXPECT_TRUE(HasRule(CheckMessage(built, Profile()), "ADV-03", "unsubscribe_link_not_in_body"));
}

TEST(MessageTest, EnumsRoundTripWithFixedValues) {
  for (Channel channel : {Channel::kSms, Channel::kLms, Channel::kMms, Channel::kAlimTalk, Channel::kBrandMessage,
                          Channel::kEmail}) {
    EXPECT_EQ(ParseChannel(ToString(channel)), channel);
  }
  EXPECT_EQ(static_cast<int>(Channel::kEmail), 6);
  EXPECT_EQ(static_cast<int>(MessageStatus::kSuppressed), 7);
  EXPECT_EQ(ParseMessageStatus("delivered"), MessageStatus::kDelivered);
  EXPECT_EQ(ParsePurpose("advertising"), Purpose::kAdvertising);
  EXPECT_EQ(ParseChannel("kakao"), std::nullopt);
  EXPECT_TRUE(IsFinal(MessageStatus::kFailed));
  EXPECT_FALSE(IsFinal(MessageStatus::kSent));
}

TEST(MessageTest, ProviderKeyRoundTrips) {
  OutboxMessage message;
  message.business_id = BusinessId(42);
  message.idempotency_key = "campaign-7-customer-9";
  std::string key = ProviderIdempotencyKey(message);
  EXPECT_EQ(key, "42-campaign-7-customer-9");
  auto parsed = ParseProviderIdempotencyKey(key);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->first, BusinessId(42));
  EXPECT_EQ(parsed->second, "campaign-7-customer-9");
  EXPECT_EQ(ParseProviderIdempotencyKey("x-1"), std::nullopt);
  EXPECT_EQ(ParseProviderIdempotencyKey("12-"), std::nullopt);
}

}  // namespace
}  // namespace crm::domain
