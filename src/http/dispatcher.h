// Dispatcher: serves one request against the route table, independent of RESTinio: matching
// (404, 405), the body limit (413), then on a worker thread the query string, credentials (401,
// 403), the JSON body (400) and the handler, whose Status becomes the JSON error. The server
// splits these steps across the I/O and worker threads; tests call Serve(). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/services.h"
#include "http/auth.h"
#include "http/request_context.h"
#include "http/router.h"
#include "http/server.h"

namespace crm::http {

// One request as received; the views must outlive the call that reads them.
struct IncomingRequest {
  std::string_view method;  // "GET"
  std::string_view path;    // "/api/v1/customers/7", without the query
  std::string_view query;   // the raw query string, without '?'
  std::string_view body;
  std::string_view content_type;  // the Content-Type header; empty when absent
  std::string ip;
  Credentials credentials;
  std::string_view idempotency_key;  // the Idempotency-Key header; empty when absent
};

class Dispatcher {
 public:
  // `services` and `settings` must outlive the dispatcher.
  Dispatcher(app::Services& services, const ServerSettings& settings);
  // Serves `routes` instead of the API's table (for tests).
  Dispatcher(app::Services& services, const ServerSettings& settings, std::vector<Route> routes);

  RouteMatch Match(std::string_view method, std::string_view path) const;
  // The answer that needs no handler: 404 (no such route), 405 (with Allow) or 413 (body over the
  // route's limit, or settings.max_body_bytes). nullopt when the request should go on to Handle.
  std::optional<Response> Precheck(const RouteMatch& match, size_t body_size) const;
  // Runs a found route. Never throws: an exception is logged (method, route, exception type; no
  // request data) and answered with 500.
  Response Handle(const IncomingRequest& request, const RouteMatch& match);
  // Match, Precheck and Handle in one call.
  Response Serve(const IncomingRequest& request);
  // The largest body any route accepts: the transport's own limit must not be below it.
  size_t LargestBodyLimit() const;

 private:
  Result<Response> RunIdempotent(const IncomingRequest& request, RequestContext& context, const RouteMatch& match);
  Result<Response> Run(const IncomingRequest& request, const RouteMatch& match);

  app::Services& services_;
  const ServerSettings& settings_;
  Router router_;
};

}  // namespace crm::http
