#include "app/demo_generator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "app/auth_service.h"
#include "app/demo_campaign.h"
#include "app/services.h"
#include "store/consent_repository.h"
#include "domain/phone.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/order_repository.h"
#include "store/staff_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

// 2024-06-01 12:00 KST.
const Timestamp kNow = Timestamp::FromSeconds(1'717'210'800);
constexpr int64_t kYearSeconds = 365LL * 86400;
constexpr char kPassword[] = "demo-password";

// A SQLite database in a fresh temporary directory, removed with it.
class TempDatabase {
 public:
  TempDatabase() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dangol-demo-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/demo.db");
    if (db.ok()) db_ = std::move(db).value();
  }
  ~TempDatabase() {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  store::Database* get() { return db_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<store::Database> db_;
};

DemoOptions SmallDemo(int64_t customers, uint64_t seed) {
  DemoOptions options;
  options.customers = customers;
  options.seed = seed;
  options.owner_password = kPassword;
  return options;
}

std::vector<domain::Customer> AllCustomers(store::Database& db, BusinessId business) {
  std::vector<domain::Customer> customers;
  Status status = db.Read([&](store::Transaction& tx) -> Status {
    store::CustomerFilter filter;
    filter.limit = 500;
    for (;;) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.customers().List(business, filter));
      if (page.empty()) return Status::Ok();
      filter.after = page.back().id;
      for (auto& summary : page) {
        CRM_ASSIGN_OR_RETURN(domain::Customer full, tx.customers().Get(business, summary.id));
        customers.push_back(std::move(full));
      }
    }
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return customers;
}

// The customer's orders, oldest first (ids follow time).
std::vector<domain::Order> OrdersOf(store::Database& db, BusinessId business, CustomerId customer) {
  std::vector<domain::Order> orders;
  Status status = db.Read([&](store::Transaction& tx) -> Status {
    std::optional<OrderId> before;
    for (;;) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.orders().ListForCustomer(business, customer, before, 200));
      if (page.empty()) return Status::Ok();
      before = page.back().id;
      for (auto& order : page) orders.push_back(std::move(order));
    }
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  std::sort(orders.begin(), orders.end(), [](const domain::Order& a, const domain::Order& b) {
    return a.ordered_at != b.ordered_at ? a.ordered_at < b.ordered_at : a.id < b.id;
  });
  return orders;
}

// Everything generated about the customers, with database ids replaced by positions, so that two
// databases can be compared.
std::string Fingerprint(store::Database& db, BusinessId business) {
  std::string text;
  const std::vector<domain::Customer> customers = AllCustomers(db, business);
  for (const domain::Customer& c : customers) {
    text += fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}\n", c.name, c.family_name,
                        c.phone_e164, c.email, c.birthday ? c.birthday->date.ToString() : "-",
                        c.birthday ? static_cast<int>(c.birthday->calendar) : 0,
                        static_cast<int>(c.gender), c.created_at.micros(), c.stats.visit_count,
                        c.stats.visits_last_year, c.stats.total_spend.minor_units(), c.address);
    for (const auto& tag : c.tags) text += tag + ",";
    for (const auto& consent : c.consents) {
      text += fmt::format("{}:{}:{}:{};", static_cast<int>(consent.channel), consent.granted,
                          consent.at.micros(), consent.source);
    }
    for (const auto& preference : c.preferences)
      text += fmt::format("{}={};", static_cast<int>(preference.kind), preference.subject);
    for (const domain::Order& order : OrdersOf(db, business, c.id)) {
      text += fmt::format("[{} {} {} {}", static_cast<int>(order.kind), order.ordered_at.micros(),
                          order.total.minor_units(), static_cast<int>(order.channel));
      for (const auto& line : order.lines)
        text +=
            fmt::format(" {}x{}@{}", line.quantity, line.product, line.unit_price.minor_units());
      text += "]";
    }
    text += "\n";
  }
  return text;
}

