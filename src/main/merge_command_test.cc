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

class MergeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("DANGOL_DB");
    std::string pattern = (std::filesystem::temp_directory_path() / "dangol-merge-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    db_ = "sqlite:" + dir_ + "/test.db";
    ASSERT_EQ(
        RunDangol({"business", "create", "--db", db_, "--slug", "shop", "--name", "가게", "--branch", "본점"}).code, 0);
    const std::string file = dir_ + "/customers.csv";
    std::ofstream(file, std::ios::binary)
        << "이름,휴대폰,이메일\n김철수,010-1234-5678,\n김 철수,010-9999-5678,kim@example.com\n";
    const CliResult imported = RunDangol({"import", "--db", db_, "--business", "shop", "--kind", "customers", file});
    ASSERT_EQ(imported.code, 0) << imported.err;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::string db_;
};

TEST_F(MergeCliTest, MergesWithChoicesAndUndoesOnce) {
  const CliResult queue = RunDangol({"duplicates", "--db", db_, "--business", "shop"});
  ASSERT_EQ(queue.code, 0) << queue.err;
  EXPECT_NE(queue.out.find("customer 1 and 2"), std::string::npos) << queue.out;

  const CliResult merged =
      RunDangol({"merge", "--db", db_, "--business", "shop", "--into", "1", "--from", "2", "--keep", "phone=other"});
  ASSERT_EQ(merged.code, 0) << merged.err;
  EXPECT_NE(merged.out.find("merge 1: customer 2 merged into customer 1"), std::string::npos) << merged.out;
  EXPECT_NE(merged.out.find("phone=other"), std::string::npos);
  EXPECT_NE(merged.out.find("email=other"), std::string::npos);  // empty on the survivor

  const CliResult again = RunDangol({"merge", "--db", db_, "--business", "shop", "--into", "1", "--from", "2"});
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("was merged into customer 1"), std::string::npos) << again.err;

  const CliResult undone = RunDangol({"merge", "undo", "--db", db_, "--business", "shop", "--id", "1"});
  ASSERT_EQ(undone.code, 0) << undone.err;
  EXPECT_NE(undone.out.find("merge 1 undone"), std::string::npos);
  const CliResult twice = RunDangol({"merge", "undo", "--db", db_, "--business", "shop", "--id", "1"});
  EXPECT_EQ(twice.code, 2);
  EXPECT_NE(twice.err.find("undone already"), std::string::npos) << twice.err;
}

TEST_F(MergeCliTest, AnImportRowWithAnExistingPhoneOrEmailIsReportedAsAMerge) {
  const std::string file = dir_ + "/again.csv";
  std::ofstream(file, std::ios::binary)
      << "이름,휴대폰,이메일\n김철수,010-1234-5678,cs@example.com\n새손님,,kim@example.com\n"
         "다른손님,010-5555-0000,\n";
  const CliResult report =
      RunDangol({"import", "--db", db_, "--business", "shop", "--kind", "customers", "--format", "json", file});
  ASSERT_EQ(report.code, 0) << report.err;
  EXPECT_NE(report.out.find("\"merged_into_existing\""), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("the same phone as customer 1"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("the same e-mail as customer 2"), std::string::npos) << report.out;
  const nlohmann::json json = nlohmann::json::parse(report.out);
  int64_t merges = 0;
  for (const auto& issue : json.at("issues")) {
    if (issue.at("code") == "merged_into_existing") merges = issue.at("count").get<int64_t>();
  }
  EXPECT_EQ(merges, 2);
  EXPECT_EQ(json.at("customers").at("created").get<int64_t>(), 1);
}

TEST_F(MergeCliTest, BadArgumentsExitWithTwo) {
  EXPECT_EQ(RunDangol({"merge", "--db", db_, "--business", "shop", "--into", "1", "--from", "1"}).code, 2);
  EXPECT_EQ(RunDangol({"merge", "--db", db_, "--business", "shop", "--into", "1"}).code, 2);
  const CliResult keep =
      RunDangol({"merge", "--db", db_, "--business", "shop", "--into", "1", "--from", "2", "--keep", "shoe=other"});
  EXPECT_EQ(keep.code, 2);
  EXPECT_NE(keep.err.find("keep"), std::string::npos);
  EXPECT_EQ(RunDangol({"merge", "--db", db_, "--business", "nobody", "--into", "1", "--from", "2"}).code, 2);
  EXPECT_EQ(RunDangol({"merge", "undo", "--db", db_, "--business", "shop", "--id", "99"}).code, 2);
}

}  // namespace
}  // namespace crm::cli
