// The merge repository's contract on every back end: a merge's row moves, the snapshot kept in the
// merge record (whole rows with NULLs, integers and Korean text, read back exactly), the restore
// from it, the once-only undo mark, and dismissed duplicate pairs. PostgreSQL runs when
// DANGOL_TEST_POSTGRES_URL names a server (required with DANGOL_REQUIRE_POSTGRES=1).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/merge_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);

class MergeStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-merge-store", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug =
        "ms" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(std::rand() % 100000);
    business.name = "병합";
    business.created_at = kNow;
    auto created =
        WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    business_ = created->id;
    domain::Branch branch{BranchId(), business_, "본점", kNow};
    auto made = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) { return tx.branches().Create(branch); });
    ASSERT_TRUE(made.ok());
    branch_ = made->id;
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  CustomerId NewCustomer(const std::string& name, const std::string& phone) {
    domain::Customer customer;
    customer.business_id = business_;
    customer.name = name;
    customer.phone_e164 = phone;
    customer.tags = {"단골"};
    customer.consents = {{domain::ConsentChannel::kSms, true, kNow, "kiosk"}};
    customer.created_at = customer.updated_at = kNow;
    auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(customer); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : CustomerId();
  }

  OrderId NewOrder(CustomerId customer, int64_t total) {
    domain::Order order;
    order.business_id = business_;
    order.branch_id = branch_;
    order.customer_id = customer;
    order.kind = domain::OrderKind::kSale;
    order.ordered_at = kNow;
    order.total = Money(total);
    order.lines.push_back({"라떼", "커피", 1, Money(total)});
    order.created_at = kNow;
    auto id = WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : OrderId();
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_;
  BranchId branch_;
};

TEST_P(MergeStoreContractTest, MoveDeleteAndRestoreRoundTripThroughTheRecord) {
  const CustomerId survivor = NewCustomer("김철수", "+821011112222");
  const CustomerId merged = NewCustomer("김 철수", "+821033334444");
  const OrderId order = NewOrder(merged, 5'000);
  NewOrder(survivor, 3'000);
  int64_t merge_id = 0;
  Status written = db_->Write([&](Transaction& tx) -> Status {
    MergeRepository merges(tx.connection());
    CRM_ASSIGN_OR_RETURN(MergeSnapshot snapshot, merges.Capture(business_, survivor, merged));
    EXPECT_EQ(snapshot.customers.size(), 2u);
    EXPECT_EQ(snapshot.survivor_order_count, 1);
    CRM_RETURN_IF_ERROR(merges.MoveRows(business_, survivor, merged, snapshot));
    EXPECT_EQ(snapshot.orders, std::vector<int64_t>{order.value()});
    CRM_RETURN_IF_ERROR(merges.RetireCustomer(business_, merged, survivor, kNow));
    MergeRecord record;
    record.business_id = business_;
    record.survivor_id = survivor;
    record.merged_id = merged;
    record.choices = {{"name", "other"}};
    record.created_at = kNow;
    record.snapshot = snapshot;
    CRM_ASSIGN_OR_RETURN(merge_id, merges.Insert(record));
    return Status::Ok();
  });
  ASSERT_TRUE(written.ok()) << written.ToString();
  auto moved = ReadValue<domain::Order>(*db_, [&](Transaction& tx) { return tx.orders().Get(business_, order); });
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->customer_id, survivor);
  auto exists = ReadValue<bool>(*db_, [&](Transaction& tx) { return tx.customers().Exists(business_, merged); });
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(*exists);
  auto active = ReadValue<std::optional<MergeRecord>>(
      *db_, [&](Transaction& tx) { return MergeRepository(tx.connection()).ActiveMergeOf(business_, merged); });
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*active)->id, merge_id);
  EXPECT_EQ((*active)->choices, (std::vector<std::pair<std::string, std::string>>{{"name", "other"}}));

  Status restored = db_->Write([&](Transaction& tx) -> Status {
    MergeRepository merges(tx.connection());
    CRM_ASSIGN_OR_RETURN(MergeRecord record, merges.Get(business_, merge_id));
    EXPECT_EQ(record.snapshot.customers.size(), 2u);
    CRM_RETURN_IF_ERROR(merges.CheckUndoable(business_, survivor, record.snapshot));
    CRM_RETURN_IF_ERROR(merges.Restore(business_, survivor, merged, record.snapshot));
    return merges.MarkUndone(business_, merge_id, kNow, std::nullopt, std::nullopt);
  });
  ASSERT_TRUE(restored.ok()) << restored.ToString();
  auto back = ReadValue<domain::Customer>(*db_, [&](Transaction& tx) { return tx.customers().Get(business_, merged); });
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, "김 철수");
  EXPECT_EQ(back->phone_e164, "+821033334444");
  EXPECT_EQ(back->tags, std::vector<std::string>{"단골"});
  ASSERT_EQ(back->consents.size(), 1u);
  moved = ReadValue<domain::Order>(*db_, [&](Transaction& tx) { return tx.orders().Get(business_, order); });
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->customer_id, merged);

  Status twice = db_->Write([&](Transaction& tx) -> Status {
    return MergeRepository(tx.connection()).MarkUndone(business_, merge_id, kNow, std::nullopt, std::nullopt);
  });
  EXPECT_EQ(twice.code(), StatusCode::kFailedPrecondition);
}

