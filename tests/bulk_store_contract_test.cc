// Bulk loading (store/bulk_loader.h), the one-statement pick list with alerts and ReadLatest, on
// every back end (SQLite always; PostgreSQL when DANGOL_TEST_POSTGRES_URL names a server): what the
// bulk path stores reads back through the repositories exactly as their own inserts would.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "store/bulk_loader.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/customer_row_repository.h"
#include "store/database.h"
#include "store/loyalty_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/read_latest.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);

class BulkStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-bulk-store", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug = "bulk" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
                    std::to_string(std::rand() % 100000);
    business.name = "테스트";
    business.created_at = kNow;
    auto created = WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    business_ = created->id;
    auto branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
      return tx.branches().Create(domain::Branch{BranchId(), business_, "본점", kNow});
    });
    ASSERT_TRUE(branch.ok());
    branch_ = branch->id;
  }
  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  domain::Customer Draft(const std::string& name, const std::string& phone) {
    domain::Customer customer;
    customer.business_id = business_;
    customer.name = name;
    customer.family_name = name.substr(0, 3);
    customer.given_name = name.substr(3);
    customer.phone_e164 = phone;
    customer.created_at = customer.updated_at = kNow;
    return customer;
  }

  std::unique_ptr<Database> db_;
  std::string dir_;
  BusinessId business_;
  BranchId branch_;
};

