#include "http/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace crm::http {
namespace {

namespace fs = std::filesystem;

std::string Header(const StaticResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

void Write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A web root inside a fresh temporary directory, with a secret file beside (outside) the root.
class StaticFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    base_ = fs::temp_directory_path() / ("dangol-static-" + std::to_string(random()) + std::to_string(random()));
    root_ = base_ / "dist";
    Write(root_ / "index.html", "<!doctype html><title>Dangol</title>");
    Write(root_ / "assets" / "index-1a2b3c.js", "console.log(1)");
    Write(root_ / "assets" / "index-1a2b3c.css", "body{}");
    Write(root_ / "favicon.svg", "<svg/>");
    Write(base_ / "secret.txt", "secret");
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(base_, error);
  }

  StaticFiles LoadRoot() {
    Result<StaticFiles> files = StaticFiles::Load(root_);
    EXPECT_TRUE(files.ok()) << files.status().message();
    return std::move(files).value();
  }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirContentTypes) {
  StaticFiles files = LoadRoot();
  StaticResponse js = files.Serve("/assets/index-1a2b3c.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(*js.body, "console.log(1)");
  EXPECT_EQ(Header(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(files.Serve("/assets/index-1a2b3c.css"), "Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(Header(files.Serve("/favicon.svg"), "Content-Type"), "image/svg+xml");
  EXPECT_EQ(Header(files.Serve("/"), "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("a.unknown"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("noextension"), "application/octet-stream");
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutableAndIndexIsRevalidated) {
  StaticFiles files = LoadRoot();
  EXPECT_EQ(Header(files.Serve("/assets/index-1a2b3c.js"), "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(files.Serve("/"), "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(files.Serve("/index.html"), "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(files.Serve("/favicon.svg"), "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, EveryAnswerCarriesAStrictContentSecurityPolicy) {
  StaticFiles files = LoadRoot();
  for (std::string_view path : {"/", "/assets/index-1a2b3c.js", "/office/customers", "/missing.js"}) {
    const std::string policy = Header(files.Serve(path), "Content-Security-Policy");
    EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(policy.find("unsafe-eval"), std::string::npos) << path;
  }
  EXPECT_EQ(Header(files.Serve("/"), "X-Content-Type-Options"), "nosniff");
}

TEST_F(StaticFilesTest, AppPagesFallBackToIndexAndMissingFilesAre404) {
  StaticFiles files = LoadRoot();
  StaticResponse page = files.Serve("/office/customers/42");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(*page.body, "<!doctype html><title>Dangol</title>");
  EXPECT_EQ(Header(page, "Cache-Control"), "no-cache");
  EXPECT_EQ(files.Serve("/kiosk").status, 200);
  // The public opt-out page: its signed token has dots, yet it is a page, not a file.
  StaticResponse opt_out = files.Serve("/u/1.42.0123456789abcdef0123456789abcdef");
  ASSERT_EQ(opt_out.status, 200);
  EXPECT_EQ(*opt_out.body, "<!doctype html><title>Dangol</title>");
  EXPECT_EQ(files.Serve("/u/../index.html").status, 404);
  EXPECT_EQ(files.Serve("/assets/gone-123.js").status, 404);
  EXPECT_EQ(files.Serve("/robots.txt").status, 404);
}

TEST_F(StaticFilesTest, TraversalNeverReachesOutsideTheRoot) {
  StaticFiles files = LoadRoot();
  for (std::string_view path : {"/../secret.txt", "/assets/../../secret.txt", "/..%2fsecret.txt",
                                "/%2e%2e/secret.txt", "/assets/..\\..\\secret.txt", "//etc/passwd",
                                "/../../../../etc/passwd", "relative.txt", ""}) {
    StaticResponse response = files.Serve(path);
    EXPECT_EQ(response.status, 404) << path;
    ASSERT_NE(response.body, nullptr);
    EXPECT_EQ(response.body->find("secret"), std::string::npos) << path;
  }
  // An encoded ".." is refused even where the path names no file.
  StaticResponse page = files.Serve("/%2e%2e/secret");
  EXPECT_EQ(page.status, 404);
}

TEST_F(StaticFilesTest, SymlinksOutOfTheRootAreNotServed) {
  std::error_code error;
  fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt", error);
  if (error) GTEST_SKIP() << "cannot make a symlink here: " << error.message();
  StaticFiles files = LoadRoot();
  EXPECT_EQ(files.Serve("/leak.txt").status, 404);
  EXPECT_EQ(files.file_count(), 4u);
}

TEST_F(StaticFilesTest, ARootWithoutIndexIsNotFound) {
  Result<StaticFiles> files = StaticFiles::Load(base_ / "nowhere");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
}

TEST_F(StaticFilesTest, ARootOverTheSizeLimitIsRefused) {
  Result<StaticFiles> files = StaticFiles::Load(root_, 10);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kInvalidArgument);
}

TEST(StaticFilesHandlesTest, OnlyGetAndHeadOutsideTheApi) {
  EXPECT_TRUE(StaticFiles::Handles("GET", "/"));
  EXPECT_TRUE(StaticFiles::Handles("HEAD", "/assets/a.js"));
  EXPECT_TRUE(StaticFiles::Handles("GET", "/apiary"));
  EXPECT_FALSE(StaticFiles::Handles("GET", "/api/v1/health"));
  EXPECT_FALSE(StaticFiles::Handles("GET", "/api"));
  EXPECT_FALSE(StaticFiles::Handles("POST", "/"));
  EXPECT_FALSE(StaticFiles::Handles("DELETE", "/index.html"));
}

}  // namespace
}  // namespace crm::http
