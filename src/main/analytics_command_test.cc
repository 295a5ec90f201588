#include "main/analytics_command.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/time.h"
#include "main/cli.h"
#include "main/cli_test_support.h"

namespace crm::cli {
namespace {

const std::string kData = DANGOL_ANALYTICS_DATA_DIR;

// With logging off, so that stderr holds only what the command itself says.
CliResult RunQuietly(std::vector<std::string> args) {
  args.insert(args.begin(), {"--log-level", "off"});
  return RunDangol(args);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void ExpectUsageError(const CliResult& result) {
  EXPECT_EQ(result.code, 2) << result.err;
  EXPECT_EQ(result.err.rfind("dangol: ", 0), 0u) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

class AnalyticsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "dangol-analytics-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(AnalyticsCliTest, RfmWritesExactlyThePeersOutput) {
  const std::string output = dir_ + "/out.csv";
  CliResult result = RunQuietly(
      {"analytics", "rfm", "--input", kData + "/rfm_small/input.csv", "--output", output});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(Slurp(output), Slurp(kData + "/rfm_small/expected.csv"));
  EXPECT_NE(result.out.find("PARETO top20_customers=5 top20_revenue=208000 total_revenue=327000 "
                            "share=0.636086"),
            std::string::npos)
      << result.out;
}

TEST_F(AnalyticsCliTest, RfmBadInputIsAUsageError) {
  ExpectUsageError(RunQuietly({"analytics", "rfm", "--input", dir_ + "/missing.csv", "--output",
                              dir_ + "/out.csv"}));
  std::ofstream(dir_ + "/bad.csv") << "order_id,customer_id,ordered_at,amount_krw\n1,2,yesterday,5\n";
  CliResult bad = RunQuietly(
      {"analytics", "rfm", "--input", dir_ + "/bad.csv", "--output", dir_ + "/out.csv"});
  ExpectUsageError(bad);
  EXPECT_NE(bad.err.find("line 2"), std::string::npos);
  ExpectUsageError(RunQuietly({"analytics", "rfm", "--input", dir_ + "/bad.csv"}));
  ExpectUsageError(RunQuietly({"analytics"}));
}

TEST_F(AnalyticsCliTest, ClvFitsCdnowAndWritesCustomers) {
  const std::string output = dir_ + "/customers.csv";
  CliResult result = RunQuietly({"analytics", "clv", "--input", kData + "/CDNOW_sample.txt",
                                "--format", "cdnow", "--calibration-end", "1997-09-30",
                                "--output", output});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_NE(result.out.find("\"customers\": 2357"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"r\": 0.2425"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"actual_total\": 1882"), std::string::npos) << result.out;
  const std::string customers = Slurp(output);
  EXPECT_EQ(std::count(customers.begin(), customers.end(), '\n'), 2358);
  EXPECT_EQ(result.out.find("pareto_nbd"), std::string::npos);
}

TEST_F(AnalyticsCliTest, ClvWithParetoNbdReportsBothModels) {
  CliResult result = RunQuietly({"analytics", "clv", "--input", kData + "/CDNOW_sample.txt",
                                "--format", "cdnow", "--calibration-end", "1997-09-30",
                                "--pareto-nbd"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_NE(result.out.find("\"pareto_nbd\": {\"r\": 0.553"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.substr(result.out.size() - 4), "}\n}\n") << result.out;
  // Each model tells its holdout figures: totals against the 1,882 actual repeat purchases, the
  // correlation, the customers without a repeat purchase, and the tracking curve over 78 weeks.
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = result.out.find(needle); at != std::string::npos; at = result.out.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("\"actual_total\": 1882"), 2u) << result.out;
  EXPECT_EQ(count("\"correlation\": "), 2u) << result.out;
  EXPECT_EQ(count("\"no_repeat\": {\"customers\": 1411"), 2u) << result.out;
  EXPECT_EQ(count("\"cumulative\": ["), 2u) << result.out;
  EXPECT_EQ(count("{\"period\": 78, \"actual\": "), 2u) << result.out;
  EXPECT_EQ(count("{\"period\": 79,"), 0u) << result.out;
}

// Orders of one customer at 23:30 and 00:30 in Seoul are two local days but one UTC day: the
// command splits days where the timestamps' offset (or --utc-offset) says, as the server does.
TEST_F(AnalyticsCliTest, ClvSplitsDaysAtTheBusinessOffset) {
  std::ostringstream csv;
  csv << "order_id,customer_id,ordered_at,amount_krw\n";
  int order = 0;
  for (int customer = 1; customer <= 40; ++customer) {
    for (int day = 1 + customer % 9; day <= 150; day += 7 + customer % 23) {
      const Date date = CivilFromDays(DaysFromCivil(2024, 1, 1) + day);
      csv << ++order << "," << customer << ","
          << fmt::format("{:04d}-{:02d}-{:02d}T12:00:00+09:00", date.year, date.month, date.day) << ",5000\n";
    }
  }
  csv << ++order << ",99,2024-03-01T23:30:00+09:00,7000\n" << ++order << ",99,2024-03-02T00:30:00+09:00,3000\n";
  std::ofstream(dir_ + "/kst.csv") << csv.str();
  auto row_of_99 = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"analytics", "clv", "--input", dir_ + "/kst.csv", "--calibration-end",
                                     "2024-06-30", "--output", dir_ + "/out.csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliResult result = RunQuietly(args);
    EXPECT_EQ(result.code, 0) << result.err;
    const std::string out = Slurp(dir_ + "/out.csv");
    const size_t at = out.find("\n99,");
    return at == std::string::npos ? std::string() : out.substr(at + 1, out.find('\n', at + 1) - at - 1);
  };
  EXPECT_EQ(row_of_99({}).rfind("99,1,", 0), 0u) << row_of_99({});                       // two local days
  EXPECT_EQ(row_of_99({"--utc-offset", "+09:00"}).rfind("99,1,", 0), 0u);
  EXPECT_EQ(row_of_99({"--utc-offset", "+00:00"}).rfind("99,0,", 0), 0u) << row_of_99({"--utc-offset", "Z"});
  ExpectUsageError(RunQuietly({"analytics", "clv", "--input", dir_ + "/kst.csv", "--calibration-end", "2024-06-30",
                              "--utc-offset", "9"}));
}

TEST_F(AnalyticsCliTest, ClvBadArgumentsAreUsageErrors) {
  ExpectUsageError(RunQuietly({"analytics", "clv", "--input", kData + "/CDNOW_sample.txt",
                              "--format", "cdnow", "--calibration-end", "1997-02-30"}));
  ExpectUsageError(RunQuietly({"analytics", "clv", "--input", kData + "/CDNOW_sample.txt",
                              "--format", "xlsx", "--calibration-end", "1997-09-30"}));
  // Nobody has a repeat purchase by the second day: the model cannot be fitted.
  ExpectUsageError(RunQuietly({"analytics", "clv", "--input", kData + "/CDNOW_sample.txt",
                              "--format", "cdnow", "--calibration-end", "1997-01-01"}));
}

TEST_F(AnalyticsCliTest, RulesOnGroceriesGives410SortedByLift) {
  const std::string output = dir_ + "/rules.csv";
  CliResult result = RunQuietly({"analytics", "rules", "--input", kData + "/groceries.csv",
                                "--basket", "--min-support", "0.001", "--min-confidence", "0.8",
                                "--output", output});
  ASSERT_EQ(result.code, 0) << result.err;
  const std::string csv = Slurp(output);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 411);
  EXPECT_EQ(csv.substr(0, csv.find('\n', 40) + 1),
            "lhs,rhs,support,confidence,lift,count\n"
            "\"{liquor,red/blush wine}\",\"{bottled beer}\",0.00193187595,0.904761905,11.2352694,19\n");
}

TEST_F(AnalyticsCliTest, RulesBadThresholdsAreUsageErrors) {
  ExpectUsageError(RunQuietly({"analytics", "rules", "--input", kData + "/groceries.csv",
                              "--basket", "--min-support", "0", "--min-confidence", "0.8"}));
  ExpectUsageError(RunQuietly({"analytics", "rules", "--input", kData + "/groceries.csv",
                              "--min-support", "0.01", "--min-confidence", "0.8"}));
  ExpectUsageError(RunQuietly({"analytics", "rules", "--input", kData + "/groceries.csv",
                              "--basket", "--min-support", "0.01", "--min-confidence", "0.8",
                              "--min-length", "4", "--max-length", "2"}));
}

}  // namespace
}  // namespace crm::cli
