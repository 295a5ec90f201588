// The store contract suite: one set of tests run against every back end. SQLite always runs;
// PostgreSQL runs when DANGOL_TEST_POSTGRES_URL names a server (scripts/with-postgres starts one),
// and with DANGOL_REQUIRE_POSTGRES=1 a missing server is a failure, not a skip.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "store/access_log_repository.h"
#include "store/auth_repository.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/enclosing_write.h"
#include "store/loyalty_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/staff_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);

class StoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-store", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    business_ = NewBusiness();
    other_ = NewBusiness();
    branch_ = NewBranch(business_, "강남점");
    other_branch_ = NewBranch(other_, "홍대점");
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Unique per test run, so PostgreSQL runs can share one database.
  BusinessId NewBusiness() {
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug = "t" + std::to_string(kNow.micros() % 100000) + "-" + std::to_string(getpid()) + "-" +
                    std::to_string(counter++) + "-" + std::to_string(std::rand() % 100000);
    business.name = "테스트";
    business.created_at = kNow;
    auto created = WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BusinessId();
  }

  BranchId NewBranch(BusinessId business, const std::string& name) {
    domain::Branch branch{BranchId(), business, name, kNow};
    auto created = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) { return tx.branches().Create(branch); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BranchId();
  }

  domain::Customer Draft(BusinessId business, const std::string& name, const std::string& phone) {
    domain::Customer customer;
    customer.business_id = business;
    customer.name = name;
    customer.family_name = name.substr(0, 3);
    customer.given_name = name.size() > 3 ? name.substr(3) : "";
    customer.phone_e164 = phone;
    customer.created_at = customer.updated_at = kNow;
    return customer;
  }

  Result<CustomerId> Insert(const domain::Customer& customer) {
    return WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(customer); });
  }

  Result<std::vector<domain::Customer>> Lookup(BusinessId business, LookupKind kind, const std::string& value) {
    return ReadValue<std::vector<domain::Customer>>(*db_, [&](Transaction& tx) {
      return tx.customers().Lookup(business, LookupQuery{kind, value, 20});
    });
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_, other_;
  BranchId branch_, other_branch_;
};

TEST_P(StoreContractTest, MigrationsAreApplied) { EXPECT_GE(db_->schema_version(), 1); }

TEST_P(StoreContractTest, DuplicateSlugIsAlreadyExists) {
  auto business = ReadValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Get(business_); });
  ASSERT_TRUE(business.ok());
  domain::Business copy = *business;
  auto again = WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(copy); });
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
}

TEST_P(StoreContractTest, BranchOfAnotherBusinessIsNotFound) {
  auto mine = ReadValue<domain::Branch>(*db_, [&](Transaction& tx) { return tx.branches().Get(business_, branch_); });
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->name, "강남점");
  auto theirs = ReadValue<domain::Branch>(*db_, [&](Transaction& tx) { return tx.branches().Get(business_, other_branch_); });
  EXPECT_EQ(theirs.status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, CustomerRoundTripsWithChildren) {
  domain::Customer customer = Draft(business_, "남궁민", "+821012345678");
  customer.email = "min@example.com";
  customer.birthday = domain::Birthday{Date{1990, 4, 5}, domain::CalendarType::kLunar, true};
  customer.gender = domain::Gender::kMale;
  customer.tags = {"VIP", "단체"};
  customer.anniversaries = {{"결혼기념일", Date{2015, 10, 3}}};
  customer.consents = {{domain::ConsentChannel::kSms, true, kNow, "kiosk"},
                       {domain::ConsentChannel::kNight, false, kNow, "kiosk"}};
  auto id = Insert(customer);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto loaded = ReadValue<domain::Customer>(*db_, [&](Transaction& tx) { return tx.customers().Get(business_, *id); });
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->name, "남궁민");
  EXPECT_EQ(loaded->phone_e164, "+821012345678");
  EXPECT_EQ(loaded->email, "min@example.com");
  ASSERT_TRUE(loaded->birthday.has_value());
  EXPECT_EQ(*loaded->birthday, *customer.birthday);
  EXPECT_EQ(loaded->gender, domain::Gender::kMale);
  EXPECT_EQ(loaded->tags, (std::vector<std::string>{"VIP", "단체"}));
  EXPECT_EQ(loaded->anniversaries, customer.anniversaries);
  EXPECT_EQ(loaded->consents, customer.consents);
  EXPECT_EQ(loaded->created_at, kNow);
}

