// Lunar birthdays (korea.md DATA-06): the solar date on which a Korean lunar date (month, day,
// leap month or not) falls in a given lunar year, computed with ICU's Korean "dangi" calendar,
// which follows the Korean (KASI) reckoning rather than the Chinese one where they differ.
//
// A lunar date does not exist every year: the 30th of a month that has 29 days that year, or a
// leap month the year does not have. The rule used then, as Korean calendars and families do:
// a leap month that year lacks is kept in the ordinary month of the same number, and a 30th that
// month lacks is kept on its last day, the 29th.
#pragma once

#include <optional>

#include "common/status.h"
#include "common/time.h"

namespace crm::domain {

// The solar (Gregorian) date of lunar month `month` (1-12), day `day` (1-30), of the leap month
// when `leap_month`, in the lunar year that begins in Gregorian year `lunar_year` (its 1st month
// starts in January or February of that year, so a 12th-month date can fall in January of the
// next Gregorian year). Fails with kInvalidArgument ("birthday") for a month or day out of range
// or a year outside 1900-2100, and kInternal when ICU cannot build the calendar.
// Thread-safe.
Result<Date> LunarToSolar(int lunar_year, int month, int day, bool leap_month);

// The solar birthday of a lunar-born customer in Gregorian year `year`: the lunar birthday of the
// lunar year `year` - 1 or `year` whose solar date falls in `year` (the later one when both do,
// which cannot happen for a birthday; a 12th-month birthday may have none in a year, and then the
// nullopt). Fails as LunarToSolar.
Result<std::optional<Date>> LunarBirthdayIn(int year, int month, int day, bool leap_month);

}  // namespace crm::domain