TEST_P(BulkStoreContractTest, BulkRowsReadBackAsTheRepositoriesStoreThem) {
  domain::Customer customer = Draft("김단골", "+821012345678");
  customer.email = "dangol@example.com";
  customer.birthday = domain::Birthday{Date{1990, 5, 17}, domain::CalendarType::kLunar, true};
  customer.tags = {"VIP", "단체\t손님"};  // a tab: COPY must escape it
  customer.anniversaries = {{"결혼기념일", Date{2015, 10, 3}}};
  customer.consents = {{domain::ConsentChannel::kSms, true, kNow, "counter"},
                       {domain::ConsentChannel::kKakao, false, kNow, "counter"}};
  customer.stats.visit_count = 1;
  customer.stats.visits_last_year = 1;
  customer.stats.total_spend = Money(9000);
  customer.stats.first_visit_at = customer.stats.last_visit_at = kNow;
  customer.updated_at = kNow.PlusSeconds(60);
  domain::Preference allergy{PreferenceId(), domain::PreferenceKind::kAllergy, "땅콩\\견과", kNow, StaffId()};
  domain::Order sale;
  sale.business_id = business_;
  sale.branch_id = branch_;
  sale.ordered_at = sale.created_at = kNow;
  sale.total = Money(9000);
  sale.lines = {{"아메리카노", "커피", 2, Money(4500)}};
  domain::Order refund = sale;
  refund.kind = domain::OrderKind::kRefund;
  refund.total = Money(-4500);
  refund.lines.clear();

  Status written = db_->Write([&](Transaction& tx) -> Status {
    BulkLoader bulk(tx.connection());
    CRM_ASSIGN_OR_RETURN(auto customer_ids, bulk.ReserveCustomerIds(1));
    CRM_ASSIGN_OR_RETURN(auto order_ids, bulk.ReserveOrderIds(2));
    CRM_ASSIGN_OR_RETURN(auto entry_ids, bulk.ReserveLedgerEntryIds(2));
    EXPECT_LT(order_ids[0].value(), order_ids[1].value());
    CRM_ASSIGN_OR_RETURN(int64_t change_seq, bulk.TakeOrderChangeSeq(business_));
    customer.id = customer_ids[0];
    bulk.AddCustomer(customer);
    bulk.AddPreference(business_, customer.id, allergy);
    bulk.AddNote(business_, domain::Note{NoteId(), customer.id, StaffId(), branch_, "창가 자리\n선호", false, kNow});
    sale.id = order_ids[0];
    sale.customer_id = refund.customer_id = customer.id;
    refund.id = order_ids[1];
    refund.original_order_id = sale.id;
    bulk.AddOrder(sale, change_seq);
    bulk.AddOrder(refund, change_seq);
    domain::LedgerEntry earn{entry_ids[0], business_, customer.id, domain::LedgerKind::kEarn, 90, kNow.PlusSeconds(86400),
                             sale.id, std::nullopt, std::nullopt, branch_, "주문 적립", kNow};
    domain::LedgerEntry reverse{entry_ids[1], business_, customer.id, domain::LedgerKind::kReverse, -45, std::nullopt,
                                refund.id, entry_ids[0], std::nullopt, branch_, "환불", kNow};
    bulk.AddLedgerEntry(earn);
    bulk.AddLedgerEntry(reverse);
    domain::LoyaltyAccount account;
    account.customer_id = customer.id;
    account.balance = 45;
    account.referral_code = "ABCD2345";
    account.updated_at = kNow;
    bulk.AddAccount(business_, account);
    return bulk.Flush();
  });
  ASSERT_TRUE(written.ok()) << written.ToString();

  Status read = db_->Read([&](Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(domain::Customer stored, tx.customers().Get(business_, customer.id));
    EXPECT_EQ(stored.name, "김단골");
    EXPECT_EQ(stored.birthday, customer.birthday);
    EXPECT_EQ(stored.tags, (std::vector<std::string>{"VIP", "단체\t손님"}));
    EXPECT_EQ(stored.anniversaries, customer.anniversaries);
    EXPECT_EQ(stored.consents, customer.consents);
    EXPECT_EQ(stored.stats.visit_count, 1);
    EXPECT_EQ(stored.stats.total_spend, Money(9000));
    EXPECT_EQ(stored.stats.last_visit_at, kNow);
    EXPECT_EQ(stored.updated_at, kNow.PlusSeconds(60));
    EXPECT_EQ(stored.preferences.size(), 1u);
    if (!stored.preferences.empty()) {
      EXPECT_EQ(stored.preferences[0].subject, "땅콩\\견과");
    }
    CRM_ASSIGN_OR_RETURN(auto notes, tx.notes().List(business_, customer.id));
    EXPECT_EQ(notes.size(), 1u);
    if (!notes.empty()) {
      EXPECT_EQ(notes[0].text, "창가 자리\n선호");
    }
    CRM_ASSIGN_OR_RETURN(domain::Order stored_sale, tx.orders().Get(business_, sale.id));
    EXPECT_EQ(stored_sale.lines, sale.lines);
    EXPECT_EQ(stored_sale.total, Money(9000));
    CRM_ASSIGN_OR_RETURN(domain::Order stored_refund, tx.orders().Get(business_, refund.id));
    EXPECT_EQ(stored_refund.original_order_id, sale.id);
    CRM_ASSIGN_OR_RETURN(auto entries, tx.loyalty().Entries(business_, customer.id));
    EXPECT_EQ(entries.size(), 2u);
    if (entries.size() == 2) {
      EXPECT_EQ(entries[1].related_id, entries[0].id);
    }
    CRM_ASSIGN_OR_RETURN(auto account, tx.loyalty().GetAccount(business_, customer.id));
    EXPECT_TRUE(account.has_value());
    if (account) {
      EXPECT_EQ(account->balance, 45);
    }
    // The last-4 lookup finds the bulk customer through its derived key.
    CRM_ASSIGN_OR_RETURN(auto hits, tx.customers().Lookup(business_, LookupQuery{LookupKind::kLast4, "5678", 20}));
    EXPECT_EQ(hits.size(), 1u);
    return Status::Ok();
  });
  ASSERT_TRUE(read.ok()) << read.ToString();

  // A row inserted the ordinary way afterwards gets an id past the reserved ones.
  auto next = WriteValue<CustomerId>(*db_, [&](Transaction& tx) {
    return tx.customers().Insert(Draft("이다음", "+821012340000"));
  });
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(next->value(), customer.id.value());
}

TEST_P(BulkStoreContractTest, BulkRowThatBreaksAReferenceFailsAndKeepsNothing) {
  Status written = db_->Write([&](Transaction& tx) -> Status {
    BulkLoader bulk(tx.connection());
    CRM_ASSIGN_OR_RETURN(auto customer_ids, bulk.ReserveCustomerIds(1));
    domain::Customer customer = Draft("박실패", "+821055550000");
    customer.id = customer_ids[0];
    bulk.AddCustomer(customer);
    bulk.AddPreference(business_, CustomerId(customer.id.value() + 1000000), {});  // no such customer
    return bulk.Flush();
  });
  EXPECT_EQ(written.code(), StatusCode::kFailedPrecondition) << written.ToString();
  auto hits = ReadValue<std::vector<domain::Customer>>(*db_, [&](Transaction& tx) {
    return tx.customers().Lookup(business_, LookupQuery{LookupKind::kLast4, "0000", 20});
  });
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
}

