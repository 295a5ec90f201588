// Merging duplicate customers end to end through the app services, on SQLite and (when a server
// is given) PostgreSQL: what moves, what is refused, and that undo restores both customers'
// complete data, compared as a canonical dump of every row that belongs to them.
#include "app/merge_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <cstdlib>
#include <filesystem>

#include "app/services.h"
#include "store/sql.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

// Every table that holds rows of a customer, with the rows of customer $2 in a fixed order.
// order_lines through their orders; referrals in both directions.
constexpr store::Statement kDumpStatements[] = {
    {"test.dump_customer", "SELECT * FROM customers WHERE business_id = $1 AND id = $2"},
    {"test.dump_tags", "SELECT * FROM customer_tags WHERE business_id = $1 AND customer_id = $2 ORDER BY tag"},
    {"test.dump_consents",
     "SELECT * FROM customer_consents WHERE business_id = $1 AND customer_id = $2 ORDER BY channel"},
    {"test.dump_agreements",
     "SELECT * FROM customer_agreements WHERE business_id = $1 AND customer_id = $2 ORDER BY item, version"},
    {"test.dump_anniversaries",
     "SELECT * FROM customer_anniversaries WHERE business_id = $1 AND customer_id = $2 ORDER BY position"},
    {"test.dump_preferences", "SELECT * FROM preferences WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_notes", "SELECT * FROM notes WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_orders", "SELECT * FROM orders WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_lines",
     "SELECT l.* FROM order_lines l JOIN orders o ON o.business_id = l.business_id AND o.id = l.order_id WHERE "
     "o.business_id = $1 AND o.customer_id = $2 ORDER BY l.order_id, l.line_no"},
    {"test.dump_ledger", "SELECT * FROM ledger_entries WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_account", "SELECT * FROM loyalty_accounts WHERE business_id = $1 AND customer_id = $2"},
    {"test.dump_tiers", "SELECT * FROM tier_changes WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_coupons", "SELECT * FROM coupons WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_counts", "SELECT * FROM loyalty_counts WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_referrals",
     "SELECT * FROM referrals WHERE business_id = $1 AND (customer_id = $2 OR referrer_id = $2) ORDER BY customer_id"},
    {"test.dump_gacha", "SELECT * FROM gacha_draws WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_external",
     "SELECT * FROM customer_external_ids WHERE business_id = $1 AND customer_id = $2 ORDER BY source, external_id"},
    {"test.dump_prospects", "SELECT * FROM prospects WHERE business_id = $1 AND customer_id = $2 ORDER BY id"},
    {"test.dump_referred", "SELECT id FROM customers WHERE business_id = $1 AND referrer_id = $2 ORDER BY id"},
};

std::string ValueText(const store::SqlValue& value) {
  if (const auto* number = std::get_if<int64_t>(&value)) return std::to_string(*number);
  if (const auto* text = std::get_if<std::string>(&value)) return "'" + *text + "'";
  return "NULL";
}

class MergeServiceTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(store::TestDatabaseUrl(GetParam(), "dangol-merge", &dir_, &url));
    if (IsSkipped()) return;
    auto db = store::Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    owner_ = NewBusiness();
    other_owner_ = NewBusiness();
    auto branch = services_->businesses.CreateBranch(owner_, "본점");
    ASSERT_TRUE(branch.ok());
    branch_ = branch->id;
  }

  void TearDown() override {
    services_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Principal NewBusiness() {
    static std::atomic<int> counter{0};
    const std::string slug = fmt::format("m{}-{}-{}", getpid(), counter++, std::rand() % 100000);
    auto business = services_->businesses.CreateBusiness(slug, "카페");
    EXPECT_TRUE(business.ok()) << business.status().ToString();
    Principal owner;
    owner.business_id = business.ok() ? business->id : BusinessId();
    owner.role = domain::Role::kOwner;
    return owner;
  }

  CustomerId NewCustomer(const Principal& owner, const std::string& name, const std::string& phone,
                         std::vector<domain::Consent> consents = {}) {
    domain::CustomerDraft draft;
    draft.name = name;
    if (!phone.empty()) draft.phone = phone;
    draft.consents = std::move(consents);
    auto customer = services_->customers.Create(owner, draft);
    EXPECT_TRUE(customer.ok()) << customer.status().ToString();
    return customer.ok() ? customer->id : CustomerId();
  }

  Result<PostedOrder> Sale(CustomerId customer, int64_t price, int quantity = 1) {
    domain::Order order;
    order.branch_id = branch_;
    order.customer_id = customer;
    order.lines.push_back({"아메리카노", "커피", quantity, Money(price)});
    return services_->orders.PostSale(owner_, order, 0);
  }

  // Every row of the customer, one line per row, table by table.
  std::string Dump(CustomerId customer) {
    std::string out;
    Status read = db_->Read([&](store::Transaction& tx) -> Status {
      for (const store::Statement& statement : kDumpStatements) {
        out += statement.name;
        out += ":\n";
        CRM_ASSIGN_OR_RETURN(auto rows, tx.connection().Query(statement, {store::Int(owner_.business_id.value()),
                                                                          store::Int(customer.value())}));
        for (const store::Row& row : rows) {
          for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "  ") + ValueText(row.value(i));
          out += "\n";
        }
      }
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return out;
  }

  void ExpectLedgerClean() {
    auto mismatches = services_->loyalty.Verify(owner_.business_id);
    ASSERT_TRUE(mismatches.ok());
    EXPECT_TRUE(mismatches->empty()) << mismatches->size() << " accounts differ from their ledger";
  }

  ManualClock clock_{Timestamp::FromSeconds(1'767'225'600)};  // 2026-01-01T00:00:00Z
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_;
  Principal other_owner_;
  BranchId branch_;
};

TEST_P(MergeServiceTest, MergeMovesEverythingAndUndoRestoresBothCustomersExactly) {
  domain::Program program = *domain::ProgramPreset("points");
  ASSERT_TRUE(services_->loyalty.SetProgram(owner_, program).ok());
  const Timestamp t0 = clock_.Now();
  const CustomerId a = NewCustomer(
      owner_, "김단골", "010-1111-2222",
      {{domain::ConsentChannel::kSms, true, t0, "kiosk"}, {domain::ConsentChannel::kEmail, true, t0, "web"}});
  clock_.AdvanceSeconds(1 * 3600);
  const CustomerId b =
      NewCustomer(owner_, "김 단골", "010-3333-4444", {{domain::ConsentChannel::kSms, false, clock_.Now(), "counter"}});
  const CustomerId friend_of_b = NewCustomer(owner_, "이친구", "010-5555-6666");

  // Profile details on both; one preference on both (a duplicate after the merge).
  domain::CustomerDraft details;
  details.email = "kim@example.com";
  details.tags = std::vector<std::string>{"online"};
  details.anniversaries = std::vector<domain::Anniversary>{{"결혼기념일", *Date::Parse("2020-05-05")}};
  ASSERT_TRUE(services_->customers.Update(owner_, b, details).ok());
  ASSERT_TRUE(services_->customers.AddPreference(owner_, a, domain::PreferenceKind::kAllergy, "땅콩").ok());
  ASSERT_TRUE(services_->customers.AddPreference(owner_, b, domain::PreferenceKind::kAllergy, "땅콩").ok());
  ASSERT_TRUE(services_->customers.AddPreference(owner_, b, domain::PreferenceKind::kLike, "창가 자리").ok());
  ASSERT_TRUE(services_->customers.AddNote(owner_, a, "단골", branch_, true).ok());
  ASSERT_TRUE(services_->customers.AddNote(owner_, b, "온라인 주문", std::nullopt, false).ok());

  // B joined with A's referral code (a self-referral once merged) and referred a friend; orders
  // with lines, points (an account and a referral code come with the first sale), a partial
  // refund, a coupon.
  ASSERT_TRUE(Sale(a, 4'500, 2).ok());
  auto a_account = services_->loyalty.Account(owner_, a);
  ASSERT_TRUE(a_account.ok()) << a_account.status().ToString();
  auto joined = services_->loyalty.JoinWithReferral(owner_, b, a_account->account.referral_code);
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  clock_.AdvanceSeconds(24 * 3600);
  auto b_sale = Sale(b, 12'000);
  ASSERT_TRUE(b_sale.ok()) << b_sale.status().ToString();
  ASSERT_TRUE(services_->orders.Refund(owner_, b_sale->order.id, Money(2'000), "", "").ok());
  auto b_account = services_->loyalty.Account(owner_, b);
  ASSERT_TRUE(b_account.ok());
  joined = services_->loyalty.JoinWithReferral(owner_, friend_of_b, b_account->account.referral_code);
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  domain::CouponTemplate coupon_template;
  coupon_template.name = "1,000원 할인";
  coupon_template.value = 1'000;
  auto created = services_->loyalty.CreateTemplate(owner_, coupon_template);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(services_->loyalty.IssueCoupon(owner_, b, created->id).ok());
  const int64_t balance_a = services_->loyalty.Account(owner_, a)->account.balance;
  ASSERT_GT(balance_a, 0);
  const int64_t balance_b = services_->loyalty.Account(owner_, b)->account.balance;
  ASSERT_GT(balance_b, 0);

  // Notices accepted at the kiosk: both accepted the terms (B first), only B the privacy notice.
  const auto agree = [&](CustomerId customer, int item, const std::string& version, int64_t at) {
    static constexpr store::Statement kAgree{
        "test.agree",
        "INSERT INTO customer_agreements (business_id, customer_id, item, version, accepted_at, source) VALUES "
        "($1, $2, $3, $4, $5, 'kiosk')"};
    return db_->Write([&](store::Transaction& tx) {
      return tx.connection().Execute(kAgree, {store::Int(owner_.business_id.value()), store::Int(customer.value()),
                                              store::Int(item), store::Text(version), store::Int(at)});
    });
  };
  ASSERT_TRUE(agree(a, 1, "2026-01", t0.micros() + 500).ok());
  ASSERT_TRUE(agree(b, 1, "2026-01", t0.micros() + 100).ok());
  ASSERT_TRUE(agree(b, 2, "2026-01", t0.micros() + 200).ok());

  const std::string before_a = Dump(a);
  const std::string before_b = Dump(b);
  const std::string before_friend = Dump(friend_of_b);
  auto profile_b = services_->customers.Get(owner_, b);
  ASSERT_TRUE(profile_b.ok());

  clock_.AdvanceSeconds(1 * 3600);
  auto merged = services_->merges.Merge(owner_, a, b, {{domain::MergeField::kName, domain::MergeSide::kOther}});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  const domain::Customer& survivor = merged->survivor;
  EXPECT_EQ(survivor.id, a);
  EXPECT_EQ(survivor.name, "김 단골");
  EXPECT_EQ(survivor.phone_e164, "+821011112222");
  EXPECT_EQ(survivor.email, "kim@example.com");  // empty on A: filled from B by default
  EXPECT_EQ(survivor.tags, std::vector<std::string>{"online"});
  EXPECT_EQ(survivor.stats.visit_count, profile_b->stats.visit_count + 1);
  ASSERT_EQ(survivor.consents.size(), 2u);
  EXPECT_EQ(survivor.consents[0].channel, domain::ConsentChannel::kSms);
  EXPECT_FALSE(survivor.consents[0].granted);  // B's withdrawal wins over A's grant
  EXPECT_EQ(survivor.preferences.size(), 2u);  // the allergy once, the like
  auto survivor_profile = services_->customers.Get(owner_, a);
  ASSERT_TRUE(survivor_profile.ok());
  ASSERT_EQ(survivor_profile->agreements.size(), 2u);  // the terms once (B's earlier time), the privacy notice
  EXPECT_EQ(survivor_profile->agreements[0].item, domain::AgreementItem::kTerms);
  EXPECT_EQ(survivor_profile->agreements[0].accepted_at.micros(), t0.micros() + 100);
  EXPECT_EQ(survivor_profile->agreements[1].item, domain::AgreementItem::kPrivacy);
  EXPECT_EQ(services_->customers.Get(owner_, b).status().code(), StatusCode::kNotFound);
  auto merged_account = services_->loyalty.Account(owner_, a);
  ASSERT_TRUE(merged_account.ok());
  EXPECT_EQ(merged_account->account.balance, balance_a + balance_b);
  ExpectLedgerClean();
  auto orders = services_->orders.ListForCustomer(owner_, a, std::nullopt, 50);
  ASSERT_TRUE(orders.ok());
  EXPECT_EQ(orders->orders.size(), 3u);  // A's sale, B's sale and its refund
  auto coupons = services_->loyalty.Coupons(owner_, a);
  ASSERT_TRUE(coupons.ok());
  EXPECT_EQ(coupons->size(), 1u);
  auto referrals = services_->loyalty.Referrals(owner_, a);
  ASSERT_TRUE(referrals.ok());
  ASSERT_EQ(referrals->size(), 1u);  // B's friend; B's own referral by A is gone (no self-referral)
  EXPECT_EQ(referrals->front().customer_id, friend_of_b);
  auto lookup = services_->customers.Lookup(owner_, "4444", 10);
  ASSERT_TRUE(lookup.ok());
  EXPECT_TRUE(lookup->hits.empty());
  auto duplicates = services_->merges.Duplicates(owner_, 100);
  ASSERT_TRUE(duplicates.ok());
  for (const auto& candidate : *duplicates) EXPECT_NE(candidate.second, b.value());
  // Merging B again, or into itself, is refused.
  EXPECT_EQ(services_->merges.Merge(owner_, a, b, {}).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(services_->merges.Merge(owner_, a, a, {}).status().code(), StatusCode::kFailedPrecondition);

  clock_.AdvanceSeconds(1 * 3600);
  auto undone = services_->merges.Undo(owner_, merged->merge_id);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(Dump(a), before_a);
  EXPECT_EQ(Dump(b), before_b);
  EXPECT_EQ(Dump(friend_of_b), before_friend);
  ExpectLedgerClean();
  EXPECT_EQ(services_->merges.Undo(owner_, merged->merge_id).status().code(), StatusCode::kFailedPrecondition);

  auto records = services_->merges.List(owner_, std::nullopt, 10);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_TRUE(records->front().undone_at.has_value());
  auto log = services_->businesses.AccessLog(owner_, b, std::nullopt, 50);
  ASSERT_TRUE(log.ok());
  int merge_lines = 0;
  for (const auto& entry : *log) {
    if (entry.action == domain::AccessAction::kMerge || entry.action == domain::AccessAction::kUndoMerge) ++merge_lines;
  }
  EXPECT_EQ(merge_lines, 2);
}

TEST_P(MergeServiceTest, RowsCreatedAfterTheMergeStayWithTheSurvivor) {
  ASSERT_TRUE(services_->loyalty.SetProgram(owner_, *domain::ProgramPreset("points")).ok());
  const CustomerId a = NewCustomer(owner_, "박손님", "010-1212-3434");
  const CustomerId b = NewCustomer(owner_, "박손님", "");
  ASSERT_TRUE(Sale(a, 10'000).ok());
  ASSERT_TRUE(Sale(b, 20'000).ok());
  auto before_b = Dump(b);
  auto merged = services_->merges.Merge(owner_, a, b, {});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  clock_.AdvanceSeconds(2 * 3600);
  ASSERT_TRUE(Sale(a, 5'000).ok());
  ASSERT_TRUE(services_->merges.Undo(owner_, merged->merge_id).ok());
  EXPECT_EQ(Dump(b), before_b);
  auto survivor = services_->customers.Get(owner_, a);
  ASSERT_TRUE(survivor.ok());
  EXPECT_EQ(survivor->stats.visit_count, 2);
  EXPECT_EQ(survivor->stats.total_spend, Money(15'000));
  auto orders = services_->orders.ListForCustomer(owner_, a, std::nullopt, 50);
  ASSERT_TRUE(orders.ok());
  EXPECT_EQ(orders->orders.size(), 2u);
  ExpectLedgerClean();
}

TEST_P(MergeServiceTest, UndoIsRefusedWhenAMovedOrderWasRefundedSince) {
  const CustomerId a = NewCustomer(owner_, "최", "010-7777-8888");
  const CustomerId b = NewCustomer(owner_, "최", "");
  auto sale = Sale(b, 8'000);
  ASSERT_TRUE(sale.ok());
  auto merged = services_->merges.Merge(owner_, a, b, {});
  ASSERT_TRUE(merged.ok());
  ASSERT_TRUE(services_->orders.Refund(owner_, sale->order.id, std::nullopt, "", "").ok());
  auto undone = services_->merges.Undo(owner_, merged->merge_id);
  EXPECT_EQ(undone.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(undone.status().message().find("refunded"), std::string::npos);
  EXPECT_EQ(services_->customers.Get(owner_, b).status().code(), StatusCode::kNotFound);  // nothing restored
}

TEST_P(MergeServiceTest, RefusesOtherBusinessesStaffAndUnknownChoices) {
  const CustomerId a = NewCustomer(owner_, "정", "010-1000-2000");
  const CustomerId foreign = NewCustomer(other_owner_, "정", "010-1000-2000");
  auto across = services_->merges.Merge(owner_, a, foreign, {});
  EXPECT_EQ(across.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(across.status().field(), "other_id");
  EXPECT_EQ(services_->merges.Merge(owner_, foreign, a, {}).status().code(), StatusCode::kNotFound);
  Principal staff = owner_;
  staff.role = domain::Role::kStaff;
  const CustomerId b = NewCustomer(owner_, "정", "");
  EXPECT_EQ(services_->merges.Merge(staff, a, b, {}).status().code(), StatusCode::kPermissionDenied);
  auto bad = services_->merges.Merge(owner_, a, b, {{domain::MergeField::kGender, domain::MergeSide::kBoth}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(services_->customers.Get(owner_, b).ok());
}

TEST_P(MergeServiceTest, DismissedPairsLeaveTheReviewQueue) {
  const CustomerId a = NewCustomer(owner_, "홍길동", "010-2222-9999");
  const CustomerId b = NewCustomer(owner_, "홍 길동", "010-3333-9999");
  auto queue = services_->merges.Duplicates(owner_, 10);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ(queue->front().first, a.value());
  ASSERT_TRUE(services_->merges.Dismiss(owner_, b, a).ok());
  ASSERT_TRUE(services_->merges.Dismiss(owner_, a, b).ok());  // twice is fine
  queue = services_->merges.Duplicates(owner_, 10);
  ASSERT_TRUE(queue.ok());
  EXPECT_TRUE(queue->empty());
}

// Sales to both customers from several counters while one is merged into the other: every sale
// that was acknowledged ends up with the survivor, with its points, and nothing is counted twice.
TEST_P(MergeServiceTest, SalesDuringAMergeAreNeverLost) {
  ASSERT_TRUE(services_->loyalty.SetProgram(owner_, *domain::ProgramPreset("points")).ok());
  const CustomerId a = NewCustomer(owner_, "동시손님", "010-4000-1111");
  const CustomerId b = NewCustomer(owner_, "동시 손님", "010-4000-2222");
  std::atomic<int> acknowledged = 0;
  std::atomic<int> refused = 0;
  std::atomic<bool> other_failure = false;
  std::vector<std::thread> counters;
  for (int i = 0; i < 4; ++i) {
    counters.emplace_back([&, i] {
      for (int attempt = 0; attempt < 5; ++attempt) {
        auto sale = Sale(i % 2 == 0 ? a : b, 10'000);
        if (sale.ok()) {
          ++acknowledged;
        } else if (sale.status().code() == StatusCode::kNotFound) {
          ++refused;  // the merged profile is gone: the counter is told, nothing is written
        } else {
          other_failure = true;
        }
      }
    });
  }
  auto merged = services_->merges.Merge(owner_, a, b, {});
  for (std::thread& counter : counters) counter.join();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_FALSE(other_failure.load());
  EXPECT_EQ(acknowledged.load() + refused.load(), 20);
  auto survivor = services_->customers.Get(owner_, a);
  ASSERT_TRUE(survivor.ok());
  EXPECT_EQ(survivor->stats.visit_count, acknowledged.load());
  EXPECT_EQ(survivor->stats.total_spend, Money(10'000 * acknowledged.load()));
  auto orders = services_->orders.ListForCustomer(owner_, a, std::nullopt, 100);
  ASSERT_TRUE(orders.ok());
  EXPECT_EQ(static_cast<int>(orders->orders.size()), acknowledged.load());
  ExpectLedgerClean();
}

INSTANTIATE_TEST_SUITE_P(Backends, MergeServiceTest,
                         ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres), [](const auto& info) {
                           return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace crm::app
