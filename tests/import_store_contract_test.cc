// The import's store contract: runs, remembered mappings and customers' external numbers behave
// the same on SQLite and PostgreSQL (PostgreSQL when DANGOL_TEST_POSTGRES_URL names a server, as in
// store_contract_test.cc), and never reach into another business.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/import_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);

class ImportStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-import-store", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    business_ = NewBusiness();
    other_ = NewBusiness();
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  BusinessId NewBusiness() {
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug = "i" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
                    std::to_string(std::rand() % 100000);
    business.name = "테스트";
    business.created_at = kNow;
    auto created = WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BusinessId();
  }

  CustomerId NewCustomer(BusinessId business, const std::string& email) {
    domain::Customer customer;
    customer.business_id = business;
    customer.name = "김철수";
    customer.email = email;
    customer.created_at = customer.updated_at = kNow;
    auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(customer); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : CustomerId();
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_, other_;
};

TEST_P(ImportStoreContractTest, RunsAreFoundByHashAndOnlyInTheirBusiness) {
  ImportRun run;
  run.business_id = business_;
  run.kind = 4;
  run.mode = 1;
  run.file_hash = "00ff";
  run.source = "import";
  run.rows_read = 10;
  run.orders_created = 3;
  run.started_at = kNow;
  run.finished_at = kNow.PlusSeconds(2);
  auto id = WriteValue<int64_t>(*db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).InsertRun(run); });
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto found = ReadValue<std::optional<ImportRun>>(
      *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).FindRunByHash(business_, 4, "00ff"); });
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, *id);
  EXPECT_EQ((*found)->rows_read, 10);
  EXPECT_EQ((*found)->orders_created, 3);
  EXPECT_EQ((*found)->finished_at, kNow.PlusSeconds(2));
  auto elsewhere = ReadValue<std::optional<ImportRun>>(
      *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).FindRunByHash(other_, 4, "00ff"); });
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->has_value());
  auto other_get = ReadValue<ImportRun>(*db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).GetRun(other_, *id); });
  EXPECT_EQ(other_get.status().code(), StatusCode::kNotFound);
}

TEST_P(ImportStoreContractTest, MappingsAreRememberedAndReplaced) {
  auto save = [&](const std::string& fields) {
    return db_->Write([&](Transaction& tx) {
      return ImportRepository(tx.connection()).SaveMapping(business_, 1, "key", fields, kNow);
    });
  };
  ASSERT_TRUE(save("name,phone").ok());
  ASSERT_TRUE(save("name,ignore").ok());
  auto found = ReadValue<std::optional<std::string>>(
      *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).FindMapping(business_, 1, "key"); });
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->value_or(""), "name,ignore");
  auto other = ReadValue<std::optional<std::string>>(
      *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).FindMapping(other_, 1, "key"); });
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST_P(ImportStoreContractTest, ExternalCustomerNumbersAreUniqueAndScoped) {
  const CustomerId customer = NewCustomer(business_, "kim@example.com");
  const CustomerId foreign = NewCustomer(other_, "kim@example.com");
  auto link = [&](BusinessId business, const std::string& number, CustomerId id) {
    return db_->Write(
        [&](Transaction& tx) { return ImportRepository(tx.connection()).LinkCustomer(business, "pos", number, id); });
  };
  ASSERT_TRUE(link(business_, "17850", customer).ok());
  EXPECT_EQ(link(business_, "17850", customer).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(link(business_, "99", foreign).code(), StatusCode::kNotFound);
  auto found = ReadValue<std::optional<CustomerId>>(
      *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).FindCustomer(business_, "pos", "17850"); });
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->value_or(CustomerId()), customer);
  auto by_email = ReadValue<std::optional<CustomerId>>(*db_, [&](Transaction& tx) {
    return ImportRepository(tx.connection()).FindCustomerByEmail(business_, "kim@example.com");
  });
  ASSERT_TRUE(by_email.ok());
  EXPECT_EQ(by_email->value_or(CustomerId()), customer);
  auto none = ReadValue<std::optional<CustomerId>>(
      *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).FindCustomer(other_, "pos", "17850"); });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(ImportStoreContractTest, AnOpeningBalanceIsKeptOncePerSourceAndOnlyForTheBusinessCustomer) {
  const CustomerId customer = NewCustomer(business_, "kim@example.com");
  const CustomerId foreign = NewCustomer(other_, "kim@example.com");
  OpeningBalance balance{customer, "pos", 12, 1'250'000, Timestamp::FromSeconds(1'600'000'000),
                         Timestamp::FromSeconds(1'690'000'000), 3200, "골드", kNow};
  auto add = [&](BusinessId business, const OpeningBalance& opening) {
    return WriteValue<bool>(
        *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).AddOpening(business, opening); });
  };
  auto first = add(business_, balance);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  OpeningBalance again = balance;
  again.visit_count = 99;
  auto second = add(business_, again);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);  // the same source gave this customer a balance before: nothing changes
  OpeningBalance elsewhere = balance;
  elsewhere.customer_id = foreign;
  EXPECT_EQ(add(business_, elsewhere).status().code(), StatusCode::kNotFound);
  OpeningBalance without_dates{customer, "excel", 3, 0, std::nullopt, std::nullopt, 0, "", kNow};
  ASSERT_TRUE(add(business_, without_dates).ok());
  auto openings = ReadValue<std::vector<OpeningBalance>>(
      *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).Openings(business_, customer); });
  ASSERT_TRUE(openings.ok());
  ASSERT_EQ(openings->size(), 2u);
  const OpeningBalance& pos = openings->at(0).source == "pos" ? openings->at(0) : openings->at(1);
  const OpeningBalance& excel = openings->at(0).source == "pos" ? openings->at(1) : openings->at(0);
  EXPECT_EQ(pos.visit_count, 12);
  EXPECT_EQ(pos.total_spend, 1'250'000);
  EXPECT_EQ(pos.first_visit_at, balance.first_visit_at);
  EXPECT_EQ(pos.last_visit_at, balance.last_visit_at);
  EXPECT_EQ(pos.points, 3200);
  EXPECT_EQ(pos.tier, "골드");
  EXPECT_FALSE(excel.first_visit_at.has_value());
  auto none = ReadValue<std::vector<OpeningBalance>>(
      *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).Openings(other_, customer); });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(ImportStoreContractTest, AWriteOffLineIsStoredOnce) {
  auto branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
    return tx.branches().Create(domain::Branch{BranchId(), business_, "본점", kNow});
  });
  ASSERT_TRUE(branch.ok()) << branch.status().ToString();
  StockWriteOff write_off{branch->id, "uci", "542809", "key-1", "DAMAGED", "D1", 56, kNow, kNow};
  auto add = [&](const StockWriteOff& line) {
    return WriteValue<bool>(
        *db_, [&](Transaction& tx) { return ImportRepository(tx.connection()).AddWriteOff(business_, line); });
  };
  auto first = add(write_off);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto again = add(write_off);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  write_off.line_key = "key-2";
  auto other_line = add(write_off);
  ASSERT_TRUE(other_line.ok());
  EXPECT_TRUE(*other_line);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
