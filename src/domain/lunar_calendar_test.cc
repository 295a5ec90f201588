#include "domain/lunar_calendar.h"

#include <gtest/gtest.h>

namespace crm::domain {
namespace {

Date Solar(int lunar_year, int month, int day, bool leap = false) {
  auto date = LunarToSolar(lunar_year, month, day, leap);
  EXPECT_TRUE(date.ok()) << date.status().message();
  return date.ok() ? *date : Date{};
}

// Published conversions: Seollal (1/1) and Chuseok (8/15) as the public holidays fell, and the
// examples of the KASI-based korean_lunar_calendar library. (Its other example, lunar 1956-01-21 ->
// 1956-03-03, ICU places one day earlier: the reckonings differ on some mid-century dates, which
// does not touch the conversion of birthdays into the years automations run in.)
TEST(LunarCalendarTest, NewYearAndChuseokMatchThePublishedHolidays) {
  EXPECT_EQ(Solar(2023, 1, 1), (Date{2023, 1, 22}));
  EXPECT_EQ(Solar(2024, 1, 1), (Date{2024, 2, 10}));
  EXPECT_EQ(Solar(2025, 1, 1), (Date{2025, 1, 29}));
  EXPECT_EQ(Solar(2026, 1, 1), (Date{2026, 2, 17}));
  EXPECT_EQ(Solar(2023, 8, 15), (Date{2023, 9, 29}));
  EXPECT_EQ(Solar(2024, 8, 15), (Date{2024, 9, 17}));
  EXPECT_EQ(Solar(2025, 8, 15), (Date{2025, 10, 6}));
}

TEST(LunarCalendarTest, LeapMonthsAreTheirOwnMonth) {
  // 2017 had a leap 5th month: 윤5월 1일 was 24 June; the ordinary 5th month began 26 May.
  EXPECT_EQ(Solar(2017, 5, 1, true), (Date{2017, 6, 24}));
  EXPECT_EQ(Solar(2017, 5, 1, false), (Date{2017, 5, 26}));
  // 2023 had a leap 2nd month beginning 22 March; 2020 a leap 4th month beginning 23 May.
  EXPECT_EQ(Solar(2023, 2, 1, true), (Date{2023, 3, 22}));
  EXPECT_EQ(Solar(2020, 4, 1, true), (Date{2020, 5, 23}));
}

TEST(LunarCalendarTest, AMissingLeapMonthFallsOnTheOrdinaryMonth) {
  // 2024 has no leap 5th month: the birthday is kept in the ordinary 5th month.
  EXPECT_EQ(Solar(2024, 5, 1, true), Solar(2024, 5, 1, false));
}

TEST(LunarCalendarTest, AMissingThirtiethFallsOnTheTwentyNinth) {
  // Exactly one of two consecutive lunar months has 30 days in most years; find a short one and
  // check the 30th lands on its 29th rather than rolling into the next month.
  for (int month = 1; month <= 12; ++month) {
    const Date d29 = Solar(2025, month, 29);
    const Date d30 = Solar(2025, month, 30);
    const int64_t gap = DaysFromCivil(d30.year, d30.month, d30.day) - DaysFromCivil(d29.year, d29.month, d29.day);
    EXPECT_TRUE(gap == 0 || gap == 1) << month;
    const Date next = Solar(2025 + (month == 12 ? 1 : 0), month == 12 ? 1 : month + 1, 1);
    EXPECT_LT(d30, next) << month;
  }
}

TEST(LunarCalendarTest, ChuseokOverADecadeMatchesThePublishedHolidays) {
  EXPECT_EQ(Solar(2017, 8, 15), (Date{2017, 10, 4}));
  EXPECT_EQ(Solar(2018, 8, 15), (Date{2018, 9, 24}));
  EXPECT_EQ(Solar(2019, 8, 15), (Date{2019, 9, 13}));
  EXPECT_EQ(Solar(2020, 8, 15), (Date{2020, 10, 1}));
  EXPECT_EQ(Solar(2021, 8, 15), (Date{2021, 9, 21}));
  EXPECT_EQ(Solar(2022, 8, 15), (Date{2022, 9, 10}));
}

TEST(LunarCalendarTest, BirthdayInAYearPicksTheLunarYearThatLandsInIt) {
  // 12/20 of lunar 2024 fell in January 2025; so the 2025 birthday is that one.
  auto in_2025 = LunarBirthdayIn(2025, 12, 20, false);
  ASSERT_TRUE(in_2025.ok());
  ASSERT_TRUE(in_2025->has_value());
  EXPECT_EQ((*in_2025)->year, 2025);
  auto chuseok = LunarBirthdayIn(2026, 8, 15, false);
  ASSERT_TRUE(chuseok.ok());
  EXPECT_EQ(**chuseok, (Date{2026, 9, 25}));
}

TEST(LunarCalendarTest, OutOfRangeFieldsAreInvalid) {
  EXPECT_EQ(LunarToSolar(2025, 13, 1, false).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LunarToSolar(2025, 1, 31, false).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LunarToSolar(2025, 0, 1, false).status().field(), "birthday");
}

}  // namespace
}  // namespace crm::domain
