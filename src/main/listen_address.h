// The address `dangol serve --listen` binds: "HOST:PORT", with IPv6 hosts in brackets
// ("[::1]:8080"). Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crm::cli {

struct ListenAddress {
  std::string host;   // "127.0.0.1", "::1", "localhost"; without brackets
  uint16_t port = 0;  // 0: any free port

  // "http://127.0.0.1:8080", "http://[::1]:8080" for the port actually bound.
  std::string Url(uint16_t bound_port) const;
};

// Parses "HOST:PORT" with a port of 0..65535. Fails with kInvalidArgument (field "listen") when
// the host or port is missing or the port is not a number in range.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// An IPv4 or IPv6 address in the form the server prints peers in ("::1", "10.0.0.2"), or nullopt
// when `text` is not one.
std::optional<std::string> CanonicalIpAddress(const std::string& text);

}  // namespace crm::cli
