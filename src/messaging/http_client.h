// A small blocking HTTP client over libcurl for the provider adapters: one easy handle reused
// across calls (keep-alive), a timeout per call, and failures mapped to Status codes the outbox
// understands (network errors and 5xx are kUnavailable, timeouts kDeadlineExceeded, 429
// kResourceExhausted). Not thread-safe: one adapter, one thread.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace crm::messaging {

struct HttpResponse {
  long status = 0;
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(long timeout_seconds);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and returns whatever status the server answered (4xx and 5xx included).
  // Fails with kUnavailable when no answer came (connection refused, reset), kDeadlineExceeded on a
  // timeout, kInternal when libcurl cannot be set up.
  Result<HttpResponse> Send(const std::string& method, const std::string& url,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::string& body);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  long timeout_seconds_;
};

// The Status for a non-2xx answer: 429 kResourceExhausted, 5xx and 408 kUnavailable, 401
// kUnauthenticated, 403 kPermissionDenied, other 4xx kInvalidArgument. OK for 2xx.
Status StatusForHttp(long status, const std::string& what);

// Makes sure curl_global_init ran once; every libcurl user calls it first.
void EnsureCurlInitialized();

}  // namespace crm::messaging