TEST_P(StoreContractTest, SamePhoneTwiceInOneBusinessIsAlreadyExistsButAnotherBusinessMayHaveIt) {
  ASSERT_TRUE(Insert(Draft(business_, "김철수", "+821011112222")).ok());
  auto again = Insert(Draft(business_, "김영희", "+821011112222"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().field(), "phone");
  EXPECT_TRUE(Insert(Draft(other_, "김철수", "+821011112222")).ok());
  // Customers without a phone do not collide.
  EXPECT_TRUE(Insert(Draft(business_, "이름만", "")).ok());
  EXPECT_TRUE(Insert(Draft(business_, "이름만둘", "")).ok());
}

TEST_P(StoreContractTest, LookupFindsByEveryKeyAndOnlyInTheBusiness) {
  ASSERT_TRUE(Insert(Draft(business_, "김철수", "+821012345678")).ok());
  ASSERT_TRUE(Insert(Draft(business_, "김철민", "+821099995678")).ok());
  ASSERT_TRUE(Insert(Draft(business_, "박영희", "+821055555678")).ok());
  ASSERT_TRUE(Insert(Draft(other_, "김철수", "+821033335678")).ok());

  auto last4 = Lookup(business_, LookupKind::kLast4, "5678");
  ASSERT_TRUE(last4.ok());
  EXPECT_EQ(last4->size(), 3u);
  for (const auto& customer : *last4) EXPECT_EQ(customer.business_id, business_);

  auto phone = Lookup(business_, LookupKind::kPhone, "+821012345678");
  ASSERT_TRUE(phone.ok());
  ASSERT_EQ(phone->size(), 1u);
  EXPECT_EQ(phone->at(0).name, "김철수");

  auto name = Lookup(business_, LookupKind::kNamePrefix, "김철");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->size(), 2u);

  auto initials = Lookup(business_, LookupKind::kInitialsPrefix, "ㄱㅊㅅ");
  ASSERT_TRUE(initials.ok());
  ASSERT_EQ(initials->size(), 1u);
  EXPECT_EQ(initials->at(0).name, "김철수");

  auto none = Lookup(business_, LookupKind::kLast4, "0000");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContractTest, ListPagesCarryTagsAndFilterByTag) {
  domain::Customer tagged = Draft(business_, "태그있음", "+821066660001");
  tagged.tags = {"VIP", "단골"};
  ASSERT_TRUE(Insert(tagged).ok());
  ASSERT_TRUE(Insert(Draft(business_, "태그없음", "+821066660002")).ok());
  domain::Customer theirs = Draft(other_, "남의VIP", "+821066660003");
  theirs.tags = {"VIP"};
  ASSERT_TRUE(Insert(theirs).ok());
  auto all = ReadValue<std::vector<domain::Customer>>(*db_, [&](Transaction& tx) {
    return tx.customers().List(business_, CustomerFilter{});
  });
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(0).tags, (std::vector<std::string>{"VIP", "단골"}));
  EXPECT_TRUE(all->at(1).tags.empty());
  CustomerFilter by_tag;
  by_tag.tag = "VIP";
  auto vip = ReadValue<std::vector<domain::Customer>>(*db_, [&](Transaction& tx) {
    return tx.customers().List(business_, by_tag);
  });
  ASSERT_TRUE(vip.ok());
  ASSERT_EQ(vip->size(), 1u);
  EXPECT_EQ(vip->at(0).name, "태그있음");
}

