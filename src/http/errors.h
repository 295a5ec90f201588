// The one table that turns a Status into an HTTP status and a JSON error body, and the few errors
// that come from HTTP itself (no such route, wrong method, body too large). Every error the API
// answers has the shape {"error":{"code":"invalid_argument","message":"...","field":"phone",
// "reason":"invalid_argument"}}; clients key on "reason", never on the message.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crm::http {

// The HTTP status for a non-OK code: kInvalidArgument 400, kNotFound 404, kAlreadyExists,
// kFailedPrecondition and kAborted 409, kPermissionDenied 403, kUnauthenticated 401,
// kResourceExhausted 429, kUnavailable 503, kDeadlineExceeded 504, anything else 500.
int HttpStatusFor(StatusCode code);

// The reason phrase of an HTTP status ("Not Found"); "Unknown" for statuses we never send.
const char* ReasonPhrase(int http_status);

// {"error":{"code":..., "message":..., "field":...}}; "field" only when `field` is not empty.
nlohmann::ordered_json ErrorBody(std::string_view code, std::string_view message, std::string_view field = {});

// The stable reason code of a refusal: the status's own reason when it has one ("coupon_used"),
// "conflict" for a lost race (kAborted), else the code's name ("invalid_argument").
std::string ReasonFor(const Status& status);

// The body for `status`, with "reason" (ReasonFor). Internal failures (those answered with 500) carry a generic
// message, so that database details never reach a client.
nlohmann::ordered_json ErrorBody(const Status& status);

}  // namespace crm::http
