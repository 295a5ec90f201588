#include "domain/lunar_calendar.h"

#include <memory>
#include <optional>

#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>

namespace crm::domain {
namespace {

constexpr double kDayMillis = 86'400'000.0;

std::unique_ptr<icu::Calendar> MakeDangi() {
  UErrorCode error = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> calendar(
      icu::Calendar::createInstance(icu::TimeZone::getGMT()->clone(), icu::Locale("ko_KR@calendar=dangi"), error));
  if (U_FAILURE(error)) return nullptr;
  return calendar;
}

// The solar date ICU gives for the fields, and whether the lunar date it lands on is the one asked
// for (ICU is lenient: a missing 30th rolls into the next month, a missing leap month into the
// following ordinary one).
struct Landing {
  Date solar;
  bool exact = false;
};

Result<Landing> Land(icu::Calendar& calendar, int era, int cycle_year, int month, int day, bool leap) {
  UErrorCode error = U_ZERO_ERROR;
  calendar.clear();
  calendar.set(UCAL_ERA, era);
  calendar.set(UCAL_YEAR, cycle_year);
  calendar.set(UCAL_MONTH, month - 1);
  calendar.set(UCAL_IS_LEAP_MONTH, leap ? 1 : 0);
  calendar.set(UCAL_DATE, day);
  const UDate millis = calendar.getTime(error);
  if (U_FAILURE(error)) return Internal("the lunar calendar cannot place the date");
  calendar.setTime(millis, error);
  const bool exact = calendar.get(UCAL_MONTH, error) == month - 1 &&
                     calendar.get(UCAL_IS_LEAP_MONTH, error) == (leap ? 1 : 0) &&
                     calendar.get(UCAL_DATE, error) == day;
  if (U_FAILURE(error)) return Internal("the lunar calendar cannot read the date back");
  const auto days = static_cast<int64_t>(millis / kDayMillis + (millis >= 0 ? 0 : -1));
  return Landing{CivilFromDays(days), exact};
}

}  // namespace

Result<Date> LunarToSolar(int lunar_year, int month, int day, bool leap_month) {
  if (month < 1 || month > 12) return InvalidArgument("lunar month must be 1-12", "birthday");
  if (day < 1 || day > 30) return InvalidArgument("lunar day must be 1-30", "birthday");
  if (lunar_year < 1900 || lunar_year > 2100) return InvalidArgument("year outside 1900-2100", "birthday");
  std::unique_ptr<icu::Calendar> calendar = MakeDangi();
  if (!calendar) return Internal("ICU has no dangi calendar");
  // 1 July of a Gregorian year always lies in the lunar year that began that year: read its era and
  // year in the 60-year cycle from there.
  UErrorCode error = U_ZERO_ERROR;
  calendar->setTime(static_cast<UDate>(DaysFromCivil(lunar_year, 7, 1)) * kDayMillis, error);
  const int era = calendar->get(UCAL_ERA, error);
  const int cycle_year = calendar->get(UCAL_YEAR, error);
  if (U_FAILURE(error)) return Internal("the lunar calendar cannot read the year");

  bool leap = leap_month;
  int wanted_day = day;
  for (int attempt = 0; attempt < 4; ++attempt) {
    CRM_ASSIGN_OR_RETURN(Landing landing, Land(*calendar, era, cycle_year, month, wanted_day, leap));
    if (landing.exact) return landing.solar;
    // Not that year: first a missing leap month becomes the ordinary month, then a missing 30th
    // the 29th.
    if (leap) {
      CRM_ASSIGN_OR_RETURN(Landing plain, Land(*calendar, era, cycle_year, month, 1, true));
      if (!plain.exact) {
        leap = false;
        continue;
      }
    }
    if (wanted_day == 30) {
      wanted_day = 29;
      continue;
    }
    break;
  }
  return Internal("the lunar calendar has no such date");
}

Result<std::optional<Date>> LunarBirthdayIn(int year, int month, int day, bool leap_month) {
  CRM_ASSIGN_OR_RETURN(Date current, LunarToSolar(year, month, day, leap_month));
  if (current.year == year) return std::optional<Date>(current);
  CRM_ASSIGN_OR_RETURN(Date previous, LunarToSolar(year - 1, month, day, leap_month));
  if (previous.year == year) return std::optional<Date>(previous);
  return std::optional<Date>();
}

}  // namespace crm::domain
