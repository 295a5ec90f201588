#include "http/unparsable_request.h"

#include <fmt/format.h>

#include "http/errors.h"

namespace crm::http {

std::string UnparsableRequestAnswer(std::string_view log_message) {
  constexpr std::string_view kMarker = "parser error ";
  const size_t at = log_message.find(kMarker);
  if (at == std::string_view::npos) return std::string();
  const std::string_view error = log_message.substr(at + kMarker.size());
  auto is = [&](std::string_view name) { return error.substr(0, name.size()) == name; };
  int status = 400;
  nlohmann::ordered_json body;
  if (is("HPE_CB_url")) {
    status = 414;
    body = ErrorBody("uri_too_long", "the URL is too long", "url");
  } else if (is("HPE_CB_header_field") || is("HPE_CB_header_value") || is("HPE_HEADER_OVERFLOW")) {
    status = 431;
    body = ErrorBody("header_fields_too_large", "the request head is too large", "headers");
  } else if (is("HPE_CB_body")) {
    status = 413;
    body = ErrorBody("payload_too_large", "the body is too large", "body");
  } else {
    // http_parser's own names: HPE_INVALID_METHOD, HPE_INVALID_VERSION, HPE_INVALID_URL, ...
    const std::string_view name = error.substr(0, error.find(':'));
    body = ErrorBody("malformed_request", fmt::format("the request is not valid HTTP/1.1 ({})", name), "request");
  }
  const std::string text = body.dump();
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n"
      "\r\n{}",
      status, ReasonPhrase(status), text.size(), text);
}

}  // namespace crm::http
