#include "http/request_context.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include "http/errors.h"

namespace crm::http {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX and '+' (form encoding: a space); nullopt for a malformed escape.
std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// True when `text` is well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates
// or code points past U+10FFFF.
bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t code_point = 0;
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
      code_point = byte & 0x1F;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      code_point = byte & 0x0F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      code_point = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    const bool overlong = (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
    const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
    if (overlong || surrogate || code_point > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

}  // namespace

Result<QueryParams> QueryParams::Parse(std::string_view raw) {
  QueryParams params;
  while (!raw.empty()) {
    const size_t amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> name = Unescape(pair.substr(0, eq));
    std::optional<std::string> value =
        Unescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return InvalidArgument("the query string has a malformed %-escape", "query");
    // No parameter of ours holds a NUL, and C APIs below would cut the value at one.
    if (name->find('\0') != std::string::npos || value->find('\0') != std::string::npos) {
      return InvalidArgument("the query string must not contain %00", "query");
    }
    if (!IsValidUtf8(*name)) return InvalidArgument("a parameter name is not valid UTF-8", "query");
    if (!IsValidUtf8(*value)) return InvalidArgument("is not valid UTF-8", *name);
    params.params_.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<int64_t> ParsePositiveId(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

Result<PageRequest> ReadPage(const QueryParams& query, int default_limit, int max_limit) {
  PageRequest page;
  page.limit = default_limit;
  if (std::optional<std::string> cursor = query.Get("cursor"); cursor && !cursor->empty()) {
    page.cursor = ParsePositiveId(*cursor);
    if (!page.cursor) return InvalidArgument("expected a cursor from an earlier page", "cursor");
  }
  if (std::optional<std::string> limit = query.Get("limit"); limit && !limit->empty()) {
    std::optional<int64_t> number = ParsePositiveId(*limit);
    if (!number || *number > max_limit) {
      return InvalidArgument("expected an integer from 1 to " + std::to_string(max_limit), "limit");
    }
    page.limit = static_cast<int>(*number);
  }
  return page;
}

Result<std::optional<int64_t>> ReadIdParam(const QueryParams& query, std::string_view name) {
  std::optional<std::string> text = query.Get(name);
  if (!text || text->empty()) return std::optional<int64_t>();
  std::optional<int64_t> id = ParsePositiveId(*text);
  if (!id) return InvalidArgument("expected an id (a positive integer)", std::string(name));
  return id;
}

Response Response::Of(http::Json body, int status) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::NoContent() {
  Response response;
  response.status = 204;
  return response;
}

Response Response::File(std::string bytes, std::string content_type, std::string_view filename) {
  std::string safe;
  for (char c : filename) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
    safe.push_back(plain ? c : '_');
  }
  if (safe.empty()) safe = "download";
  Response response;
  response.raw_body = std::move(bytes);
  response.content_type = std::move(content_type);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + safe + "\"");
  return response;
}

Result<app::PersonalData> ReadUnmask(RequestContext& context) {
  const std::string text = context.query.Get("unmask").value_or("");
  if (text.empty() || text == "false") return app::PersonalData::kMasked;
  if (text != "true") return InvalidArgument("expected true or false", "unmask");
  if (!domain::HasRole(context.principal().role, domain::Role::kManager)) {
    return PermissionDenied("only managers and owners see customers' personal data in lists");
  }
  return app::PersonalData::kShown;
}

Response TooManyRequests(const Status& status, int64_t retry_after_seconds) {
  Response response = Response::Error(status);
  response.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(1, retry_after_seconds)));
  return response;
}

Response Response::Error(const Status& status) {
  Response response;
  response.status = HttpStatusFor(status.code());
  response.body = ErrorBody(status);
  if (status.code() == StatusCode::kUnauthenticated) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace crm::http
