// The back office's customer list in the store: the search box, sorted pages with the total, and a
// tag given to many customers at once; on SQLite and, when a server is available, PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "domain/korean_text.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/loyalty_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);
constexpr int64_t kDay = 86400;

class CustomerListContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-list", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    business_ = NewBusiness();
    other_ = NewBusiness();
    // (name, phone, visits, spend, days since the last visit or -1, points or -1 for no account, tier)
    struct Row {
      const char* name;
      const char* phone;
      int64_t visits;
      int64_t spend;
      int64_t days_ago;
      int64_t points;
      int tier;
    };
    const Row rows[] = {{"김민수", "+821011114821", 12, 500000, 10, 300, 2},
                        {"김민지", "+821022224821", 3, 30000, 200, 50, 1},
                        {"박서준", "+821033330001", 0, 0, -1, -1, 0},
                        {"이하늘", "+821044440002", 1, 8000, 1, 900, 0}};
    for (const Row& row : rows) {
      domain::Customer customer;
      customer.business_id = business_;
      customer.name = row.name;
      customer.phone_e164 = row.phone;
      customer.created_at = customer.updated_at = kNow;
      auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(customer); });
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      ids_.push_back(*id);
      domain::VisitStats stats;
      stats.visit_count = stats.visits_last_year = row.visits;
      stats.total_spend = Money(row.spend);
      if (row.days_ago >= 0) stats.first_visit_at = stats.last_visit_at = kNow.PlusSeconds(-row.days_ago * kDay);
      ASSERT_TRUE(db_->Write([&](Transaction& tx) -> Status {
                        CRM_RETURN_IF_ERROR(tx.customers().SaveStats(business_, *id, stats, kNow));
                        if (row.points < 0) return Status::Ok();
                        domain::LoyaltyAccount account;
                        account.customer_id = *id;
                        account.balance = row.points;
                        account.tier.index = row.tier;
                        account.referral_code = std::string("R") + row.phone;
                        account.updated_at = kNow;
                        return tx.loyalty().CreateAccount(business_, account);
                      }).ok());
    }
    domain::Customer theirs;
    theirs.business_id = other_;
    theirs.name = "김민호";
    theirs.phone_e164 = "+821055554821";
    theirs.created_at = theirs.updated_at = kNow;
    auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(theirs); });
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    theirs_ = *id;
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  BusinessId NewBusiness() {
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug = "l" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
                    std::to_string(std::rand() % 100000);
    business.name = "목록";
    business.created_at = kNow;
    auto created = WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BusinessId();
  }

  CustomerListPage Page(CustomerFilter filter, CustomerSort sort, SortDirection direction, int64_t offset) {
    filter.as_of = kNow;
    auto page = ReadValue<CustomerListPage>(*db_, [&](Transaction& tx) {
      return tx.customers().SortedPage(business_, filter, sort, direction, offset);
    });
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? *page : CustomerListPage{};
  }

  static std::vector<std::string> NamesOf(const CustomerListPage& page) {
    std::vector<std::string> names;
    for (const CustomerListRow& row : page.rows) names.push_back(row.customer.name);
    return names;
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_, other_;
  std::vector<CustomerId> ids_;
  CustomerId theirs_;
};

using Names = std::vector<std::string>;

TEST_P(CustomerListContractTest, SortsByEveryKeyBothWaysWithTheTotal) {
  const CustomerFilter all;
  EXPECT_EQ(NamesOf(Page(all, CustomerSort::kId, SortDirection::kAscending, 0)),
            (Names{"김민수", "김민지", "박서준", "이하늘"}));
  // Never visited counts as the earliest last visit.
  EXPECT_EQ(NamesOf(Page(all, CustomerSort::kLastVisit, SortDirection::kDescending, 0)),
            (Names{"이하늘", "김민수", "김민지", "박서준"}));
  EXPECT_EQ(NamesOf(Page(all, CustomerSort::kLastVisit, SortDirection::kAscending, 0)),
            (Names{"박서준", "김민지", "김민수", "이하늘"}));
  EXPECT_EQ(NamesOf(Page(all, CustomerSort::kVisits, SortDirection::kDescending, 0)),
            (Names{"김민수", "김민지", "이하늘", "박서준"}));
  EXPECT_EQ(NamesOf(Page(all, CustomerSort::kSpend, SortDirection::kAscending, 0)),
            (Names{"박서준", "이하늘", "김민지", "김민수"}));
  EXPECT_EQ(NamesOf(Page(all, CustomerSort::kPoints, SortDirection::kDescending, 0)),
            (Names{"이하늘", "김민수", "김민지", "박서준"}));
  EXPECT_EQ(NamesOf(Page(all, CustomerSort::kTier, SortDirection::kDescending, 0)),
            (Names{"김민수", "김민지", "이하늘", "박서준"}));
  // Stage order: prospect, new, regular, loyal, lapsed (김민수 loyal at 12 visits a year).
  EXPECT_EQ(NamesOf(Page(all, CustomerSort::kStage, SortDirection::kAscending, 0)),
            (Names{"박서준", "이하늘", "김민수", "김민지"}));

  CustomerListPage page = Page(all, CustomerSort::kPoints, SortDirection::kDescending, 0);
  ASSERT_EQ(page.rows.size(), 4u);
  EXPECT_EQ(page.total, 4);
  EXPECT_EQ(page.rows[0].points, 900);
  EXPECT_EQ(page.rows[1].tier_index, 2);
  EXPECT_EQ(page.rows[3].points, 0);
}

