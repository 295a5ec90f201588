#include "main/listen_address.h"

#include <arpa/inet.h>

#include <fmt/format.h>

namespace crm::cli {
namespace {

Status BadListen(std::string_view text) {
  return InvalidArgument(fmt::format("expected HOST:PORT (e.g. 127.0.0.1:8080), got \"{}\"", text),
                         "listen");
}

}  // namespace

std::string ListenAddress::Url(uint16_t bound_port) const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("http://[{}]:{}", host, bound_port)
              : fmt::format("http://{}:{}", host, bound_port);
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return BadListen(text);
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return BadListen(text);  // an IPv6 host needs brackets
  }
  if (host.empty() || port.empty() || port.size() > 5) return BadListen(text);
  if (host.find_first_of(" \t[]/") != std::string_view::npos) return BadListen(text);
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return BadListen(text);
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return BadListen(text);
  return ListenAddress{std::string(host), static_cast<uint16_t>(value)};
}

std::optional<std::string> CanonicalIpAddress(const std::string& text) {
  char buffer[INET6_ADDRSTRLEN] = {};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return std::string(inet_ntop(AF_INET, &v4, buffer, sizeof buffer));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return std::string(inet_ntop(AF_INET6, &v6, buffer, sizeof buffer));
  return std::nullopt;
}

}  // namespace crm::cli
