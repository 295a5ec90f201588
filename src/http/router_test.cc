#include "http/router.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "http/openapi.h"
#include "http/request_context.h"

namespace crm::http {
namespace {

// The pattern with every {param} replaced by `id`.
std::string Concrete(const std::string& pattern, const std::string& id) {
  std::string path;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      path += id;
      i = pattern.find('}', i);
    } else {
      path.push_back(pattern[i]);
    }
  }
  return path;
}

TEST(RouterTest, EveryRouteMatchesItsOwnPattern) {
  const Router router(RouteTable());
  for (const RouteInfo& info : Routes()) {
    const RouteMatch match = router.Match(MethodName(info.method), Concrete(info.pattern, "7"));
    ASSERT_EQ(match.kind, RouteMatch::Kind::kFound) << info.pattern;
    EXPECT_EQ(match.route->info.pattern, info.pattern);
    EXPECT_EQ(match.route->info.method, info.method);
    for (const auto& [name, value] : match.path_ids) EXPECT_EQ(value, 7) << name;
  }
}

TEST(RouterTest, IdsThatAreNotPositiveIntegersAreNotFound) {
  const Router router(RouteTable());
  for (const char* id : {"abc", "0", "-1", "1.5", "%37", "99999999999999999999", "7x", ""}) {
    const std::string path = std::string("/api/v1/customers/") + id;
    EXPECT_EQ(router.Match("GET", path).kind, RouteMatch::Kind::kNotFound) << path;
  }
  EXPECT_EQ(router.Match("DELETE", "/api/v1/customers/1/preferences/x").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, LookupIsNotTakenForAnId) {
  const Router router(RouteTable());
  const RouteMatch match = router.Match("GET", "/api/v1/customers/lookup");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.route->info.pattern, "/api/v1/customers/lookup");
  EXPECT_TRUE(match.path_ids.empty());
}

TEST(RouterTest, PathIdsAreNamed) {
  const Router router(RouteTable());
  const RouteMatch match = router.Match("DELETE", "/api/v1/customers/12/preferences/34");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  ASSERT_EQ(match.path_ids.size(), 2u);
  EXPECT_EQ(match.path_ids[0], (std::pair<std::string, int64_t>("id", 12)));
  EXPECT_EQ(match.path_ids[1], (std::pair<std::string, int64_t>("pid", 34)));
}

TEST(RouterTest, WrongMethodIsMethodNotAllowedWithAllow) {
  const Router router(RouteTable());
  const RouteMatch match = router.Match("DELETE", "/api/v1/customers");
  EXPECT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, POST");
  EXPECT_EQ(router.Match("HEAD", "/api/v1/health").kind, RouteMatch::Kind::kMethodNotAllowed);
}

TEST(RouterTest, UnknownPathsAreNotFound) {
  const Router router(RouteTable());
  for (const char* path : {"/", "", "api/v1/health", "/api/v1/health/", "/api/v1/nothing", "/api/v2/health",
                           "/api/v1/customers/1/unknown", "//api/v1/health"}) {
    EXPECT_EQ(router.Match("GET", path).kind, RouteMatch::Kind::kNotFound) << path;
  }
}

TEST(RouterTest, TableHasTheRoutesOfTheIssue) {
  std::set<std::string> routes;
  for (const RouteInfo& info : Routes()) routes.insert(std::string(MethodName(info.method)) + " " + info.pattern);
  for (const char* expected : {"GET /api/v1/health",
                               "GET /api/v1/openapi.json",
                               "POST /api/v1/auth/login",
                               "POST /api/v1/auth/logout",
                               "GET /api/v1/auth/me",
                               "GET /api/v1/business",
                               "GET /api/v1/branches",
                               "POST /api/v1/branches",
                               "GET /api/v1/staff",
                               "POST /api/v1/staff",
                               "PATCH /api/v1/staff/{id}",
                               "POST /api/v1/tokens",
                               "GET /api/v1/customers",
                               "POST /api/v1/customers",
                               "POST /api/v1/customers/tags",
                               "GET /api/v1/customers/lookup",
                               "GET /api/v1/customers/{id}",
                               "PATCH /api/v1/customers/{id}",
                               "POST /api/v1/customers/{id}/preferences",
                               "DELETE /api/v1/customers/{id}/preferences/{pid}",
                               "GET /api/v1/customers/{id}/notes",
                               "POST /api/v1/customers/{id}/notes",
                               "PATCH /api/v1/customers/{id}/notes/{nid}",
                               "GET /api/v1/customers/{id}/orders",
                               "POST /api/v1/orders",
                               "GET /api/v1/orders/{id}",
                               "POST /api/v1/orders/{id}/refund",
                               "POST /api/v1/prospects",
                               "GET /api/v1/prospects",
                               "GET /api/v1/prospects/progress",
                               "GET /api/v1/access-log",
                               "POST /api/v1/imports",
                               "GET /api/v1/imports/{id}",
                               "GET /api/v1/imports/{id}/rejects",
                               "POST /api/v1/customers/{id}/erase",
                               "GET /api/v1/privacy/retention",
                               "PUT /api/v1/privacy/retention",
                               "GET /api/v1/privacy/retention/dry-run"}) {
    EXPECT_TRUE(routes.count(expected)) << expected;
  }
}