TEST_P(BulkStoreContractTest, LookupWithAlertsUnderReadLatestMatchesLookupThenAlerts) {
  std::vector<CustomerId> ids;
  for (const auto& [name, phone] : std::vector<std::pair<std::string, std::string>>{
           {"김민수", "+821011111234"}, {"김민지", "+821022221234"}, {"이민호", "+821033331234"}}) {
    auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(Draft(name, phone)); });
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  ASSERT_TRUE(db_->Write([&](Transaction& tx) -> Status {
                  for (const auto& [kind, subject] : std::vector<std::pair<domain::PreferenceKind, std::string>>{
                           {domain::PreferenceKind::kNever, "오이"},
                           {domain::PreferenceKind::kLike, "창가"},
                           {domain::PreferenceKind::kAllergy, "새우 \"대하\""}}) {
                    CRM_RETURN_IF_ERROR(tx.customers()
                                            .AddPreference(business_, ids[0], {PreferenceId(), kind, subject, kNow, StaffId()})
                                            .status());
                  }
                  return Status::Ok();
                }).ok());
  for (const LookupQuery& query : {LookupQuery{LookupKind::kLast4, "1234", 20}, LookupQuery{LookupKind::kNamePrefix, "김민", 20},
                                   LookupQuery{LookupKind::kInitialsPrefix, "ㄱㅁ", 1},
                                   LookupQuery{LookupKind::kPhone, "+821011111234", 20}}) {
    LookupHits together;
    ASSERT_TRUE(ReadLatest(*db_, [&](Transaction& tx) -> Status {
                     CRM_ASSIGN_OR_RETURN(together, CustomerRowRepository(tx.connection()).LookupWithAlerts(business_, query));
                     return Status::Ok();
                   }).ok());
    LookupHits apart;
    ASSERT_TRUE(db_->Read([&](Transaction& tx) -> Status {
                     CRM_ASSIGN_OR_RETURN(apart.customers, tx.customers().Lookup(business_, query));
                     std::vector<CustomerId> found;
                     for (const auto& customer : apart.customers) found.push_back(customer.id);
                     CRM_ASSIGN_OR_RETURN(apart.alerts, tx.customers().Alerts(business_, found));
                     return Status::Ok();
                   }).ok());
    ASSERT_EQ(together.customers.size(), apart.customers.size()) << query.value;
    for (size_t i = 0; i < apart.customers.size(); ++i) {
      EXPECT_EQ(together.customers[i].id, apart.customers[i].id);
      EXPECT_EQ(together.customers[i].name, apart.customers[i].name);
    }
    ASSERT_EQ(together.alerts.size(), apart.alerts.size()) << query.value;
    for (size_t i = 0; i < apart.alerts.size(); ++i) {
      EXPECT_EQ(together.alerts[i].first, apart.alerts[i].first);
      EXPECT_EQ(together.alerts[i].second.id, apart.alerts[i].second.id);
      EXPECT_EQ(together.alerts[i].second.kind, apart.alerts[i].second.kind);
      EXPECT_EQ(together.alerts[i].second.subject, apart.alerts[i].second.subject);
    }
  }
  LookupHits last4;
  ASSERT_TRUE(ReadLatest(*db_, [&](Transaction& tx) -> Status {
                   CRM_ASSIGN_OR_RETURN(last4, CustomerRowRepository(tx.connection()).LookupWithAlerts(
                                                   business_, LookupQuery{LookupKind::kLast4, "1234", 20}));
                   return Status::Ok();
                 }).ok());
  EXPECT_EQ(last4.customers.size(), 3u);
  EXPECT_EQ(last4.alerts.size(), 2u);  // the never and the allergy of the first customer, not the like
}

TEST_P(BulkStoreContractTest, ReadLatestReportsAFailedStatementAndTheConnectionStaysUsable) {
  Status failed = ReadLatest(*db_, [&](Transaction& tx) -> Status {
    return tx.connection().Query(Statement{"bulk_test.bad", "SELECT no_such_column FROM customers"}, {}).status();
  });
  EXPECT_FALSE(failed.ok());
  for (int i = 0; i < 10; ++i) {
    auto hits = ReadValue<std::vector<domain::Customer>>(*db_, [&](Transaction& tx) {
      return tx.customers().Lookup(business_, LookupQuery{LookupKind::kLast4, "9999", 20});
    });
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BulkStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