TEST_P(StoreContractTest, ListFiltersEveryConditionInSqlAndKeepsTheCursor) {
  constexpr int64_t kDay = 86400;
  // (name, phone, visits, spend, days since the last visit or -1 for none, tier index or -1 for no account)
  struct Case {
    const char* name;
    const char* phone;
    int64_t visits;
    int64_t spend;
    int64_t days_ago;
    int tier;
  };
  const Case rows[] = {{"단골손님", "+821077770001", 12, 500000, 10, 2},
                      {"뜸한손님", "+821077770002", 3, 30000, 200, 1},
                      {"예비손님", "+821077770003", 0, 0, -1, -1},
                      {"새손님", "+821077770004", 1, 8000, 1, 0}};
  std::vector<CustomerId> ids;
  for (const Case& row : rows) {
    domain::Customer customer = Draft(business_, row.name, row.phone);
    if (ids.empty()) {
      customer.tags = {"VIP"};
      customer.consents = {{domain::ConsentChannel::kSms, true, kNow, "kiosk"}};
    } else if (ids.size() == 1) {
      customer.consents = {{domain::ConsentChannel::kSms, false, kNow, "kiosk"},
                           {domain::ConsentChannel::kEmail, true, kNow, "kiosk"}};
    }
    auto id = Insert(customer);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
    domain::VisitStats stats;
    stats.visit_count = stats.visits_last_year = row.visits;
    stats.total_spend = Money(row.spend);
    if (row.days_ago >= 0) stats.first_visit_at = stats.last_visit_at = kNow.PlusSeconds(-row.days_ago * kDay);
    ASSERT_TRUE(db_->Write([&](Transaction& tx) -> Status {
                      CRM_RETURN_IF_ERROR(tx.customers().SaveStats(business_, *id, stats, kNow));
                      if (row.tier < 0) return Status::Ok();
                      domain::LoyaltyAccount account;
                      account.customer_id = *id;
                      account.tier.index = row.tier;
                      account.referral_code = std::string("REF") + row.phone + "X";
                      account.updated_at = kNow;
                      return tx.loyalty().CreateAccount(business_, account);
                    }).ok());
  }
  domain::Customer theirs = Draft(other_, "남의단골", "+821077770001");
  theirs.tags = {"VIP"};
  theirs.consents = {{domain::ConsentChannel::kSms, true, kNow, "kiosk"}};
  ASSERT_TRUE(Insert(theirs).ok());

  // The names the filter that `set` makes holds.
  auto names = [&](const std::function<void(CustomerFilter&)>& set) {
    CustomerFilter filter;
    filter.as_of = kNow;
    set(filter);
    auto page = ReadValue<std::vector<domain::Customer>>(*db_, [&](Transaction& tx) {
      return tx.customers().List(business_, filter);
    });
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> result;
    if (page.ok()) {
      for (const domain::Customer& customer : *page) result.push_back(customer.name);
    }
    return result;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names([](CustomerFilter&) {}), (Names{"단골손님", "뜸한손님", "예비손님", "새손님"}));
  EXPECT_EQ(names([](CustomerFilter& f) { f.tag = "VIP"; }), Names{"단골손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.consent = domain::ConsentChannel::kSms; }), Names{"단골손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.consent = domain::ConsentChannel::kEmail; }), Names{"뜸한손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.consent = domain::ConsentChannel::kKakao; }), Names{});
  EXPECT_EQ(names([](CustomerFilter& f) { f.tier_min = 0; f.tier_max = 0; }), (Names{"예비손님", "새손님"}));
  EXPECT_EQ(names([](CustomerFilter& f) { f.tier_min = 1; f.tier_max = 1; }), Names{"뜸한손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.tier_min = 1; }), (Names{"단골손님", "뜸한손님"}));
  EXPECT_EQ(names([](CustomerFilter& f) { f.stage = domain::LifecycleStage::kLoyal; }), Names{"단골손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.stage = domain::LifecycleStage::kLapsed; }), Names{"뜸한손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.stage = domain::LifecycleStage::kProspect; }), Names{"예비손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.stage = domain::LifecycleStage::kNew; }), Names{"새손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.stage = domain::LifecycleStage::kRegular; }), Names{});
  EXPECT_EQ(names([](CustomerFilter& f) { f.visits_min = 1; f.visits_max = 3; }), (Names{"뜸한손님", "새손님"}));
  EXPECT_EQ(names([](CustomerFilter& f) { f.spend_min = 8000; f.spend_max = 30000; }), (Names{"뜸한손님", "새손님"}));
  EXPECT_EQ(names([](CustomerFilter& f) { f.spend_min = 30001; }), Names{"단골손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.last_visit_before = kNow.PlusSeconds(-5 * kDay); }), (Names{"단골손님", "뜸한손님"}));
  EXPECT_EQ(names([](CustomerFilter& f) { f.last_visit_after = kNow.PlusSeconds(-5 * kDay); }), Names{"새손님"});
  EXPECT_EQ(names([](CustomerFilter& f) { f.tag = "VIP"; f.stage = domain::LifecycleStage::kLapsed; }), Names{});
  // The cursor and the limit still apply under a filter.
  EXPECT_EQ(names([&](CustomerFilter& f) { f.visits_min = 1; f.after = ids[0]; f.limit = 1; }), Names{"뜸한손님"});
  EXPECT_EQ(names([&](CustomerFilter& f) { f.visits_min = 1; f.after = ids[1]; }), Names{"새손님"});
}

TEST_P(StoreContractTest, FailedWorkKeepsNothing) {
  Status status = db_->Write([&](Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(tx.customers().Insert(Draft(business_, "롤백", "+821077778888")).status());
    return InvalidArgument("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  auto found = Lookup(business_, LookupKind::kPhone, "+821077778888");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
}

TEST_P(StoreContractTest, CrossBusinessReferencesAreRejected) {
  auto theirs = Insert(Draft(other_, "타사고객", "+821044443333"));
  ASSERT_TRUE(theirs.ok());
  domain::Customer customer = Draft(business_, "추천받음", "+821044443334");
  customer.referrer_id = *theirs;
  EXPECT_FALSE(Insert(customer).ok());

  domain::Order order;
  order.business_id = business_;
  order.branch_id = other_branch_;
  order.ordered_at = order.created_at = kNow;
  order.total = Money(1000);
  auto inserted = WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
  EXPECT_EQ(inserted.status().code(), StatusCode::kNotFound);

  auto stolen = ReadValue<domain::Customer>(*db_, [&](Transaction& tx) { return tx.customers().Get(business_, *theirs); });
  EXPECT_EQ(stolen.status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, PreferencesListAlertsFirst) {
  auto id = Insert(Draft(business_, "최지우", "+821012121212"));
  ASSERT_TRUE(id.ok());
  const std::vector<std::pair<domain::PreferenceKind, std::string>> given = {
      {domain::PreferenceKind::kLike, "창가 자리"},
      {domain::PreferenceKind::kAllergy, "땅콩"},
      {domain::PreferenceKind::kDislike, "오이"},
      {domain::PreferenceKind::kNever, "참기름"}};
  for (const auto& [kind, subject] : given) {
    domain::Preference preference;
    preference.kind = kind;
    preference.subject = subject;
    preference.created_at = kNow;
    ASSERT_TRUE(WriteValue<PreferenceId>(*db_, [&](Transaction& tx) {
                  return tx.customers().AddPreference(business_, *id, preference);
                }).ok());
  }
  auto loaded = ReadValue<domain::Customer>(*db_, [&](Transaction& tx) { return tx.customers().Get(business_, *id); });
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->preferences.size(), 4u);
  EXPECT_EQ(loaded->preferences[0].subject, "땅콩");
  EXPECT_EQ(loaded->preferences[1].subject, "참기름");
  EXPECT_FALSE(loaded->preferences[2].IsAlert());

  auto alerts = ReadValue<std::vector<std::pair<CustomerId, domain::Preference>>>(
      *db_, [&](Transaction& tx) { return tx.customers().Alerts(business_, {*id}); });
  ASSERT_TRUE(alerts.ok());
  EXPECT_EQ(alerts->size(), 2u);

  const PreferenceId first = loaded->preferences[0].id;
  EXPECT_EQ(db_->Write([&](Transaction& tx) { return tx.customers().DeletePreference(other_, *id, first); }).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(db_->Write([&](Transaction& tx) { return tx.customers().DeletePreference(business_, *id, first); }).ok());
}

TEST_P(StoreContractTest, OrderRangesPageWithTheirLinesByTimeAndBranch) {
  const BranchId second = NewBranch(business_, "역삼점");
  // Five orders an hour apart, alternating branches; the third has no lines.
  std::vector<OrderId> ids;
  for (int i = 0; i < 5; ++i) {
    domain::Order order;
    order.business_id = business_;
    order.branch_id = i % 2 == 0 ? branch_ : second;
    order.ordered_at = order.created_at = kNow.PlusSeconds(3600 * i);
    if (i != 2) order.lines = {{"라떼" + std::to_string(i), "커피", 1, Money(5000)}, {"쿠키", "디저트", 2, Money(1000)}};
    order.total = Money(7000);
    order.external_source = "pos";
    order.external_id = "R-" + std::to_string(i);
    auto id = WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  domain::Order theirs;
  theirs.business_id = other_;
  theirs.branch_id = other_branch_;
  theirs.ordered_at = theirs.created_at = kNow;
  theirs.total = Money(100);
  ASSERT_TRUE(WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(theirs); }).ok());

  auto range = [&](const std::function<void(OrderRange&)>& set) {
    OrderRange query;
    set(query);
    auto orders = ReadValue<std::vector<domain::Order>>(*db_, [&](Transaction& tx) {
      return tx.orders().ListRange(business_, query);
    });
    EXPECT_TRUE(orders.ok()) << orders.status().ToString();
    std::vector<std::string> result;
    for (const domain::Order& order : orders.ok() ? *orders : std::vector<domain::Order>()) {
      result.push_back(order.external_id + ":" + std::to_string(order.lines.size()));
    }
    return result;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(range([](OrderRange&) {}), (Names{"R-0:2", "R-1:2", "R-2:0", "R-3:2", "R-4:2"}));
  EXPECT_EQ(range([](OrderRange& r) {
              r.from = kNow.PlusSeconds(3600);
              r.to = kNow.PlusSeconds(3 * 3600);
            }),
            (Names{"R-1:2", "R-2:0"}));
  EXPECT_EQ(range([&](OrderRange& r) { r.branch = second; }), (Names{"R-1:2", "R-3:2"}));
  EXPECT_EQ(range([&](OrderRange& r) {
              r.branch = branch_;
              r.after = ids[0];
              r.limit = 1;
            }),
            Names{"R-2:0"});
  // The lines of a page are those of its own orders, whichever orders lie between.
  auto lines = ReadValue<std::vector<domain::Order>>(*db_, [&](Transaction& tx) {
    OrderRange mine;
    mine.branch = branch_;
    return tx.orders().ListRange(business_, mine);
  });
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 3u);
  EXPECT_EQ(lines->at(2).lines.front().product, "라떼4");

  auto exists = [&](BusinessId business, const std::string& id) {
    return *ReadValue<bool>(*db_, [&](Transaction& tx) { return tx.orders().ExistsByExternalId(business, "pos", id); });
  };
  EXPECT_TRUE(exists(business_, "R-3"));
  EXPECT_FALSE(exists(business_, "R-9"));
  EXPECT_FALSE(exists(other_, "R-3"));
}

TEST_P(StoreContractTest, OrdersKeepLinesAndExternalIdsAreUnique) {
  auto customer = Insert(Draft(business_, "정우성", "+821013572468"));
  ASSERT_TRUE(customer.ok());
  domain::Order order;
  order.business_id = business_;
  order.branch_id = branch_;
  order.customer_id = *customer;
  order.ordered_at = order.created_at = kNow;
  order.lines = {{"아메리카노", "커피", 2, Money(4500)}, {"치즈케이크", "디저트", 1, Money(6500)}};
  order.total = Money(15500);
  order.external_source = "pos-1";
  order.external_id = "A-1001";
  auto id = WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto again = WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);

  auto loaded = ReadValue<domain::Order>(*db_, [&](Transaction& tx) { return tx.orders().Get(business_, *id); });
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->lines, order.lines);
  EXPECT_EQ(loaded->total, Money(15500));
  auto found = ReadValue<std::optional<domain::Order>>(
      *db_, [&](Transaction& tx) { return tx.orders().FindByExternalId(business_, "pos-1", "A-1001"); });
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, *id);
  auto elsewhere = ReadValue<std::optional<domain::Order>>(
      *db_, [&](Transaction& tx) { return tx.orders().FindByExternalId(other_, "pos-1", "A-1001"); });
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->has_value());

  domain::Order refund = order;
  refund.kind = domain::OrderKind::kRefund;
  refund.original_order_id = *id;
  refund.total = Money(-4500);
  refund.lines.clear();
  refund.external_id.clear();
  ASSERT_TRUE(WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(refund); }).ok());
  auto refunded = ReadValue<Money>(*db_, [&](Transaction& tx) { return tx.orders().RefundedTotal(business_, *id); });
  ASSERT_TRUE(refunded.ok());
  EXPECT_EQ(*refunded, Money(4500));
  auto sales = ReadValue<int64_t>(*db_, [&](Transaction& tx) {
    return tx.orders().CountSales(business_, *customer, kNow.PlusSeconds(-10), kNow.PlusSeconds(10));
  });
  ASSERT_TRUE(sales.ok());
  EXPECT_EQ(*sales, 1);
}

