// An answer for a request the HTTP parser rejects. RESTinio closes such a connection (a malformed
// request line, a bad header, a head past the parser's own limits) without a word, after logging
// "parser error ..."; server.cc's logger and socket type turn that line into this answer, written
// just before the connection is shut down.
#pragma once

#include <string>
#include <string_view>

namespace crm::http {

// The whole HTTP response (status line, headers with Connection: close, JSON body) for a RESTinio
// log line about a parser error: 414 for a URL, 431 for header fields or a head past the parser's
// limit, 413 for a body, 400 otherwise. Empty for any other log line.
std::string UnparsableRequestAnswer(std::string_view log_message);

}  // namespace crm::http
