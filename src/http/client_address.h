// The client's address: the socket's peer, or, when that peer is a proxy the operator trusts
// (`dangol serve --trusted-proxy ADDR`), the address it put in X-Forwarded-For. Rate limits key
// on it, so behind a TLS proxy one client's failed logins do not lock out every other client.
// Only trusted proxies are believed: anyone else can write any X-Forwarded-For. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crm::http {

// The client address of a request from `peer` carrying `forwarded_for` (the X-Forwarded-For header
// value, empty when absent). When `peer` is in `trusted_proxies`, the header's addresses are read
// from the right (the nearest hop first) and the first one that is not itself a trusted proxy is
// the client; a malformed entry ends the walk at the last trusted hop. Otherwise `peer` itself.
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

}  // namespace crm::http
