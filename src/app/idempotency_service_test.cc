// A keyed request run whole in one transaction (IdempotencyService::RunOnce), through the real
// services on SQLite and (when DANGOL_TEST_POSTGRES_URL names a server) PostgreSQL: the claim, the
// writes and the saved answer commit together or not at all, and observers hear of an order only
// once it committed.
#include "app/idempotency_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "app/services.h"
#include "store/test_database.h"

namespace crm::app {
namespace {

class CountingObserver final : public OrderObserver {
 public:
  void OnOrderCommitted(const domain::Order&, const domain::Order*) override { ++orders; }
  std::atomic<int> orders{0};
};

class IdempotencyServiceTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(store::TestDatabaseUrl(GetParam(), "dangol-idempotency", &dir_, &url));
    if (IsSkipped()) return;
    auto db = store::Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    services_->orders.SetObserver(&observer_);
    static std::atomic<int> counter{0};
    const std::string slug =
        "idem-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(std::rand());
    auto business = services_->businesses.CreateBusiness(slug, "멱등 카페");
    ASSERT_TRUE(business.ok()) << business.status().ToString();
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    owner_.token_id = TokenId(7);
    auto branch = services_->businesses.CreateBranch(owner_, "본점");
    ASSERT_TRUE(branch.ok()) << branch.status().ToString();
    branch_ = branch->id;
    domain::CustomerDraft draft;
    draft.name = "김단골";
    draft.phone = "010-1234-5678";
    auto customer = services_->customers.Create(owner_, draft);
    ASSERT_TRUE(customer.ok()) << customer.status().ToString();
    customer_ = customer->id;
  }

  void TearDown() override {
    services_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Result<PostedOrder> Sale(int64_t total) {
    domain::Order order;
    order.branch_id = branch_;
    order.customer_id = customer_;
    order.total = Money(total);
    return services_->orders.PostSale(owner_, order, 0);
  }

  std::optional<store::IdempotencyRecord> Record(const std::string& key) {
    auto found = services_->idempotency.Find(owner_.business_id, key);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::nullopt;
  }

  int64_t VisitCount() {
    auto customer = services_->customers.Get(owner_, customer_);
    EXPECT_TRUE(customer.ok()) << customer.status().ToString();
    return customer.ok() ? customer->stats.visit_count : -1;
  }

  ManualClock clock_{Timestamp::FromSeconds(1'780'000'000)};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  CountingObserver observer_;
  Principal owner_;
  BranchId branch_;
  CustomerId customer_;
};

TEST_P(IdempotencyServiceTest, TheClaimTheWritesAndTheAnswerCommitTogetherAndObserversHearAfterTheCommit) {
  int observed_inside = -1;
  Status status = services_->idempotency.RunOnce(owner_, "sale-1", "hash-1", [&]() -> Result<SavedAnswer> {
    CRM_ASSIGN_OR_RETURN(PostedOrder posted, Sale(4500));
    observed_inside = observer_.orders.load();
    return SavedAnswer{201, "{\"id\":" + std::to_string(posted.order.id.value()) + "}"};
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(observed_inside, 0);
  EXPECT_EQ(observer_.orders.load(), 1);
  EXPECT_EQ(VisitCount(), 1);
  auto record = Record("sale-1");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->owner, "token:7");
  EXPECT_EQ(record->status, 201);
  EXPECT_EQ(record->request_hash, "hash-1");
  EXPECT_NE(record->response.find("\"id\":"), std::string::npos);

  bool ran_again = false;
  Status again = services_->idempotency.RunOnce(owner_, "sale-1", "hash-1", [&]() -> Result<SavedAnswer> {
    ran_again = true;
    return SavedAnswer{201, "{}"};
  });
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(ran_again);
  EXPECT_EQ(VisitCount(), 1);
}

TEST_P(IdempotencyServiceTest, AFailedRequestKeepsNeitherItsWritesNorItsKeyNorNotifies) {
  Status status = services_->idempotency.RunOnce(owner_, "sale-2", "hash-2", [&]() -> Result<SavedAnswer> {
    CRM_RETURN_IF_ERROR(Sale(4500).status());
    CRM_RETURN_IF_ERROR(Sale(5000).status());
    return FailedPrecondition("refused after two sales").WithReason("test_refusal");
  });
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(VisitCount(), 0);
  EXPECT_EQ(observer_.orders.load(), 0);
  EXPECT_FALSE(Record("sale-2"));
  // The key is free: the retry runs.
  Status retried = services_->idempotency.RunOnce(owner_, "sale-2", "hash-2", [&]() -> Result<SavedAnswer> {
    CRM_RETURN_IF_ERROR(Sale(4500).status());
    return SavedAnswer{201, "{}"};
  });
  ASSERT_TRUE(retried.ok()) << retried.ToString();
  EXPECT_EQ(VisitCount(), 1);
  EXPECT_EQ(observer_.orders.load(), 1);
}

TEST_P(IdempotencyServiceTest, ARefusalInsideTheRequestIsUndoneAloneAndTheRestCommits) {
  Status status = services_->idempotency.RunOnce(owner_, "sale-3", "hash-3", [&]() -> Result<SavedAnswer> {
    domain::Order bad;
    bad.branch_id = BranchId(999'999'999);  // not the business's: the order's write fails and is undone
    bad.total = Money(100);
    EXPECT_FALSE(services_->orders.PostSale(owner_, bad, 0).ok());
    CRM_RETURN_IF_ERROR(Sale(4500).status());
    return SavedAnswer{201, "{}"};
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(VisitCount(), 1);
  EXPECT_TRUE(Record("sale-3"));
}

TEST(IdempotencyOwnerTest, AKeyBelongsToTheKioskTheTokenOrTheStaffMember) {
  Principal principal;
  principal.staff_id = StaffId(3);
  EXPECT_EQ(IdempotencyService::OwnerOf(principal), "staff:3");
  principal.staff_id.reset();
  principal.token_id = TokenId(7);
  EXPECT_EQ(IdempotencyService::OwnerOf(principal), "token:7");
  principal.kiosk_device_id = KioskDeviceId(2);
  EXPECT_EQ(IdempotencyService::OwnerOf(principal), "kiosk:2");
}

INSTANTIATE_TEST_SUITE_P(Backends, IdempotencyServiceTest,
                         ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         [](const auto& info) { return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::app
