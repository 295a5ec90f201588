#include "http/router.h"

#include <set>

namespace crm::http {

std::vector<std::string_view> SplitPath(std::string_view path, bool* ok) {
  std::vector<std::string_view> segments;
  *ok = !path.empty() && path.front() == '/';
  if (!*ok) return segments;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
  std::set<std::pair<int, std::string>> seen;
  for (const Route& route : routes_) {
    CRM_CHECK(seen.emplace(static_cast<int>(route.info.method), route.info.pattern).second);
    CRM_CHECK(route.handler != nullptr);
    bool ok = false;
    std::vector<Segment> pattern;
    for (std::string_view part : SplitPath(route.info.pattern, &ok)) {
      Segment segment;
      segment.is_param = part.size() > 2 && part.front() == '{' && part.back() == '}';
      segment.text = segment.is_param ? std::string(part.substr(1, part.size() - 2)) : std::string(part);
      CRM_CHECK(!segment.text.empty());
      pattern.push_back(std::move(segment));
    }
    CRM_CHECK(ok);
    patterns_.push_back(std::move(pattern));
  }
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  bool ok = false;
  const std::vector<std::string_view> segments = SplitPath(path, &ok);
  if (!ok) return result;
  for (size_t r = 0; r < routes_.size(); ++r) {
    const std::vector<Segment>& pattern = patterns_[r];
    if (pattern.size() != segments.size()) continue;
    std::vector<std::pair<std::string, int64_t>> ids;
    bool matches = true;
    for (size_t i = 0; i < pattern.size() && matches; ++i) {
      if (!pattern[i].is_param) {
        matches = pattern[i].text == segments[i];
      } else if (std::optional<int64_t> id = ParsePositiveId(segments[i])) {
        ids.emplace_back(pattern[i].text, *id);
      } else {
        matches = false;
      }
    }
    if (!matches) continue;
    const char* route_method = MethodName(routes_[r].info.method);
    if (method == route_method) {
      result.kind = RouteMatch::Kind::kFound;
      result.route = &routes_[r];
      result.path_ids = std::move(ids);
      result.allow.clear();
      return result;
    }
    result.kind = RouteMatch::Kind::kMethodNotAllowed;
    if (result.allow.find(route_method) == std::string::npos) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += route_method;
    }
  }
  return result;
}

const char* MethodName(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
  }
  return "GET";
}

std::optional<Method> ParseMethod(std::string_view name) {
  for (Method method : {Method::kGet, Method::kPost, Method::kPut, Method::kPatch, Method::kDelete}) {
    if (name == MethodName(method)) return method;
  }
  return std::nullopt;
}

bool IsStateChanging(Method method) { return method != Method::kGet; }

const std::vector<Route>& RouteTable() {
  static const std::vector<Route> kTable = [] {
    std::vector<Route> table;
    for (auto routes : {MetaRoutes, AuthRoutes, BusinessRoutes, CustomerRoutes, OrderRoutes, LoyaltyRoutes,
                        MergeRoutes, ImportRoutes, ExportRoutes, AnalyticsRoutes, UndoRoutes, KioskRoutes,
                        CampaignRoutes, ConsentRoutes, AutomationRoutes}) {
      for (Route& route : routes()) table.push_back(std::move(route));
    }
    return table;
  }();
  return kTable;
}

std::vector<RouteInfo> Routes() {
  std::vector<RouteInfo> infos;
  for (const Route& route : RouteTable()) infos.push_back(route.info);
  return infos;
}

}  // namespace crm::http
