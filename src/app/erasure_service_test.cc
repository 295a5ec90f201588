// Erasure and retention through the app services on a real SQLite file with a manual clock:
// roles and the reason, the retention cutoff by calendar months, the dry run with masked samples,
// and the daily job (main/'s RetentionJob calls RunRetentionForAll) erasing only the customers
// past the period.
#include "app/erasure_service.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "app/services.h"

namespace crm::app {
namespace {

Timestamp At(const char* text) { return *Timestamp::ParseIso8601(text); }

TEST(RetentionCutoff, CountsCalendarMonthsBackAndClampsTheDay) {
  EXPECT_EQ(ErasureService::CutoffFor(At("2025-06-01T03:00:00Z"), 36), At("2022-06-01T03:00:00Z"));
  EXPECT_EQ(ErasureService::CutoffFor(At("2025-03-31T10:00:00Z"), 1), At("2025-02-28T10:00:00Z"));
  EXPECT_EQ(ErasureService::CutoffFor(At("2024-03-31T10:00:00Z"), 1), At("2024-02-29T10:00:00Z"));
  EXPECT_EQ(ErasureService::CutoffFor(At("2025-01-15T00:00:00Z"), 13), At("2023-12-15T00:00:00Z"));
}

class ErasureServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-erasure-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    auto business = services_->businesses.CreateBusiness("cafe", "카페");
    ASSERT_TRUE(business.ok());
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
  }
  void TearDown() override {
    services_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  CustomerId NewCustomer(const std::string& name, const std::string& phone) {
    domain::CustomerDraft draft;
    draft.name = name;
    draft.phone = phone;
    auto customer = services_->customers.Create(owner_, draft);
    EXPECT_TRUE(customer.ok()) << customer.status().ToString();
    return customer.ok() ? customer->id : CustomerId();
  }

  Principal As(domain::Role role) {
    Principal principal = owner_;
    principal.role = role;
    return principal;
  }

  ManualClock clock_{At("2022-01-10T03:00:00Z")};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_;
};

TEST_F(ErasureServiceTest, EraseNeedsAManagerAndAReasonAndHappensOnce) {
  const CustomerId customer = NewCustomer("김철수", "010-1234-5678");
  EXPECT_EQ(services_->erasures.Erase(As(domain::Role::kStaff), customer, "asked").status().code(),
            StatusCode::kPermissionDenied);
  auto blank = services_->erasures.Erase(As(domain::Role::kManager), customer, "  ");
  EXPECT_EQ(blank.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(blank.status().field(), "reason");
  auto erased = services_->erasures.Erase(As(domain::Role::kManager), customer, "asked at the counter");
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ(erased->erased_at, clock_.Now());
  EXPECT_EQ(services_->customers.Get(owner_, customer).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(services_->erasures.Erase(owner_, customer, "again").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ErasureServiceTest, RetentionErasesOnlyCustomersPastThePeriodWithADryRunFirst) {
  const CustomerId old_customer = NewCustomer("박오래", "010-2222-0001");
  clock_.Set(At("2024-06-01T03:00:00Z"));
  const CustomerId recent = NewCustomer("이최근", "010-2222-0002");
  clock_.Set(At("2024-12-01T03:00:00Z"));

  EXPECT_EQ(services_->erasures.SetRetention(As(domain::Role::kManager), 36).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(services_->erasures.SetRetention(owner_, -1).status().field(), "months");
  auto off = services_->erasures.RunRetentionForAll(clock_.Now());
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->erased, 0);  // retention is off until it is set

  ASSERT_TRUE(services_->erasures.SetRetention(owner_, 36).ok());
  auto early = services_->erasures.PreviewRetention(As(domain::Role::kManager));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->count, 0);  // 2022-01-10 is not yet 36 months before 2024-12-01

  clock_.Set(At("2026-02-01T03:00:00Z"));  // the cutoff is 2023-02-01
  auto preview = services_->erasures.PreviewRetention(As(domain::Role::kManager));
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  EXPECT_EQ(preview->count, 1);
  ASSERT_EQ(preview->samples.size(), 1u);
  EXPECT_EQ(preview->samples[0].find("오래"), std::string::npos);  // masked
  EXPECT_TRUE(services_->customers.Get(owner_, old_customer).ok());  // a dry run erases nothing

  auto run = services_->erasures.RunRetentionForAll(clock_.Now());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->erased, 1);
  EXPECT_EQ(services_->customers.Get(owner_, old_customer).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(services_->customers.Get(owner_, recent).ok());
  auto again = services_->erasures.RunRetentionForAll(clock_.Now());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->erased, 0);
}

TEST_F(ErasureServiceTest, TheAccessLogIsKeptForItsPeriodThenPruned) {
  auto setting = services_->erasures.GetRetention(owner_);
  ASSERT_TRUE(setting.ok()) << setting.status().ToString();
  EXPECT_EQ(setting->access_log_days, 730);
  EXPECT_EQ(services_->erasures.SetRetention(As(domain::Role::kManager), std::nullopt, 400).status().code(),
            StatusCode::kPermissionDenied);
  auto too_short = services_->erasures.SetRetention(owner_, std::nullopt, 364);
  EXPECT_EQ(too_short.status().field(), "access_log_days");
  auto set = services_->erasures.SetRetention(owner_, std::nullopt, 365);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->access_log_days, 365);
  EXPECT_EQ(set->months, 0) << "a period not given stays";

  NewCustomer("김철수", "010-1234-5678");  // logged at 2022-01-10
  clock_.Set(At("2022-06-01T03:00:00Z"));
  NewCustomer("이영희", "010-2345-6789");  // logged at 2022-06-01
  auto before = services_->businesses.AccessLog(owner_, std::nullopt, std::nullopt, 100);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 2u);

  clock_.Set(At("2023-01-20T03:00:00Z"));  // 365 days back is 2022-01-20
  auto run = services_->erasures.RunRetentionForAll(clock_.Now());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->access_log_deleted, 1);
  EXPECT_EQ(run->erased, 0) << "customer retention is off";
  auto after = services_->businesses.AccessLog(owner_, std::nullopt, std::nullopt, 100);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().at, At("2022-06-01T03:00:00Z"));
  EXPECT_EQ(services_->erasures.RunRetentionForAll(clock_.Now())->access_log_deleted, 0);
}

}  // namespace
}  // namespace crm::app
