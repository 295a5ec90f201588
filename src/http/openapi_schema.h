// Building blocks of the OpenAPI document's schemas, shared by openapi.cc and the files that add
// the schemas of one area (openapi_campaigns.cc, openapi_automations.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace crm::http::schema {

using Json = nlohmann::ordered_json;

inline Json Type(const char* type) { return Json{{"type", type}}; }
inline Json String() { return Type("string"); }
inline Json Integer() { return Json{{"type", "integer"}, {"format", "int64"}}; }
inline Json Number() { return Type("number"); }
inline Json Boolean() { return Type("boolean"); }
inline Json TimeSchema() { return Json{{"type", "string"}, {"format", "date-time"}}; }
inline Json DateSchema() { return Json{{"type", "string"}, {"format", "date"}}; }
inline Json Ref(const std::string& name) { return Json{{"$ref", "#/components/schemas/" + name}}; }
inline Json ArrayOf(Json items) { return Json{{"type", "array"}, {"items", std::move(items)}}; }
inline Json Nullable(Json schema) {
  schema["nullable"] = true;
  return schema;
}
inline Json Enum(std::vector<std::string> values) { return Json{{"type", "string"}, {"enum", std::move(values)}}; }
inline Json Object(std::vector<std::pair<std::string, Json>> properties, std::vector<std::string> required = {}) {
  Json schema;
  schema["type"] = "object";
  Json props = Json::object();
  for (auto& [name, property] : properties) props[name] = std::move(property);
  schema["properties"] = std::move(props);
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}
// A page of `item`s with the cursor of the next page.
inline Json Page(const std::string& item) {
  return Object({{"items", ArrayOf(Ref(item))}, {"next_cursor", Nullable(String())}}, {"items", "next_cursor"});
}
inline Json ListOf(const std::string& item) { return Object({{"items", ArrayOf(Ref(item))}}, {"items"}); }
// An object of counts keyed by name.
inline Json CountsByName() { return Json{{"type", "object"}, {"additionalProperties", Integer()}}; }

}  // namespace crm::http::schema
