// The web UI's built files (web/dist), served by the same server as the API. Every file is read
// into memory once at start-up, so a request can only ever receive one of the files that were
// found under the root then: a path with "..", a symlink out of the root or a file added later
// cannot be reached. GET paths outside /api that name no file and look like a page of the
// single-page app ("/office/customers", no file extension, or the opt-out page "/u/{token}")
// receive index.html; Vite's hashed files under /assets/ are cached for a year, everything else
// is revalidated. Every answer carries a strict Content-Security-Policy (no inline scripts or
// styles).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"

namespace crm::http {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// One answer to a request for a static file. `body` points into the StaticFiles that made it
// (nullptr for a 404) and stays valid as long as that object lives.
struct StaticResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  const std::string* body = nullptr;
};

// The built UI, loaded once. Immutable after Load, so thread-safe.
class StaticFiles {
 public:
  // Reads every regular file under `root` (not following symlinks). Fails with kNotFound when
  // `root` has no index.html, kInvalidArgument when it holds more than `max_total_bytes`.
  static Result<StaticFiles> Load(const std::filesystem::path& root, size_t max_total_bytes = 64 << 20);

  // Whether this server part answers the request: GET or HEAD on a path outside /api.
  static bool Handles(std::string_view method, std::string_view path);

  // The answer to GET `path` (the path without the query string): the file, index.html for an
  // app page, or 404 for a missing file (a path whose last segment has an extension) and for any
  // path with "..", "//", a backslash, a '%' escape or a control character in it.
  StaticResponse Serve(std::string_view path) const;

  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string cache_control;
    std::string body;
  };

  StaticResponse Answer(const File& file) const;

  std::unordered_map<std::string, File> files_;  // by URL path: "/assets/index-1a2b3c.js"
};

// The Content-Type for a file name, by its extension; application/octet-stream when unknown.
std::string_view ContentTypeFor(std::string_view file_name);

}  // namespace crm::http
