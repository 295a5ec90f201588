#include "app/import_jobs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "app/business_service.h"
#include "store/customer_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

const char* kCustomers =
    "이름,휴대폰\n"
    "김철수,010-1234-5678\n"
    "이영희,010-2222-3333\n"
    "박민수,010-1234\n";

class ImportJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-jobs-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    BusinessService businesses(*db_, clock_);
    for (auto [principal, slug] : {std::pair{&owner_, "jobs-a"}, std::pair{&other_, "jobs-b"}}) {
      auto business = businesses.CreateBusiness(slug, "가게");
      ASSERT_TRUE(business.ok());
      principal->business_id = business->id;
      principal->role = domain::Role::kOwner;
    }
    imports_ = std::make_unique<ImportService>(*db_, clock_);
    jobs_ = std::make_unique<ImportJobs>(*imports_, clock_);
  }
  void TearDown() override {
    jobs_.reset();
    imports_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  ImportRequest Request(ImportAction action, ImportMode mode = ImportMode::kAllOrNothing) {
    ImportRequest request;
    request.kind = importing::ImportKind::kCustomers;
    request.action = action;
    request.mode = mode;
    return request;
  }

  int64_t CustomerCount() {
    return *store::ReadValue<int64_t>(*db_,
                                      [&](store::Transaction& tx) { return tx.customers().Count(owner_.business_id); });
  }

  ManualClock clock_{Timestamp::FromSeconds(1'700'000'000)};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<ImportService> imports_;
  std::unique_ptr<ImportJobs> jobs_;
  Principal owner_;
  Principal other_;
};

TEST_F(ImportJobsTest, ValidRowsJobFinishesWithOutcomeProgressAndRejects) {
  auto id = jobs_->Submit(owner_, kCustomers, Request(ImportAction::kApply, ImportMode::kValidRows));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto job = jobs_->Wait(owner_, *id);
  ASSERT_TRUE(job.ok());
  ASSERT_EQ(job->state, ImportJobState::kFinished) << job->error.ToString();
  ASSERT_NE(job->outcome, nullptr);
  EXPECT_TRUE(job->outcome->committed);
  EXPECT_EQ(job->outcome->counts.customers_created, 2);
  EXPECT_EQ(job->outcome->report.rows_rejected, 1);
  EXPECT_NE(job->outcome->rejects_csv.find("박민수"), std::string::npos);
  EXPECT_EQ(job->progress.rows, 3);
  EXPECT_EQ(job->progress.bytes_total, static_cast<int64_t>(std::string(kCustomers).size()));
  EXPECT_EQ(job->progress.bytes_read, job->progress.bytes_total);
  EXPECT_TRUE(job->finished_at.has_value());
  EXPECT_EQ(CustomerCount(), 2);
}

TEST_F(ImportJobsTest, DryRunJobWritesNothing) {
  auto id = jobs_->Submit(owner_, kCustomers, Request(ImportAction::kDryRun, ImportMode::kValidRows));
  ASSERT_TRUE(id.ok());
  auto job = jobs_->Wait(owner_, *id);
  ASSERT_TRUE(job.ok());
  ASSERT_EQ(job->state, ImportJobState::kFinished);
  EXPECT_FALSE(job->outcome->committed);
  EXPECT_EQ(job->outcome->counts.customers_created, 2);
  EXPECT_EQ(CustomerCount(), 0);
}

TEST_F(ImportJobsTest, UnreadableFileFailsTheJobNamingTheFile) {
  auto id = jobs_->Submit(owner_, std::string("PK\x03\x04garbage", 11), Request(ImportAction::kApply));
  ASSERT_TRUE(id.ok());
  auto job = jobs_->Wait(owner_, *id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, ImportJobState::kFailed);
  EXPECT_FALSE(job->error.ok());
  EXPECT_EQ(job->outcome, nullptr);
  EXPECT_EQ(CustomerCount(), 0);
}

TEST_F(ImportJobsTest, EmptyFileAndStaffAreRefusedAtOnce) {
  auto empty = jobs_->Submit(owner_, "", Request(ImportAction::kApply));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().field(), "body");
  Principal staff = owner_;
  staff.role = domain::Role::kStaff;
  EXPECT_EQ(jobs_->Submit(staff, kCustomers, Request(ImportAction::kApply)).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(ImportJobsTest, AnotherBusinessCannotSeeTheJob) {
  auto id = jobs_->Submit(owner_, kCustomers, Request(ImportAction::kDryRun));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(jobs_->Get(other_, *id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(jobs_->Wait(other_, *id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(jobs_->Get(owner_, *id + 1000).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(jobs_->Wait(owner_, *id).ok());
}

}  // namespace
}  // namespace crm::app
