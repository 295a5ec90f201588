#include "app/import_service.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

#include "app/business_service.h"
#include "app/customer_service.h"
#include "app/order_service.h"
#include "store/customer_repository.h"
#include "store/order_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

using importing::Field;
using importing::ImportKind;
using importing::IssueCode;

const char* kCustomers =
    "이름,휴대폰,이메일,생일\n"
    "김철수,010-1234-5678,kim@example.com,1990-03-01\n"
    "이영희,+82 10 2222 3333,LEE@example.com,1985.7.15\n"
    "박민수,010-1234,park@example.com,\n"
    "김철수,010.1234.5678,,\n";

const char* kTransactions =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom\n"
    "C536367,85123A,WHITE HANGING HEART,-6,2010-12-02 09:00:00,2.55,17850.0,United Kingdom\n"
    "536368,22632,HAND WARMER RED,2,2010-12-03 10:00:00,2.10,13047.0,United Kingdom\n";

// Runs on SQLite, and on PostgreSQL when DANGOL_TEST_POSTGRES_URL names a server.
class ImportServiceTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(store::TestDatabaseUrl(GetParam(), "dangol-import", &dir_, &url));
    if (IsSkipped()) return;
    auto db = store::Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    BusinessService businesses(*db_, clock_);
    static int counter = 0;
    const std::string slug = "shop-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" +
                             std::to_string(std::rand() % 100000);
    auto business = businesses.CreateBusiness(slug, "가게");
    ASSERT_TRUE(business.ok());
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    ASSERT_TRUE(businesses.CreateBranch(owner_, "본점").ok());
  }
  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Result<ImportOutcome> Run(const std::string& text, ImportRequest request) {
    std::istringstream input(text);
    ImportService service(*db_, clock_);
    return service.Import(owner_, input, request);
  }

  ImportRequest Request(ImportKind kind, ImportAction action, ImportMode mode = ImportMode::kAllOrNothing) {
    ImportRequest request;
    request.kind = kind;
    request.action = action;
    request.mode = mode;
    if (kind == ImportKind::kTransactions) {
      request.currency_exponent = 2;
      request.utc_offset_minutes = 0;
      request.source_name = "retail";
    }
    return request;
  }

  int64_t CustomerCount() {
    return *store::ReadValue<int64_t>(*db_, [&](store::Transaction& tx) { return tx.customers().Count(owner_.business_id); });
  }
  int64_t OrderCount() {
    return *store::ReadValue<int64_t>(*db_, [&](store::Transaction& tx) { return tx.orders().Count(owner_.business_id); });
  }

  ManualClock clock_{Timestamp::FromSeconds(1'700'000'000)};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  Principal owner_;
};

TEST_P(ImportServiceTest, DryRunReportsButWritesNothing) {
  auto outcome = Run(kCustomers, Request(ImportKind::kCustomers, ImportAction::kDryRun, ImportMode::kValidRows));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_FALSE(outcome->committed);
  EXPECT_EQ(outcome->report.rows_read, 4);
  EXPECT_EQ(outcome->report.rows_rejected, 1);
  EXPECT_EQ(outcome->counts.customers_created, 2);
  EXPECT_EQ(outcome->report.Count(IssueCode::kSameCustomerInFile), 1);
  EXPECT_EQ(outcome->mapping.fields, (std::vector<Field>{Field::kName, Field::kPhone, Field::kEmail, Field::kBirthday}));
  EXPECT_EQ(CustomerCount(), 0);
}

TEST_P(ImportServiceTest, AllOrNothingWritesNothingWhenARowIsRejected) {
  auto outcome = Run(kCustomers, Request(ImportKind::kCustomers, ImportAction::kApply));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_FALSE(outcome->committed);
  EXPECT_EQ(outcome->report.Count(IssueCode::kInvalidPhone), 1);
  EXPECT_EQ(CustomerCount(), 0);
  EXPECT_TRUE(outcome->rejects_csv.empty());
}

TEST_P(ImportServiceTest, ValidRowsModeWritesTheRestAndReturnsTheRejects) {
  auto outcome = Run(kCustomers, Request(ImportKind::kCustomers, ImportAction::kApply, ImportMode::kValidRows));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->committed);
  EXPECT_TRUE(outcome->run_id.has_value());
  EXPECT_EQ(CustomerCount(), 2);
  EXPECT_EQ(outcome->rejects_csv,
            "\xEF\xBB\xBF이름,휴대폰,이메일,생일,reason\r\n"
            "박민수,010-1234,park@example.com,,\"invalid_phone: \"\"010-1234\"\" is not a phone number\"\r\n");
  // The fixed row imports on its own, and the earlier customers stay single.
  auto fixed = Run("이름,휴대폰,이메일,생일\n박민수,010-1234-9999,park@example.com,\n",
                   Request(ImportKind::kCustomers, ImportAction::kApply));
  ASSERT_TRUE(fixed.ok());
  EXPECT_TRUE(fixed->committed);
  EXPECT_EQ(CustomerCount(), 3);
}

