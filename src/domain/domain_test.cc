#include <gtest/gtest.h>

#include "domain/business.h"
#include "domain/customer.h"
#include "domain/order.h"
#include "domain/prospect.h"

namespace crm::domain {
namespace {

constexpr int64_t kDay = 86400;
const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);

VisitStats Visits(int64_t count, int64_t in_year, int64_t days_ago) {
  VisitStats stats;
  stats.visit_count = count;
  stats.visits_last_year = in_year;
  stats.last_visit_at = kNow.PlusSeconds(-days_ago * kDay);
  stats.first_visit_at = kNow.PlusSeconds(-400 * kDay);
  return stats;
}

TEST(StageTest, FollowsVisitsAndLapse) {
  EXPECT_EQ(ComputeStage(VisitStats{}, kNow), LifecycleStage::kProspect);
  EXPECT_EQ(ComputeStage(Visits(1, 1, 3), kNow), LifecycleStage::kNew);
  EXPECT_EQ(ComputeStage(Visits(2, 2, 3), kNow), LifecycleStage::kRegular);
  EXPECT_EQ(ComputeStage(Visits(30, 12, 3), kNow), LifecycleStage::kLoyal);
  EXPECT_EQ(ComputeStage(Visits(30, 12, 181), kNow), LifecycleStage::kLapsed);
  // Many visits long ago but only one in the last year: new again, not regular.
  EXPECT_EQ(ComputeStage(Visits(9, 1, 10), kNow), LifecycleStage::kNew);
}

Order Sale(std::vector<OrderLine> lines, int64_t total) {
  Order order;
  order.lines = std::move(lines);
  order.total = Money(total);
  order.ordered_at = kNow;
  return order;
}

TEST(OrderRulesTest, TotalMustEqualTheLines) {
  EXPECT_TRUE(ValidateSale(Sale({{"아메리카노", "커피", 2, Money(4500)}}, 9000)).ok());
  const Status wrong = ValidateSale(Sale({{"아메리카노", "커피", 2, Money(4500)}}, 9001));
  EXPECT_EQ(wrong.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.field(), "total");
}

TEST(OrderRulesTest, BadLinesNameTheirField) {
  EXPECT_EQ(ValidateSale(Sale({{"", "", 1, Money(1)}}, 1)).field(), "lines[0].product");
  EXPECT_EQ(ValidateSale(Sale({{"a", "", 1, Money(1)}, {"b", "", 0, Money(1)}}, 1)).field(), "lines[1].quantity");
  EXPECT_EQ(ValidateSale(Sale({{"a", "", 1, Money(-5)}}, -5)).field(), "lines[0].unit_price");
  EXPECT_EQ(ValidateSale(Sale({}, -1)).field(), "total");
  EXPECT_EQ(ValidateSale(Sale({}, 0)).field(), "total");
  EXPECT_TRUE(ValidateSale(Sale({}, 4500)).ok());
  EXPECT_EQ(ValidateSale(Sale({{"a", "", kMaxLineQuantity, Money(kMaxOrderTotal)}}, 1)).field(), "total");
}

TEST(OrderRulesTest, RefundCannotExceedWhatIsLeft) {
  Order original = Sale({}, 10000);
  EXPECT_TRUE(ValidateRefund(original, Money(4000), Money(6000)).ok());
  EXPECT_EQ(ValidateRefund(original, Money(4000), Money(6001)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ValidateRefund(original, Money(0), Money(0)).code(), StatusCode::kInvalidArgument);
}

TEST(OrderRulesTest, SaleAndCancellationMoveTheStats) {
  VisitStats stats;
  Order first = Sale({}, 9000);
  first.ordered_at = kNow.PlusSeconds(-10 * kDay);
  stats = ApplySale(stats, first, 0);
  Order second = Sale({}, 5000);
  stats = ApplySale(stats, second, 1);
  EXPECT_EQ(stats.visit_count, 2);
  EXPECT_EQ(stats.visits_last_year, 2);
  EXPECT_EQ(stats.total_spend, Money(14000));
  EXPECT_EQ(*stats.first_visit_at, first.ordered_at);
  EXPECT_EQ(*stats.last_visit_at, second.ordered_at);
  stats = ApplyRefund(stats, Money(5000), /*cancels_visit=*/true);
  EXPECT_EQ(stats.visit_count, 1);
  EXPECT_EQ(stats.total_spend, Money(9000));
}

TEST(BusinessRulesTest, SlugsAndRoles) {
  EXPECT_TRUE(ValidateSlug("demo-cafe2").ok());
  EXPECT_EQ(ValidateSlug("Demo").field(), "slug");
  EXPECT_FALSE(ValidateSlug("x").ok());
  EXPECT_TRUE(HasRole(Role::kOwner, Role::kManager));
  EXPECT_FALSE(HasRole(Role::kStaff, Role::kManager));
  Staff staff;
  staff.role = Role::kStaff;
  staff.branch_ids = {BranchId(2)};
  EXPECT_TRUE(staff.CanAccessBranch(BranchId(2)));
  EXPECT_FALSE(staff.CanAccessBranch(BranchId(3)));
}

TEST(ProspectTest, LocalDayFollowsTheBusinessOffset) {
  // 2024-03-01T15:30Z is 2024-03-02 00:30 in Seoul: the Seoul day starts at 2024-03-01T15:00Z.
  const Timestamp at = *Timestamp::ParseIso8601("2024-03-01T15:30:00Z");
  const DayBounds day = LocalDay(at, 540);
  EXPECT_EQ(day.start.ToIso8601(), "2024-03-01T15:00:00.000Z");
  EXPECT_EQ(day.end.ToIso8601(), "2024-03-02T15:00:00.000Z");
}

}  // namespace
}  // namespace crm::domain

namespace crm::domain {
namespace {

TEST(KioskTest, RequiredNoticesCannotBeSkippedOrOutdated) {
  const Agreement terms{AgreementItem::kTerms, std::string(kTermsVersion), Timestamp(), "kiosk"};
  const Agreement privacy{AgreementItem::kPrivacy, std::string(kPrivacyVersion), Timestamp(), "kiosk"};
  EXPECT_TRUE(CheckRequiredAgreements({terms, privacy}).ok());
  Status missing = CheckRequiredAgreements({privacy});
  EXPECT_EQ(missing.field(), "agreements.terms");
  EXPECT_EQ(missing.reason(), "required_consent_missing");
  Agreement old = privacy;
  old.version = "2019-01";
  Status outdated = CheckRequiredAgreements({terms, old});
  EXPECT_EQ(outdated.field(), "agreements.privacy");
  EXPECT_EQ(outdated.reason(), "notice_version_outdated");
  EXPECT_EQ(ParseAgreementItem("privacy"), AgreementItem::kPrivacy);
  EXPECT_FALSE(ParseAgreementItem("marketing"));
}

}  // namespace
}  // namespace crm::domain
