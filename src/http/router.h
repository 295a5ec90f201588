// Router: finds the route for a method and path in the route table. Path parameters are ids and
// match only positive decimal integers, so /customers/abc and /customers/0 are "no such route"
// (404), exactly like another business's id, and /customers/lookup never collides with
// /customers/{id}. A path that exists under other methods is a 405 with the allowed methods.
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/route.h"

namespace crm::http {

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;
  std::vector<std::pair<std::string, int64_t>> path_ids;
  std::string allow;  // "GET, POST" when kMethodNotAllowed
};

class Router {
 public:
  // `routes` must have well-formed patterns ("/a/{id}/b") and no two routes with the same method
  // and pattern (a broken invariant: the table is code, not input).
  explicit Router(std::vector<Route> routes);

  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    bool is_param = false;
    std::string text;  // the literal, or the parameter's name
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> patterns_;  // parallel to routes_
};

// Splits "/api/v1/customers/7" into {"api", "v1", "customers", "7"}; an empty path or one not
// starting with '/' gives nothing usable (an empty vector plus `ok` false).
std::vector<std::string_view> SplitPath(std::string_view path, bool* ok);

}  // namespace crm::http
