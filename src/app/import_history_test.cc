// What a migrating business brings beyond names and phones (issue: moving from Excel or a POS
// export loses nothing): customer history as an opening balance, memos, preferences, points,
// attributes; shared phones; whole invoices; spreadsheet row numbers; amounts in money. Runs on
// SQLite, and on PostgreSQL when DANGOL_TEST_POSTGRES_URL names a server.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/business_service.h"
#include "app/import_service.h"
#include "store/customer_repository.h"
#include "store/loyalty_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

using importing::Field;
using importing::ImportKind;
using importing::IssueCode;

// 2024-06-01 00:00 UTC: after every visit the lists below name.
const Timestamp kNow = Timestamp::FromSeconds(1'717'200'000);

const char* kHistory =
    "이름,휴대폰,최근방문일,첫방문일,방문횟수,누적금액,포인트,등급,메모,알레르기,국가\n"
    "김철수,010-1234-5678,2024-05-01,2023-01-10,12,\"1,250,000원\",3200P,골드,참기름 빼주세요,\"땅콩, 새우\"\n"
    "이영희,010-2222-3333,2024.3.2,,3,98000,,,창가 자리,싫어함: 오이; 알레르기: 우유,대한민국\n";

class ImportHistoryTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(store::TestDatabaseUrl(GetParam(), "dangol-import-history", &dir_, &url));
    if (IsSkipped()) return;
    auto db = store::Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    NewBusiness("KRW");
  }
  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void NewBusiness(const std::string& currency) {
    BusinessService businesses(*db_, clock_);
    static int counter = 0;
    const std::string slug = "hist-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" +
                             std::to_string(std::rand() % 100000);
    auto business = businesses.CreateBusiness(slug, "가게", currency);
    ASSERT_TRUE(business.ok()) << business.status().ToString();
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    ASSERT_TRUE(businesses.CreateBranch(owner_, "본점").ok());
  }

  Result<ImportOutcome> Run(const std::string& text, ImportRequest request) {
    std::istringstream input(text);
    ImportService service(*db_, clock_);
    return service.Import(owner_, input, request);
  }

  static ImportRequest Apply(ImportKind kind, ImportMode mode = ImportMode::kAllOrNothing) {
    ImportRequest request;
    request.kind = kind;
    request.action = ImportAction::kApply;
    request.mode = mode;
    return request;
  }

  void SetPointsProgram() {
    ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                     domain::Program program;
                     program.kind = domain::ProgramKind::kPoints;
                     program.name = "포인트";
                     return tx.loyalty().SaveProgram(owner_.business_id, program, kNow);
                   })
                    .ok());
  }

  domain::Customer ByPhone(const std::string& e164) {
    auto customer = store::ReadValue<domain::Customer>(*db_, [&](store::Transaction& tx) -> Result<domain::Customer> {
      CRM_ASSIGN_OR_RETURN(auto id, tx.customers().FindByPhone(owner_.business_id, e164));
      if (!id) return NotFound("no customer with this phone");
      return tx.customers().Get(owner_.business_id, *id);
    });
    EXPECT_TRUE(customer.ok()) << customer.status().ToString();
    return customer.ok() ? *customer : domain::Customer();
  }

  std::vector<domain::Note> Notes(CustomerId id) {
    return *store::ReadValue<std::vector<domain::Note>>(
        *db_, [&](store::Transaction& tx) { return tx.notes().List(owner_.business_id, id); });
  }
  int64_t Balance(CustomerId id) {
    return *store::ReadValue<int64_t>(
        *db_, [&](store::Transaction& tx) { return tx.loyalty().LedgerSum(owner_.business_id, id); });
  }
  int64_t CustomerCount() {
    return *store::ReadValue<int64_t>(*db_, [&](store::Transaction& tx) { return tx.customers().Count(owner_.business_id); });
  }
  int64_t OrderCount() {
    return *store::ReadValue<int64_t>(*db_, [&](store::Transaction& tx) { return tx.orders().Count(owner_.business_id); });
  }
  ImportedProfile Imported(CustomerId id) {
    ImportService service(*db_, clock_);
    auto imported = service.CustomerImports(owner_, id);
    EXPECT_TRUE(imported.ok()) << imported.status().ToString();
    return imported.ok() ? *imported : ImportedProfile();
  }

  ManualClock clock_{kNow};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  Principal owner_;
};