TEST_P(StoreContractTest, NotesArePinnedFirstAndScopedToTheBusiness) {
  auto customer = Insert(Draft(business_, "한가인", "+821024681357"));
  ASSERT_TRUE(customer.ok());
  std::vector<NoteId> ids;
  for (int i = 0; i < 3; ++i) {
    domain::Note note;
    note.customer_id = *customer;
    note.branch_id = branch_;
    note.text = "메모 " + std::to_string(i);
    note.created_at = kNow.PlusSeconds(i);
    auto added = WriteValue<domain::Note>(*db_, [&](Transaction& tx) { return tx.notes().Add(business_, note); });
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    ids.push_back(added->id);
  }
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.notes().SetPinned(business_, *customer, ids[0], true); }).ok());
  EXPECT_EQ(db_->Write([&](Transaction& tx) { return tx.notes().SetPinned(other_, *customer, ids[1], true); }).code(),
            StatusCode::kNotFound);
  auto notes = ReadValue<std::vector<domain::Note>>(*db_, [&](Transaction& tx) { return tx.notes().List(business_, *customer); });
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 3u);
  EXPECT_EQ(notes->at(0).text, "메모 0");
  EXPECT_TRUE(notes->at(0).pinned);
  EXPECT_EQ(notes->at(1).text, "메모 2");
}

