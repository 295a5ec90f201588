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

// The order and offset of a sorted page (?sort=&order=&offset=): nullopt when none of them is
// given. kInvalidArgument naming "sort" (not last_visit, visits, spend, points, tier, stage or
// id), "order" (not asc or desc) or "offset" (not a whole number).
struct SortedPageRequest {
  app::CustomerOrder order;
  int64_t offset = 0;
};
Result<std::optional<SortedPageRequest>> ReadSortedPage(const QueryParams& query);

// The filter parameters for the route table.
std::vector<QueryParamInfo> CustomerQueryParams();
// The sort, order and offset parameters for the route table.
std::vector<QueryParamInfo> SortedPageParams();

}  // namespace crm::http
