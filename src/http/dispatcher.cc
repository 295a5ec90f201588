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

// The answer for a key that was used before: the first response for the same request, a 409
// for another request, or a 409 while the first has not recorded its response.
Response AnswerForUsedKey(const store::IdempotencyRecord& record, const std::string& request_hash) {
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
  return ReplayOf(record);
}

}  // namespace

// A write with an Idempotency-Key: a retry of the same request gets the first response and
// changes nothing. The money-like writes claim the key in their own transaction, so a write and
// its key commit together; the response is recorded after.
Result<Response> Dispatcher::RunIdempotent(const IncomingRequest& request, RequestContext& context,
                                           const RouteMatch& match) {
  CRM_RETURN_IF_ERROR(app::IdempotencyService::ValidateKey(request.idempotency_key));
  const std::string key(request.idempotency_key);
  const BusinessId business = context.principal().business_id;
  const std::string hash = app::IdempotencyService::HashRequest(request.method, request.path, request.body);
  CRM_ASSIGN_OR_RETURN(auto record, services_.idempotency.Find(business, key));
  if (record) return AnswerForUsedKey(*record, hash);
  context.auth->principal.idempotency = app::IdempotencyClaim{key, hash};
  Result<Response> response = match.route->handler(context);
  if (!response.ok()) {
    if (response.status().code() != StatusCode::kAlreadyExists) return response;
    CRM_ASSIGN_OR_RETURN(auto claimed, services_.idempotency.Find(business, key));
    if (claimed) return AnswerForUsedKey(*claimed, hash);
    return response;
  }
  const std::string body = response->body ? response->body->dump() : std::string();
  if (Status recorded = services_.idempotency.Complete(business, key, hash, response->status, body); !recorded.ok()) {
    spdlog::warn("{} {}: the response of an idempotent write was not recorded: {}", request.method,
                 match.route->info.pattern, recorded.message());
  }
  return response;
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