TEST_P(ImportServiceTest, ReimportingDoublesNothingAndRecognisesTheFile) {
  const std::string clean = "이름,휴대폰,이메일\n김철수,010-1234-5678,kim@example.com\n최지우,,\n";
  auto first = Run(clean, Request(ImportKind::kCustomers, ImportAction::kApply));
  ASSERT_TRUE(first.ok() && first->committed);
  auto second = Run(clean, Request(ImportKind::kCustomers, ImportAction::kApply));
  ASSERT_TRUE(second.ok() && second->committed);
  EXPECT_EQ(second->previous_run_id, first->run_id);
  EXPECT_EQ(second->counts.customers_created, 0);
  EXPECT_EQ(second->counts.customers_unchanged, 2);
  EXPECT_EQ(CustomerCount(), 2);

  auto orders = Run(kTransactions, Request(ImportKind::kTransactions, ImportAction::kApply));
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  ASSERT_TRUE(orders->committed);
  EXPECT_EQ(orders->counts.orders_created, 4);
  // An overlapping file: two known invoices and one new.
  const std::string overlap = std::string(kTransactions) +
                              "536369,22632,HAND WARMER RED,1,2010-12-04 10:00:00,2.10,13047.0,United Kingdom\n";
  auto again = Run(overlap, Request(ImportKind::kTransactions, ImportAction::kApply));
  ASSERT_TRUE(again.ok() && again->committed);
  EXPECT_EQ(again->counts.orders_existing, 4);
  EXPECT_EQ(again->counts.orders_created, 1);
  EXPECT_EQ(OrderCount(), 5);
}

TEST_P(ImportServiceTest, TransactionsBecomeOrdersRefundsAndAnonymousSales) {
  auto outcome = Run(kTransactions, Request(ImportKind::kTransactions, ImportAction::kApply));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  ASSERT_TRUE(outcome->committed);
  EXPECT_EQ(outcome->counts.customers_created, 2);
  EXPECT_EQ(outcome->counts.refunds_created, 1);
  EXPECT_EQ(outcome->counts.refunds_linked, 1);
  EXPECT_EQ(outcome->report.Count(IssueCode::kAnonymousSale), 1);
  auto sale = store::ReadValue<std::optional<domain::Order>>(*db_, [&](store::Transaction& tx) {
    return tx.orders().FindByExternalId(owner_.business_id, "retail", "536365");
  });
  ASSERT_TRUE(sale.ok() && sale->has_value());
  EXPECT_EQ((*sale)->total, Money(6 * 255 + 6 * 339));
  EXPECT_EQ((*sale)->lines.size(), 2u);
  ASSERT_TRUE((*sale)->customer_id.has_value());
  auto customer = store::ReadValue<domain::Customer>(*db_, [&](store::Transaction& tx) {
    return tx.customers().Get(owner_.business_id, *(*sale)->customer_id);
  });
  ASSERT_TRUE(customer.ok());
  EXPECT_EQ(customer->stats.visit_count, 1);
  EXPECT_EQ(customer->stats.total_spend, Money(6 * 339));
  EXPECT_EQ(customer->source, domain::SourceChannel::kImport);
}

TEST_P(ImportServiceTest, TheCorrectedMappingIsRememberedForTheSameHeader) {
  const std::string text = "고객,폰\n김철수,010-1234-5678\n";
  ImportRequest request = Request(ImportKind::kCustomers, ImportAction::kApply);
  EXPECT_EQ(Run(text, request).status().code(), StatusCode::kInvalidArgument);  // nothing recognised
  request.fields = std::vector<Field>{Field::kName, Field::kPhone};
  ASSERT_TRUE(Run(text, request).ok());
  auto later = Run("고객,폰\n이영희,010-2222-3333\n", Request(ImportKind::kCustomers, ImportAction::kDryRun));
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->mapping.fields, (std::vector<Field>{Field::kName, Field::kPhone}));
}

