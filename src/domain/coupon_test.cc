#include "domain/coupon.h"

#include <gtest/gtest.h>

namespace crm::domain {
namespace {

constexpr int kSeoul = 540;

Timestamp Local(int year, int month, int day, int hour) {
  return Timestamp::FromSeconds(DaysFromCivil(year, month, day) * 86'400 + (hour - 9) * 3'600);
}

Coupon Issued(Timestamp expires_at) {
  Coupon coupon;
  coupon.customer_id = CustomerId(7);
  coupon.kind = CouponKind::kAmountOff;
  coupon.value = 3'000;
  coupon.expires_at = expires_at;
  return coupon;
}

TEST(CouponTest, SameDayCouponsEndAtLocalMidnight) {
  CouponTemplate t{.name = "오늘만", .validity = CouponValidity::kSameDay};
  t.value = 1'000;
  auto expiry = CouponExpiry(t, Local(2026, 3, 1, 23), kSeoul);
  ASSERT_TRUE(expiry.ok());
  EXPECT_EQ(*expiry, Local(2026, 3, 2, 0));
}

TEST(CouponTest, DaysCountTheIssueDayAsTheFirst) {
  CouponTemplate t{.name = "7일", .validity = CouponValidity::kDays, .valid_days = 7};
  EXPECT_EQ(*CouponExpiry(t, Local(2026, 3, 1, 10), kSeoul), Local(2026, 3, 8, 0));
}

TEST(CouponTest, DateRangeThatEndedCannotBeIssued) {
  CouponTemplate t{.name = "3월", .validity = CouponValidity::kDateRange};
  t.valid_from = Date{2026, 3, 1};
  t.valid_until = Date{2026, 3, 31};
  EXPECT_EQ(*CouponExpiry(t, Local(2026, 3, 10, 10), kSeoul), Local(2026, 4, 1, 0));
  EXPECT_EQ(CouponExpiry(t, Local(2026, 4, 1, 0), kSeoul).status().code(), StatusCode::kFailedPrecondition);
}

TEST(CouponTest, RedeemingSaysWhyNot) {
  const Timestamp now = Local(2026, 3, 1, 12);
  Coupon coupon = Issued(Local(2026, 3, 2, 0));
  EXPECT_TRUE(CheckRedeemable(coupon, CustomerId(7), now).ok());
  EXPECT_EQ(CheckRedeemable(coupon, CustomerId(8), now).message(), "this coupon belongs to another customer");
  EXPECT_EQ(CheckRedeemable(coupon, CustomerId(7), Local(2026, 3, 2, 0)).message(), "this coupon has expired");
  coupon.status = CouponStatus::kRedeemed;
  EXPECT_EQ(CheckRedeemable(coupon, CustomerId(7), now).message(), "this coupon has already been used");
  coupon.status = CouponStatus::kVoided;
  EXPECT_EQ(CheckRedeemable(coupon, CustomerId(7), now).message(), "this coupon has been voided");
  EXPECT_EQ(CheckRedeemable(coupon, CustomerId(7), now).field(), "code");
}

TEST(CouponTest, DiscountNeverExceedsTheAmount) {
  Coupon coupon = Issued(Timestamp());
  EXPECT_EQ(CouponDiscount(coupon, Money(10'000)), Money(3'000));
  EXPECT_EQ(CouponDiscount(coupon, Money(2'000)), Money(2'000));
  coupon.kind = CouponKind::kPercentOff;
  coupon.value = 15;
  EXPECT_EQ(CouponDiscount(coupon, Money(12'345)), Money(1'851));
}

TEST(CouponTest, TemplatesAreValidatedByField) {
  CouponTemplate t{.name = "x", .kind = CouponKind::kPercentOff, .value = 101};
  EXPECT_EQ(ValidateCouponTemplate(t).field(), "value");
  t.value = 10;
  t.validity = CouponValidity::kDateRange;
  EXPECT_EQ(ValidateCouponTemplate(t).field(), "valid_from");
  t.name.clear();
  EXPECT_EQ(ValidateCouponTemplate(t).field(), "name");
}

TEST(CouponTest, CodesAvoidLookAlikesAndNormalize) {
  const unsigned char bytes[8] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};
  const std::string code = CouponCodeFromBytes(bytes);
  EXPECT_EQ(code.size(), 12u);
  EXPECT_EQ(code.find_first_of("01ILO"), std::string::npos);
  EXPECT_EQ(NormalizeCouponCode("abcd-efgh jkmn"), "ABCDEFGHJKMN");
}

}  // namespace
}  // namespace crm::domain
