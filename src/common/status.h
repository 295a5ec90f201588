// Status and Result<T>: how every expected failure in Dangol is reported. Shaped like
// absl::Status and std::expected; nothing in our code throws. A Status is cheap to copy when OK.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace crm {

// Persisted nowhere, but the http/ error table and the outbox retry policy key on these values.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument = 1,
  kNotFound = 2,
  kAlreadyExists = 3,
  kFailedPrecondition = 4,
  kAborted = 5,
  kPermissionDenied = 6,
  kUnauthenticated = 7,
  kResourceExhausted = 8,
  kUnavailable = 9,
  kDeadlineExceeded = 10,
  kDataLoss = 11,
  kInternal = 12,
};

// Returns the snake_case name used in API error bodies, e.g. "invalid_argument".
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The input field the error is about ("phone"), or empty when it is about no single field.
  const std::string& field() const { return field_; }
  // A stable, machine-readable code for a refusal ("coupon_used", "insufficient_balance"), beside
  // the human message; clients translate it. Empty when the status carries none.
  const std::string& reason() const { return reason_; }
  // The same status with `reason` set.
  Status WithReason(std::string reason) && {
    reason_ = std::move(reason);
    return std::move(*this);
  }
  Status WithReason(std::string reason) const& { return Status(*this).WithReason(std::move(reason)); }
  // The errors reported together with this one (every bad field of a form, this one first), or
  // empty when the status stands alone.
  const std::vector<Status>& details() const { return details_; }
  Status WithDetails(std::vector<Status> details) && {
    details_ = std::move(details);
    return std::move(*this);
  }
  // Numbers a client needs to explain a refusal in its own words ({"balance", 6000}).
  const std::vector<std::pair<std::string, int64_t>>& figures() const { return figures_; }
  Status WithFigure(std::string name, int64_t value) && {
    figures_.emplace_back(std::move(name), value);
    return std::move(*this);
  }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
  std::string reason_;
  std::vector<Status> details_;
  std::vector<std::pair<std::string, int64_t>> figures_;
};

inline Status InvalidArgument(std::string message, std::string field = {}) {
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field));
}
inline Status NotFound(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }
inline Status AlreadyExists(std::string message, std::string field = {}) {
  return Status(StatusCode::kAlreadyExists, std::move(message), std::move(field));
}
inline Status FailedPrecondition(std::string message, std::string field = {}) {
  return Status(StatusCode::kFailedPrecondition, std::move(message), std::move(field));
}
inline Status Aborted(std::string message) { return Status(StatusCode::kAborted, std::move(message)); }
inline Status PermissionDenied(std::string message) {
  return Status(StatusCode::kPermissionDenied, std::move(message));
}
inline Status Unauthenticated(std::string message) {
  return Status(StatusCode::kUnauthenticated, std::move(message));
}
inline Status ResourceExhausted(std::string message) {
  return Status(StatusCode::kResourceExhausted, std::move(message));
}
inline Status Unavailable(std::string message) { return Status(StatusCode::kUnavailable, std::move(message)); }
inline Status DataLoss(std::string message) { return Status(StatusCode::kDataLoss, std::move(message)); }
inline Status Internal(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected.
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    if (std::get<Status>(data_).ok()) std::abort();  // An OK status carries no value.
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace crm

#define CRM_CONCAT_INNER(a, b) a##b
#define CRM_CONCAT(a, b) CRM_CONCAT_INNER(a, b)

#define CRM_RETURN_IF_ERROR(expr)            \
  do {                                       \
    ::crm::Status crm_status_ = (expr);      \
    if (!crm_status_.ok()) return crm_status_; \
  } while (0)

#define CRM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define CRM_ASSIGN_OR_RETURN(lhs, expr) \
  CRM_ASSIGN_OR_RETURN_IMPL(CRM_CONCAT(crm_result_, __LINE__), lhs, expr)

// A broken invariant: never reachable from user input. Aborts with the location.
#define CRM_CHECK(cond)                                                        \
  do {                                                                         \
    if (!(cond)) ::crm::internal::CheckFailed(#cond, __FILE__, __LINE__);      \
  } while (0)

namespace crm::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}