TEST_P(ImportServiceTest, BadFilesAndCallersAreRefused) {
  EXPECT_EQ(Run("", Request(ImportKind::kCustomers, ImportAction::kDryRun)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Run("PK\x03\x04garbage", Request(ImportKind::kCustomers, ImportAction::kDryRun)).status().code(),
            StatusCode::kInvalidArgument);
  ImportRequest request = Request(ImportKind::kCustomers, ImportAction::kDryRun);
  request.fields = std::vector<Field>{Field::kName};
  EXPECT_EQ(Run(kCustomers, request).status().code(), StatusCode::kInvalidArgument);
  Principal staff = owner_;
  staff.role = domain::Role::kStaff;
  std::istringstream input(kCustomers);
  ImportService service(*db_, clock_);
  EXPECT_EQ(service.Import(staff, input, Request(ImportKind::kCustomers, ImportAction::kDryRun)).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_P(ImportServiceTest, DuplicateCandidatesAcrossChannelsAreListedWithReasons) {
  const std::string text =
      "이름,휴대폰,이메일,생일\n"
      "김철수,010-1234-5678,kim@example.com,1990-03-01\n"
      "김 철수,010-9999-5678,,\n"
      "류현진,,ryu@example.com,1987-03-25\n"
      "유현진,,,1987-03-25\n"
      "박민수,,kim@example.com,\n";
  auto imported = Run(text, Request(ImportKind::kCustomers, ImportAction::kApply));
  ASSERT_TRUE(imported.ok() && imported->committed) << imported.status().ToString();
  // 박민수 shares kim@example.com with 김철수: merged inside the import, as the rule says.
  EXPECT_EQ(imported->report.Count(IssueCode::kSameCustomerInFile), 1);
  ImportService service(*db_, clock_);
  auto candidates = service.FindDuplicates(owner_, 10);
  ASSERT_TRUE(candidates.ok()) << candidates.status().ToString();
  ASSERT_EQ(candidates->size(), 2u);
  EXPECT_EQ((*candidates)[0].reasons, std::vector<importing::DuplicateReason>{importing::DuplicateReason::kSameNameAndBirthday});
  EXPECT_EQ((*candidates)[1].reasons, std::vector<importing::DuplicateReason>{importing::DuplicateReason::kSameNameAndLast4});
  Principal staff = owner_;
  staff.role = domain::Role::kStaff;
  EXPECT_EQ(service.FindDuplicates(staff, 10).status().code(), StatusCode::kPermissionDenied);
}

// The whole Online Retail file, when ../shared/data is present: the report's counts must match
// counts computed here straight from the raw rows.
TEST_P(ImportServiceTest, OnlineRetailImportsWithCountsThatMatchTheRawFile) {
  // DANGOL_ONLINE_RETAIL in the environment names the file where ../shared/data is elsewhere.
  const char* from_environment = std::getenv("DANGOL_ONLINE_RETAIL");
  const std::string path = from_environment != nullptr ? from_environment : DANGOL_ONLINE_RETAIL;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "Online Retail data not present";
  if (GetParam() != store::Dialect::kSqlite) GTEST_SKIP() << "the whole file runs on SQLite only, for time";
  std::string text;
  FILE* pipe = popen(("gzip -dc '" + path + "'").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[1 << 16];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0);

  // Independent counts: rows, exact duplicates, customers, cancellation invoices, price rules.
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  std::set<std::string> seen, cancellations, bad_invoices;
  std::vector<std::pair<std::string, std::string>> customer_invoices;  // (customer, invoice) of each row
  int64_t rows = 0, duplicates = 0, negative_prices = 0;
  while (std::getline(lines, line)) {
    ++rows;
    if (!seen.insert(line).second) {
      ++duplicates;
      continue;
    }
    // The last three fields (UnitPrice, CustomerID, Country) never contain commas.
    const size_t country = line.rfind(',');
    const size_t customer = line.rfind(',', country - 1);
    const size_t price = line.rfind(',', customer - 1);
    const std::string customer_id = line.substr(customer + 1, country - customer - 1);
    const std::string invoice = line.substr(0, line.find(','));
    if (!customer_id.empty()) customer_invoices.emplace_back(customer_id, invoice);
    if (line[0] == 'C') cancellations.insert(invoice);
    negative_prices += line[price + 1] == '-';
    // An invoice with a line the import rejects (a negative price, more decimals than pence) is
    // left out whole, with its customer when that is their only invoice.
    const std::string price_text = line.substr(price + 1, customer - price - 1);
    const size_t point = price_text.find('.');
    const bool extra_decimals = point != std::string::npos && price_text.size() > point + 3 &&
                                price_text.find_first_not_of('0', point + 3) != std::string::npos;
    if (price_text[0] == '-' || extra_decimals) {
      bad_invoices.insert(invoice);
    }
  }
  seen.clear();
  std::set<std::string> customers;
  for (const auto& [customer_id, invoice] : customer_invoices) {
    if (bad_invoices.count(invoice) == 0) customers.insert(customer_id);
  }

  ImportRequest request = Request(ImportKind::kTransactions, ImportAction::kDryRun);
  request.mode = ImportMode::kValidRows;
  auto dry = Run(text, request);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->report.rows_read, rows);
  EXPECT_EQ(dry->report.rows_read, 541'909);
  EXPECT_EQ(dry->report.rows_skipped, duplicates);
  EXPECT_EQ(dry->report.Count(IssueCode::kNegativePrice), negative_prices);
  EXPECT_EQ(dry->counts.customers_created, static_cast<int64_t>(customers.size()));
  EXPECT_EQ(CustomerCount(), 0);

  request.action = ImportAction::kApply;
  auto real = Run(text, request);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  ASSERT_TRUE(real->committed);
  EXPECT_EQ(real->counts.orders_created, dry->counts.orders_created);
  EXPECT_GE(real->counts.refunds_created, static_cast<int64_t>(cancellations.size()));
  EXPECT_EQ(CustomerCount(), static_cast<int64_t>(customers.size()));
  EXPECT_EQ(OrderCount(), real->counts.orders_created);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportServiceTest,
                         ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         [](const auto& info) { return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::app
