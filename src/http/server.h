// The HTTP server: RESTinio on a small pool of I/O threads, with request limits set, serving the
// JSON API under /api/v1. Blocking work (database calls) runs on a separate worker pool, so a slow
// commit never stalls the I/O threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/services.h"
#include "common/status.h"

namespace crm::http {

struct ServerSettings {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;          // 0: pick a free port (reported through on_listening)
  int io_threads = 2;
  int worker_threads = 32;       // handlers that wait on the database
  size_t max_body_bytes = 1 << 20;
  bool secure_cookies = false;   // set the Secure flag (behind TLS)
  std::string web_root;          // the built web UI (web/dist); empty: serve the API only
  // Proxies whose X-Forwarded-For names the client (client_address.h); none by default.
  std::vector<std::string> trusted_proxies;
};

// Serves until SIGINT or SIGTERM. `on_listening` is called with the bound port once listening.
// Fails with kUnavailable when the address cannot be bound, and with kNotFound when `web_root` is
// set but holds no index.html.
Status RunServer(const ServerSettings& settings, app::Services& services,
                 const std::function<void(uint16_t port)>& on_listening = {});

}  // namespace crm::http
