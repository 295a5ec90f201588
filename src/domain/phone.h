// Phone numbers: parsing the ways Korean staff and files write them into E.164 (DATA-01).
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace crm::domain {

struct PhoneNumber {
  std::string e164;      // "+821012345678"
  std::string national;  // "01012345678"; for other countries the E.164 digits without '+'.
  std::string last4;     // "5678"
};

// Parses a phone number written with or without hyphens, spaces, dots or parentheses; with +82,
// 82, 0082 or a leading 0; or with the leading 0 missing ("1012345678"). Korean numbers are checked
// by type: mobile 010 (11 digits), 011/016-019 (10 or 11), Seoul 02 (9-10 digits), area codes
// 031-064 (10-11), 070 and 050x, and 15xx/16xx/18xx (8 digits, no area code). A number starting
// with + and another country code is accepted as E.164 when it has 8-15 digits.
// "010-1234-5678", "+82 10 1234 5678", "821012345678", "1012345678" all give "+821012345678".
// Fails with kInvalidArgument (field "phone") for anything else, including a resident
// registration number shape (6 digits, hyphen, 7 digits).
Result<PhoneNumber> ParsePhone(std::string_view text);

// Returns the digits of `text` when it could be a phone-number query of at least 4 digits
// (only digits and separators), else an empty string.
std::string PhoneDigits(std::string_view text);

}  // namespace crm::domain
