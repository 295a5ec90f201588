// The store contract of the server's analytics: the order facts the aggregates are built from and
// the products a customer usually orders and the saved segments, on SQLite and (when DANGOL_TEST_POSTGRES_URL names a server) PostgreSQL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include "store/analytics_repository.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/order_repository.h"
#include "store/segment_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);

class AnalyticsStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-analytics-store", &dir_, &url));
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
    business.slug =
        "a" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(std::rand() % 100000);
    business.name = "분석";
    business.created_at = kNow;
    auto created =
        WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BusinessId();
  }

  Result<OrderId> Post(domain::Order order) {
    return WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_, other_;
};

TEST_P(AnalyticsStoreContractTest, OrderFactsComeInCommitOrderWithTheRefundedSaleAndOnlyTheBusinesses) {
  auto branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
    return tx.branches().Create({BranchId(), business_, "본점", kNow});
  });
  auto other_branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
    return tx.branches().Create({BranchId(), other_, "본점", kNow});
  });
  ASSERT_TRUE(branch.ok() && other_branch.ok());
  domain::Customer draft;
  draft.business_id = business_;
  draft.name = "김단골";
  draft.created_at = draft.updated_at = kNow;
  auto customer = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(draft); });
  ASSERT_TRUE(customer.ok());
  domain::Order sale;
  sale.business_id = business_;
  sale.branch_id = branch->id;
  sale.customer_id = *customer;
  sale.ordered_at = sale.created_at = kNow;
  sale.total = Money(9000);
  sale.lines = {{"라떼", "커피", 1, Money(5000)}, {"쿠키", "디저트", 2, Money(2000)}};
  auto first = Post(sale);
  sale.ordered_at = kNow.PlusSeconds(86400);
  sale.lines.clear();
  auto second = Post(sale);
  ASSERT_TRUE(first.ok() && second.ok());
  domain::Order refund = sale;
  refund.kind = domain::OrderKind::kRefund;
  refund.original_order_id = *first;
  refund.ordered_at = kNow.PlusSeconds(2 * 86400);
  refund.total = Money(-2000);
  ASSERT_TRUE(Post(refund).ok());
  domain::Order elsewhere = sale;
  elsewhere.business_id = other_;
  elsewhere.branch_id = other_branch->id;
  elsewhere.customer_id.reset();
  ASSERT_TRUE(Post(elsewhere).ok());

  auto facts = ReadValue<OrderFactBatch>(
      *db_, [&](Transaction& tx) { return AnalyticsRepository(tx.connection()).ReadOrderFacts(business_, {}, 100); });
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  ASSERT_EQ(facts->size(), 3u);
  EXPECT_EQ(facts->order_id[0], first->value());
  EXPECT_EQ(facts->order_id[1], second->value());
  EXPECT_EQ(facts->kind, (std::vector<uint8_t>{1, 1, 2}));
  EXPECT_EQ(facts->total_minor, (std::vector<int64_t>{9000, 9000, -2000}));
  EXPECT_EQ(facts->customer_id[2], customer->value());
  EXPECT_EQ(facts->original_ordered_at_micros[2], kNow.micros());
  EXPECT_EQ(facts->original_ordered_at_micros[0], 0);
  EXPECT_LT(facts->change_seq[0], facts->change_seq[1]);
  EXPECT_LT(facts->change_seq[1], facts->change_seq[2]);
  auto after = ReadValue<OrderFactBatch>(*db_, [&](Transaction& tx) {
    return AnalyticsRepository(tx.connection()).ReadOrderFacts(business_, {facts->change_seq[0], first->value()}, 1);
  });
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->order_id[0], second->value());
  auto products = ReadValue<OrderProducts>(*db_, [&](Transaction& tx) {
    return AnalyticsRepository(tx.connection()).ReadOrderProducts(business_, facts->change_seq[0], facts->change_seq[1]);
  });
  ASSERT_TRUE(products.ok());
  EXPECT_EQ(products->product, (std::vector<std::string>{"라떼", "쿠키"}));
}

