// The OpenAPI 3.0 document of the API, generated from the same route table the router uses, so
// every route appears in it with its method, summary, parameters and schemas. Served at
// GET /api/v1/openapi.json. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

namespace crm::http {

// Builds the document: paths keyed by the route patterns ("/api/v1/customers/{id}"), one
// operation per route, and components (schemas, the Error response, bearer and cookie security).
nlohmann::ordered_json OpenApiDocument();
// Adds the schemas of campaigns, consent and messaging settings (openapi_campaigns.cc).
void AddCampaignSchemas(nlohmann::ordered_json& schemas);
void AddAutomationSchemas(nlohmann::ordered_json& schemas);

}  // namespace crm::http