// The stats OrderService would have kept: ApplySale and ApplyRefund folded in time order.
domain::VisitStats FoldStats(const std::vector<domain::Order>& orders) {
  domain::VisitStats stats;
  std::map<int64_t, const domain::Order*> sales;
  std::map<int64_t, Money> refunded;
  for (const domain::Order& order : orders) {
    if (order.kind == domain::OrderKind::kSale) {
      const Timestamp from = order.ordered_at.PlusSeconds(-kYearSeconds);
      const auto before =
          std::count_if(orders.begin(), orders.end(), [&](const domain::Order& other) {
            return other.kind == domain::OrderKind::kSale && other.ordered_at >= from &&
                   other.ordered_at < order.ordered_at;
          });
      stats = domain::ApplySale(stats, order, before);
      sales[order.id.value()] = &order;
      continue;
    }
    const int64_t original = order.original_order_id->value();
    refunded[original] += -order.total;
    stats =
        domain::ApplyRefund(stats, -order.total, refunded[original] == sales.at(original)->total);
  }
  return stats;
}

class DemoGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TempDatabase();
    ASSERT_NE(database_->get(), nullptr);
    clock_ = new ManualClock(kNow);
    auto summary = GenerateDemo(*database_->get(), *clock_, SmallDemo(1000, 42));
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    summary_ = new DemoSummary(std::move(summary).value());
    customers_ =
        new std::vector<domain::Customer>(AllCustomers(*database_->get(), summary_->business_id));
  }
  static void TearDownTestSuite() {
    delete customers_;
    delete summary_;
    delete clock_;
    delete database_;
  }
  void SetUp() override {
    if (summary_ == nullptr) GTEST_SKIP() << "demo generation failed";
  }

  static store::Database& db() { return *database_->get(); }

  static TempDatabase* database_;
  static ManualClock* clock_;
  static DemoSummary* summary_;
  static std::vector<domain::Customer>* customers_;
};

TempDatabase* DemoGeneratorTest::database_ = nullptr;
ManualClock* DemoGeneratorTest::clock_ = nullptr;
DemoSummary* DemoGeneratorTest::summary_ = nullptr;
std::vector<domain::Customer>* DemoGeneratorTest::customers_ = nullptr;

TEST_F(DemoGeneratorTest, SummaryCountsMatchTheDatabase) {
  EXPECT_EQ(summary_->business_slug, "demo");
  EXPECT_EQ(summary_->customer_count, 1000);
  EXPECT_EQ(static_cast<int64_t>(customers_->size()), 1000);
  auto orders = store::ReadValue<int64_t>(
      db(), [&](store::Transaction& tx) { return tx.orders().Count(summary_->business_id); });
  ASSERT_TRUE(orders.ok());
  EXPECT_EQ(*orders, summary_->order_count);
  EXPECT_GT(summary_->refund_count, 0);
  // Most customers come a few times: a few orders each on average, one to four lines each.
  EXPECT_GT(summary_->order_count, 2000);
  EXPECT_LT(summary_->order_count, 8000);
  EXPECT_GT(summary_->line_count, summary_->order_count - summary_->refund_count);
  EXPECT_LT(summary_->line_count, 4 * summary_->order_count);
  EXPECT_GT(summary_->note_count, 0);
  EXPECT_GT(summary_->preference_count, 0);
}