TEST_P(CustomerListContractTest, PagesByOffsetAndCountsPastTheEnd) {
  CustomerFilter two;
  two.limit = 2;
  CustomerListPage first = Page(two, CustomerSort::kSpend, SortDirection::kDescending, 0);
  CustomerListPage second = Page(two, CustomerSort::kSpend, SortDirection::kDescending, 2);
  EXPECT_EQ(NamesOf(first), (Names{"김민수", "김민지"}));
  EXPECT_EQ(NamesOf(second), (Names{"이하늘", "박서준"}));
  EXPECT_EQ(first.total, 4);
  EXPECT_EQ(second.total, 4);
  CustomerListPage past = Page(two, CustomerSort::kSpend, SortDirection::kDescending, 10);
  EXPECT_TRUE(past.rows.empty());
  EXPECT_EQ(past.total, 4);
}

TEST_P(CustomerListContractTest, SearchesAsTheCounterLookupWithOtherConditions) {
  auto search = [&](LookupKind kind, std::string value, std::optional<int64_t> visits_min = std::nullopt) {
    CustomerFilter filter;
    filter.search = LookupQuery{kind, std::move(value), 20};
    filter.visits_min = visits_min;
    return Page(filter, CustomerSort::kId, SortDirection::kAscending, 0);
  };
  CustomerListPage last4 = search(LookupKind::kLast4, "4821");
  EXPECT_EQ(NamesOf(last4), (Names{"김민수", "김민지"}));  // not the other business's 김민호
  EXPECT_EQ(last4.total, 2);
  EXPECT_EQ(NamesOf(search(LookupKind::kPhone, "+821033330001")), Names{"박서준"});
  EXPECT_EQ(NamesOf(search(LookupKind::kNamePrefix, domain::NameSearchKey("김민"))), (Names{"김민수", "김민지"}));
  EXPECT_EQ(NamesOf(search(LookupKind::kInitialsPrefix, domain::InitialConsonantKey("ㄱㅁ"))),
            (Names{"김민수", "김민지"}));
  EXPECT_EQ(NamesOf(search(LookupKind::kNamePrefix, domain::NameSearchKey("김민"), 5)), Names{"김민수"});
  EXPECT_EQ(search(LookupKind::kLast4, "9999").total, 0);
  // The cursor list takes the search too (the export and campaign filters use it).
  CustomerFilter filter;
  filter.as_of = kNow;
  filter.search = LookupQuery{LookupKind::kLast4, "4821", 20};
  auto listed = ReadValue<std::vector<domain::Customer>>(*db_, [&](Transaction& tx) {
    return tx.customers().List(business_, filter);
  });
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->size(), 2u);
}

TEST_P(CustomerListContractTest, AddTagSkipsOtherBusinessesAndCountsOnlyNewTags) {
  auto add = [&](std::vector<CustomerId> ids) {
    return WriteValue<int64_t>(*db_, [&](Transaction& tx) { return tx.customers().AddTag(business_, ids, "봄행사"); });
  };
  auto added = add({ids_[0], ids_[1], theirs_});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 2);
  auto again = add({ids_[0], ids_[2]});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 1);
  CustomerFilter tagged;
  tagged.tag = "봄행사";
  CustomerListPage page = Page(tagged, CustomerSort::kId, SortDirection::kAscending, 0);
  EXPECT_EQ(NamesOf(page), (Names{"김민수", "김민지", "박서준"}));
  ASSERT_FALSE(page.rows.empty());
  EXPECT_EQ(page.rows[0].customer.tags, std::vector<std::string>{"봄행사"});
  auto theirs = ReadValue<domain::Customer>(*db_, [&](Transaction& tx) { return tx.customers().Get(other_, theirs_); });
  ASSERT_TRUE(theirs.ok());
  EXPECT_TRUE(theirs->tags.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomerListContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
