// The counter's suggestions through the app services on a real SQLite file with a manual clock:
// what a customer gets and does not get, that staff may ask, and that mined rules are reused
// until orders arrived and a minute passed.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "app/services.h"

namespace crm::app {
namespace {

class SuggestionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-hints-XXXXXX";
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
    staff_ = owner_;
    staff_.role = domain::Role::kStaff;
    auto branch = services_->businesses.CreateBranch(owner_, "본점");
    ASSERT_TRUE(branch.ok());
    branch_ = branch->id;
    regular_ = NewCustomer("010-1234-5678");
    both_ = NewCustomer("010-2345-6789");
  }
  void TearDown() override {
    services_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  CustomerId NewCustomer(const std::string& phone) {
    domain::CustomerDraft draft;
    draft.phone = phone;
    auto customer = services_->customers.Create(owner_, draft);
    EXPECT_TRUE(customer.ok()) << customer.status().ToString();
    return customer.ok() ? customer->id : CustomerId();
  }

  void Sell(std::optional<CustomerId> customer, const std::vector<std::string>& products, int times = 1) {
    for (int i = 0; i < times; ++i) {
      domain::Order order;
      order.branch_id = branch_;
      order.customer_id = customer;
      for (const std::string& product : products) order.lines.push_back({product, "", 1, Money(4000)});
      order.total = Money(4000 * static_cast<int64_t>(products.size()));
      auto posted = services_->orders.PostSale(owner_, order);
      ASSERT_TRUE(posted.ok()) << posted.status().ToString();
    }
  }

  std::set<std::string> Products(const SuggestionsReport& report) {
    std::set<std::string> products;
    for (const Suggestion& s : report.items) products.insert(s.product);
    return products;
  }

  std::string dir_;
  ManualClock clock_{Timestamp::FromSeconds(1'767'225'600)};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_, staff_;
  BranchId branch_;
  CustomerId regular_, both_;
};

TEST_F(SuggestionsTest, ACustomerWhoOrdersXGetsYAndRulesAreReusedForAMinute) {
  Sell(std::nullopt, {"아메리카노", "크루아상"}, 5);
  Sell(std::nullopt, {"아메리카노"}, 2);
  Sell(std::nullopt, {"라떼"}, 3);
  Sell(regular_, {"아메리카노"});
  Sell(both_, {"아메리카노", "크루아상"});
  // 12 baskets; 아메리카노 in 9, with 크루아상 in 6: confidence 6/9, lift (6/9) / (6/12) = 4/3.
  const Timestamp mined_at = clock_.Now();
  auto first = services_->analytics.Suggestions(staff_, regular_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].product, "크루아상");
  EXPECT_EQ(first->items[0].because, std::vector<std::string>{"아메리카노"});
  EXPECT_EQ(first->items[0].support_count, 6);
  EXPECT_DOUBLE_EQ(first->items[0].confidence, 6.0 / 9.0);
  EXPECT_DOUBLE_EQ(first->items[0].lift, (6.0 / 9.0) / (6.0 / 12.0));
  EXPECT_EQ(first->stamp.as_of, mined_at);
  EXPECT_EQ(first->stamp.orders, 12);
  // Who already orders 크루아상 is not told to add it (and 아메리카노 => nothing else qualifies).
  auto both = services_->analytics.Suggestions(owner_, both_);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->items.empty());

  // Nothing changed: the rules are reused however old they are.
  clock_.AdvanceSeconds(600);
  auto unchanged = services_->analytics.Suggestions(staff_, regular_);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->stamp.as_of, mined_at);

  // New orders make 아메리카노 => 머핀 a rule (4/13).
  Sell(std::nullopt, {"아메리카노", "머핀"}, 4);
  const Timestamp remined_from = clock_.Now();
  auto cached = services_->analytics.Suggestions(staff_, regular_);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->stamp.as_of, remined_from);  // mined anew: the last mining is 10 minutes old
  EXPECT_EQ(Products(*cached), (std::set<std::string>{"크루아상", "머핀"}));

  Sell(std::nullopt, {"아메리카노", "쿠키"}, 6);
  clock_.AdvanceSeconds(30);
  auto young = services_->analytics.Suggestions(staff_, regular_);
  ASSERT_TRUE(young.ok());
  EXPECT_EQ(young->stamp.as_of, remined_from);  // orders arrived, but the rules are 30 s old
  EXPECT_EQ(Products(*young), (std::set<std::string>{"크루아상", "머핀"}));
  clock_.AdvanceSeconds(31);
  auto fresh = services_->analytics.Suggestions(staff_, regular_);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->stamp.as_of, clock_.Now());
  EXPECT_EQ(fresh->stamp.orders, 22);
  // 22 baskets, 아메리카노 in 19: 쿠키 6/19 and 크루아상 6/19 stay above confidence 0.3, 머핀 4/19
  // falls below it.
  EXPECT_EQ(Products(*fresh), (std::set<std::string>{"크루아상", "쿠키"}));
}

TEST_F(SuggestionsTest, FewBasketsGiveNothingAndAnotherBusinessCustomerIsNotFound) {
  Sell(regular_, {"아메리카노", "크루아상"}, 2);
  auto few = services_->analytics.Suggestions(staff_, regular_);
  ASSERT_TRUE(few.ok()) << few.status().ToString();
  EXPECT_TRUE(few->items.empty());
  auto other = services_->businesses.CreateBusiness("other", "다른 가게");
  ASSERT_TRUE(other.ok());
  Principal stranger = staff_;
  stranger.business_id = other->id;
  EXPECT_EQ(services_->analytics.Suggestions(stranger, regular_).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace crm::app
