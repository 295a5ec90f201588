// Parsers for the values found in imported files, each pure and thread-safe: amounts written
// with thousands separators and currency marks, quantities, dates and times in the usual Korean,
// ISO and US forms or as Excel serial numbers, e-mail addresses and genders. Each fails with
// kInvalidArgument when the text cannot be read without guessing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The decimals `text` needs when it is an amount with more decimals than `exponent` (0.001 → 3),
// or nothing when it is no amount at all or fits `exponent`.
std::optional<int> ExcessDecimals(std::string_view text, int exponent);

// The decimals of an ISO 4217 currency (KRW 0, JPY 0, GBP 2, USD 2, EUR 2, ...), or nothing for a
// code not known here.
std::optional<int> CurrencyExponent(std::string_view code);

// `minor` units as people read them: FormatAmount(-1106206, 2) → "-11,062.06", (98000, 0) → "98,000".
std::string FormatAmount(int64_t minor, int exponent);

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

struct PreferenceText {
  domain::PreferenceKind kind = domain::PreferenceKind::kLike;
  std::string subject;
  bool operator==(const PreferenceText&) const = default;
};

// The preferences a cell lists: segments split by ';', '|' or a line break, each optionally
// labelled ("알레르기: 땅콩, 새우", "싫어함: 오이", "never: pork") and holding items split by ','.
// Labels: 알레르기/알러지/allergy → allergy, 싫어함/비선호/불호/dislike → dislike,
// 금지/절대/never → never, 좋아함/선호/like → like; an unlabelled segment is `default_kind`.
// Items are trimmed; empty ones dropped.
std::vector<PreferenceText> ParsePreferences(std::string_view text, domain::PreferenceKind default_kind);

}  // namespace crm::importing
