#include "importing/value_parsers.h"

#include <gtest/gtest.h>

namespace crm::importing {
namespace {

TEST(ParseAmountTest, ReadsWonWithSeparatorsAndMarks) {
  EXPECT_EQ(*ParseAmount("12,000", 0), 12000);
  EXPECT_EQ(*ParseAmount("12000원", 0), 12000);
  EXPECT_EQ(*ParseAmount("₩12,000", 0), 12000);
  EXPECT_EQ(*ParseAmount(" 1,000.00 ", 0), 1000);
  EXPECT_EQ(*ParseAmount("(1,000)", 0), -1000);
  EXPECT_EQ(*ParseAmount("-500", 0), -500);
}

TEST(ParseAmountTest, ReadsMinorUnits) {
  EXPECT_EQ(*ParseAmount("2.55", 2), 255);
  EXPECT_EQ(*ParseAmount("£3.5", 2), 350);
  EXPECT_EQ(*ParseAmount("-11062.06", 2), -1106206);
}

TEST(ParseAmountTest, RejectsWhatNeedsAGuess) {
  EXPECT_FALSE(ParseAmount("1.5", 0).ok());
  EXPECT_FALSE(ParseAmount("abc", 0).ok());
  EXPECT_FALSE(ParseAmount("", 0).ok());
  EXPECT_FALSE(ParseAmount("1.2.3", 0).ok());
  EXPECT_FALSE(ParseAmount("99999999999999999999", 0).ok());
}

TEST(ParseQuantityTest, ReadsWholeNumbersOnly) {
  EXPECT_EQ(*ParseQuantity("3"), 3);
  EXPECT_EQ(*ParseQuantity("-2"), -2);
  EXPECT_EQ(*ParseQuantity("3.0"), 3);
  EXPECT_FALSE(ParseQuantity("2.5").ok());
  EXPECT_FALSE(ParseQuantity("two").ok());
}

TEST(ParseDateTimeTest, ReadsKoreanAndIsoForms) {
  for (const char* text : {"2024-03-01", "2024.3.1", "2024. 3. 1.", "2024/03/01", "20240301", "2024년 3월 1일",
                           "3/1/2024"}) {
    auto value = ParseDateTime(text);
    ASSERT_TRUE(value.ok()) << text;
    EXPECT_EQ(value->ToString(), "2024-03-01") << text;
  }
}

TEST(ParseDateTimeTest, ReadsTimes) {
  EXPECT_EQ(ParseDateTime("2010-12-01 08:26:00")->ToString(), "2010-12-01 08:26:00");
  EXPECT_EQ(ParseDateTime("12/1/2010 8:26")->ToString(), "2010-12-01 08:26:00");
  EXPECT_EQ(ParseDateTime("2024년 3월 1일 오후 3:05")->ToString(), "2024-03-01 15:05:00");
  EXPECT_EQ(ParseDateTime("2024-03-01T09:30:00Z")->ToString(), "2024-03-01 09:30:00");
  EXPECT_EQ(ParseDateTime("3/1/2024 12:10 AM")->ToString(), "2024-03-01 00:10:00");
}

TEST(ParseDateTimeTest, ReadsExcelSerials) {
  EXPECT_EQ(ParseDateTime("45352")->ToString(), "2024-03-01");
  EXPECT_EQ(ParseDateTime("45352.5")->ToString(), "2024-03-01 12:00:00");
  EXPECT_EQ(ParseDateTime("1")->ToString(), "1900-01-01");
  EXPECT_EQ(ParseDateTime("61")->ToString(), "1900-03-01");
}

TEST(ParseDateTimeTest, DayFirstWhenTheFirstNumberCannotBeAMonth) {
  EXPECT_EQ(ParseDateTime("25/12/2024")->ToString(), "2024-12-25");
}

TEST(ParseDateTimeTest, RejectsImpossibleAndUnclearDates) {
  for (const char* text : {"2024-02-30", "2023-13-01", "24.3.1", "yesterday", "2024-03-01 25:00", "", "0",
                           "2024-03", "오후"}) {
    EXPECT_FALSE(ParseDateTime(text).ok()) << text;
  }
}

TEST(ParseDateTimeTest, LocalTimeBecomesUtc) {
  const DateTimeValue value = *ParseDateTime("2024-03-01 09:00:00");
  EXPECT_EQ(value.ToTimestamp(540).ToIso8601(), "2024-03-01T00:00:00.000Z");
}

TEST(ParseEmailTest, LowerCasesAndValidates) {
  EXPECT_EQ(*ParseEmail(" Kim@Example.COM "), "kim@example.com");
  for (const char* text : {"kim", "kim@", "@example.com", "kim@example", "kim@@example.com", "k im@example.com",
                           "kim@example..com"}) {
    EXPECT_FALSE(ParseEmail(text).ok()) << text;
  }
}

TEST(ParseGenderTextTest, ReadsKoreanAndEnglish) {
  EXPECT_EQ(*ParseGenderText("여"), domain::Gender::kFemale);
  EXPECT_EQ(*ParseGenderText("남성"), domain::Gender::kMale);
  EXPECT_EQ(*ParseGenderText("F"), domain::Gender::kFemale);
  EXPECT_FALSE(ParseGenderText("?").ok());
}

TEST(ParsePreferencesTest, ReadsLabelledAndPlainItems) {
  using Kind = domain::PreferenceKind;
  EXPECT_EQ(ParsePreferences("알레르기: 땅콩", Kind::kLike), (std::vector<PreferenceText>{{Kind::kAllergy, "땅콩"}}));
  EXPECT_EQ(ParsePreferences("땅콩, 새우", Kind::kAllergy),
            (std::vector<PreferenceText>{{Kind::kAllergy, "땅콩"}, {Kind::kAllergy, "새우"}}));
  EXPECT_EQ(ParsePreferences("싫어함: 오이; 알레르기 : 우유 | 창가 자리", Kind::kLike),
            (std::vector<PreferenceText>{{Kind::kDislike, "오이"}, {Kind::kAllergy, "우유"}, {Kind::kLike, "창가 자리"}}));
  EXPECT_EQ(ParsePreferences("never: pork\n", Kind::kLike), (std::vector<PreferenceText>{{Kind::kNever, "pork"}}));
  // A colon that is no label stays in the item.
  EXPECT_EQ(ParsePreferences("시간: 오후", Kind::kLike), (std::vector<PreferenceText>{{Kind::kLike, "시간: 오후"}}));
  EXPECT_TRUE(ParsePreferences(" ; , ", Kind::kLike).empty());
}

TEST(FormatAmountTest, GroupsThousandsAndShowsTheCurrencysDecimals) {
  EXPECT_EQ(FormatAmount(-1106206, 2), "-11,062.06");
  EXPECT_EQ(FormatAmount(98000, 0), "98,000");
  EXPECT_EQ(FormatAmount(5, 2), "0.05");
  EXPECT_EQ(FormatAmount(0, 0), "0");
  EXPECT_EQ(FormatAmount(1234567, 3), "1,234.567");
}

TEST(ExcessDecimalsTest, SaysHowManyDecimalsAnAmountNeeds) {
  EXPECT_EQ(ExcessDecimals("0.001", 2), 3);
  EXPECT_EQ(ExcessDecimals("98000.5", 0), 1);
  EXPECT_EQ(ExcessDecimals("2.55", 0), 2);
  EXPECT_EQ(ExcessDecimals("2.55", 2), std::nullopt);
  EXPECT_EQ(ExcessDecimals("1,000.00", 0), std::nullopt);
  EXPECT_EQ(ExcessDecimals("abc", 0), std::nullopt);
}

}  // namespace
}  // namespace crm::importing
