#include "http/static_files.h"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <iterator>
#include <system_error>

namespace crm::http {

namespace {

constexpr std::string_view kIndexPath = "/index.html";
constexpr std::string_view kOptOutPagePrefix = "/u/";
constexpr std::string_view kHashedPrefix = "/assets/";  // Vite puts a content hash in these names
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

struct ContentType {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array kContentTypes = {
    ContentType{".html", "text/html; charset=utf-8"},
    ContentType{".js", "text/javascript; charset=utf-8"},
    ContentType{".mjs", "text/javascript; charset=utf-8"},
    ContentType{".css", "text/css; charset=utf-8"},
    ContentType{".json", "application/json; charset=utf-8"},
    ContentType{".map", "application/json; charset=utf-8"},
    ContentType{".webmanifest", "application/manifest+json; charset=utf-8"},
    ContentType{".txt", "text/plain; charset=utf-8"},
    ContentType{".svg", "image/svg+xml"},
    ContentType{".png", "image/png"},
    ContentType{".jpg", "image/jpeg"},
    ContentType{".jpeg", "image/jpeg"},
    ContentType{".webp", "image/webp"},
    ContentType{".ico", "image/x-icon"},
    ContentType{".woff2", "font/woff2"},
    ContentType{".woff", "font/woff"},
};

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// True for paths that could only be an attempt to step outside the root or to smuggle an
// encoded name past the lookup; none of the UI's own files needs any of these.
bool IsSuspicious(std::string_view path) {
  if (path.empty() || path.front() != '/') return true;
  if (path.find("..") != std::string_view::npos) return true;
  if (path.find("//") != std::string_view::npos) return true;
  for (char c : path) {
    if (c == '\\' || c == '%' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Whether the last segment of the path has a file extension ("/assets/a.js", not "/office").
// The opt-out page's path ("/u/1.42.9f…") carries a signed token with dots in it; it is a page.
bool NamesAFile(std::string_view path) {
  if (path.starts_with(kOptOutPagePrefix)) return false;
  const size_t slash = path.rfind('/');
  const std::string_view last = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  return last.find('.') != std::string_view::npos;
}

const std::string& NotFoundBody() {
  static const std::string body = "not found\n";
  return body;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
  for (const ContentType& entry : kContentTypes) {
    if (EndsWith(file_name, entry.extension)) return entry.type;
  }
  return "application/octet-stream";
}

bool StaticFiles::Handles(std::string_view method, std::string_view path) {
  if (method != "GET" && method != "HEAD") return false;
  return !(path == "/api" || path.starts_with("/api/"));
}

Result<StaticFiles> StaticFiles::Load(const std::filesystem::path& root, size_t max_total_bytes) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_regular_file(root / "index.html", error)) {
    return NotFound(fmt::format("no index.html in the web root {}", root.string()));
  }
  StaticFiles files;
  size_t total_bytes = 0;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, error);
  if (error) return NotFound(fmt::format("cannot read the web root {}: {}", root.string(), error.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) return NotFound(fmt::format("cannot read the web root {}: {}", root.string(), error.message()));
    // symlink_status: a link is neither followed nor served, so nothing outside the root is.
    if (!fs::is_regular_file(it->symlink_status())) continue;
    const fs::path relative = it->path().lexically_relative(root);
    std::string url_path = "/" + relative.generic_string();
    if (IsSuspicious(url_path)) continue;

    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return NotFound(fmt::format("cannot read {}", it->path().string()));
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    total_bytes += body.size();
    if (total_bytes > max_total_bytes) {
      return InvalidArgument(fmt::format("the web root {} holds more than {} bytes", root.string(), max_total_bytes));
    }
    File file;
    file.content_type = std::string(ContentTypeFor(url_path));
    file.cache_control = std::string(url_path.starts_with(kHashedPrefix) ? kImmutable : kRevalidate);
    file.body = std::move(body);
    files.files_.emplace(std::move(url_path), std::move(file));
  }
  return files;
}

StaticResponse StaticFiles::Answer(const File& file) const {
  StaticResponse response;
  response.headers = {{"Content-Type", file.content_type},
                      {"Cache-Control", file.cache_control},
                      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                      {"X-Content-Type-Options", "nosniff"},
                      {"X-Frame-Options", "DENY"},
                      {"Referrer-Policy", "no-referrer"}};
  response.body = &file.body;
  return response;
}

StaticResponse StaticFiles::Serve(std::string_view path) const {
  if (!IsSuspicious(path)) {
    const std::string key(path == "/" ? kIndexPath : path);
    if (auto found = files_.find(key); found != files_.end()) return Answer(found->second);
    if (!NamesAFile(path)) {
      if (auto index = files_.find(std::string(kIndexPath)); index != files_.end()) return Answer(index->second);
    }
  }
  StaticResponse response;
  response.status = 404;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                      {"Cache-Control", "no-store"},
                      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                      {"X-Content-Type-Options", "nosniff"}};
  response.body = &NotFoundBody();
  return response;
}

}  // namespace crm::http