TEST_P(ImportHistoryTest, HistoryBecomesAnOpeningBalanceWithNotesPreferencesPointsAndAttributes) {
  SetPointsProgram();
  auto outcome = Run(kHistory, Apply(ImportKind::kCustomers));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  ASSERT_TRUE(outcome->committed);
  EXPECT_EQ(outcome->mapping.fields,
            (std::vector<Field>{Field::kName, Field::kPhone, Field::kLastVisitAt, Field::kFirstVisitAt,
                                Field::kVisitCount, Field::kLifetimeSpend, Field::kPoints, Field::kTier, Field::kNotes,
                                Field::kPreferences, Field::kAttribute}));
  EXPECT_EQ(outcome->report.Count(IssueCode::kOpeningBalance), 2);

  const domain::Customer kim = ByPhone("+821012345678");
  EXPECT_EQ(kim.stats.visit_count, 12);
  EXPECT_EQ(kim.stats.total_spend.minor_units(), 1'250'000);
  // 12 visits over 16 months: about 9 of them in the year up to the last visit.
  EXPECT_EQ(kim.stats.visits_last_year, 12 * 365 / 477);
  EXPECT_EQ(kim.stats.last_visit_at->ToIso8601().substr(0, 10), "2024-04-30");  // 2024-05-01 in Seoul
  EXPECT_EQ(domain::ComputeStage(kim.stats, kNow), domain::LifecycleStage::kRegular);
  ASSERT_EQ(Notes(kim.id).size(), 1u);
  EXPECT_EQ(Notes(kim.id)[0].text, "참기름 빼주세요");
  EXPECT_EQ(Imported(kim.id).imported_notes, (std::vector<NoteId>{Notes(kim.id)[0].id}));
  ASSERT_EQ(kim.preferences.size(), 2u);
  EXPECT_EQ(kim.preferences[0].kind, domain::PreferenceKind::kAllergy);
  EXPECT_TRUE(kim.preferences[0].IsAlert());
  EXPECT_EQ(Balance(kim.id), 3200);
  ImportedProfile imported = Imported(kim.id);
  ASSERT_EQ(imported.opening_balances.size(), 1u);
  EXPECT_EQ(imported.opening_balances[0].tier, "골드");
  EXPECT_EQ(imported.opening_balances[0].points, 3200);

  const domain::Customer lee = ByPhone("+821022223333");
  EXPECT_EQ(lee.stats.visit_count, 3);
  EXPECT_EQ(lee.stats.total_spend.minor_units(), 98'000);
  ASSERT_EQ(lee.preferences.size(), 2u);
  std::vector<std::pair<domain::PreferenceKind, std::string>> kinds;
  for (const domain::Preference& preference : lee.preferences) kinds.emplace_back(preference.kind, preference.subject);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), std::make_pair(domain::PreferenceKind::kDislike, std::string("오이"))),
            kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), std::make_pair(domain::PreferenceKind::kAllergy, std::string("우유"))),
            kinds.end());
  imported = Imported(lee.id);
  ASSERT_EQ(imported.attributes.size(), 1u);
  EXPECT_EQ(imported.attributes[0].key, "국가");
  EXPECT_EQ(imported.attributes[0].value, "대한민국");

  // The same list again adds nothing: no second opening balance, note, preference or points.
  auto again = Run(kHistory, Apply(ImportKind::kCustomers));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->committed);
  const domain::Customer kim_again = ByPhone("+821012345678");
  EXPECT_EQ(kim_again.stats.visit_count, 12);
  EXPECT_EQ(kim_again.preferences.size(), 2u);
  EXPECT_EQ(Notes(kim.id).size(), 1u);
  EXPECT_EQ(Balance(kim.id), 3200);
}

