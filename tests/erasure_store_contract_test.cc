// The erasure repository's contract on every back end: an erased customer keeps an anonymous
// tombstone row under its orders, loses its personal rows and texts, is no customer for any query
// and cannot be erased twice; the retention period round-trips and the inactive query picks the
// customers by last visit (or creation) against a fixed cutoff. PostgreSQL runs when
// DANGOL_TEST_POSTGRES_URL names a server (required with DANGOL_REQUIRE_POSTGRES=1).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/erasure_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);

class ErasureStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-erasure-store", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug =
        "es" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(std::rand() % 100000);
    business.name = "삭제";
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

  CustomerId NewCustomer(const std::string& name, const std::string& phone, Timestamp created_at = kNow) {
    domain::Customer customer;
    customer.business_id = business_;
    customer.name = name;
    customer.phone_e164 = phone;
    customer.email = "erase.me@example.com";
    customer.tags = {name};
    customer.consents = {{domain::ConsentChannel::kSms, true, created_at, "kiosk " + name}};
    customer.created_at = customer.updated_at = created_at;
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

  Result<ErasureCounts> Erase(CustomerId customer) {
    return WriteValue<ErasureCounts>(
        *db_, [&](Transaction& tx) { return ErasureRepository(tx.connection()).Erase(business_, customer, kNow); });
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_;
  BranchId branch_;
};

TEST_P(ErasureStoreContractTest, ErasedCustomerIsATombstoneUnderItsOrdersAndNoCustomerAnyMore) {
  if (IsSkipped()) return;
  const CustomerId customer = NewCustomer("남궁지우", "+821055501234");
  const CustomerId other = NewCustomer("김다른", "+821055509999");
  const OrderId order = NewOrder(customer, 12000);
  domain::Note note;
  note.customer_id = customer;
  note.text = "남궁지우 단골";
  note.created_at = kNow;
  ASSERT_TRUE(WriteValue<domain::Note>(*db_, [&](Transaction& tx) { return tx.notes().Add(business_, note); }).ok());

  auto counts = Erase(customer);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->profiles, 1);
  EXPECT_GE(counts->rows_deleted, 2);  // the tag and the note
  EXPECT_GE(counts->rows_blanked, 1);  // the consent's source

  auto read = ReadValue<bool>(*db_, [&](Transaction& tx) -> Result<bool> {
    EXPECT_EQ(tx.customers().Get(business_, customer).status().code(), StatusCode::kNotFound);
    CRM_ASSIGN_OR_RETURN(bool exists, tx.customers().Exists(business_, customer));
    EXPECT_FALSE(exists);
    CRM_ASSIGN_OR_RETURN(auto by_phone, tx.customers().FindByPhone(business_, "+821055501234"));
    EXPECT_FALSE(by_phone.has_value());
    CRM_ASSIGN_OR_RETURN(auto hits, tx.customers().Lookup(business_, {LookupKind::kLast4, "1234", 20}));
    EXPECT_TRUE(hits.empty());
    CRM_ASSIGN_OR_RETURN(int64_t count, tx.customers().Count(business_));
    EXPECT_EQ(count, 1);
    CRM_ASSIGN_OR_RETURN(auto notes, tx.notes().List(business_, customer));
    EXPECT_TRUE(notes.empty());
    CRM_ASSIGN_OR_RETURN(domain::Order kept, tx.orders().Get(business_, order));
    EXPECT_EQ(kept.customer_id, customer);
    EXPECT_EQ(kept.total, Money(12000));
    CRM_ASSIGN_OR_RETURN(domain::Customer untouched, tx.customers().Get(business_, other));
    EXPECT_EQ(untouched.name, "김다른");
    EXPECT_EQ(untouched.email, "erase.me@example.com");
    return true;
  });
  ASSERT_TRUE(read.ok()) << read.status().ToString();

  EXPECT_EQ(Erase(customer).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Erase(CustomerId(999'999'999)).status().code(), StatusCode::kNotFound);
}

TEST_P(ErasureStoreContractTest, RetentionMonthsRoundTripAndInactiveCustomersAreFoundByLastVisitOrCreation) {
  if (IsSkipped()) return;
  const Timestamp old_day = kNow.PlusSeconds(-400 * 86'400);
  const CustomerId old_never_visited = NewCustomer("오래", "+821055500001", old_day);
  const CustomerId old_but_visited = NewCustomer("방문", "+821055500002", old_day);
  NewCustomer("새로", "+821055500003");
  ASSERT_TRUE(WriteValue<bool>(*db_, [&](Transaction& tx) -> Result<bool> {
                domain::VisitStats stats;
                stats.visit_count = 1;
                stats.first_visit_at = kNow;
                stats.last_visit_at = kNow;
                CRM_RETURN_IF_ERROR(tx.customers().SaveStats(business_, old_but_visited, stats, kNow));
                CRM_RETURN_IF_ERROR(ErasureRepository(tx.connection()).SetRetentionMonths(business_, 12));
                return true;
              }).ok());

  auto found = ReadValue<std::vector<CustomerId>>(*db_, [&](Transaction& tx) -> Result<std::vector<CustomerId>> {
    ErasureRepository erasures(tx.connection());
    CRM_ASSIGN_OR_RETURN(int64_t months, erasures.RetentionMonths(business_));
    EXPECT_EQ(months, 12);
    CRM_ASSIGN_OR_RETURN(int64_t count, erasures.CountInactiveSince(business_, kNow.PlusSeconds(-365 * 86'400)));
    EXPECT_EQ(count, 1);
    CRM_ASSIGN_OR_RETURN(auto with_retention, erasures.BusinessesWithRetention());
    bool listed = false;
    for (const auto& [business, listed_months] : with_retention) listed |= business == business_ && listed_months == 12;
    EXPECT_TRUE(listed);
    return erasures.InactiveSince(business_, kNow.PlusSeconds(-365 * 86'400), 10);
  });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, std::vector<CustomerId>{old_never_visited});

  ASSERT_TRUE(Erase(old_never_visited).ok());
  auto after = ReadValue<int64_t>(*db_, [&](Transaction& tx) {
    return ErasureRepository(tx.connection()).CountInactiveSince(business_, kNow.PlusSeconds(-365 * 86'400));
  });
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ErasureStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
