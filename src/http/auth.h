// Who is calling: a request proves itself with `Authorization: Bearer <API token>` or with the
// session cookie set at login. Cookie requests that change state (POST, PUT, PATCH, DELETE) must
// also echo the session's CSRF token in X-CSRF-Token; SameSite=Strict keeps the cookie off
// cross-site requests, the header keeps it off forged same-site ones. Bearer requests need no CSRF
// token: a browser never attaches one by itself. Thread-safe (the AuthService is).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/auth_service.h"
#include "common/status.h"
#include "http/request_context.h"

namespace crm::http {

inline constexpr char kSessionCookieName[] = "dangol_session";
inline constexpr char kCsrfHeader[] = "X-CSRF-Token";

// The request headers that carry credentials, as received (empty when absent).
struct Credentials {
  std::string authorization;
  std::string cookie;
  std::string csrf_token;
};

// Authenticates the request and fills in the principal's address. A present Authorization header
// decides alone (a bad one is not rescued by a cookie). Fails with kUnauthenticated when no or
// unknown credentials are given, and with kPermissionDenied (field "X-CSRF-Token") when a
// state-changing cookie request lacks the matching CSRF token.
Result<Authenticated> Authenticate(app::AuthService& auth, const Credentials& credentials, bool state_changing,
                                   const std::string& ip);

// The value of cookie `name` in a Cookie header ("a=1; dangol_session=xyz"), or nullopt.
std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name);

// Set-Cookie values: the session after login, and the expired cookie after logout.
std::string SessionCookie(std::string_view token, bool secure);
std::string ClearedSessionCookie(bool secure);

// Compares secrets in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace crm::http
