#include "domain/korean_text.h"

#include <string>

#include <gtest/gtest.h>

namespace crm::domain {
namespace {

// 김철수 as macOS writes it: conjoining jamo (NFD).
constexpr std::string_view kKimChulsuNfd = "\u1100\u1175\u11b7\u110e\u1165\u11af\u1109\u116e";

TEST(NormalizeTextTest, ComposesNfdHangulIntoNfc) {
  ASSERT_NE(kKimChulsuNfd, "김철수");
  const Result<std::string> text = NormalizeText(kKimChulsuNfd);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "김철수");
}

TEST(NormalizeTextTest, TrimsAndCollapsesWhiteSpace) {
  EXPECT_EQ(*NormalizeText("  Kim \t\n Chul   Su  "), "Kim Chul Su");
  EXPECT_EQ(*NormalizeText("\u3000김\u00a0\u00a0철수 "), "김 철수");  // Ideographic and no-break.
  EXPECT_EQ(*NormalizeText("   "), "");
  EXPECT_EQ(*NormalizeText(""), "");
}

TEST(NormalizeTextTest, LeavesNfcTextUnchanged) {
  EXPECT_EQ(*NormalizeText("김철수"), "김철수");
  EXPECT_EQ(*NormalizeText("caf\u00e9"), "caf\u00e9");
  EXPECT_EQ(*NormalizeText("cafe\u0301"), "caf\u00e9");
}

TEST(NormalizeTextTest, InvalidUtf8FailsWithInvalidArgument) {
  for (std::string_view bad : {std::string_view("\xff"), std::string_view("abc\xc3"),
                               std::string_view("\xed\xa0\x80"),  // Encoded surrogate.
                               std::string_view("\xc0\xaf")}) {   // Overlong '/'.
    const Result<std::string> text = NormalizeText(bad);
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(NameSearchKeyTest, LowerCasesLatinAndRemovesAllWhiteSpace) {
  EXPECT_EQ(NameSearchKey("Kim  Chul Su"), "kimchulsu");
  EXPECT_EQ(NameSearchKey(" 김 철수 "), "김철수");
  EXPECT_EQ(NameSearchKey("ÉLODIE Kim"), "élodiekim");
  EXPECT_EQ(NameSearchKey(""), "");
}

TEST(NameSearchKeyTest, ComposesNfdInput) {
  EXPECT_EQ(NameSearchKey(kKimChulsuNfd), "김철수");
  EXPECT_EQ(NameSearchKey("E\u0301lodie"), "\u00e9lodie");
}

TEST(NameSearchKeyTest, DropsIllFormedBytes) { EXPECT_EQ(NameSearchKey("Kim\xff철수"), "kim철수"); }

TEST(InitialConsonantKeyTest, MapsEachSyllableToItsInitial) {
  EXPECT_EQ(InitialConsonantKey("김철수"), "ㄱㅊㅅ");
  EXPECT_EQ(InitialConsonantKey("가까나다따라마바빠사싸아자짜차카타파하"),
            "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ");
  EXPECT_EQ(InitialConsonantKey("힣"), "ㅎ");
}

TEST(InitialConsonantKeyTest, KeepsTypedInitialsAndDropsEverythingElse) {
  EXPECT_EQ(InitialConsonantKey("ㄱㅊㅅ"), "ㄱㅊㅅ");
  EXPECT_EQ(InitialConsonantKey("김 C. 수 (VIP) 7"), "ㄱㅅ");
  EXPECT_EQ(InitialConsonantKey("ㄳㅏ"), "");  // A cluster and a vowel are no initials.
  EXPECT_EQ(InitialConsonantKey("Kim"), "");
  EXPECT_EQ(InitialConsonantKey(""), "");
}

TEST(InitialConsonantKeyTest, ComposesConjoiningJamoFirst) {
  EXPECT_EQ(InitialConsonantKey(kKimChulsuNfd), "ㄱㅊㅅ");
  EXPECT_EQ(InitialConsonantKey("\u1112"), "ㅎ");  // A lone conjoining initial.
}

TEST(IsInitialConsonantQueryTest, TrueOnlyForTypedInitials) {
  EXPECT_TRUE(IsInitialConsonantQuery("ㄱㅊㅅ"));
  EXPECT_TRUE(IsInitialConsonantQuery("ㅎ"));
  EXPECT_FALSE(IsInitialConsonantQuery("김ㅊㅅ"));
  EXPECT_FALSE(IsInitialConsonantQuery("ㄱ ㅊ"));
  EXPECT_FALSE(IsInitialConsonantQuery("ㄳ"));
  EXPECT_FALSE(IsInitialConsonantQuery("ㅏ"));
  EXPECT_FALSE(IsInitialConsonantQuery("kcs"));
  EXPECT_FALSE(IsInitialConsonantQuery(""));
}

TEST(IsInitialConsonantQueryTest, FalseForNfdSyllables) {
  EXPECT_FALSE(IsInitialConsonantQuery("\u1100\u1175"));  // Composes to 기.
}

void ExpectSplit(std::string_view name, std::string_view family, std::string_view given) {
  const NameParts parts = SplitName(name);
  EXPECT_EQ(parts.family, family) << name;
  EXPECT_EQ(parts.given, given) << name;
}

TEST(SplitNameTest, SingleSyllableFamilyNameComesFirst) {
  ExpectSplit("김철수", "김", "철수");
  ExpectSplit("이훈", "이", "훈");
  ExpectSplit("박지성민", "박", "지성민");
}

TEST(SplitNameTest, RecognisesCompoundFamilyNames) {
  ExpectSplit("남궁민", "남궁", "민");
  ExpectSplit("황보관", "황보", "관");
  ExpectSplit("제갈공명", "제갈", "공명");
  ExpectSplit("선우용녀", "선우", "용녀");
  ExpectSplit("독고영재", "독고", "영재");
}

TEST(SplitNameTest, TwoSyllableNameIsAlwaysOnePlusOne) {
  ExpectSplit("남궁", "남", "궁");
  ExpectSplit("황보", "황", "보");
}

TEST(SplitNameTest, SplitsAtTheSpaceByScript) {
  ExpectSplit("Chulsu Kim", "Kim", "Chulsu");
  ExpectSplit("Mary Ann Smith", "Smith", "Mary Ann");
  ExpectSplit("김 철수", "김", "철수");
  ExpectSplit("남궁 민", "남궁", "민");
  ExpectSplit("  김  철수 ", "김", "철수");
}

TEST(SplitNameTest, HandlesDegenerateNames) {
  ExpectSplit("", "", "");
  ExpectSplit("   ", "", "");
  ExpectSplit("김", "김", "");
  ExpectSplit("Madonna", "", "Madonna");
}

TEST(MaskNameTest, KeepsFamilyAndLastSyllableOfGivenName) {
  EXPECT_EQ(MaskName("김철수"), "김*수");
  EXPECT_EQ(MaskName("김용"), "김*");
  EXPECT_EQ(MaskName("박지성민"), "박**민");
  EXPECT_EQ(MaskName("김 철수"), "김 *수");
}

TEST(MaskNameTest, MasksWholeOneSyllableGivenName) {
  EXPECT_EQ(MaskName("남궁민"), "남궁*");
  EXPECT_EQ(MaskName("이훈"), "이*");
  EXPECT_EQ(MaskName("제갈공명"), "제갈*명");
}

TEST(MaskNameTest, MasksLatinNamesWordByWord) {
  EXPECT_EQ(MaskName("John Smith"), "J*** S****");
  EXPECT_EQ(MaskName("  Madonna "), "M******");
  EXPECT_EQ(MaskName("Élodie"), "É*****");
}

TEST(MaskNameTest, EmptyStaysEmpty) {
  EXPECT_EQ(MaskName(""), "");
  EXPECT_EQ(MaskName("  "), "");
}

TEST(MaskPhoneTest, MasksTheMiddleGroupOfKoreanNumbers) {
  EXPECT_EQ(MaskPhone("+821012345678"), "010-****-5678");
  EXPECT_EQ(MaskPhone("+8221234567"), "02-***-4567");
  EXPECT_EQ(MaskPhone("+82212345678"), "02-****-5678");
  EXPECT_EQ(MaskPhone("+82111234567"), "011-***-4567");
  EXPECT_EQ(MaskPhone("+82311234567"), "031-***-4567");
  EXPECT_EQ(MaskPhone("+825051234567"), "0505-***-4567");
  EXPECT_EQ(MaskPhone("+8215881234"), "****-1234");
}

TEST(MaskPhoneTest, ForeignNumbersKeepCountryCodeAndLastFour) {
  EXPECT_EQ(MaskPhone("+14155552671"), "+1 ******2671");
  EXPECT_EQ(MaskPhone("+819012345678"), "+81 ******5678");
  EXPECT_EQ(MaskPhone("+85291234567"), "+852 ****4567");
}

TEST(MaskPhoneTest, TextThatIsNotE164StillHidesAllButLastFourDigits) {
  EXPECT_EQ(MaskPhone("010-1234-5678"), "***-****-5678");
  EXPECT_EQ(MaskPhone("+82-1-2345"), "+**-*-2345");
  EXPECT_EQ(MaskPhone("+8210"), "+8210");
  EXPECT_EQ(MaskPhone(""), "");
}

}  // namespace
}  // namespace crm::domain

namespace crm::domain {
namespace {

TEST(MaskEmailTest, KeepsTheFirstCharacterAndTheDomain) {
  EXPECT_EQ(MaskEmail("kim.chulsu@example.com"), "k*********@example.com");
  EXPECT_EQ(MaskEmail("a@b.kr"), "a@b.kr");
  EXPECT_EQ(MaskEmail("noatsign"), "n*******");
  EXPECT_EQ(MaskEmail(""), "");
}

}  // namespace
}  // namespace crm::domain
