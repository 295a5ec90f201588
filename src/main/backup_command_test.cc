// `dangol backup` and `dangol restore` on a demo business: SQLite to SQLite and SQLite to
// PostgreSQL (a fresh database on the test server) and back give the same file byte for byte, the
// restored ledger verifies and the restored users log in; damaged files restore nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/services.h"
#include "main/cli.h"
#include "main/cli_test_support.h"

namespace crm::cli {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void Spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

class BackupCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("DANGOL_DB");
    std::string pattern = (std::filesystem::temp_directory_path() / "dangol-backup-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    source_ = "sqlite:" + dir_ + "/source.db";
    const CliResult demo =
        RunDangol({"demo", "--db", source_, "--customers", "60", "--seed", "3", "--as-of", "2026-06-01T00:00:00Z"});
    ASSERT_EQ(demo.code, 0) << demo.err;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(demo.out, match, std::regex("email: +(\\S+)\\n +password: +(\\S+)"))) << demo.out;
    email_ = match[1];
    password_ = match[2];
    backup_ = dir_ + "/demo.backup";
    const CliResult backup = RunDangol({"backup", "--db", source_, "--business", "demo", "--output", backup_});
    ASSERT_EQ(backup.code, 0) << backup.err;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Restores the backup into `url`, backs it up again, and checks the copy.
  void RoundTrip(const std::string& url) {
    const CliResult restored = RunDangol({"restore", "--db", url, "--input", backup_});
    ASSERT_EQ(restored.code, 0) << restored.err;
    EXPECT_NE(restored.out.find("restored demo"), std::string::npos) << restored.out;
    const std::string again = dir_ + "/again.backup";
    ASSERT_EQ(RunDangol({"backup", "--db", url, "--business", "demo", "--output", again}).code, 0);
    const std::string first = Slurp(backup_);
    EXPECT_GT(first.size(), 10'000u);
    // The demo campaign's messages were dispatched: their status history travels with them.
    EXPECT_NE(first.find("{\"table\":\"message_events\""), std::string::npos) << "no message events in the backup";
    EXPECT_TRUE(first == Slurp(again)) << "the backup of the restored copy differs from the original";
    const CliResult verify = RunDangol({"ledger", "verify", "--db", url, "--business", "demo"});
    EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
    {
      auto database = store::Database::Open(url);
      ASSERT_TRUE(database.ok()) << database.status().ToString();
      SystemClock clock;
      app::Services services(**database, clock);
      auto login = services.auth.Login(email_, password_, "demo", "test");
      EXPECT_TRUE(login.ok()) << login.status().ToString();
      auto wrong = services.auth.Login(email_, password_ + "x", "demo", "test");
      EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
    }
    // The business is there now: a second restore is refused and changes nothing.
    const CliResult twice = RunDangol({"restore", "--db", url, "--input", backup_});
    EXPECT_EQ(twice.code, 2);
    EXPECT_NE(twice.err.find("exists"), std::string::npos) << twice.err;
  }

  // Restoring `text` into a fresh SQLite file fails with exit code 2 and leaves no business.
  void ExpectRefused(const std::string& name, const std::string& text, const std::string& reason,
                     const std::vector<std::string>& key_arguments = {}) {
    const std::string path = dir_ + "/" + name + ".backup";
    Spit(path, text);
    const std::string url = "sqlite:" + dir_ + "/" + name + ".db";
    std::vector<std::string> arguments = {"restore", "--db", url, "--input", path};
    arguments.insert(arguments.end(), key_arguments.begin(), key_arguments.end());
    const CliResult restored = RunDangol(arguments);
    EXPECT_EQ(restored.code, 2) << name << ": " << restored.out;
    EXPECT_NE(restored.err.find(reason), std::string::npos) << name << ": " << restored.err;
    const CliResult none = RunDangol({"backup", "--db", url, "--business", "demo", "--output", path + ".out"});
    EXPECT_EQ(none.code, 2) << name << ": something was restored";
  }

  std::string dir_;
  std::string source_;
  std::string backup_;
  std::string email_;
  std::string password_;
};

TEST_F(BackupCliTest, SqliteToSqliteGivesTheSameFileAndAWorkingCopy) { RoundTrip("sqlite:" + dir_ + "/copy.db"); }

TEST_F(BackupCliTest, SqliteToPostgresGivesTheSameFileAndAWorkingCopy) {
  const char* env = std::getenv("DANGOL_TEST_POSTGRES_URL");
  if (env == nullptr || *env == '\0') {
    const char* required = std::getenv("DANGOL_REQUIRE_POSTGRES");
    if (required != nullptr && std::string(required) == "1") FAIL() << "DANGOL_TEST_POSTGRES_URL is not set";
    GTEST_SKIP() << "no PostgreSQL server (set DANGOL_TEST_POSTGRES_URL)";
  }
  // A database of its own: a restore needs one without the business's ids.
  const std::string server = env;
  const std::string name = fmt::format("dangol_restore_{}_{}", getpid(), std::rand() % 100000);
  ASSERT_EQ(std::system(fmt::format("psql -q '{}' -c 'CREATE DATABASE {}'", server, name).c_str()), 0);
  const std::string url = server.substr(0, server.rfind('/') + 1) + name;
  RoundTrip(url);
  EXPECT_EQ(std::system(fmt::format("psql -q '{}' -c 'DROP DATABASE {} WITH (FORCE)'", server, name).c_str()), 0);
}

TEST_F(BackupCliTest, DamagedBackupsRestoreNothing) {
  const std::string text = Slurp(backup_);
  const size_t last_line = text.rfind('\n', text.size() - 2);
  ExpectRefused("truncated", text.substr(0, last_line + 1), "truncated");
  ExpectRefused("cut", text.substr(0, text.size() / 2), "");
  std::string altered = text;
  const size_t total = altered.find("\"total\":");
  ASSERT_NE(total, std::string::npos);
  altered[total + 8] = altered[total + 8] == '9' ? '8' : '9';
  ExpectRefused("altered", altered, "checksum");
  ExpectRefused("not_a_backup", "이름,휴대폰\n김철수,010-1234-5678\n", "not a Dangol backup");
  ExpectRefused("empty", "", "empty");
  std::string newer = text;
  newer.replace(newer.find("\"schema_version\":"), 18, "\"schema_version\":9");
  ExpectRefused("newer", newer, "newer");
}

TEST_F(BackupCliTest, ASealedBackupRestoresOnlyWithItsKeyAndUnchanged) {
  const std::string key = dir_ + "/backup.key";
  ASSERT_EQ(RunDangol({"backup-key", "--output", key}).code, 0);
  EXPECT_EQ(RunDangol({"backup-key", "--output", key}).code, 2) << "a key file is never overwritten";
  const std::string sealed_path = dir_ + "/sealed.backup";
  const CliResult sealed =
      RunDangol({"backup", "--db", source_, "--business", "demo", "--output", sealed_path, "--encrypt", "--key-file", key});
  ASSERT_EQ(sealed.code, 0) << sealed.err;
  const auto perms = std::filesystem::status(sealed_path).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  const std::string text = Slurp(sealed_path);
  EXPECT_NE(Slurp(backup_).find(email_), std::string::npos);
  EXPECT_EQ(text.find(email_), std::string::npos) << "the sealed file holds personal data in clear";

  // Asked for the wrong way round: exit code 2.
  EXPECT_EQ(RunDangol({"backup", "--db", source_, "--business", "demo", "--output", dir_ + "/x", "--encrypt"}).code, 2);
  EXPECT_EQ(RunDangol({"backup", "--db", source_, "--business", "demo", "--output", dir_ + "/x", "--key-file", key}).code,
            2);

  const std::string other = dir_ + "/other.key";
  ASSERT_EQ(RunDangol({"backup-key", "--output", other}).code, 0);
  ExpectRefused("no_key", text, "sealed");
  ExpectRefused("wrong_key", text, "wrong key", {"--key-file", other});
  std::string changed = text;
  changed[changed.size() / 2] = static_cast<char>(changed[changed.size() / 2] ^ 0x20);
  ExpectRefused("changed", changed, "changed", {"--key-file", key});
  ExpectRefused("cut_off", text.substr(0, text.size() - 21), "", {"--key-file", key});
  ExpectRefused("plain_with_key", Slurp(backup_), "not sealed", {"--key-file", key});

  // With its key it restores, and the restored business backs up to the same plain file.
  const std::string url = "sqlite:" + dir_ + "/unsealed.db";
  const CliResult restored = RunDangol({"restore", "--db", url, "--input", sealed_path, "--key-file", key});
  ASSERT_EQ(restored.code, 0) << restored.err;
  const std::string again = dir_ + "/unsealed.backup";
  ASSERT_EQ(RunDangol({"backup", "--db", url, "--business", "demo", "--output", again}).code, 0);
  EXPECT_TRUE(Slurp(backup_) == Slurp(again));
}

}  // namespace
}  // namespace crm::cli
