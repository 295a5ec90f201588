// For tests parameterised by back end: where the database of one test lives. SQLite gets a fresh
// file in a temporary directory; PostgreSQL is the server DANGOL_TEST_POSTGRES_URL names
// (scripts/with-postgres starts one). Without that server the test is skipped, or failed when
// DANGOL_REQUIRE_POSTGRES=1, as `make test` sets it. Test code only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <string>

#include "store/database.h"

namespace crm::store {

// Sets *url to the database to open and, for SQLite, *temp_dir to the directory to remove after
// the test. `name` tells the temporary directories of different suites apart. Call it as
//   ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-merge", &dir_, &url));
//   if (IsSkipped()) return;
inline void TestDatabaseUrl(Dialect dialect, const std::string& name, std::string* temp_dir, std::string* url) {
  if (dialect == Dialect::kSqlite) {
    std::string pattern = "/tmp/" + name + "-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    *temp_dir = pattern;
    *url = "sqlite:" + pattern + "/test.db";
    return;
  }
  const char* server = std::getenv("DANGOL_TEST_POSTGRES_URL");
  if (server == nullptr || *server == '\0') {
    const char* required = std::getenv("DANGOL_REQUIRE_POSTGRES");
    if (required != nullptr && std::string(required) == "1") FAIL() << "DANGOL_TEST_POSTGRES_URL is not set";
    GTEST_SKIP() << "no PostgreSQL server (set DANGOL_TEST_POSTGRES_URL)";
  }
  *url = server;
}

}  // namespace crm::store
