// Handlers for signing in and out with a session cookie, and for "who am I".
#include <vector>

#include "http/auth.h"
#include "http/json_mapping.h"
#include "http/route.h"
#include "http/server.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "auth";

Result<Response> Login(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(LoginRequest request, ParseLogin(context.body));
  Result<app::LoginResult> attempt =
      context.services.auth.Login(request.email, request.password, request.business, context.ip);
  if (attempt.status().code() == StatusCode::kResourceExhausted) {
    return TooManyRequests(attempt.status(), context.services.auth.LoginRetryAfterSeconds(request.email, context.ip));
  }
  CRM_ASSIGN_OR_RETURN(app::LoginResult login, std::move(attempt));
  Json body;
  body["staff"] = ToJson(login.staff);
  body["business"] = ToJson(login.business);
  body["role"] = domain::ToString(login.staff.role);
  body["csrf_token"] = login.csrf_token;
  body["expires_at"] = login.expires_at.ToIso8601();
  Response response = Response::Of(std::move(body));
  response.headers.emplace_back("Set-Cookie", SessionCookie(login.session_token, context.settings.secure_cookies));
  return response;
}

Result<Response> Logout(RequestContext& context) {
  if (context.auth->via == Authenticated::Via::kSession) {
    CRM_RETURN_IF_ERROR(context.services.auth.Logout(context.auth->session_token));
  }
  Response response = Response::NoContent();
  response.headers.emplace_back("Set-Cookie", ClearedSessionCookie(context.settings.secure_cookies));
  return response;
}

// The signed-in staff member's record; an API token has no staff member.
Result<Json> StaffJson(RequestContext& context) {
  const app::Principal& principal = context.principal();
  if (!principal.staff_id) return Json(nullptr);
  CRM_ASSIGN_OR_RETURN(domain::Staff staff, context.services.businesses.GetSelf(principal));
  return ToJson(staff);
}

Result<Response> Me(RequestContext& context) {
  const app::Principal& principal = context.principal();
  CRM_ASSIGN_OR_RETURN(domain::Business business, context.services.businesses.GetBusiness(principal));
  CRM_ASSIGN_OR_RETURN(Json staff, StaffJson(context));
  Json body;
  body["staff"] = std::move(staff);
  body["business"] = ToJson(business);
  body["role"] = domain::ToString(principal.role);
  body["via"] = context.auth->via == Authenticated::Via::kSession ? "session" : "token";
  body["csrf_token"] = context.auth->csrf_token.empty() ? Json(nullptr) : Json(context.auth->csrf_token);
  return Response::Of(std::move(body));
}

}  // namespace

std::vector<Route> AuthRoutes() {
  return {
      {{.method = Method::kPost,
        .pattern = "/api/v1/auth/login",
        .summary = "Sign in with e-mail and password; sets the session cookie",
        .tag = kTag,
        .access = Access::kPublic,
        .request_schema = "LoginInput",
        .response_schema = "LoginResult"},
       Login},
      {{.method = Method::kPost,
        .pattern = "/api/v1/auth/logout",
        .summary = "End the session and clear the cookie",
        .tag = kTag,
        .success_status = 204},
       Logout},
      {{.method = Method::kGet,
        .pattern = "/api/v1/auth/me",
        .summary = "The caller: staff member, business, role and the session's CSRF token",
        .tag = kTag,
        .response_schema = "Me"},
       Me},
  };
}

}  // namespace crm::http