TEST_P(ImportHistoryTest, PointsWithoutAProgramAreReportedNotLost) {
  auto outcome = Run(kHistory, Apply(ImportKind::kCustomers));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->report.Count(IssueCode::kPointsWithoutProgram), 1);
  // The balance is kept with the opening record, for when a program is chosen.
  EXPECT_EQ(Imported(ByPhone("+821012345678").id).opening_balances.at(0).points, 3200);
}

TEST_P(ImportHistoryTest, AKnownColumnMappedToIgnoreStopsUntilConfirmed) {
  ImportRequest request = Apply(ImportKind::kCustomers);
  request.fields = std::vector<Field>{Field::kName,   Field::kPhone,  Field::kLastVisitAt, Field::kFirstVisitAt,
                                      Field::kVisitCount, Field::kLifetimeSpend, Field::kPoints, Field::kTier,
                                      Field::kIgnore, Field::kPreferences, Field::kIgnore};
  auto stopped = Run(kHistory, request);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stopped.status().reason(), "ignored_known_column");
  EXPECT_NE(stopped.status().message().find("메모"), std::string::npos) << stopped.status().message();
  EXPECT_EQ(CustomerCount(), 0);
  request.confirm_ignored = true;
  auto confirmed = Run(kHistory, request);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  EXPECT_TRUE(confirmed->committed);
  // Each column left out is named as a warning on the header's row.
  EXPECT_EQ(confirmed->report.Count(IssueCode::kUnmappedColumn), 2);
  std::vector<std::string> named;
  for (const importing::RowIssue& issue : confirmed->report.issues()) {
    if (issue.code == IssueCode::kUnmappedColumn) named.push_back(issue.column + "@" + std::to_string(issue.row));
  }
  EXPECT_EQ(named, (std::vector<std::string>{"메모@1", "국가@1"}));
}

TEST_P(ImportHistoryTest, ASharedPhoneKeepsBothPeopleAndNamesBothRows) {
  const std::string file =
      "이름,휴대폰\n"
      "김철수,010-1234-5678\n"
      "이영희,010-2222-3333\n"
      "김 철수,010-1234-5678\n"
      "박지훈,010-1234-5678\n";
  auto outcome = Run(file, Apply(ImportKind::kCustomers));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->counts.customers_created, 3);  // 김 철수 is 김철수; 박지훈 is a family member
  EXPECT_EQ(outcome->report.Count(IssueCode::kSharedPhone), 1);
  std::string message;
  for (const importing::RowIssue& issue : outcome->report.issues()) {
    if (issue.code == IssueCode::kSharedPhone) message = issue.message;
  }
  EXPECT_NE(message.find("row 5 (박지훈)"), std::string::npos) << message;
  EXPECT_NE(message.find("row 2 (김철수)"), std::string::npos) << message;
  const domain::Customer holder = ByPhone("+821012345678");
  EXPECT_EQ(holder.name, "김철수");
  const ImportedProfile shares = Imported(holder.id);
  ASSERT_EQ(shares.phone_shares.size(), 1u);
  EXPECT_EQ(shares.phone_shares[0].kind, store::PhoneShareKind::kFamily);
  EXPECT_NE(shares.phone_shares[0].customer_id, holder.id);
  // Again: the family member is found, not made twice.
  auto again = Run(file, Apply(ImportKind::kCustomers));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->counts.customers_created, 0);
  EXPECT_EQ(CustomerCount(), 3);
}

