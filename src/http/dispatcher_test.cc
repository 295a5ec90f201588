#include "http/dispatcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/time.h"
#include "store/database.h"

namespace crm::http {
namespace {

constexpr size_t kUploadLimit = 64;

// Routes that exercise raw bodies and file answers: an upload that echoes what it got, a JSON
// route, and a download.
std::vector<Route> TestRoutes() {
  return {
      {{.method = Method::kPost,
        .pattern = "/api/v1/upload",
        .summary = "upload",
        .access = Access::kPublic,
        .response_schema = "Echo",
        .raw_request_types = {"text/csv"},
        .max_body_bytes = kUploadLimit},
       [](RequestContext& context) -> Result<Response> {
         return Response::Of(Json{{"bytes", context.raw_body.size()},
                                  {"text", std::string(context.raw_body)},
                                  {"content_type", context.content_type},
                                  {"json_body_empty", context.body.empty()}});
       }},
      {{.method = Method::kPost,
        .pattern = "/api/v1/json",
        .summary = "json",
        .access = Access::kPublic,
        .request_schema = "Anything",
        .response_schema = "Echo"},
       [](RequestContext& context) -> Result<Response> {
         return Response::Of(Json{{"raw_empty", context.raw_body.empty()}, {"value", context.body.value("a", 0)}});
       }},
      {{.method = Method::kGet,
        .pattern = "/api/v1/download",
        .summary = "download",
        .access = Access::kPublic,
        .raw_response_types = {"text/csv"}},
       [](RequestContext&) -> Result<Response> {
         return Response::File("\xEF\xBB\xBFid\n1\n", "text/csv; charset=utf-8", "고객 list\"; x=.csv");
       }},
  };
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-dispatcher-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<app::Services>(*db_, clock_);
    settings_.max_body_bytes = 16;
    dispatcher_ = std::make_unique<Dispatcher>(*services_, settings_, TestRoutes());
  }
  void TearDown() override {
    dispatcher_.reset();
    services_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Response Post(std::string_view path, std::string_view body, std::string_view content_type) {
    IncomingRequest request;
    request.method = "POST";
    request.path = path;
    request.body = body;
    request.content_type = content_type;
    return dispatcher_->Serve(request);
  }

  std::string Header(const Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  ManualClock clock_{Timestamp::FromSeconds(1'700'000'000)};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<app::Services> services_;
  ServerSettings settings_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, RawBodyReachesTheHandlerUnparsed) {
  const std::string csv = "name,phone\n\"김, 철수\",010\n";
  const Response response = Post("/api/v1/upload", csv, "text/csv");
  ASSERT_EQ(response.status, 200);
  ASSERT_TRUE(response.body);
  EXPECT_EQ((*response.body)["text"], csv);
  EXPECT_EQ((*response.body)["content_type"], "text/csv");
  EXPECT_EQ((*response.body)["json_body_empty"], true);
}

TEST_F(DispatcherTest, RawBodyMayBeBinary) {
  const std::string zip("PK\x03\x04\x00\xff\x00", 7);
  const Response response = Post("/api/v1/upload", zip, "");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ((*response.body)["bytes"], 7);
}

TEST_F(DispatcherTest, EachRouteHasItsOwnBodyLimit) {
  // Over the server's 16 bytes but within the upload's 64.
  EXPECT_EQ(Post("/api/v1/upload", std::string(40, 'x'), "text/csv").status, 200);
  const Response over = Post("/api/v1/upload", std::string(kUploadLimit + 1, 'x'), "text/csv");
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ((*over.body)["error"]["field"], "body");
  EXPECT_EQ(Post("/api/v1/json", R"({"a": 1,    "b": 2})", "application/json").status, 413);
  EXPECT_EQ(dispatcher_->LargestBodyLimit(), kUploadLimit);
}

TEST_F(DispatcherTest, JsonRoutesStillParseTheirBody) {
  const Response response = Post("/api/v1/json", R"({"a":5})", "application/json");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ((*response.body)["value"], 5);
  EXPECT_EQ((*response.body)["raw_empty"], true);
  EXPECT_EQ(Post("/api/v1/json", "a,b\n", "text/csv").status, 400);
}

TEST_F(DispatcherTest, FileAnswerCarriesTypeAndASafeAttachmentName) {
  IncomingRequest request;
  request.method = "GET";
  request.path = "/api/v1/download";
  const Response response = dispatcher_->Serve(request);
  ASSERT_EQ(response.status, 200);
  EXPECT_FALSE(response.body);
  ASSERT_TRUE(response.raw_body);
  EXPECT_EQ(*response.raw_body, "\xEF\xBB\xBFid\n1\n");
  EXPECT_EQ(response.content_type, "text/csv; charset=utf-8");
  // Every byte outside [A-Za-z0-9._-] (here the Korean, the space, the quote and the ';') is '_'.
  EXPECT_EQ(Header(response, "Content-Disposition"), "attachment; filename=\"_______list___x_.csv\"");
}

}  // namespace
}  // namespace crm::http
