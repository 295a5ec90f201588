#include "http/json_reader.h"

#include <limits>

namespace crm::http {

namespace {

std::string WithoutTrailingDot(std::string_view prefix) {
  if (!prefix.empty() && prefix.back() == '.') prefix.remove_suffix(1);
  return prefix.empty() ? std::string("body") : std::string(prefix);
}

// True when the JSON text nests arrays and objects deeper than `max_depth`. Checked before
// parsing, so that a hostile body cannot make the parser or later code recurse without bound.
bool NestsDeeperThan(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

FieldReader::FieldReader(const nlohmann::json& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {
  if (!object_.is_object()) status_ = InvalidArgument("expected a JSON object", WithoutTrailingDot(prefix_));
}

std::string FieldReader::FieldName(std::string_view key) const { return prefix_ + std::string(key); }

void FieldReader::Fail(Status status) {
  if (status_.ok()) status_ = std::move(status);
}

bool FieldReader::Present(std::string_view key) const {
  if (!object_.is_object()) return false;
  auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

bool FieldReader::IsNull(std::string_view key) const {
  if (!object_.is_object()) return false;
  auto it = object_.find(key);
  return it != object_.end() && it->is_null();
}

const nlohmann::json* FieldReader::Raw(std::string_view key) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  return it == object_.end() || it->is_null() ? nullptr : &*it;
}

const nlohmann::json* FieldReader::Find(std::string_view key, Presence presence) {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) {
    if (presence == Presence::kRequired) Fail(InvalidArgument("is required", FieldName(key)));
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> FieldReader::String(std::string_view key, Presence presence) {
  const nlohmann::json* value = Find(key, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Fail(InvalidArgument("expected a string", FieldName(key)));
    return std::nullopt;
  }
  const std::string& text = value->get_ref<const std::string&>();
  // JSON allows "\u0000"; no field of ours is meant to hold one, and C APIs below would cut at it.
  if (text.find('\0') != std::string::npos) {
    Fail(InvalidArgument("must not contain a NUL character", FieldName(key)));
    return std::nullopt;
  }
  return text;
}

std::optional<int64_t> FieldReader::Integer(std::string_view key, int64_t min, int64_t max, Presence presence) {
  const nlohmann::json* value = Find(key, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_integer()) {
    Fail(InvalidArgument("expected an integer", FieldName(key)));
    return std::nullopt;
  }
  const bool too_big = value->is_number_unsigned() &&
                       value->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  const int64_t number = too_big ? std::numeric_limits<int64_t>::max() : value->get<int64_t>();
  if (too_big || number < min || number > max) {
    Fail(InvalidArgument("expected an integer from " + std::to_string(min) + " to " + std::to_string(max),
                         FieldName(key)));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> FieldReader::Bool(std::string_view key, Presence presence) {
  const nlohmann::json* value = Find(key, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    Fail(InvalidArgument("expected true or false", FieldName(key)));
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<int64_t> AsId(const nlohmann::json& value) {
  // nlohmann stores a non-negative integer literal as unsigned; a negative one is never an id.
  if (!value.is_number_unsigned()) return std::nullopt;
  const uint64_t number = value.get<uint64_t>();
  if (number < 1 || number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(number);
}

std::optional<int64_t> FieldReader::Id(std::string_view key, Presence presence) {
  const nlohmann::json* value = Find(key, presence);
  if (value == nullptr) return std::nullopt;
  std::optional<int64_t> id = AsId(*value);
  if (!id) Fail(InvalidArgument("expected an id (a positive integer)", FieldName(key)));
  return id;
}

std::optional<Timestamp> FieldReader::Time(std::string_view key, Presence presence) {
  std::optional<std::string> text = String(key, presence);
  if (!text) return std::nullopt;
  Result<Timestamp> time = Timestamp::ParseIso8601(*text);
  if (!time.ok()) {
    Fail(InvalidArgument(time.status().message(), FieldName(key)));
    return std::nullopt;
  }
  return *time;
}

const nlohmann::json* FieldReader::Array(std::string_view key, Presence presence) {
  const nlohmann::json* value = Find(key, presence);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    Fail(InvalidArgument("expected an array", FieldName(key)));
    return nullptr;
  }
  return value;
}

const nlohmann::json* FieldReader::Object(std::string_view key, Presence presence) {
  const nlohmann::json* value = Find(key, presence);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    Fail(InvalidArgument("expected an object", FieldName(key)));
    return nullptr;
  }
  return value;
}

std::string IndexedName(std::string_view field, size_t index) {
  return std::string(field) + "[" + std::to_string(index) + "]";
}

Result<nlohmann::json> ParseBody(std::string_view body, int max_depth) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return nlohmann::json::object();
  if (NestsDeeperThan(body, max_depth)) return InvalidArgument("the JSON nests too deeply", "body");
  nlohmann::json value = nlohmann::json::parse(body, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return InvalidArgument("the body is not valid JSON", "body");
  if (!value.is_object()) return InvalidArgument("expected a JSON object", "body");
  return value;
}

}  // namespace crm::http