TEST_P(ImportHistoryTest, ASharedPhoneCanBeAnAliasOrAMerge) {
  const std::string file = "이름,휴대폰\n김철수,010-1234-5678\n박지훈,010-1234-5678\n";
  ImportRequest alias = Apply(ImportKind::kCustomers);
  alias.shared_phone = SharedPhonePolicy::kAlias;
  auto outcome = Run(file, alias);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(CustomerCount(), 1);
  const ImportedProfile imported = Imported(ByPhone("+821012345678").id);
  ASSERT_EQ(imported.phone_shares.size(), 1u);
  EXPECT_EQ(imported.phone_shares[0].kind, store::PhoneShareKind::kAlias);
  EXPECT_EQ(imported.phone_shares[0].alias, "박지훈");

  NewBusiness("KRW");
  ImportRequest merge = Apply(ImportKind::kCustomers);
  merge.shared_phone = SharedPhonePolicy::kMerge;
  auto merged = Run(file, merge);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(CustomerCount(), 1);
  EXPECT_EQ(merged->report.Count(IssueCode::kSharedPhone), 1);
}

const char* kScattered =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "542806,A1,ITEM ONE,2,2011-02-01 10:00,1.50,17850,United Kingdom\n"
    "542807,B1,ITEM TWO,1,2011-02-01 10:05,3.00,13047,United Kingdom\n"
    "542806,A2,ITEM THREE,4,2011-02-01 10:00,2.25,17850,United Kingdom\n"
    "542808,C1,ITEM FOUR,1,2011-02-01 10:10,5.00,13047,United Kingdom\n"
    "542808,C2,ITEM FIVE,1,2011-02-01 10:10,0.001,13047,United Kingdom\n"
    "542809,D1,DAMAGED,-56,2011-02-01 11:00,0,,United Kingdom\n"
    "542806,A3,ITEM SIX,1,2011-02-01 10:00,10.00,17850,United Kingdom\n"
    "\n"
    "542808,C3,ITEM SEVEN,2,2011-02-01 10:10,1.00,13047,United Kingdom\n";

TEST_P(ImportHistoryTest, AnInvoiceIsGroupedWhereverItsRowsAreAndRejectedWhole) {
  ImportRequest request = Apply(ImportKind::kTransactions, ImportMode::kValidRows);
  request.currency_exponent = 2;
  request.utc_offset_minutes = 0;
  request.source_name = "retail";
  auto outcome = Run(kScattered, request);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  ASSERT_TRUE(outcome->committed);
  EXPECT_EQ(outcome->counts.orders_created, 2);  // 542806 (three rows apart) and 542807
  EXPECT_EQ(outcome->counts.write_offs_created, 1);
  EXPECT_EQ(outcome->report.rows_rejected, 3);  // all of 542808
  EXPECT_EQ(outcome->report.Count(IssueCode::kTooManyDecimals), 1);
  EXPECT_EQ(outcome->report.Count(IssueCode::kInvoiceRejected), 2);
  for (const importing::RowIssue& issue : outcome->report.issues()) {
    // Rows as the spreadsheet shows them: the header is row 1 and the empty row 9 counts.
    if (issue.code == IssueCode::kTooManyDecimals) {
      EXPECT_EQ(issue.row, 6);
      EXPECT_NE(issue.message.find("more decimals than the currency allows"), std::string::npos);
    }
    if (issue.code == IssueCode::kInvoiceRejected) EXPECT_TRUE(issue.row == 5 || issue.row == 10) << issue.row;
  }
  auto order = store::ReadValue<std::optional<domain::Order>>(*db_, [&](store::Transaction& tx) {
    return tx.orders().FindByExternalId(owner_.business_id, "retail", "542806");
  });
  ASSERT_TRUE(order.ok() && order->has_value());
  EXPECT_EQ((*order)->lines.size(), 3u);
  EXPECT_EQ((*order)->total.minor_units(), 300 + 900 + 1000);
  // The write-off is no customer's refund: 17850 and 13047 have no refunds, and no order holds it.
  EXPECT_EQ(OrderCount(), 2);

  // The rejects, corrected, complete the invoice rather than being "already imported".
  std::string corrected = outcome->rejects_csv;
  ASSERT_NE(corrected.find("0.001"), std::string::npos);
  corrected.replace(corrected.find("0.001"), 5, "0.50");
  auto fixed = Run(corrected, request);
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(fixed->counts.orders_created, 1);
  EXPECT_EQ(fixed->counts.orders_existing, 0);
  auto completed = store::ReadValue<std::optional<domain::Order>>(*db_, [&](store::Transaction& tx) {
    return tx.orders().FindByExternalId(owner_.business_id, "retail", "542808");
  });
  ASSERT_TRUE(completed.ok() && completed->has_value());
  EXPECT_EQ((*completed)->lines.size(), 3u);
  EXPECT_EQ((*completed)->total.minor_units(), 500 + 50 + 200);
}

