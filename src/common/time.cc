#include "common/time.h"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

namespace crm {

int64_t DaysFromCivil(int year, int month, int day) {
  // Howard Hinnant's days_from_civil.
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

static int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

bool Date::IsValid() const {
  return year >= 1900 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 &&
         day <= DaysInMonth(year, month);
}

std::string Date::ToString() const { return fmt::format("{:04}-{:02}-{:02}", year, month, day); }

static bool ParseDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

Result<Date> Date::Parse(std::string_view text) {
  Date date;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseDigits(text, 0, 4, &date.year) ||
      !ParseDigits(text, 5, 2, &date.month) || !ParseDigits(text, 8, 2, &date.day) || !date.IsValid()) {
    return InvalidArgument("expected a calendar date as YYYY-MM-DD");
  }
  return date;
}

std::string Timestamp::ToIso8601() const {
  int64_t seconds = micros_ / 1'000'000;
  int64_t rest = micros_ % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t in_day = seconds % 86400;
  if (in_day < 0) {
    in_day += 86400;
    --days;
  }
  const Date date = CivilFromDays(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", date.year, date.month, date.day,
                     in_day / 3600, (in_day / 60) % 60, in_day % 60, rest / 1000);
}

Result<Timestamp> Timestamp::ParseIso8601(std::string_view text) {
  const Status bad = InvalidArgument("expected an ISO 8601 time such as 2024-03-01T09:30:00Z");
  if (text.size() < 10) return bad;
  auto date = Date::Parse(text.substr(0, 10));
  if (!date.ok()) return bad;
  int64_t micros = DaysFromCivil(date->year, date->month, date->day) * 86400LL * 1'000'000;
  if (text.size() == 10) return Timestamp::FromMicros(micros);
  if (text[10] != 'T' && text[10] != ' ') return bad;
  int hour = 0, minute = 0, second = 0;
  if (!ParseDigits(text, 11, 2, &hour) || text.size() < 19 || text[13] != ':' ||
      !ParseDigits(text, 14, 2, &minute) || text[16] != ':' || !ParseDigits(text, 17, 2, &second) ||
      hour > 23 || minute > 59 || second > 60) {
    return bad;
  }
  micros += ((hour * 60LL + minute) * 60 + second) * 1'000'000;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t fraction = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        fraction = fraction * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad;
    while (digits < 6) {
      fraction *= 10;
      ++digits;
    }
    micros += fraction;
  }
  if (pos == text.size()) return Timestamp::FromMicros(micros);
  if (text[pos] == 'Z' && pos + 1 == text.size()) return Timestamp::FromMicros(micros);
  if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 6 && text[pos + 3] == ':') {
    int offset_hours = 0, offset_minutes = 0;
    if (!ParseDigits(text, pos + 1, 2, &offset_hours) || !ParseDigits(text, pos + 4, 2, &offset_minutes)) {
      return bad;
    }
    const int64_t offset = (offset_hours * 60LL + offset_minutes) * 60 * 1'000'000;
    return Timestamp::FromMicros(text[pos] == '+' ? micros - offset : micros + offset);
  }
  return bad;
}

Timestamp SystemClock::Now() const {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp::FromMicros(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

}  // namespace crm
