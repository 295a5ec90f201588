// FieldReader: reads the fields of one JSON object from a request body with type checks, so that
// every bad field becomes one kInvalidArgument naming it ("phone", "lines[2].quantity",
// "birthday.date") instead of an exception. Unknown fields are ignored. Not thread-safe; one
// reader per object being read.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace crm::http {

enum class Presence { kOptional, kRequired };

class FieldReader {
 public:
  // `object` must outlive the reader. `prefix` is put before field names in errors ("lines[0].").
  // When `object` is not a JSON object the reader starts failed, naming `prefix` without its dot
  // (or "body" at the top).
  explicit FieldReader(const nlohmann::json& object, std::string prefix = {});

  // True when the key is present with a non-null value.
  bool Present(std::string_view key) const;
  // True when the key is present with the value null (for PATCH: "clear this").
  bool IsNull(std::string_view key) const;

  // Each returns the value, or nullopt when the key is absent or null (then, for kRequired, the
  // reader fails with "is required"), or when the value has the wrong type (the reader fails).
  std::optional<std::string> String(std::string_view key, Presence presence = Presence::kOptional);
  std::optional<int64_t> Integer(std::string_view key, int64_t min, int64_t max,
                                 Presence presence = Presence::kOptional);
  std::optional<bool> Bool(std::string_view key, Presence presence = Presence::kOptional);
  // An id: a JSON integer of at least 1.
  std::optional<int64_t> Id(std::string_view key, Presence presence = Presence::kOptional);
  // A time in ISO 8601 (see Timestamp::ParseIso8601).
  std::optional<Timestamp> Time(std::string_view key, Presence presence = Presence::kOptional);
  // The value at `key` without any check, or nullptr when absent or null.
  const nlohmann::json* Raw(std::string_view key) const;
  // The raw value of an array or object field, or nullptr (absent, null or wrong type).
  const nlohmann::json* Array(std::string_view key, Presence presence = Presence::kOptional);
  const nlohmann::json* Object(std::string_view key, Presence presence = Presence::kOptional);

  // A string field that must be one of a fixed set of names; `parse` maps a name to the enum.
  template <typename Enum, typename Parse>
  std::optional<Enum> Enumerated(std::string_view key, Parse parse, std::string_view allowed,
                                 Presence presence = Presence::kOptional) {
    std::optional<std::string> text = String(key, presence);
    if (!text) return std::nullopt;
    std::optional<Enum> value = parse(*text);
    if (!value) Fail(InvalidArgument("expected one of " + std::string(allowed), FieldName(key)));
    return value;
  }

  // The name under which errors about `key` are reported: prefix + key.
  std::string FieldName(std::string_view key) const;
  // Records `status` unless an earlier failure is already recorded.
  void Fail(Status status);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

 private:
  // The value at `key`, or nullptr when absent or null (failing when required).
  const nlohmann::json* Find(std::string_view key, Presence presence);

  const nlohmann::json& object_;
  std::string prefix_;
  Status status_;
};

// The value as an id (a JSON integer from 1 to INT64_MAX), or nullopt.
std::optional<int64_t> AsId(const nlohmann::json& value);

// Element `index` of an array field, for nested readers and errors: "lines[2]".
std::string IndexedName(std::string_view field, size_t index);

// Parses a request body. An empty body is the empty object. Fails with kInvalidArgument (field
// "body") for malformed JSON, nesting deeper than `max_depth`, or a value that is not an object.
Result<nlohmann::json> ParseBody(std::string_view body, int max_depth = 32);

}  // namespace crm::http
