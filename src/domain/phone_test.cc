#include "domain/phone.h"

#include <string>

#include <gtest/gtest.h>

namespace crm::domain {
namespace {

std::string E164(std::string_view text) {
  const Result<PhoneNumber> phone = ParsePhone(text);
  return phone.ok() ? phone->e164 : "error: " + phone.status().message();
}

void ExpectInvalid(std::string_view text) {
  const Result<PhoneNumber> phone = ParsePhone(text);
  ASSERT_FALSE(phone.ok()) << text << " parsed as " << phone->e164;
  EXPECT_EQ(phone.status().code(), StatusCode::kInvalidArgument) << text;
  EXPECT_EQ(phone.status().field(), "phone") << text;
}

TEST(ParsePhoneTest, EveryWayOfWritingAMobileNumberGivesTheSameE164) {
  for (std::string_view text :
       {"010-1234-5678", "+82 10 1234 5678", "821012345678", "1012345678", "01012345678",
        "0082-10-1234-5678", "010.1234.5678", "(010) 1234 5678", "+82 (0)10-1234-5678",
        "  010 1234 5678\t", "+82-10-1234-5678"}) {
    EXPECT_EQ(E164(text), "+821012345678") << text;
  }
}

TEST(ParsePhoneTest, FillsNationalDigitsAndLastFour) {
  const Result<PhoneNumber> phone = ParsePhone("+82 10 1234 5678");
  ASSERT_TRUE(phone.ok());
  EXPECT_EQ(phone->national, "01012345678");
  EXPECT_EQ(phone->last4, "5678");
}

TEST(ParsePhoneTest, AcceptsSeoulNumbersOfNineAndTenDigits) {
  EXPECT_EQ(E164("02-123-4567"), "+8221234567");
  EXPECT_EQ(E164("02-1234-5678"), "+82212345678");
  EXPECT_EQ(ParsePhone("02-123-4567")->national, "021234567");
  EXPECT_EQ(E164("+82 2 1234 5678"), "+82212345678");
}

TEST(ParsePhoneTest, AcceptsAreaCodesOutsideSeoul) {
  EXPECT_EQ(E164("031-123-4567"), "+82311234567");
  EXPECT_EQ(E164("064-1234-5678"), "+826412345678");
  EXPECT_EQ(E164("051 123 4567"), "+82511234567");
}

TEST(ParsePhoneTest, AcceptsOldMobilePrefixesWithTenOrElevenDigits) {
  EXPECT_EQ(E164("011-123-4567"), "+82111234567");
  EXPECT_EQ(E164("016-1234-5678"), "+821612345678");
  EXPECT_EQ(E164("019-123-4567"), "+82191234567");
}

TEST(ParsePhoneTest, AcceptsInternetAndSafeNumbers) {
  EXPECT_EQ(E164("070-1234-5678"), "+827012345678");
  EXPECT_EQ(E164("0505-123-4567"), "+825051234567");
  EXPECT_EQ(E164("0504-1234-5678"), "+8250412345678");
}

TEST(ParsePhoneTest, AcceptsEightDigitNationwideNumbersWithoutAreaCode) {
  const Result<PhoneNumber> phone = ParsePhone("1588-1234");
  ASSERT_TRUE(phone.ok());
  EXPECT_EQ(phone->e164, "+8215881234");
  EXPECT_EQ(phone->national, "15881234");
  EXPECT_EQ(phone->last4, "1234");
  EXPECT_EQ(E164("1644-5678"), "+8216445678");
  EXPECT_EQ(E164("1800-1234"), "+8218001234");
  EXPECT_EQ(E164("+82 1588 1234"), "+8215881234");
}

TEST(ParsePhoneTest, AcceptsOtherCountriesAsE164WithEightToFifteenDigits) {
  const Result<PhoneNumber> phone = ParsePhone("+1 415 555 2671");
  ASSERT_TRUE(phone.ok());
  EXPECT_EQ(phone->e164, "+14155552671");
  EXPECT_EQ(phone->last4, "2671");
  EXPECT_EQ(E164("+81 3-1234-5678"), "+81312345678");
  EXPECT_EQ(E164("+123456789012345"), "+123456789012345");
}

TEST(ParsePhoneTest, AcceptsSeparatorsPastedFromSpreadsheets) {
  EXPECT_EQ(E164("010\u20131234\u20135678"), "+821012345678");  // En dash.
  EXPECT_EQ(E164("010\u00a01234\u00a05678"), "+821012345678");  // No-break space.
  EXPECT_EQ(E164("010\uff0d1234\uff0d5678"), "+821012345678");  // Full-width hyphen.
}

TEST(ParsePhoneTest, RejectsWrongLengthsForTheNumberType) {
  ExpectInvalid("010-123-456");
  ExpectInvalid("010-123-4567");  // 010 numbers have 11 digits.
  ExpectInvalid("010-1234-56789");
  ExpectInvalid("02-12-3456");
  ExpectInvalid("02-12345-67890");
  ExpectInvalid("031-12-3456");
  ExpectInvalid("1588-12345");
  ExpectInvalid("1588-123");
  ExpectInvalid("070-123-4567");
}

TEST(ParsePhoneTest, RejectsUnknownPrefixes) {
  ExpectInvalid("012-1234-5678");
  ExpectInvalid("035-123-4567");  // No such area code.
  ExpectInvalid("090-1234-5678");
  ExpectInvalid("0500-123-4567");
  ExpectInvalid("1234-5678");  // 12xx is not a nationwide number.
  ExpectInvalid("+82 90 1234 5678");
}

TEST(ParsePhoneTest, RejectsTextThatIsNotANumber) {
  ExpectInvalid("abc");
  ExpectInvalid("");
  ExpectInvalid("   ");
  ExpectInvalid("010-1234-567a");
  ExpectInvalid("010-1234-5678 ext 12");
  ExpectInvalid("010+1234+5678");
  ExpectInvalid("++821012345678");
  ExpectInvalid("010/1234/5678");
}

TEST(ParsePhoneTest, RejectsResidentRegistrationNumberShape) {
  ExpectInvalid("900101-1234567");
  ExpectInvalid(" 010101-4123456 ");
  ExpectInvalid("9001011234567");
}

TEST(ParsePhoneTest, RejectsForeignNumbersOutsideEightToFifteenDigits) {
  ExpectInvalid("+1 555 123");
  ExpectInvalid("+1234567890123456");
  ExpectInvalid("+0 415 555 2671");
  ExpectInvalid("001 415 555 2671");  // Only +, not a dialling prefix, marks another country.
}

TEST(PhoneDigitsTest, ReturnsDigitsOfAPhoneLikeQuery) {
  EXPECT_EQ(PhoneDigits("5678"), "5678");
  EXPECT_EQ(PhoneDigits("010-1234-5678"), "01012345678");
  EXPECT_EQ(PhoneDigits(" 1234 "), "1234");
  EXPECT_EQ(PhoneDigits("+82 10"), "8210");
}

TEST(PhoneDigitsTest, ReturnsEmptyForShortOrNonPhoneQueries) {
  EXPECT_EQ(PhoneDigits("567"), "");
  EXPECT_EQ(PhoneDigits(""), "");
  EXPECT_EQ(PhoneDigits("김철수"), "");
  EXPECT_EQ(PhoneDigits("kim 1234"), "");
  EXPECT_EQ(PhoneDigits("1234567890123456"), "");
}

}  // namespace
}  // namespace crm::domain
