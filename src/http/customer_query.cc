#include "http/customer_query.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <string>

namespace crm::http {
namespace {

std::optional<std::string> NonEmpty(const QueryParams& query, std::string_view name) {
  std::optional<std::string> text = query.Get(name);
  if (text && text->empty()) text.reset();
  return text;
}

Result<std::optional<int64_t>> ReadCount(const QueryParams& query, std::string_view name) {
  std::optional<std::string> text = NonEmpty(query, name);
  if (!text) return std::optional<int64_t>();
  int64_t value = 0;
  const bool digits = text->size() <= 18 && text->find_first_not_of("0123456789") == std::string::npos;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (!digits || error != std::errc() || end != text->data() + text->size()) {
    return InvalidArgument("expected a whole number of 0 or more", std::string(name));
  }
  return std::optional<int64_t>(value);
}

Result<std::optional<Timestamp>> ReadTime(const QueryParams& query, std::string_view name) {
  std::optional<std::string> text = NonEmpty(query, name);
  if (!text) return std::optional<Timestamp>();
  Result<Timestamp> time = Timestamp::ParseIso8601(*text);
  if (!time.ok()) return InvalidArgument("expected a date (2024-03-01) or an RFC 3339 time", std::string(name));
  return std::optional<Timestamp>(*time);
}

}  // namespace

Result<app::CustomerQuery> ReadCustomerQuery(const QueryParams& query) {
  app::CustomerQuery result;
  result.text = NonEmpty(query, "q");
  result.tag = NonEmpty(query, "tag");
  result.tier = NonEmpty(query, "tier");
  if (std::optional<std::string> stage = NonEmpty(query, "stage")) {
    result.stage = domain::ParseLifecycleStage(*stage);
    if (!result.stage) return InvalidArgument("must be prospect, new, regular, loyal or lapsed", "stage");
  }
  if (std::optional<std::string> consent = NonEmpty(query, "consent")) {
    result.consent = domain::ParseConsentChannel(*consent);
    if (!result.consent) return InvalidArgument("must be sms, kakao, email or night", "consent");
  }
  CRM_ASSIGN_OR_RETURN(result.visits_min, ReadCount(query, "visits_min"));
  CRM_ASSIGN_OR_RETURN(result.visits_max, ReadCount(query, "visits_max"));
  CRM_ASSIGN_OR_RETURN(result.spend_min, ReadCount(query, "spend_min"));
  CRM_ASSIGN_OR_RETURN(result.spend_max, ReadCount(query, "spend_max"));
  CRM_ASSIGN_OR_RETURN(result.last_visit_before, ReadTime(query, "last_visit_before"));
  CRM_ASSIGN_OR_RETURN(result.last_visit_after, ReadTime(query, "last_visit_after"));
  return result;
}

Result<std::optional<SortedPageRequest>> ReadSortedPage(const QueryParams& query) {
  std::optional<std::string> sort = NonEmpty(query, "sort");
  std::optional<std::string> order = NonEmpty(query, "order");
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> offset, ReadCount(query, "offset"));
  if (!sort && !order && !offset) return std::optional<SortedPageRequest>();
  SortedPageRequest request;
  request.offset = offset.value_or(0);
  using store::CustomerSort;
  static constexpr std::pair<std::string_view, CustomerSort> kSorts[] = {
      {"id", CustomerSort::kId},       {"last_visit", CustomerSort::kLastVisit}, {"visits", CustomerSort::kVisits},
      {"spend", CustomerSort::kSpend}, {"points", CustomerSort::kPoints},        {"tier", CustomerSort::kTier},
      {"stage", CustomerSort::kStage}};
  if (sort) {
    const auto* found = std::find_if(std::begin(kSorts), std::end(kSorts),
                                     [&](const auto& entry) { return entry.first == *sort; });
    if (found == std::end(kSorts)) {
      return InvalidArgument("must be last_visit, visits, spend, points, tier, stage or id", "sort");
    }
    request.order.sort = found->second;
  }
  if (order && *order != "asc" && *order != "desc") return InvalidArgument("must be asc or desc", "order");
  request.order.direction = order && *order == "desc" ? store::SortDirection::kDescending
                                                      : store::SortDirection::kAscending;
  return std::optional<SortedPageRequest>(request);
}

std::vector<QueryParamInfo> SortedPageParams() {
  return {
      {.name = "sort",
       .description = "a sorted page with its total: last_visit, visits, spend, points, tier, stage or id (default)"},
      {.name = "order", .description = "asc (default) or desc"},
      {.name = "offset", .description = "rows of the sorted page to skip (default 0)", .type = "integer"},
  };
}

std::vector<QueryParamInfo> CustomerQueryParams() {
  return {
      {.name = "q", .description = "search: last 4 digits, a phone number, 초성 or a name prefix (as the lookup)"},
      {.name = "tag", .description = "only customers with this tag"},
      {.name = "tier", .description = "only customers in this loyalty tier (its name)"},
      {.name = "stage", .description = "prospect, new, regular, loyal or lapsed"},
      {.name = "consent", .description = "only customers who granted this channel: sms, kakao, email, night"},
      {.name = "visits_min", .description = "at least this many visits", .type = "integer"},
      {.name = "visits_max", .description = "at most this many visits", .type = "integer"},
      {.name = "spend_min", .description = "total spend at least this (minor units)", .type = "integer"},
      {.name = "spend_max", .description = "total spend at most this (minor units)", .type = "integer"},
      {.name = "last_visit_before", .description = "last visit before this date or time (never visited: excluded)"},
      {.name = "last_visit_after", .description = "last visit at or after this date or time"},
  };
}

}  // namespace crm::http
