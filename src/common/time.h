// Timestamp and Clock: time in Dangol is UTC, counted in microseconds since the Unix epoch.
// Code that needs "now" takes a Clock&, so tests can hold time still or move it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crm {

class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp FromMicros(int64_t micros) { return Timestamp(micros); }
  static constexpr Timestamp FromSeconds(int64_t seconds) { return Timestamp(seconds * 1'000'000); }
  constexpr int64_t micros() const { return micros_; }
  constexpr int64_t seconds() const { return micros_ / 1'000'000; }
  constexpr auto operator<=>(const Timestamp&) const = default;
  constexpr Timestamp PlusSeconds(int64_t seconds) const { return Timestamp(micros_ + seconds * 1'000'000); }

  // RFC 3339 in UTC with millisecond precision: "2024-03-01T09:30:00.000Z".
  std::string ToIso8601() const;
  // Accepts "2024-03-01", "2024-03-01T09:30:00Z", with optional fraction and "+09:00" offsets.
  // Fails with kInvalidArgument.
  static Result<Timestamp> ParseIso8601(std::string_view text);

 private:
  constexpr explicit Timestamp(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

// A calendar date without time, used for birthdays and anniversaries.
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  auto operator<=>(const Date&) const = default;
  std::string ToString() const;  // "2024-03-01"
  // Accepts "YYYY-MM-DD" with a real calendar day; fails with kInvalidArgument.
  static Result<Date> Parse(std::string_view text);
  bool IsValid() const;
};

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int year, int month, int day);
Date CivilFromDays(int64_t days);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The wall clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that tests set by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : micros_(start.micros()) {}
  Timestamp Now() const override { return Timestamp::FromMicros(micros_.load()); }
  void Set(Timestamp t) { micros_.store(t.micros()); }
  void AdvanceSeconds(int64_t seconds) { micros_.fetch_add(seconds * 1'000'000); }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace crm
