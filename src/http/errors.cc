#include "http/errors.h"

namespace crm::http {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    // A request that conflicts with the stored state: a duplicate, a precondition that does not
    // hold (refunding more than is left), or a transaction that lost a race.
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kDataLoss:
      return 500;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

const char* ReasonPhrase(int http_status) {
  switch (http_status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
  }
  return "Unknown";
}

nlohmann::ordered_json ErrorBody(std::string_view code, std::string_view message, std::string_view field) {
  nlohmann::ordered_json error;
  error["code"] = code;
  error["message"] = message;
  if (!field.empty()) error["field"] = field;
  error["reason"] = code;
  nlohmann::ordered_json body;
  body["error"] = std::move(error);
  return body;
}

std::string ReasonFor(const Status& status) {
  if (!status.reason().empty()) return status.reason();
  // A conflict the code did not name: a unique key or a check of the database, or a transaction
  // that lost a race. Clients may retry "conflict".
  if (status.code() == StatusCode::kAborted) return "conflict";
  return StatusCodeName(status.code());
}

nlohmann::ordered_json ErrorBody(const Status& status) {
  if (status.ok()) return ErrorBody("internal", "an OK status is not an error");
  if (HttpStatusFor(status.code()) == 500) return ErrorBody(StatusCodeName(status.code()), "internal error");
  nlohmann::ordered_json body = ErrorBody(StatusCodeName(status.code()), status.message(), status.field());
  body["error"]["reason"] = ReasonFor(status);
  if (!status.figures().empty()) {
    nlohmann::ordered_json figures = nlohmann::ordered_json::object();
    for (const auto& [name, value] : status.figures()) figures[name] = value;
    body["error"]["figures"] = std::move(figures);
  }
  if (!status.details().empty()) {
    nlohmann::ordered_json errors = nlohmann::ordered_json::array();
    for (const Status& detail : status.details()) {
      nlohmann::ordered_json item = {
          {"field", detail.field()}, {"message", detail.message()}, {"reason", ReasonFor(detail)}};
      for (const auto& [name, value] : detail.figures()) item["figures"][name] = value;
      errors.push_back(std::move(item));
    }
    body["error"]["errors"] = std::move(errors);
  }
  return body;
}

}  // namespace crm::http