std::string TwoDecimalLines(int rows) {
  std::string file = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\n";
  for (int i = 0; i < rows; ++i) {
    file += std::to_string(600000 + i) + ",A" + std::to_string(i) + ",ITEM,1,2011-02-01 10:00,2.55,17850\n";
  }
  return file;
}

TEST_P(ImportHistoryTest, MostRowsFailingOnDecimalsStopsAndSaysWhatToChange) {
  ImportRequest request = Apply(ImportKind::kTransactions, ImportMode::kValidRows);
  request.utc_offset_minutes = 0;
  auto stopped = Run(TwoDecimalLines(12), request);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stopped.status().reason(), "most_rows_rejected");
  EXPECT_NE(stopped.status().message().find("the amounts have 2 decimals: set the business currency or pass "
                                            "--currency-exponent 2"),
            std::string::npos)
      << stopped.status().message();
  EXPECT_EQ(OrderCount(), 0);
  // A business in pounds reads them without being told.
  NewBusiness("GBP");
  auto pounds = Run(TwoDecimalLines(12), request);
  ASSERT_TRUE(pounds.ok()) << pounds.status().ToString();
  EXPECT_TRUE(pounds->committed);
  EXPECT_EQ(OrderCount(), 12);
}

TEST_P(ImportHistoryTest, AWonAmountWithDecimalsIsFlaggedWithThatReason) {
  auto outcome = Run("주문번호,주문일시,휴대폰,결제금액\nA-1,2024-03-01,010-5555-6666,98000.5\n",
                     Apply(ImportKind::kOrders));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->report.Count(IssueCode::kTooManyDecimals), 1);
  ASSERT_FALSE(outcome->report.issues().empty());
  EXPECT_EQ(outcome->report.issues().back().message, "\"98000.5\" has more decimals than the currency allows (0)");
}

TEST_P(ImportHistoryTest, AnOldExcelFileIsRefusedWithWhatToDo) {
  std::string xls("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  xls.append(512, '\0');
  auto outcome = Run(xls, Apply(ImportKind::kCustomers));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(outcome.status().message().find("save it as .xlsx or CSV"), std::string::npos);
}

TEST_P(ImportHistoryTest, TheSecondSheetOfAWorkbookIsNotTheSameFileAgain) {
  std::ifstream file(std::string(DANGOL_IMPORT_CASES) + "/xlsx-customers/input.xlsx", std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  ImportRequest first = Apply(ImportKind::kCustomers, ImportMode::kValidRows);
  first.confirm_ignored = true;
  auto imported = Run(bytes.str(), first);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  ASSERT_TRUE(imported->committed);
  ImportRequest memo = first;
  memo.source.sheet = "memo";
  memo.fields = std::vector<Field>{Field::kName};
  auto second = Run(bytes.str(), memo);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->previous_run_id.has_value());
  auto again = Run(bytes.str(), first);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->previous_run_id, imported->run_id);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportHistoryTest, ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         [](const auto& info) { return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::app