TEST(OpenApiTest, EveryRouteIsDocumented) {
  const nlohmann::ordered_json document = OpenApiDocument();
  EXPECT_EQ(document["openapi"], "3.0.3");
  size_t operations = 0;
  for (const auto& [path, item] : document["paths"].items()) operations += item.size();
  EXPECT_EQ(operations, Routes().size());
  for (const RouteInfo& info : Routes()) {
    std::string method = MethodName(info.method);
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    ASSERT_TRUE(document["paths"].contains(info.pattern)) << info.pattern;
    ASSERT_TRUE(document["paths"][info.pattern].contains(method)) << method << " " << info.pattern;
    const auto& operation = document["paths"][info.pattern][method];
    EXPECT_EQ(operation["summary"], info.summary);
    EXPECT_TRUE(operation["responses"].contains(std::to_string(info.success_status))) << info.pattern;
  }
}

// Collects every "$ref" in `node`.
void CollectRefs(const nlohmann::ordered_json& node, std::set<std::string>* refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) refs->insert(value.get<std::string>());
      CollectRefs(value, refs);
    }
  } else if (node.is_array()) {
    for (const auto& value : node) CollectRefs(value, refs);
  }
}

TEST(OpenApiTest, EveryReferenceResolves) {
  const nlohmann::ordered_json document = OpenApiDocument();
  std::set<std::string> refs;
  CollectRefs(document, &refs);
  ASSERT_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    const nlohmann::ordered_json::json_pointer pointer(ref.substr(1));
    EXPECT_TRUE(document.contains(pointer)) << ref;
  }
}

TEST(OpenApiTest, PathParametersAreDeclared) {
  const nlohmann::ordered_json document = OpenApiDocument();
  const auto& operation = document["paths"]["/api/v1/customers/{id}/notes/{nid}"]["patch"];
  ASSERT_EQ(operation["parameters"].size(), 2u);
  EXPECT_EQ(operation["parameters"][0]["name"], "id");
  EXPECT_EQ(operation["parameters"][1]["name"], "nid");
  EXPECT_EQ(operation["parameters"][1]["in"], "path");
  EXPECT_EQ(document["paths"]["/api/v1/health"]["get"]["security"].size(), 0u);
}

TEST(OpenApiTest, UploadsAndFilesHaveTheirMediaTypes) {
  const nlohmann::ordered_json document = OpenApiDocument();
  const auto& upload = document["paths"]["/api/v1/imports"]["post"];
  const auto& content = upload["requestBody"]["content"];
  ASSERT_TRUE(content.contains("text/csv"));
  ASSERT_TRUE(content.contains("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
  EXPECT_FALSE(content.contains("application/json"));
  EXPECT_EQ(content["text/csv"]["schema"]["format"], "binary");
  EXPECT_TRUE(upload["responses"]["202"]["content"].contains("application/json"));
  const auto& rejects = document["paths"]["/api/v1/imports/{id}/rejects"]["get"]["responses"]["200"];
  EXPECT_TRUE(rejects["content"].contains("text/csv"));
  EXPECT_FALSE(rejects["content"].contains("application/json"));
  EXPECT_TRUE(rejects["headers"].contains("Content-Disposition"));
}

TEST(RouterTest, OnlyUploadsTakeLargeBodies) {
  for (const RouteInfo& info : Routes()) {
    if (info.raw_request_types.empty()) {
      EXPECT_EQ(info.max_body_bytes, 0u) << info.pattern;
    } else {
      EXPECT_EQ(info.method, Method::kPost) << info.pattern;
      EXPECT_GT(info.max_body_bytes, 0u) << info.pattern;
    }
  }
}

TEST(QueryParamsTest, DecodesEscapesAndPlus) {
  Result<QueryParams> query = QueryParams::Parse("q=%EA%B9%80%EC%B2%A0&limit=5&phone=010+1234&q=second&flag");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->Get("q"), "김철");
  EXPECT_EQ(query->Get("limit"), "5");
  EXPECT_EQ(query->Get("phone"), "010 1234");
  EXPECT_EQ(query->Get("flag"), "");
  EXPECT_FALSE(query->Get("missing").has_value());
}

TEST(QueryParamsTest, MalformedEscapeFailsNamingQuery) {
  for (const char* raw : {"q=%zz", "q=%4", "q=%", "q=a%00b", "%00=1"}) {
    Result<QueryParams> query = QueryParams::Parse(raw);
    ASSERT_FALSE(query.ok()) << raw;
    EXPECT_EQ(query.status().field(), "query");
  }
}

TEST(QueryParamsTest, ValuesMustBeUtf8) {
  for (const char* raw : {"tag=%FF", "tag=%C0%AF", "tag=%ED%A0%80", "tag=%E1%80", "tag=%F4%90%80%80"}) {
    Result<QueryParams> query = QueryParams::Parse(raw);
    ASSERT_FALSE(query.ok()) << raw;
    EXPECT_EQ(query.status().field(), "tag") << raw;
  }
  EXPECT_TRUE(QueryParams::Parse("tag=%F0%9F%98%80%EB%8B%A8%EA%B3%A8").ok());
}

TEST(QueryParamsTest, PageParameters) {
  Result<PageRequest> page = ReadPage(QueryParams::Parse("cursor=40&limit=10").value());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->cursor, 40);
  EXPECT_EQ(page->limit, 10);
  EXPECT_EQ(ReadPage(QueryParams::Parse("").value())->limit, 50);
  EXPECT_EQ(ReadPage(QueryParams::Parse("limit=0").value()).status().field(), "limit");
  EXPECT_EQ(ReadPage(QueryParams::Parse("limit=201").value()).status().field(), "limit");
  EXPECT_EQ(ReadPage(QueryParams::Parse("limit=ten").value()).status().field(), "limit");
  EXPECT_EQ(ReadPage(QueryParams::Parse("cursor=abc").value()).status().field(), "cursor");
  EXPECT_EQ(ReadIdParam(QueryParams::Parse("customer_id=-4").value(), "customer_id").status().field(), "customer_id");
}

}  // namespace
}  // namespace crm::http