TEST_F(DemoGeneratorTest, CreatesThreeBranchesAndSixAccountsWithTheOwnerPassword) {
  auto branches = store::ReadValue<std::vector<domain::Branch>>(
      db(), [&](store::Transaction& tx) { return tx.branches().List(summary_->business_id); });
  ASSERT_TRUE(branches.ok());
  std::set<std::string> names;
  for (const auto& branch : *branches) names.insert(branch.name);
  EXPECT_EQ(names, (std::set<std::string>{"강남점", "홍대점", "판교점"}));

  auto staff = store::ReadValue<std::vector<domain::Staff>>(
      db(), [&](store::Transaction& tx) { return tx.staff().List(summary_->business_id); });
  ASSERT_TRUE(staff.ok());
  ASSERT_EQ(staff->size(), 6u);
  int owners = 0, managers = 0, limited = 0;
  std::set<std::string> hashes;
  for (const auto& account : *staff) {
    EXPECT_TRUE(AuthService::VerifyPassword(account.password_hash, kPassword)) << account.email;
    hashes.insert(account.password_hash);  // one salt each: no two accounts share a hash
    owners += account.role == domain::Role::kOwner;
    managers += account.role == domain::Role::kManager;
    limited += account.role == domain::Role::kStaff && !account.branch_ids.empty();
    if (account.role == domain::Role::kOwner) {
      EXPECT_EQ(account.email, "owner@demo.dangol");
    }
  }
  EXPECT_EQ(hashes.size(), staff->size());
  EXPECT_EQ(owners, 1);
  EXPECT_EQ(managers, 1);
  EXPECT_EQ(limited, 4);
  EXPECT_EQ(summary_->owner_email, "owner@demo.dangol");
  EXPECT_EQ(summary_->owner_password, kPassword);
}

TEST_F(DemoGeneratorTest, PastCampaignWasDeliveredAndItsReportShowsAPositiveUplift) {
  ASSERT_TRUE(summary_->campaign_id.valid());
  Services services(db(), *clock_);
  Principal owner;
  owner.business_id = summary_->business_id;
  owner.role = domain::Role::kOwner;
  auto report = services.campaigns.Report(owner, summary_->campaign_id, kDemoCampaignWindowDays);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->campaign.status, domain::CampaignStatus::kDone);
  EXPECT_GT(report->window_start, kNow.PlusSeconds(-(kDemoCampaignDaysAgo + 1) * 86400));
  EXPECT_LT(report->window_start, kNow.PlusSeconds(-(kDemoCampaignDaysAgo - 1) * 86400));
  EXPECT_LT(report->window_end, kNow);  // the whole window lies in the past
  EXPECT_GT(report->treated.customers, 100);
  EXPECT_GT(report->control.customers, 5);
  EXPECT_EQ(report->treated.customers, summary_->campaign_treated);
  // Every message went out and was delivered; every treated customer got a coupon.
  EXPECT_EQ(report->messages[domain::MessageStatus::kDelivered], report->treated.customers);
  EXPECT_EQ(report->messages.size(), 1u);
  EXPECT_GT(report->treated.redemptions, 0);
  EXPECT_EQ(report->control.redemptions, 0);
  EXPECT_EQ(report->treated.visits + report->control.visits, summary_->campaign_orders);
  // Both groups have returning customers, the treated more: a positive but not absurd effect.
  EXPECT_GT(report->control.buyers, 0);
  EXPECT_GT(report->uplift.buyer_share.difference, 0.03);
  EXPECT_LT(report->uplift.buyer_share.difference, 0.3);
  EXPECT_GT(report->uplift.incremental_revenue, 0);
  EXPECT_GT(report->uplift.net, 0);

  auto numbers = store::ReadValue<std::vector<domain::SenderNumber>>(db(), [&](store::Transaction& tx) {
    return store::ConsentRepository(tx.connection()).SenderNumbers(summary_->business_id);
  });
  ASSERT_TRUE(numbers.ok());
  ASSERT_EQ(numbers->size(), 1u);
  auto settings = store::ReadValue<domain::MessagingSettings>(db(), [&](store::Transaction& tx) {
    return store::ConsentRepository(tx.connection()).Settings(summary_->business_id);
  });
  ASSERT_TRUE(settings.ok());
  EXPECT_TRUE(settings->opt_out_number.starts_with("080"));
  EXPECT_FALSE(settings->contact.empty());
}

