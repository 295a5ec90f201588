#include "http/dispatcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <typeinfo>

#include "http/errors.h"
#include "http/json_reader.h"

namespace crm::http {

Dispatcher::Dispatcher(app::Services& services, const ServerSettings& settings)
    : Dispatcher(services, settings, RouteTable()) {}

Dispatcher::Dispatcher(app::Services& services, const ServerSettings& settings, std::vector<Route> routes)
    : services_(services), settings_(settings), router_(std::move(routes)) {
  InstallCampaignHooks(services);
}

RouteMatch Dispatcher::Match(std::string_view method, std::string_view path) const {
  return router_.Match(method, path);
}

std::optional<Response> Dispatcher::Precheck(const RouteMatch& match, size_t body_size) const {
  if (match.kind == RouteMatch::Kind::kNotFound) {
    return Response::Of(ErrorBody("not_found", "no such route"), 404);
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    Response response = Response::Of(ErrorBody("method_not_allowed", "this route answers " + match.allow), 405);
    response.headers.emplace_back("Allow", match.allow);
    return response;
  }
  const size_t limit = match.route->info.max_body_bytes > 0 ? match.route->info.max_body_bytes
                                                               : settings_.max_body_bytes;
  if (body_size > limit) {
    return Response::Of(ErrorBody("payload_too_large", fmt::format("the body is over {} bytes", limit), "body"), 413);
  }
  return std::nullopt;
}

size_t Dispatcher::LargestBodyLimit() const {
  size_t largest = settings_.max_body_bytes;
  for (const Route& route : router_.routes()) largest = std::max(largest, route.info.max_body_bytes);
  return largest;
}

namespace {

Response ReplayOf(const store::IdempotencyRecord& record) {
  Json body = Json::parse(record.response, nullptr, /*allow_exceptions=*/false);
  Response response = record.response.empty() || body.is_discarded() ? Response::NoContent()
                                                                       : Response::Of(std::move(body), record.status);
  response.status = record.status;
  response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

// The answer for a key that was used before: a 409 for another principal (who learns nothing of
// the first request), for another request, while the first has not recorded its response, or
// when the first answer held a secret; else the first response.
Response AnswerForUsedKey(const store::IdempotencyRecord& record, const std::string& request_hash,
                          const std::string& owner, const RouteInfo& info) {
  if (record.owner != owner) {
    return Response::Error(AlreadyExists("this Idempotency-Key was used by another user or token; choose another key",
                                         "Idempotency-Key")
                               .WithReason("idempotency_key_owned_by_another"));
  }
  if (record.request_hash != request_hash) {
    return Response::Error(AlreadyExists("this Idempotency-Key was used for a different request", "Idempotency-Key")
                               .WithReason("idempotency_conflict"));
  }
  if (record.status == 0) {
    return Response::Error(
        AlreadyExists("a request with this Idempotency-Key is being processed, or was carried out and its answer "
                      "was lost; read the resource before trying again",
                      "Idempotency-Key")
            .WithReason("idempotency_in_progress"));
  }
  if (!info.secret_fields.empty() && record.status >= 200 && record.status < 300) {
    return Response::Error(
        AlreadyExists("the request with this Idempotency-Key was carried out and its answer held a secret that is "
                      "shown only once; list the resource, revoke what you cannot use and create another",
                      "Idempotency-Key")
            .WithReason("idempotency_secret_not_replayed"));
  }
  return ReplayOf(record);
}

// The body as the request hash sees it: a JSON body parsed and written again with sorted keys and
// no spacing, so that the same JSON written otherwise is the same request; other bodies as sent.
std::string CanonicalBody(const IncomingRequest& request, const RouteInfo& info) {
  if (!info.raw_request_types.empty() || request.body.empty()) return std::string(request.body);
  nlohmann::json parsed = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::string(request.body);
  return parsed.dump();
}

// The body kept for replays: the response without the route's secret fields.
std::string SavedBody(const Response& response, const RouteInfo& info) {
  if (!response.body) return std::string();
  if (info.secret_fields.empty() || !response.body->is_object()) return response.body->dump();
  Json redacted = *response.body;
  for (const std::string& field : info.secret_fields) redacted.erase(field);
  return redacted.dump();
}

}  // namespace

// A write with an Idempotency-Key: the claim of the key, everything the handler writes and the
// saved answer commit in one transaction (IdempotencyService::RunOnce), so a retry — also after
// a crash — either gets the first answer or runs the request, once.
Result<Response> Dispatcher::RunIdempotent(const IncomingRequest& request, RequestContext& context,
                                           const RouteMatch& match) {
  CRM_RETURN_IF_ERROR(app::IdempotencyService::ValidateKey(request.idempotency_key));
  const RouteInfo& info = match.route->info;
  const std::string key(request.idempotency_key);
  const app::Principal& principal = context.principal();
  const std::string owner = app::IdempotencyService::OwnerOf(principal);
  const std::string hash =
      app::IdempotencyService::HashRequest(request.method, request.path, CanonicalBody(request, info));
  CRM_ASSIGN_OR_RETURN(auto record, services_.idempotency.Find(principal.business_id, key));
  if (record) return AnswerForUsedKey(*record, hash, owner, info);
  std::optional<Response> answered;
  Status status = services_.idempotency.RunOnce(principal, key, hash, [&]() -> Result<app::SavedAnswer> {
    answered.reset();
    CRM_ASSIGN_OR_RETURN(Response response, match.route->handler(context));
    app::SavedAnswer saved{response.status, SavedBody(response, info)};
    answered = std::move(response);
    return saved;
  });
  if (status.ok()) return std::move(*answered);
  if (status.code() == StatusCode::kAlreadyExists) {
    CRM_ASSIGN_OR_RETURN(auto claimed, services_.idempotency.Find(principal.business_id, key));
    if (claimed) return AnswerForUsedKey(*claimed, hash, owner, info);
  }
  return status;
}

Result<Response> Dispatcher::Run(const IncomingRequest& request, const RouteMatch& match) {
  const RouteInfo& info = match.route->info;
  RequestContext context(services_, settings_, info);
  context.ip = request.ip;
  context.path_ids = match.path_ids;
  if (info.access == Access::kAuthenticated) {
    CRM_ASSIGN_OR_RETURN(context.auth,
                         Authenticate(services_.auth, request.credentials, IsStateChanging(info.method), request.ip));
    if (context.auth->principal.kiosk_device_id && !info.kiosk) {
      return PermissionDenied("a kiosk device may use only the kiosk routes").WithReason("kiosk_not_allowed");
    }
  }
  CRM_ASSIGN_OR_RETURN(context.query, QueryParams::Parse(request.query));
  if (!info.raw_request_types.empty()) {
    context.raw_body = request.body;
    context.content_type = std::string(request.content_type);
  } else if (!info.request_schema.empty()) {
    CRM_ASSIGN_OR_RETURN(context.body, ParseBody(request.body));
  }
  if (!request.idempotency_key.empty() && IsStateChanging(info.method) && context.auth) {
    return RunIdempotent(request, context, match);
  }
  return match.route->handler(context);
}

Response Dispatcher::Handle(const IncomingRequest& request, const RouteMatch& match) {
  if (match.kind != RouteMatch::Kind::kFound) {
    return Precheck(match, 0).value_or(Response::Error(Internal("no route")));
  }
  const std::string& pattern = match.route->info.pattern;
  // The one top-level catch: nothing below throws by design, but a library might. The exception's
  // text is not logged, because database errors can quote the values of a row.
  try {
    Result<Response> response = Run(request, match);
    if (!response.ok()) return Response::Error(response.status());
    return std::move(response).value();
  } catch (const std::exception& error) {
    spdlog::error("{} {} threw {}", request.method, pattern, typeid(error).name());
  } catch (...) {
    spdlog::error("{} {} threw a non-standard exception", request.method, pattern);
  }
  return Response::Error(Internal("internal error"));
}

Response Dispatcher::Serve(const IncomingRequest& request) {
  RouteMatch match = Match(request.method, request.path);
  if (std::optional<Response> early = Precheck(match, request.body.size())) return *std::move(early);
  return Handle(request, match);
}

}  // namespace crm::http