TEST_P(StoreContractTest, SessionsTokensAndAccessLog) {
  domain::Staff staff;
  staff.business_id = business_;
  staff.email = "owner@example.com";
  staff.display_name = "사장님";
  staff.role = domain::Role::kOwner;
  staff.password_hash = "hash";
  staff.branch_ids = {branch_};
  staff.created_at = kNow;
  auto created = WriteValue<domain::Staff>(*db_, [&](Transaction& tx) { return tx.staff().Create(staff); });
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto found = ReadValue<std::vector<domain::Staff>>(*db_, [&](Transaction& tx) { return tx.staff().FindByEmail("owner@example.com"); });
  ASSERT_TRUE(found.ok());
  ASSERT_GE(found->size(), 1u);
  EXPECT_EQ(found->back().branch_ids, std::vector<BranchId>{branch_});

  domain::Session session;
  session.business_id = business_;
  session.staff_id = created->id;
  session.token_hash = "session-hash-" + std::to_string(created->id.value());
  session.csrf_token = "csrf";
  session.created_at = kNow;
  session.expires_at = kNow.PlusSeconds(3600);
  ASSERT_TRUE(WriteValue<domain::Session>(*db_, [&](Transaction& tx) { return tx.auth().CreateSession(session); }).ok());
  auto loaded = ReadValue<domain::Session>(*db_, [&](Transaction& tx) { return tx.auth().FindSession(session.token_hash); });
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->csrf_token, "csrf");
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.auth().DeleteSession(session.token_hash); }).ok());
  EXPECT_EQ(ReadValue<domain::Session>(*db_, [&](Transaction& tx) { return tx.auth().FindSession(session.token_hash); })
                .status()
                .code(),
            StatusCode::kNotFound);

  domain::ApiToken token;
  token.business_id = business_;
  token.name = "pos";
  token.role = domain::Role::kStaff;
  token.token_hash = "token-hash-" + std::to_string(created->id.value());
  token.created_at = kNow;
  auto stored = WriteValue<domain::ApiToken>(*db_, [&](Transaction& tx) { return tx.auth().CreateToken(token); });
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(db_->Write([&](Transaction& tx) { return tx.auth().RevokeToken(other_, stored->id, kNow); }).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.auth().RevokeToken(business_, stored->id, kNow); }).ok());
  auto revoked = ReadValue<domain::ApiToken>(*db_, [&](Transaction& tx) { return tx.auth().FindToken(token.token_hash); });
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(revoked->revoked_at.has_value());

  // A staff member's sessions end together; the tokens they created are revoked together.
  for (const char* suffix : {"-a", "-b"}) {
    domain::Session live = session;
    live.token_hash = session.token_hash + suffix;
    ASSERT_TRUE(WriteValue<domain::Session>(*db_, [&](Transaction& tx) { return tx.auth().CreateSession(live); }).ok());
  }
  auto ended = WriteValue<std::vector<std::string>>(
      *db_, [&](Transaction& tx) { return tx.auth().DeleteSessionsOfStaff(business_, created->id); });
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->size(), 2u);
  EXPECT_EQ(ReadValue<domain::Session>(*db_, [&](Transaction& tx) { return tx.auth().FindSession(session.token_hash + "-a"); })
                .status()
                .code(),
            StatusCode::kNotFound);
  domain::ApiToken own = token;
  own.token_hash = token.token_hash + "-own";
  own.created_by = created->id;
  auto own_stored = WriteValue<domain::ApiToken>(*db_, [&](Transaction& tx) { return tx.auth().CreateToken(own); });
  ASSERT_TRUE(own_stored.ok());
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.auth().TouchToken(own_stored->id, kNow.PlusSeconds(60)); }).ok());
  auto listed = ReadValue<std::vector<domain::ApiToken>>(*db_, [&](Transaction& tx) { return tx.auth().ListTokens(business_); });
  ASSERT_TRUE(listed.ok());
  ASSERT_FALSE(listed->empty());
  EXPECT_EQ(listed->back().created_by, created->id);
  EXPECT_EQ(listed->back().last_used_at, kNow.PlusSeconds(60));
  auto revoked_of_staff = WriteValue<std::vector<std::string>>(
      *db_, [&](Transaction& tx) { return tx.auth().RevokeTokensOfStaff(business_, created->id, kNow); });
  ASSERT_TRUE(revoked_of_staff.ok());
  EXPECT_EQ(*revoked_of_staff, std::vector<std::string>{own.token_hash});
  auto own_revoked = ReadValue<domain::ApiToken>(*db_, [&](Transaction& tx) { return tx.auth().FindToken(own.token_hash); });
  ASSERT_TRUE(own_revoked.ok());
  EXPECT_TRUE(own_revoked->revoked_at.has_value());

  domain::AccessLogEntry entry;
  entry.business_id = business_;
  entry.at = kNow;
  entry.staff_id = created->id;
  entry.action = domain::AccessAction::kViewProfile;
  entry.ip = "127.0.0.1";
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.access_log().Append(entry); }).ok());
  auto mine = ReadValue<std::vector<domain::AccessLogEntry>>(
      *db_, [&](Transaction& tx) { return tx.access_log().List(business_, std::nullopt, std::nullopt, 10); });
  auto theirs = ReadValue<std::vector<domain::AccessLogEntry>>(
      *db_, [&](Transaction& tx) { return tx.access_log().List(other_, std::nullopt, std::nullopt, 10); });
  ASSERT_TRUE(mine.ok() && theirs.ok());
  EXPECT_EQ(mine->size(), 1u);
  EXPECT_TRUE(theirs->empty());
}