TEST_F(DemoGeneratorTest, PhonesAreUniqueKoreanMobileNumbers) {
  std::set<std::string> phones;
  for (const domain::Customer& customer : *customers_) {
    auto parsed = domain::ParsePhone(customer.phone_e164);
    ASSERT_TRUE(parsed.ok()) << customer.phone_e164;
    EXPECT_EQ(parsed->e164, customer.phone_e164);
    EXPECT_EQ(parsed->national.substr(0, 3), "010");
    phones.insert(customer.phone_e164);
  }
  EXPECT_EQ(phones.size(), customers_->size());
}

TEST_F(DemoGeneratorTest, StatsEqualTheFoldOfEachCustomersOrders) {
  int64_t with_refund = 0;
  for (const domain::Customer& customer : *customers_) {
    const std::vector<domain::Order> orders = OrdersOf(db(), summary_->business_id, customer.id);
    for (const domain::Order& order : orders) {
      EXPECT_LE(order.ordered_at, kNow);
      EXPECT_GE(order.ordered_at, kNow.PlusSeconds(-731LL * 86400));
      EXPECT_GE(order.ordered_at, customer.created_at);
      if (order.kind == domain::OrderKind::kSale) {
        EXPECT_TRUE(domain::ValidateSale(order).ok());
        EXPECT_FALSE(order.lines.empty());
      } else {
        ASSERT_TRUE(order.original_order_id.has_value());
        ++with_refund;
      }
    }
    const domain::VisitStats expected = FoldStats(orders);
    const domain::VisitStats& actual = customer.stats;
    EXPECT_EQ(actual.visit_count, expected.visit_count) << customer.id.value();
    EXPECT_EQ(actual.visits_last_year, expected.visits_last_year) << customer.id.value();
    EXPECT_EQ(actual.total_spend, expected.total_spend) << customer.id.value();
    EXPECT_EQ(actual.first_visit_at, expected.first_visit_at) << customer.id.value();
    EXPECT_EQ(actual.last_visit_at, expected.last_visit_at) << customer.id.value();
  }
  EXPECT_EQ(with_refund, summary_->refund_count);
}

TEST_F(DemoGeneratorTest, VisitsAreHeavyTailed) {
  int64_t none = 0, few = 0, regulars = 0;
  for (const domain::Customer& customer : *customers_) {
    const int64_t visits = customer.stats.visit_count;
    none += visits == 0;
    few += visits >= 1 && visits <= 3;
    regulars += visits >= 20;
  }
  EXPECT_GT(none, 0);
  EXPECT_GT(few, 500);      // most come one to three times
  EXPECT_GT(regulars, 20);  // some come every week
}

TEST_F(DemoGeneratorTest, NamesFollowKoreanFamilyNameFrequencies) {
  int64_t kim = 0, lee = 0, hangul = 0;
  for (const domain::Customer& customer : *customers_) {
    ASSERT_FALSE(customer.name.empty());
    ASSERT_FALSE(customer.family_name.empty()) << customer.name;
    if (customer.name.find(' ') == std::string::npos) {
      EXPECT_EQ(customer.family_name + customer.given_name, customer.name);
    }
    kim += customer.family_name == "김";
    lee += customer.family_name == "이";
    hangul += static_cast<unsigned char>(customer.name[0]) >= 0x80;
  }
  EXPECT_GT(kim, 150);  // 21.5 % of 1000 is 215
  EXPECT_LT(kim, 290);
  EXPECT_GT(lee, 95);  // 14.7 %
  EXPECT_LT(lee, 200);
  EXPECT_GT(hangul, 950);
}

