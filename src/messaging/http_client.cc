#include "messaging/http_client.h"

#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>

namespace crm::messaging {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(long timeout_seconds) : handle_(std::make_unique<Handle>()), timeout_seconds_(timeout_seconds) {
  EnsureCurlInitialized();
  handle_->curl = curl_easy_init();
}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Send(const std::string& method, const std::string& url,
                                      const std::vector<std::pair<std::string, std::string>>& headers,
                                      const std::string& body) {
  CURL* curl = handle_->curl;
  if (curl == nullptr) return Internal("libcurl could not be initialised");
  curl_easy_reset(curl);
  HttpResponse response;
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : headers) {
    header_list = curl_slist_append(header_list, fmt::format("{}: {}", name, value).c_str());
  }
  header_list = curl_slist_append(header_list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds_);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(header_list);
  if (code == CURLE_OPERATION_TIMEDOUT) return Status(StatusCode::kDeadlineExceeded, "provider did not answer in time");
  if (code != CURLE_OK) return Unavailable(fmt::format("provider unreachable: {}", curl_easy_strerror(code)));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Status StatusForHttp(long status, const std::string& what) {
  if (status >= 200 && status < 300) return Status::Ok();
  std::string message = fmt::format("{}: HTTP {}", what, status);
  if (status == 429) return ResourceExhausted(message);
  if (status >= 500 || status == 408) return Unavailable(message);
  if (status == 401) return Unauthenticated(message);
  if (status == 403) return PermissionDenied(message);
  return InvalidArgument(message);
}

}  // namespace crm::messaging