// Many threads writing at once: every acknowledged write is there, failed ones left nothing, and
// one failing write in a commit group does not take its neighbours down.
TEST_P(StoreContractTest, ConcurrentWritesAreAllKeptAndFailuresAreIsolated) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> acknowledged{0};
  std::atomic<int> rejected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every fifth write reuses a phone and must fail alone.
        const int number = (i % 5 == 4) ? (t * 1000 + i - 1) : (t * 1000 + i);
        auto id = Insert(Draft(business_, "동시", "+82107" + std::to_string(1000000 + number)));
        (id.ok() ? acknowledged : rejected)++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread * 4 / 5);
  EXPECT_EQ(rejected.load(), kThreads * kPerThread / 5);
  auto count = ReadValue<int64_t>(*db_, [&](Transaction& tx) { return tx.customers().Count(business_); });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, acknowledged.load());
}

TEST_P(StoreContractTest, ProgramRoundTripsWithTiersEventsAndGacha) {
  domain::Program program = *domain::ProgramPreset("starbucks");
  program.events = {{.name = "더블", .first_day = {2026, 5, 1}, .last_day = {2026, 5, 3}, .branch_id = branch_}};
  program.gacha = {{"꽝", 9, 0}, {"100P", 1, 100}};
  program.earn_excluded = {"담배"};
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.loyalty().SaveProgram(business_, program, kNow); }).ok());
  auto loaded = ReadValue<std::optional<domain::Program>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().GetProgram(business_);
  });
  ASSERT_TRUE(loaded.ok() && *loaded) << loaded.status().ToString();
  EXPECT_EQ(**loaded, program);
  auto none = ReadValue<std::optional<domain::Program>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().GetProgram(other_);
  });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
}