TEST_F(DemoGeneratorTest, ProfilesCarryTagsConsentsPreferencesAndLunarBirthdays) {
  int64_t tagged = 0, consented = 0, alerts = 0, lunar = 0, emails = 0;
  for (const domain::Customer& customer : *customers_) {
    tagged += !customer.tags.empty();
    consented += !customer.consents.empty();
    for (const auto& consent : customer.consents) EXPECT_FALSE(consent.source.empty());
    alerts += std::any_of(customer.preferences.begin(), customer.preferences.end(),
                          [](const domain::Preference& p) { return p.IsAlert(); });
    lunar += customer.birthday && customer.birthday->calendar == domain::CalendarType::kLunar;
    emails += !customer.email.empty();
  }
  EXPECT_GT(tagged, 50);
  EXPECT_GT(consented, 700);
  EXPECT_GT(alerts, 20);
  EXPECT_GT(lunar, 10);
  EXPECT_GT(emails, 250);
}

TEST_F(DemoGeneratorTest, SecondDemoWithTheSameSlugFailsWithAlreadyExists) {
  auto again = GenerateDemo(db(), *clock_, SmallDemo(10, 42));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().field(), "slug");
}

TEST(DemoGeneratorDeterminismTest, SameSeedGivesSameDataAndAnotherSeedDoesNot) {
  ManualClock clock(kNow);
  std::vector<std::string> fingerprints;
  for (uint64_t seed : {7u, 7u, 8u}) {
    TempDatabase database;
    ASSERT_NE(database.get(), nullptr);
    auto summary = GenerateDemo(*database.get(), clock, SmallDemo(150, seed));
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    fingerprints.push_back(Fingerprint(*database.get(), summary->business_id));
  }
  EXPECT_EQ(std::hash<std::string>()(fingerprints[0]), std::hash<std::string>()(fingerprints[1]));
  EXPECT_TRUE(fingerprints[0] == fingerprints[1]);
  EXPECT_FALSE(fingerprints[0] == fingerprints[2]);
}

TEST(DemoGeneratorOptionsTest, BadOptionsFailWithInvalidArgumentNamingTheField) {
  TempDatabase database;
  ASSERT_NE(database.get(), nullptr);
  ManualClock clock(kNow);
  DemoOptions negative = SmallDemo(-1, 1);
  auto result = GenerateDemo(*database.get(), clock, negative);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().field(), "customers");

  DemoOptions short_password = SmallDemo(1, 1);
  short_password.owner_password = "short";
  result = GenerateDemo(*database.get(), clock, short_password);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().field(), "owner_password");

  DemoOptions bad_slug = SmallDemo(1, 1);
  bad_slug.business_slug = "Demo Café";
  result = GenerateDemo(*database.get(), clock, bad_slug);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

TEST(DemoGeneratorOptionsTest, GeneratesThePasswordFromTheSeedAndReportsProgress) {
  TempDatabase database;
  ASSERT_NE(database.get(), nullptr);
  ManualClock clock(kNow);
  DemoOptions options;
  options.customers = 20;
  options.seed = 99;
  std::vector<DemoProgress> reports;
  options.progress = [&](const DemoProgress& progress) { reports.push_back(progress); };
  auto summary = GenerateDemo(*database.get(), clock, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_GE(summary->owner_password.size(), 12u);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().phase, "customers");
  EXPECT_EQ(reports.back().done, 20);
  EXPECT_EQ(reports.back().total, 20);
  EXPECT_EQ(reports.back().orders, summary->order_count - summary->campaign_orders);

  TempDatabase other;
  ASSERT_NE(other.get(), nullptr);
  auto again = GenerateDemo(*other.get(), clock, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->owner_password, summary->owner_password);
}

TEST(DemoGeneratorOptionsTest, ZeroCustomersMakesTheBusinessOnly) {
  TempDatabase database;
  ASSERT_NE(database.get(), nullptr);
  ManualClock clock(kNow);
  auto summary = GenerateDemo(*database.get(), clock, SmallDemo(0, 1));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->customer_count, 0);
  EXPECT_EQ(summary->order_count, 0);
}

}  // namespace
}  // namespace crm::app
