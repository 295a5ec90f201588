// Parsers for the values found in imported files, each pure and thread-safe: amounts written
// with thousands separators and currency marks, quantities, dates and times in the usual Korean,
// ISO and US forms or as Excel serial numbers, e-mail addresses and genders. Each fails with
// kInvalidArgument when the text cannot be read without guessing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "domain/customer.h"

namespace crm::importing {

// Returns `text` without surrounding ASCII white space and no-break spaces.
std::string_view TrimText(std::string_view text);

// An amount in minor units for a currency with `exponent` decimals (0 for KRW, 2 for GBP):
// "12,000", "12000원", "₩12,000", "£2.55", "(1,000)" and "-1,000" (negative), "1.50" with exponent 2
// → 150. More decimals than the currency has fails, unless they are zeros ("1,000.00" won).
Result<int64_t> ParseAmount(std::string_view text, int exponent);

// True when ParseAmount had to remove something (separators, currency marks, parentheses).
bool AmountNeedsNormalizing(std::string_view text);

// A whole quantity: "3", "-2", "1,200", "3.0". Fails for fractions.
Result<int64_t> ParseQuantity(std::string_view text);

struct DateTimeValue {
  Date date;
  int seconds_of_day = 0;
  bool has_time = false;
  // "2024-03-01" or "2024-03-01 15:04:05".
  std::string ToString() const;
  // The instant, reading the value as local time `utc_offset_minutes` east of UTC.
  Timestamp ToTimestamp(int utc_offset_minutes) const;
};

// 2024-03-01, 2024.3.1, 2024. 3. 1., 2024/03/01, 20240301, 2024년 3월 1일, 3/1/2024 (month first,
// as US exports write it; day first when the first number is above 12), each with an optional time
// "9:05", "09:05:30", "오후 3:05", "3:05 PM", "T09:05:30"; and Excel serial day numbers (45352,
// 45352.5), read in the 1900 date system.
Result<DateTimeValue> ParseDateTime(std::string_view text);

// Lower-cased and checked for one @, a non-empty local part and a dotted domain without spaces.
Result<std::string> ParseEmail(std::string_view text);

// 남/여/남성/여성/M/F/male/female (any case). Fails for anything else.
Result<domain::Gender> ParseGenderText(std::string_view text);

}  // namespace crm::importing
