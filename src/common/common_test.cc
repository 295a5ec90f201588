#include <gtest/gtest.h>

#include "common/money.h"
#include "common/status.h"
#include "common/time.h"

namespace crm {
namespace {

Result<int> Half(int value) {
  if (value % 2 != 0) return InvalidArgument("odd", "value");
  return value / 2;
}

Result<int> Quarter(int value) {
  CRM_ASSIGN_OR_RETURN(int half, Half(value));
  CRM_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  const auto failed = Quarter(6);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(failed.status().field(), "value");
}

TEST(TimeTest, Iso8601RoundTripsAndHonoursOffsets) {
  auto parsed = Timestamp::ParseIso8601("2024-03-01T09:30:00+09:00");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->ToIso8601(), "2024-03-01T00:30:00.000Z");
  EXPECT_EQ(Timestamp::ParseIso8601("2024-03-01T00:30:00.250Z")->micros() % 1'000'000, 250'000);
  EXPECT_FALSE(Timestamp::ParseIso8601("2024-02-30").ok());
  EXPECT_FALSE(Timestamp::ParseIso8601("yesterday").ok());
  EXPECT_FALSE(Timestamp::ParseIso8601("2024-03-01T25:00:00Z").ok());
}

TEST(TimeTest, CivilDaysRoundTripAcrossLeapYears) {
  for (int64_t days = -800; days < 30000; days += 7) {
    const Date date = CivilFromDays(days);
    EXPECT_EQ(DaysFromCivil(date.year, date.month, date.day), days);
  }
  EXPECT_TRUE(Date::Parse("2024-02-29").ok());
  EXPECT_FALSE(Date::Parse("2023-02-29").ok());
}

TEST(MoneyTest, FormatsWonWithGrouping) {
  EXPECT_EQ(Money(12345).FormatKrw(), "12,345원");
  EXPECT_EQ(Money(100).FormatKrw(), "100원");
  EXPECT_EQ(Money(-1234567).FormatKrw(), "-1,234,567원");
  EXPECT_EQ(Money(0).FormatKrw(), "0원");
}

}  // namespace
}  // namespace crm