TEST_P(StoreContractTest, LedgerSumsPagesAndReportsAccountsThatDisagree) {
  auto customer = Insert(Draft(business_, "원장", "+821077770001"));
  ASSERT_TRUE(customer.ok());
  domain::LoyaltyAccount account;
  account.customer_id = *customer;
  account.referral_code = "CODE" + std::to_string(customer->value());
  account.updated_at = kNow;
  Status written = db_->Write([&](Transaction& tx) -> Status {
    CRM_RETURN_IF_ERROR(tx.loyalty().CreateAccount(business_, account));
    for (int64_t amount : {100, -30, 50}) {
      domain::LedgerEntry entry;
      entry.business_id = business_;
      entry.customer_id = *customer;
      entry.kind = amount > 0 ? domain::LedgerKind::kEarn : domain::LedgerKind::kRedeem;
      entry.amount = amount;
      entry.branch_id = branch_;
      entry.created_at = kNow;
      CRM_RETURN_IF_ERROR(tx.loyalty().Append(entry).status());
    }
    account.balance = 120;
    return tx.loyalty().SaveAccount(business_, account);
  });
  ASSERT_TRUE(written.ok()) << written.ToString();
  auto sum = ReadValue<int64_t>(*db_, [&](Transaction& tx) { return tx.loyalty().LedgerSum(business_, *customer); });
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, 120);
  auto page = ReadValue<std::vector<domain::LedgerEntry>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().Page(business_, *customer, std::nullopt, 2);
  });
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].amount, 50);
  EXPECT_EQ((*page)[1].amount, -30);
  auto found = ReadValue<std::optional<CustomerId>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().FindByReferralCode(business_, account.referral_code);
  });
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ(**found, *customer);
  auto agree = ReadValue<std::vector<BalanceMismatch>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().Mismatches(business_);
  });
  ASSERT_TRUE(agree.ok());
  EXPECT_TRUE(agree->empty());
  account.balance = 999;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.loyalty().SaveAccount(business_, account); }).ok());
  // Every business at once (the database may hold other tests' businesses): this one is listed.
  auto differ = ReadValue<std::vector<BalanceMismatch>>(*db_, [&](Transaction& tx) {
    return tx.loyalty().Mismatches(std::nullopt);
  });
  ASSERT_TRUE(differ.ok());
  std::vector<BalanceMismatch> ours;
  for (const BalanceMismatch& mismatch : *differ) {
    if (mismatch.business_id == business_) ours.push_back(mismatch);
  }
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(ours[0].stored, 999);
  EXPECT_EQ(ours[0].ledger, 120);
  // An entry may not name a customer of another business.
  domain::LedgerEntry stray;
  stray.business_id = other_;
  stray.customer_id = *customer;
  stray.amount = 1;
  stray.created_at = kNow;
  EXPECT_FALSE(db_->Write([&](Transaction& tx) { return tx.loyalty().Append(stray).status(); }).ok());
}

TEST_P(StoreContractTest, AnAwardExpiresOnlyOnce) {
  auto customer = Insert(Draft(business_, "만료", "+821077770002"));
  ASSERT_TRUE(customer.ok());
  domain::LedgerEntry award;
  award.business_id = business_;
  award.customer_id = *customer;
  award.amount = 100;
  award.expires_at = kNow.PlusSeconds(10);
  award.created_at = kNow;
  auto award_id = WriteValue<LedgerEntryId>(*db_, [&](Transaction& tx) { return tx.loyalty().Append(award); });
  ASSERT_TRUE(award_id.ok());
  auto due = [&](Timestamp at) {
    return ReadValue<std::vector<CustomerId>>(*db_, [&](Transaction& tx) {
      return tx.loyalty().CustomersWithDueAwards(business_, at, 10, std::nullopt);
    });
  };
  ASSERT_TRUE(due(kNow).ok());
  EXPECT_TRUE(due(kNow)->empty());
  ASSERT_EQ(due(kNow.PlusSeconds(10))->size(), 1u);
  domain::LedgerEntry expiry = award;
  expiry.kind = domain::LedgerKind::kExpire;
  expiry.amount = -100;
  expiry.expires_at.reset();
  expiry.related_id = *award_id;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.loyalty().Append(expiry).status(); }).ok());
  EXPECT_TRUE(due(kNow.PlusSeconds(10))->empty());
  auto twice = db_->Write([&](Transaction& tx) { return tx.loyalty().Append(expiry).status(); });
  EXPECT_EQ(twice.code(), StatusCode::kAlreadyExists);
}

TEST_P(StoreContractTest, AnIdempotencyKeyIsClaimedOncePerBusiness) {
  auto claim = [&](BusinessId business) {
    return db_->Write([&](Transaction& tx) { return tx.idempotency().Claim(business, "key-1", "hash", "token:1", kNow); });
  };
  ASSERT_TRUE(claim(business_).ok());
  EXPECT_EQ(claim(business_).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(claim(other_).ok());
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                return tx.idempotency().Complete(business_, "key-1", "hash", "token:1", 201, "{}", kNow);
              }).ok());
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                return tx.idempotency().Complete(business_, "key-2", "other", "staff:2", 200, "[]", kNow);
              }).ok());
  auto first = ReadValue<std::optional<IdempotencyRecord>>(*db_, [&](Transaction& tx) {
    return tx.idempotency().Find(business_, "key-1");
  });
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ((*first)->status, 201);
  EXPECT_EQ((*first)->request_hash, "hash");
  EXPECT_EQ((*first)->owner, "token:1");
  auto second = ReadValue<std::optional<IdempotencyRecord>>(*db_, [&](Transaction& tx) {
    return tx.idempotency().Find(business_, "key-2");
  });
  ASSERT_TRUE(second.ok() && *second);
  EXPECT_EQ((*second)->response, "[]");
  EXPECT_EQ((*second)->owner, "staff:2");
}

