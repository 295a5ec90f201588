#include "main/cli.h"
#include "main/cli_test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace crm::cli {
namespace {

// A usage error is exit code 2 and exactly one line on standard error.
void ExpectUsageError(const CliResult& result, const std::string& mentions) {
  EXPECT_EQ(result.code, 2) << result.err;
  EXPECT_EQ(result.err.rfind("dangol: ", 0), 0u) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find(mentions), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("DANGOL_DB");
    std::string pattern = (std::filesystem::temp_directory_path() / "dangol-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    db_ = "sqlite:" + dir_ + "/test.db";
  }
  void TearDown() override {
    unsetenv("DANGOL_DB");
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::string db_;
};

TEST_F(CliTest, VersionAndHelpExitZero) {
  CliResult version = RunDangol({"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_NE(version.out.find("dangol "), std::string::npos);

  CliResult help = RunDangol({"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* command : {"serve", "migrate", "demo", "token", "user", "business"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
  }
}

TEST_F(CliTest, EveryCommandHasHelp) {
  const std::vector<std::vector<std::string>> commands = {{"serve"},       {"migrate"},
                                                          {"demo"},        {"token", "create"},
                                                          {"user", "add"}, {"business", "create"}};
  for (std::vector<std::string> command : commands) {
    command.push_back("--help");
    CliResult help = RunDangol(command);
    EXPECT_EQ(help.code, 0) << command[0];
    EXPECT_NE(help.out.find("--db"), std::string::npos) << command[0] << ": " << help.out;
  }
}

TEST_F(CliTest, NoCommandIsAUsageError) { ExpectUsageError(RunDangol({}), "subcommand"); }

TEST_F(CliTest, UnknownFlagIsAUsageError) {
  ExpectUsageError(RunDangol({"migrate", "--db", db_, "--bogus"}), "--bogus");
}

TEST_F(CliTest, MissingDatabaseIsAUsageError) { ExpectUsageError(RunDangol({"migrate"}), "--db"); }

TEST_F(CliTest, BadDatabaseUrlIsAUsageError) {
  ExpectUsageError(RunDangol({"migrate", "--db", "mysql://x"}), "sqlite:");
}

TEST_F(CliTest, BadListenAddressIsAUsageError) {
  ExpectUsageError(RunDangol({"serve", "--db", db_, "--listen", "localhost"}), "HOST:PORT");
}

TEST_F(CliTest, BadRoleIsAUsageError) {
  ExpectUsageError(
      RunDangol({"token", "create", "--db", db_, "--business", "demo", "--role", "boss"}),
      "--role");
}

TEST_F(CliTest, BadCustomerCountIsAUsageError) {
  ExpectUsageError(RunDangol({"demo", "--db", db_, "--customers", "-5"}), "--customers");
}

TEST_F(CliTest, UnreachableDatabaseExitsOne) {
  CliResult result = RunDangol({"migrate", "--db", "sqlite:" + dir_ + "/missing/dir/x.db"});
  EXPECT_EQ(result.code, 1) << result.err;
  EXPECT_EQ(result.err.rfind("dangol: ", 0), 0u);
}

TEST_F(CliTest, MigratePrintsTheSchemaVersionAndTakesTheUrlFromTheEnvironment) {
  setenv("DANGOL_DB", db_.c_str(), 1);
  CliResult result = RunDangol({"migrate"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("schema version ", 0), 0u) << result.out;
}

TEST_F(CliTest, SetsUpABusinessWithStaffAndTokens) {
  CliResult business = RunDangol(
      {"business", "create", "--db", db_, "--slug", "cafe", "--name", "카페", "--branch", "본점"});
  ASSERT_EQ(business.code, 0) << business.err;
  EXPECT_GT(std::stoll(business.out), 0);

  CliResult staff =
      RunDangol({"user", "add", "--db", db_, "--business", "cafe", "--email", "kim@example.com",
                 "--role", "staff", "--branch", "본점", "--password-stdin"},
                "correct horse battery\n");
  ASSERT_EQ(staff.code, 0) << staff.err;
  EXPECT_GT(std::stoll(staff.out), 0);
  EXPECT_EQ(staff.out.find("correct"), std::string::npos);

  CliResult token = RunDangol({"token", "create", "--db", db_, "--business", "cafe", "--role",
                               "manager", "--name", "pos-1"});
  ASSERT_EQ(token.code, 0) << token.err;
  ASSERT_FALSE(token.out.empty());
  EXPECT_EQ(token.out.find_first_of(" \t"), std::string::npos);
  EXPECT_EQ(token.out.find('\n'), token.out.size() - 1);
  EXPECT_GE(token.out.size(), 33u);
}

TEST_F(CliTest, SetUpMistakesAreUsageErrors) {
  ASSERT_EQ(RunDangol({"business", "create", "--db", db_, "--slug", "cafe", "--name", "카페"}).code,
            0);
  ExpectUsageError(RunDangol({"business", "create", "--db", db_, "--slug", "cafe", "--name", "또"}),
                   "slug");
  ExpectUsageError(
      RunDangol({"business", "create", "--db", db_, "--slug", "Bad Slug", "--name", "x"}), "slug");
  ExpectUsageError(
      RunDangol({"token", "create", "--db", db_, "--business", "nope", "--role", "staff"}), "nope");
  ExpectUsageError(RunDangol({"user", "add", "--db", db_, "--business", "cafe", "--email", "a@b.c",
                              "--role", "staff"}),
                   "--password");
  ExpectUsageError(RunDangol({"user", "add", "--db", db_, "--business", "cafe", "--email", "a@b.c",
                              "--role", "staff", "--password", "x", "--password-stdin"}),
                   "--password");
  ExpectUsageError(RunDangol({"user", "add", "--db", db_, "--business", "cafe", "--email", "a@b.c",
                              "--role", "staff", "--branch", "없는점", "--password-stdin"},
                             "long enough password\n"),
                   "없는점");
}

TEST_F(CliTest, DemoPrintsTheOwnersLogin) {
  CliResult demo = RunDangol({"demo", "--db", db_, "--customers", "30", "--seed", "3"});
  ASSERT_EQ(demo.code, 0) << demo.err;
  EXPECT_NE(demo.out.find("owner@demo.dangol"), std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("password: "), std::string::npos) << demo.out;
  EXPECT_NE(demo.err.find("customers"), std::string::npos) << demo.err;

  ExpectUsageError(RunDangol({"demo", "--db", db_, "--customers", "30"}), "exists");
}

TEST_F(CliTest, DemoAsOfATimeIsRepeatable) {
  const std::vector<std::string> args = {"--customers", "40",      "--seed",
                                         "9",           "--as-of", "2025-06-01T12:00:00+09:00"};
  std::vector<std::string> first = {"demo", "--db", db_};
  first.insert(first.end(), args.begin(), args.end());
  std::vector<std::string> second = {"demo", "--db", "sqlite:" + dir_ + "/second.db"};
  second.insert(second.end(), args.begin(), args.end());
  CliResult one = RunDangol(first);
  CliResult two = RunDangol(second);
  ASSERT_EQ(one.code, 0) << one.err;
  ASSERT_EQ(two.code, 0) << two.err;
  EXPECT_EQ(one.out, two.out);
}

TEST_F(CliTest, DemoWithABadAsOfIsAUsageError) {
  ExpectUsageError(RunDangol({"demo", "--db", db_, "--as-of", "yesterday"}), "--as-of");
}

}  // namespace
}  // namespace crm::cli
