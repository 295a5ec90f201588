// What a handler sees of one request and what it answers: path ids, decoded query parameters, the
// parsed JSON body and the authenticated principal in; a status, JSON body and extra headers out.
// Nothing here knows RESTinio, so handlers and the dispatcher can be tested without sockets.
// A RequestContext belongs to one request on one thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/principal.h"
#include "app/services.h"
#include "common/ids.h"
#include "common/status.h"

namespace crm::http {

struct ServerSettings;
struct RouteInfo;

using Json = nlohmann::ordered_json;

// Decoded query parameters in order of appearance; for a repeated name the first wins.
class QueryParams {
 public:
  QueryParams() = default;
  // Splits "a=1&b=x%20y" at '&' and the first '=', decoding %XX escapes and '+' as a space.
  // Fails with kInvalidArgument for a malformed escape or an escaped NUL (field "query"), and for
  // a value that is not UTF-8 (field: the parameter's name).
  static Result<QueryParams> Parse(std::string_view raw);

  std::optional<std::string> Get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// ?cursor=&limit= of a list. The cursor is the id to continue after (or before), as a string.
struct PageRequest {
  std::optional<int64_t> cursor;
  int limit = 50;
};
// Fails with kInvalidArgument naming "cursor" (not a positive integer) or "limit" (outside
// 1..max_limit).
Result<PageRequest> ReadPage(const QueryParams& query, int default_limit = 50, int max_limit = 200);
// An optional id parameter (?customer_id=7); kInvalidArgument naming it when not a positive integer.
Result<std::optional<int64_t>> ReadIdParam(const QueryParams& query, std::string_view name);
// "42" → 42 for a decimal of 1..INT64_MAX without sign or spaces; nullopt otherwise.
std::optional<int64_t> ParsePositiveId(std::string_view text);

// How the caller proved who they are.
struct Authenticated {
  enum class Via { kToken, kSession };
  app::Principal principal;
  Via via = Via::kToken;
  std::string session_token;  // the cookie value, for logout
  std::string csrf_token;     // of the session; empty for tokens
};

struct Response {
  int status = 200;
  std::optional<Json> body;  // none for 204 and for a file
  std::vector<std::pair<std::string, std::string>> headers;
  // A file instead of JSON: its bytes and media type (with Content-Disposition among the headers).
  std::optional<std::string> raw_body;
  std::string content_type;

  static Response Of(Json body, int status = 200);
  static Response NoContent();
  // A 200 with `bytes` as an attachment named `filename` (characters outside [A-Za-z0-9._-] become
  // '_', so the header needs no quoting rules).
  static Response File(std::string bytes, std::string content_type, std::string_view filename);
  // The JSON error for a non-OK status.
  static Response Error(const Status& status);
};

// The 429 for a refusal by a rate limit, with Retry-After: `retry_after_seconds` (at least 1).
Response TooManyRequests(const Status& status, int64_t retry_after_seconds);

struct RequestContext {
  RequestContext(app::Services& services, const ServerSettings& settings, const RouteInfo& route)
      : services(services), settings(settings), route(route) {}

  app::Services& services;
  const ServerSettings& settings;
  const RouteInfo& route;
  std::string ip;
  std::vector<std::pair<std::string, int64_t>> path_ids;  // {"id", 7}
  QueryParams query;
  nlohmann::json body = nlohmann::json::object();
  // The request body as received, on routes that take a raw body (RouteInfo::raw_request_types);
  // valid for the handler's call only.
  std::string_view raw_body;
  std::string content_type;  // the Content-Type header of a raw body; empty when absent
  std::optional<Authenticated> auth;  // set on authenticated routes

  // The principal of an authenticated route. Only valid when `auth` is set.
  const app::Principal& principal() const { return auth->principal; }

  // The path id named `name` ("id", "pid") as the strong id type.
  template <typename IdType>
  IdType PathId(std::string_view name) const {
    for (const auto& [key, value] : path_ids) {
      if (key == name) return IdType(value);
    }
    return IdType();
  }
};

// `unmask=true` on a list of customers: their personal data shown, which takes a manager or an
// owner (kPermissionDenied). kInvalidArgument ("unmask") for anything but true or false.
Result<app::PersonalData> ReadUnmask(RequestContext& context);

}  // namespace crm::http
