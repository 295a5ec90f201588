// The loyalty count journal, visit sales and the coupons a sale issued, on every back end (SQLite
// always; PostgreSQL when DANGOL_TEST_POSTGRES_URL names a server).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/loyalty_repository.h"
#include "store/order_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);

class LoyaltyStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-loyalty-store", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    business_ = NewBusiness();
    other_ = NewBusiness();
    auto branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
      return tx.branches().Create(domain::Branch{BranchId(), business_, "본점", kNow});
    });
    ASSERT_TRUE(branch.ok());
    branch_ = branch->id;
    domain::Customer customer;
    customer.business_id = business_;
    customer.name = "김단골";
    customer.family_name = "김";
    customer.given_name = "단골";
    customer.phone_e164 = "+821099990001";
    customer.created_at = customer.updated_at = kNow;
    auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(customer); });
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    customer_ = *id;
  }
  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  BusinessId NewBusiness() {
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug = "ls" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
                    std::to_string(std::rand() % 100000);
    business.name = "테스트";
    business.created_at = kNow;
    auto created = WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BusinessId();
  }

  OrderId Order(int64_t total, Timestamp at, std::optional<OrderId> refund_of = std::nullopt) {
    domain::Order order;
    order.business_id = business_;
    order.branch_id = branch_;
    order.customer_id = customer_;
    order.kind = refund_of ? domain::OrderKind::kRefund : domain::OrderKind::kSale;
    order.original_order_id = refund_of;
    order.ordered_at = order.created_at = at;
    order.total = Money(total);
    auto id = WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : OrderId();
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_, other_;
  BranchId branch_;
  CustomerId customer_;
};

TEST_P(LoyaltyStoreContractTest, TheCountJournalSumsByTheTimeUnitsCountFrom) {
  const OrderId sale = Order(30'000, kNow.PlusSeconds(-400 * 86'400));
  auto written = WriteValue<int64_t>(*db_, [&](Transaction& tx) -> Result<int64_t> {
    domain::LoyaltyCount earned{.business_id = business_, .customer_id = customer_, .tier_units = 30,
                                .reward_units = 30, .counts_at = kNow.PlusSeconds(-400 * 86'400),
                                .order_id = sale, .reason = "적립", .created_at = kNow};
    CRM_ASSIGN_OR_RETURN(int64_t id, tx.loyalty().AppendCount(earned));
    domain::LoyaltyCount recent = earned;
    recent.tier_units = 12;
    recent.reward_units = -12;
    recent.counts_at = kNow;
    recent.order_id.reset();
    CRM_RETURN_IF_ERROR(tx.loyalty().AppendCount(recent).status());
    return id;
  });
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto since = [&](BusinessId business, Timestamp from) {
    return ReadValue<int64_t>(*db_, [&](Transaction& tx) { return tx.loyalty().TierUnitsSince(business, customer_, from); });
  };
  EXPECT_EQ(*since(business_, Timestamp()), 42);
  EXPECT_EQ(*since(business_, kNow.PlusSeconds(-365 * 86'400)), 12);
  EXPECT_EQ(*since(other_, Timestamp()), 0);
  auto progress = ReadValue<int64_t>(*db_, [&](Transaction& tx) { return tx.loyalty().RewardProgress(business_, customer_); });
  EXPECT_EQ(*progress, 18);
  auto counts = ReadValue<std::vector<domain::LoyaltyCount>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().CountsForOrder(business_, sale);
  });
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].id, *written);
  EXPECT_EQ((*counts)[0].counts_at, kNow.PlusSeconds(-400 * 86'400));
  EXPECT_EQ((*counts)[0].reason, "적립");
}

TEST_P(LoyaltyStoreContractTest, VisitSalesLeaveOutSalesRefundedInFull) {
  const OrderId kept = Order(10'000, kNow.PlusSeconds(-3'600));
  const OrderId partly = Order(10'000, kNow.PlusSeconds(-60));
  const OrderId gone = Order(5'000, kNow);
  Order(-4'000, kNow, partly);
  Order(-2'000, kNow, gone);
  Order(-3'000, kNow, gone);
  auto sales = ReadValue<std::vector<domain::VisitSale>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().VisitSales(business_, customer_, Timestamp());
  });
  ASSERT_TRUE(sales.ok()) << sales.status().ToString();
  ASSERT_EQ(sales->size(), 2u);
  EXPECT_EQ((*sales)[0].id, kept);
  EXPECT_EQ((*sales)[0].branch_id, branch_);
  EXPECT_EQ((*sales)[1].id, partly);
  auto recent = ReadValue<std::vector<domain::VisitSale>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().VisitSales(business_, customer_, kNow.PlusSeconds(-600));
  });
  ASSERT_EQ(recent->size(), 1u);
  auto elsewhere = ReadValue<std::vector<domain::VisitSale>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().VisitSales(other_, customer_, Timestamp());
  });
  EXPECT_TRUE(elsewhere->empty());
}

TEST_P(LoyaltyStoreContractTest, CouponsRememberTheSaleAndTheEntryThatPaidForThem) {
  const OrderId sale = Order(12'000, kNow);
  domain::LoyaltyAccount account;
  account.customer_id = customer_;
  account.referral_code = "R" + std::to_string(customer_.value());
  account.tier = {2, kNow.PlusSeconds(-86'400), kNow};
  account.updated_at = kNow;
  Status written = db_->Write([&](Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(tx.loyalty().CreateAccount(business_, account));
    domain::LedgerEntry paid;
    paid.business_id = business_;
    paid.customer_id = customer_;
    paid.kind = domain::LedgerKind::kRedeem;
    paid.amount = -12;
    paid.created_at = kNow;
    CRM_ASSIGN_OR_RETURN(LedgerEntryId paid_id, tx.loyalty().Append(paid));
    domain::Coupon coupon;
    coupon.business_id = business_;
    coupon.customer_id = customer_;
    coupon.code = "C" + std::to_string(sale.value());
    coupon.name = "별 보상";
    coupon.source = domain::CouponSource::kStarReward;
    coupon.issued_at = kNow;
    coupon.expires_at = kNow.PlusSeconds(86'400);
    coupon.order_id = sale;
    coupon.ledger_entry_id = paid_id;
    return tx.coupons().Insert(coupon).status();
  });
  ASSERT_TRUE(written.ok()) << written.ToString();
  auto issued = ReadValue<std::vector<domain::Coupon>>(*db_, [&](Transaction& tx) {
    return tx.coupons().IssuedBySale(business_, sale);
  });
  ASSERT_TRUE(issued.ok());
  ASSERT_EQ(issued->size(), 1u);
  EXPECT_EQ((*issued)[0].order_id, sale);
  EXPECT_TRUE((*issued)[0].ledger_entry_id);
  auto none = ReadValue<std::vector<domain::Coupon>>(*db_, [&](Transaction& tx) {
    return tx.coupons().IssuedBySale(other_, sale);
  });
  EXPECT_TRUE(none->empty());
  auto stored = ReadValue<std::optional<domain::LoyaltyAccount>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().GetAccount(business_, customer_);
  });
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ((*stored)->tier, account.tier);
}

INSTANTIATE_TEST_SUITE_P(Backends, LoyaltyStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
