// The password rule for staff accounts: at least 10 characters, not one character repeated, and
// not a common password. The common passwords are a list shipped with the code
// (app/data/common_passwords.txt, compiled in): the Openwall list of about 3,500 passwords most
// seen in leaks, plus long ones it lacks. A password is refused when it, lower-cased, is on the
// list, or is a listed one with digits or symbols added before or after ("Password123!").
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"

namespace crm::app {

inline constexpr size_t kMinPasswordCharacters = 10;
inline constexpr size_t kMaxPasswordBytes = 1024;

// OK for an acceptable password; kInvalidArgument ("password") saying why not.
Status CheckPasswordPolicy(std::string_view password);

// True when `password` (lower-cased, with leading and trailing digits and symbols removed) is on
// the common password list. Exposed for tests.
bool IsCommonPassword(std::string_view password);

}  // namespace crm::app