TEST_P(AnalyticsStoreContractTest, CustomerProductsCountTheirLatestSalesMostFrequentFirst) {
  auto branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
    return tx.branches().Create({BranchId(), business_, "본점", kNow});
  });
  ASSERT_TRUE(branch.ok());
  auto add_customer = [&](const std::string& name) {
    domain::Customer draft;
    draft.business_id = business_;
    draft.name = name;
    draft.created_at = draft.updated_at = kNow;
    return WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(draft); });
  };
  auto customer = add_customer("김단골");
  auto neighbour = add_customer("이옆집");
  ASSERT_TRUE(customer.ok() && neighbour.ok());
  auto sell = [&](CustomerId who, int day, std::vector<std::string> products) {
    domain::Order sale;
    sale.business_id = business_;
    sale.branch_id = branch->id;
    sale.customer_id = who;
    sale.ordered_at = sale.created_at = kNow.PlusSeconds(int64_t{day} * 86400);
    for (const std::string& product : products) sale.lines.push_back({product, "", 1, Money(3000)});
    sale.total = Money(3000 * static_cast<int64_t>(products.size()));
    return Post(sale);
  };
  // The oldest sale is outside the 3 latest; the product twice in one sale counts once.
  ASSERT_TRUE(sell(*customer, 0, {"머핀"}).ok());
  auto latte = sell(*customer, 1, {"라떼", "쿠키", "라떼"});
  ASSERT_TRUE(latte.ok());
  ASSERT_TRUE(sell(*customer, 2, {"라떼"}).ok());
  ASSERT_TRUE(sell(*customer, 3, {"아메리카노", "쿠키", "라떼"}).ok());
  ASSERT_TRUE(sell(*neighbour, 4, {"크루아상"}).ok());
  domain::Order refund;
  refund.business_id = business_;
  refund.branch_id = branch->id;
  refund.customer_id = *customer;
  refund.kind = domain::OrderKind::kRefund;
  refund.original_order_id = *latte;
  refund.ordered_at = refund.created_at = kNow.PlusSeconds(5 * 86400);
  refund.total = Money(-3000);
  refund.lines.push_back({"환불상품", "", 1, Money(3000)});
  ASSERT_TRUE(Post(refund).ok());

  auto read = [&](BusinessId business, int recent, int limit) {
    return ReadValue<std::vector<ProductCount>>(*db_, [&](Transaction& tx) {
      return AnalyticsRepository(tx.connection()).ReadCustomerProducts(business, *customer, recent, limit);
    });
  };
  auto products = read(business_, 3, 10);
  ASSERT_TRUE(products.ok()) << products.status().ToString();
  std::vector<std::pair<std::string, int64_t>> got;
  for (const ProductCount& p : *products) got.emplace_back(p.product, p.orders);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int64_t>>{{"라떼", 3}, {"쿠키", 2}, {"아메리카노", 1}}));
  auto top = read(business_, 3, 1);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 1u);
  EXPECT_EQ((*top)[0].product, "라떼");
  auto all = read(business_, 50, 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);  // 머핀 too; never the neighbour's 크루아상 or the refund's line
  auto elsewhere = read(other_, 50, 10);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_TRUE(elsewhere->empty());
}

