// The customer list's filter parameters (?tier=&tag=&stage=&consent=&visits_min=...), shared by
// GET /customers and the customer export, and their OpenAPI descriptions.
#pragma once

#include <vector>

#include "app/customer_service.h"
#include "http/request_context.h"
#include "http/route.h"

namespace crm::http {

// Reads every filter parameter; a bad one fails with kInvalidArgument naming it. Timestamps are
// RFC 3339 or a date ("2024-03-01", midnight UTC).
Result<app::CustomerQuery> ReadCustomerQuery(const QueryParams& query);

// The filter parameters for the route table.
std::vector<QueryParamInfo> CustomerQueryParams();

}  // namespace crm::http
