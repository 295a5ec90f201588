// The free-text reason a staff member gives for an erasure or an export (PIPA-03, PIPA-06): it goes
// to the access log, so it is checked like any other stored text.
#pragma once

#include <string>

#include "common/status.h"

namespace crm::app {

inline constexpr size_t kMaxReasonBytes = 500;

// The reason trimmed and NFC-normalised. kInvalidArgument ("reason") when it is empty, longer than
// kMaxReasonBytes, not UTF-8 or holds a control character.
Result<std::string> CleanReason(const std::string& text);

}  // namespace crm::app