TEST_P(AnalyticsStoreContractTest, SegmentsRoundTripHaveUniqueNamesAndStayInTheirBusiness) {
  domain::SavedSegment segment;
  segment.business_id = business_;
  segment.name = "카톡 단골";
  segment.filter = {.rfm_segment = 8,
                    .stage = domain::LifecycleStage::kRegular,
                    .tag = "VIP",
                    .consent = domain::ConsentChannel::kKakao,
                    .min_tier_index = 1,
                    .min_visits = 3,
                    .min_spend = 50'000,
                    .visited_within_days = 90,
                    .not_visited_for_days = 14,
                    .overdue_only = true};
  segment.created_at = segment.updated_at = kNow;
  auto created = WriteValue<domain::SavedSegment>(
      *db_, [&](Transaction& tx) { return SegmentRepository(tx.connection()).Create(segment); });
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto loaded = ReadValue<domain::SavedSegment>(
      *db_, [&](Transaction& tx) { return SegmentRepository(tx.connection()).Get(business_, created->id); });
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->name, "카톡 단골");
  EXPECT_EQ(loaded->filter, segment.filter);
  auto again = WriteValue<domain::SavedSegment>(
      *db_, [&](Transaction& tx) { return SegmentRepository(tx.connection()).Create(segment); });
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().field(), "name");
  auto hidden = ReadValue<domain::SavedSegment>(
      *db_, [&](Transaction& tx) { return SegmentRepository(tx.connection()).Get(other_, created->id); });
  EXPECT_EQ(hidden.status().code(), StatusCode::kNotFound);

  domain::SavedSegment changed = *loaded;
  changed.name = "전체";
  changed.filter = {};
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return SegmentRepository(tx.connection()).Update(changed); }).ok());
  auto list = ReadValue<std::vector<domain::SavedSegment>>(
      *db_, [&](Transaction& tx) { return SegmentRepository(tx.connection()).List(business_); });
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).filter, domain::SegmentFilter{});
  EXPECT_EQ(db_->Write([&](Transaction& tx) { return SegmentRepository(tx.connection()).Delete(other_, created->id); })
                .code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(
      db_->Write([&](Transaction& tx) { return SegmentRepository(tx.connection()).Delete(business_, created->id); })
          .ok());
}

// The catch-up read of the server's analytics: an order that commits after an order with a higher
// id was read is still after the reader's last position. Two write transactions on PostgreSQL, the
// one with the lower id held open until the other has committed and been read.
TEST_P(AnalyticsStoreContractTest, AnOrderCommittedAfterAHigherIdWasReadIsReadFromTheLastPosition) {
  if (GetParam() == Dialect::kSqlite) GTEST_SKIP() << "SQLite runs one write transaction at a time";
  auto branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
    return tx.branches().Create({BranchId(), business_, "본점", kNow});
  });
  ASSERT_TRUE(branch.ok());
  domain::Order sale;
  sale.business_id = business_;
  sale.branch_id = branch->id;
  sale.ordered_at = sale.created_at = kNow;
  sale.total = Money(5000);
  sale.lines = {{"라떼", "커피", 1, Money(5000)}};
  std::promise<OrderId> inserted;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Status slow_status;
  std::thread slow([&] {
    slow_status = db_->Write([&](Transaction& tx) -> Status {
      auto id = tx.orders().Insert(sale);
      inserted.set_value(id.ok() ? *id : OrderId());
      released.wait();
      return id.status();
    });
  });
  const OrderId low = inserted.get_future().get();
  auto high = Post(sale);
  auto seen = ReadValue<OrderFactBatch>(
      *db_, [&](Transaction& tx) { return AnalyticsRepository(tx.connection()).ReadOrderFacts(business_, {}, 100); });
  release.set_value();
  slow.join();
  ASSERT_TRUE(slow_status.ok()) << slow_status.ToString();
  ASSERT_TRUE(high.ok()) << high.status().ToString();
  ASSERT_LT(low.value(), high->value());
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  ASSERT_EQ(seen->order_id, (std::vector<int64_t>{high->value()}));

  const ChangePosition last{seen->change_seq.back(), seen->order_id.back()};
  auto later = ReadValue<OrderFactBatch>(
      *db_, [&](Transaction& tx) { return AnalyticsRepository(tx.connection()).ReadOrderFacts(business_, last, 100); });
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->order_id, (std::vector<int64_t>{low.value()}));
  auto products = ReadValue<OrderProducts>(*db_, [&](Transaction& tx) {
    return AnalyticsRepository(tx.connection()).ReadOrderProducts(business_, later->change_seq[0], later->change_seq[0]);
  });
  ASSERT_TRUE(products.ok());
  EXPECT_EQ(products->order_id, (std::vector<int64_t>{low.value()}));
}

INSTANTIATE_TEST_SUITE_P(Backends, AnalyticsStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
