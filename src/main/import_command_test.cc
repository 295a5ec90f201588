#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "main/cli.h"
#include "main/cli_test_support.h"

namespace crm::cli {
namespace {

int Lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("DANGOL_DB");
    std::string pattern = (std::filesystem::temp_directory_path() / "dangol-import-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    db_ = "sqlite:" + dir_ + "/test.db";
    ASSERT_EQ(RunDangol({"business", "create", "--db", db_, "--slug", "shop", "--name", "가게", "--branch", "본점"}).code, 0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::vector<std::string> Import(const std::string& kind, const std::string& file) {
    return {"import", "--db", db_, "--business", "shop", "--kind", kind, file};
  }

  std::string dir_;
  std::string db_;
};

const char* kCustomers = "이름,휴대폰\n김철수,010-1234-5678\n이영희,010-1234\n";

TEST_F(ImportCliTest, DryRunPrintsTheReportAsJsonAndWritesNothing) {
  std::vector<std::string> args = Import("customers", Write("c.csv", kCustomers));
  args.insert(args.end(), {"--dry-run", "--format", "json"});
  const CliResult result = RunDangol(args);
  ASSERT_EQ(result.code, 0) << result.err;
  const nlohmann::json report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["dry_run"], true);
  EXPECT_EQ(report["committed"], false);
  EXPECT_EQ(report["rows"]["read"], 2);
  EXPECT_EQ(report["rows"]["rejected"], 1);
  EXPECT_EQ(report["customers"]["created"], 1);
  EXPECT_EQ(report["mapping"][1]["field"], "phone");
  EXPECT_EQ(report["issues"][0]["code"], "invalid_phone");
  EXPECT_EQ(report["issues"][0]["examples"][0]["row"], 3);  // as the spreadsheet shows it: the header is row 1
  // Nothing was written: a real run still creates the customer.
  std::vector<std::string> again = Import("customers", Write("ok.csv", "이름,휴대폰\n김철수,010-1234-5678\n"));
  const CliResult real = RunDangol(again);
  ASSERT_EQ(real.code, 0) << real.err;
  EXPECT_NE(real.out.find("customers: 1 created"), std::string::npos) << real.out;
}

TEST_F(ImportCliTest, RejectedRowsStopAnAllOrNothingRunWithExitCode2) {
  const CliResult result = RunDangol(Import("customers", Write("c.csv", kCustomers)));
  EXPECT_EQ(result.code, 2);
  EXPECT_EQ(Lines(result.err), 1) << result.err;
  EXPECT_NE(result.err.find("nothing was imported"), std::string::npos);
  EXPECT_NE(result.out.find("invalid_phone (error): 1"), std::string::npos) << result.out;
}

TEST_F(ImportCliTest, ValidRowsWritesTheRejectsFile) {
  const std::string file = Write("c.csv", kCustomers);
  std::vector<std::string> args = Import("customers", file);
  args.push_back("--valid-rows");
  const CliResult result = RunDangol(args);
  ASSERT_EQ(result.code, 0) << result.err;
  std::ifstream rejects(file + ".rejects.csv");
  std::stringstream text;
  text << rejects.rdbuf();
  EXPECT_NE(text.str().find("이영희,010-1234,"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("invalid_phone"), std::string::npos);
}

TEST_F(ImportCliTest, BadInputIsOneLineAndExitCode2) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           Import("customers", dir_ + "/missing.csv"),
           Import("customers", Write("empty.csv", "")),
           Import("orders", Write("c.csv", kCustomers)),  // no order columns
           Import("customers", Write("bad.xlsx", "PK\x03\x04not a workbook")),
           {"import", "--db", db_, "--business", "nobody", "--kind", "customers", Write("c.csv", kCustomers)},
           {"import", "--db", db_, "--business", "shop", "--kind", "people", Write("c.csv", kCustomers)},
       }) {
    const CliResult result = RunDangol(args);
    EXPECT_EQ(result.code, 2) << args.back() << ": " << result.err;
    EXPECT_EQ(Lines(result.err), 1) << result.err;
    EXPECT_EQ(result.err.rfind("dangol: ", 0), 0u) << result.err;
  }
}

TEST_F(ImportCliTest, DuplicatesListsCandidatePairs) {
  const std::string file = Write("d.csv", "이름,휴대폰,생일\n류현진,,1987-03-25\n유현진,,1987-03-25\n김민준,,\n");
  ASSERT_EQ(RunDangol(Import("customers", file)).code, 0);
  const CliResult result = RunDangol({"duplicates", "--db", db_, "--business", "shop", "--format", "json"});
  ASSERT_EQ(result.code, 0) << result.err;
  const nlohmann::json pairs = nlohmann::json::parse(result.out);
  ASSERT_EQ(pairs["items"].size(), 1u);
  EXPECT_EQ(pairs["items"][0]["reasons"][0], "same_name_and_birthday");
  const CliResult text = RunDangol({"duplicates", "--db", db_, "--business", "shop"});
  EXPECT_NE(text.out.find("1 candidate pairs"), std::string::npos) << text.out;
  EXPECT_EQ(RunDangol({"duplicates", "--db", db_, "--business", "nobody"}).code, 2);
}

}  // namespace
}  // namespace crm::cli
