// Writing CSV the way Excel reads it back: fields quoted when they hold a comma, quote or line
// break, quotes doubled, CRLF line ends. Used for the rejects file of an import. Pure and
// thread-safe.
#pragma once

#include <string>
#include <vector>

namespace crm::importing {

// One CSV record, with its "\r\n".
std::string CsvLine(const std::vector<std::string>& fields);

// The UTF-8 byte-order mark, which makes Excel read a CSV file as UTF-8.
inline constexpr const char* kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace crm::importing
