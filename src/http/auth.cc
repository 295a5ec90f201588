#include "http/auth.h"

#include <cctype>

namespace crm::http {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Result<Authenticated> AuthenticateBearer(app::AuthService& auth, std::string_view header) {
  header = Trim(header);
  const size_t space = header.find(' ');
  if (space == std::string_view::npos || !EqualsIgnoreCase(header.substr(0, space), "Bearer")) {
    return Unauthenticated("the Authorization header must be \"Bearer <token>\"");
  }
  const std::string token(Trim(header.substr(space + 1)));
  if (token.empty()) return Unauthenticated("the bearer token is empty");
  Result<app::Principal> principal = auth.AuthenticateToken(token);
  if (!principal.ok()) return principal.status();
  Authenticated result;
  result.principal = std::move(principal).value();
  result.via = Authenticated::Via::kToken;
  return result;
}

Result<Authenticated> AuthenticateCookie(app::AuthService& auth, const std::string& token, std::string_view csrf_header,
                                         bool state_changing) {
  Result<std::pair<app::Principal, std::string>> session = auth.AuthenticateSession(token);
  if (!session.ok()) return session.status();
  Authenticated result;
  result.principal = std::move(session->first);
  result.csrf_token = std::move(session->second);
  result.via = Authenticated::Via::kSession;
  result.session_token = token;
  if (state_changing && (result.csrf_token.empty() || !ConstantTimeEquals(Trim(csrf_header), result.csrf_token))) {
    return Status(StatusCode::kPermissionDenied, "this request needs the session's CSRF token", kCsrfHeader);
  }
  return result;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    const size_t semicolon = cookie_header.find(';');
    std::string_view pair = Trim(cookie_header.substr(0, semicolon));
    cookie_header = semicolon == std::string_view::npos ? std::string_view() : cookie_header.substr(semicolon + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return std::nullopt;
}

std::string SessionCookie(std::string_view token, bool secure) {
  std::string cookie =
      std::string(kSessionCookieName) + "=" + std::string(token) + "; HttpOnly; SameSite=Strict; Path=/";
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string ClearedSessionCookie(bool secure) {
  std::string cookie = std::string(kSessionCookieName) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
  if (secure) cookie += "; Secure";
  return cookie;
}

Result<Authenticated> Authenticate(app::AuthService& auth, const Credentials& credentials, bool state_changing,
                                   const std::string& ip) {
  Result<Authenticated> result = Unauthenticated("sign in, or send an API token as \"Authorization: Bearer <token>\"");
  if (!Trim(credentials.authorization).empty()) {
    result = AuthenticateBearer(auth, credentials.authorization);
  } else if (std::optional<std::string> token = CookieValue(credentials.cookie, kSessionCookieName);
             token && !token->empty()) {
    result = AuthenticateCookie(auth, *token, credentials.csrf_token, state_changing);
  }
  if (result.ok()) result->principal.ip = ip;
  return result;
}

}  // namespace crm::http