TEST_P(MergeStoreContractTest, ARetiredProfileIsNoCustomerAndItsIdIsNeverReused) {
  const CustomerId survivor = NewCustomer("박민수", "+821077778888");
  const CustomerId merged = NewCustomer("박민수", "+821099990000");  // the highest id of the business
  Status retired = db_->Write([&](Transaction& tx) -> Status {
    return MergeRepository(tx.connection()).RetireCustomer(business_, merged, survivor, kNow);
  });
  ASSERT_TRUE(retired.ok()) << retired.ToString();
  EXPECT_EQ(ReadValue<domain::Customer>(*db_, [&](Transaction& tx) { return tx.customers().Get(business_, merged); })
                .status()
                .code(),
            StatusCode::kNotFound);
  auto listed = ReadValue<std::vector<domain::Customer>>(
      *db_, [&](Transaction& tx) { return tx.customers().List(business_, CustomerFilter{}); });
  ASSERT_TRUE(listed.ok());
  for (const domain::Customer& customer : *listed) EXPECT_NE(customer.id, merged);
  auto found = ReadValue<std::vector<domain::Customer>>(*db_, [&](Transaction& tx) {
    return tx.customers().Lookup(business_, LookupQuery{LookupKind::kLast4, "0000", 20});
  });
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
  auto count = ReadValue<int64_t>(*db_, [&](Transaction& tx) { return tx.customers().Count(business_); });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
  // Its phone is free again, and a new customer gets a new id.
  const CustomerId next = NewCustomer("새손님", "+821099990000");
  EXPECT_GT(next, merged);
  Status twice = db_->Write([&](Transaction& tx) -> Status {
    return MergeRepository(tx.connection()).RetireCustomer(business_, merged, survivor, kNow);
  });
  EXPECT_EQ(twice.code(), StatusCode::kNotFound);
}

TEST_P(MergeStoreContractTest, DismissedPairsAreStoredOnceLowerIdFirst) {
  const CustomerId a = NewCustomer("가", "");
  const CustomerId b = NewCustomer("나", "");
  for (int i = 0; i < 2; ++i) {
    Status dismissed = db_->Write([&](Transaction& tx) -> Status {
      return MergeRepository(tx.connection()).Dismiss(business_, b, a, std::nullopt, kNow);
    });
    ASSERT_TRUE(dismissed.ok()) << dismissed.ToString();
  }
  auto pairs = ReadValue<std::vector<std::pair<CustomerId, CustomerId>>>(
      *db_, [&](Transaction& tx) { return MergeRepository(tx.connection()).Dismissed(business_); });
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(pairs->size(), 1u);
  EXPECT_EQ(pairs->front(), std::make_pair(a, b));
}

TEST_P(MergeStoreContractTest, AnotherBusinessesMergeIsNotFound) {
  auto missing = ReadValue<MergeRecord>(
      *db_, [&](Transaction& tx) { return MergeRepository(tx.connection()).Get(business_, 987654321); });
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, MergeStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