// A keyed request runs whole inside one write (app::IdempotencyService::RunOnce): the writes and
// reads it makes through the Database join that transaction, each in a savepoint.
TEST_P(StoreContractTest, WritesInsideAnEnclosingWriteCommitWithItAndAFailingOneIsUndoneAlone) {
  auto claim = [&](const std::string& key) {
    return db_->Write([&](Transaction& tx) { return tx.idempotency().Claim(business_, key, "h", "token:1", kNow); });
  };
  auto find = [&](const std::string& key) {
    auto found = ReadValue<std::optional<IdempotencyRecord>>(
        *db_, [&](Transaction& tx) { return tx.idempotency().Find(business_, key); });
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && found->has_value();
  };
  std::vector<std::function<void()>> after_commit;
  int notified = 0;
  Status status = db_->Write([&](Transaction& tx) -> Status {
    after_commit.clear();
    EnclosingWrite enclosing(*db_, tx, after_commit);
    EXPECT_TRUE(claim("enclosed-a").ok());
    Status failed = db_->Write([&](Transaction& inner) -> Status {
      CRM_RETURN_IF_ERROR(inner.idempotency().Claim(business_, "enclosed-b", "h", "token:1", kNow));
      return FailedPrecondition("refused after a write");
    });
    EXPECT_EQ(failed.code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(claim("enclosed-a").code(), StatusCode::kAlreadyExists);  // a failed statement, then on
    EXPECT_TRUE(find("enclosed-a"));  // reads see the enclosing transaction's writes
    EXPECT_FALSE(find("enclosed-b"));
    AfterCommit(*db_, [&] { ++notified; });
    EXPECT_EQ(notified, 0);
    return tx.idempotency().Claim(business_, "enclosed-c", "h", "token:1", kNow);
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  for (auto& action : after_commit) action();
  EXPECT_EQ(notified, 1);
  EXPECT_TRUE(find("enclosed-a"));
  EXPECT_FALSE(find("enclosed-b"));
  EXPECT_TRUE(find("enclosed-c"));

  Status rolled_back = db_->Write([&](Transaction& tx) -> Status {
    EnclosingWrite enclosing(*db_, tx, after_commit);
    EXPECT_TRUE(claim("enclosed-d").ok());
    return FailedPrecondition("the enclosing work failed");
  });
  EXPECT_EQ(rolled_back.code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(find("enclosed-d"));
  AfterCommit(*db_, [&] { ++notified; });  // outside an enclosing write: at once
  EXPECT_EQ(notified, 2);
}

TEST_P(StoreContractTest, ACouponIsUsedOnceAndItsCodeIsUniqueInTheBusiness) {
  auto customer = Insert(Draft(business_, "쿠폰", "+821077770003"));
  ASSERT_TRUE(customer.ok());
  domain::Coupon coupon;
  coupon.business_id = business_;
  coupon.customer_id = *customer;
  coupon.code = "ABCDEFGHJKMN";
  coupon.name = "무료 음료";
  coupon.value = 5000;
  coupon.issued_at = kNow;
  coupon.expires_at = kNow.PlusSeconds(86400);
  auto issued = WriteValue<domain::Coupon>(*db_, [&](Transaction& tx) { return tx.coupons().Insert(coupon); });
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  auto duplicate = WriteValue<domain::Coupon>(*db_, [&](Transaction& tx) { return tx.coupons().Insert(coupon); });
  EXPECT_EQ(duplicate.status().code(), StatusCode::kAlreadyExists);
  auto use = [&] {
    return db_->Write([&](Transaction& tx) {
      return tx.coupons().MarkRedeemed(business_, issued->id, kNow, branch_, std::nullopt);
    });
  };
  ASSERT_TRUE(use().ok());
  EXPECT_EQ(use().code(), StatusCode::kFailedPrecondition);
  auto loaded = ReadValue<std::optional<domain::Coupon>>(*db_, [&](Transaction& tx) {
    return tx.coupons().FindByCode(business_, "ABCDEFGHJKMN");
  });
  ASSERT_TRUE(loaded.ok() && *loaded);
  EXPECT_EQ((*loaded)->status, domain::CouponStatus::kRedeemed);
  EXPECT_EQ((*loaded)->redeemed_branch_id, branch_);
  auto elsewhere = ReadValue<std::optional<domain::Coupon>>(*db_, [&](Transaction& tx) {
    return tx.coupons().FindByCode(other_, "ABCDEFGHJKMN");
  });
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(*elsewhere);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
