// Money: an integer amount in the currency's minor unit. KRW has no minor unit, so 12,345 won is
// 12345. Money is never a double; arithmetic that could overflow is checked by the caller.
#pragma once

#include <cstdint>
#include <string>

namespace crm {

class Money {
 public:
  constexpr Money() = default;
  constexpr explicit Money(int64_t minor_units) : minor_units_(minor_units) {}
  constexpr int64_t minor_units() const { return minor_units_; }
  constexpr auto operator<=>(const Money&) const = default;
  constexpr Money operator+(Money other) const { return Money(minor_units_ + other.minor_units_); }
  constexpr Money operator-(Money other) const { return Money(minor_units_ - other.minor_units_); }
  constexpr Money operator-() const { return Money(-minor_units_); }
  Money& operator+=(Money other) {
    minor_units_ += other.minor_units_;
    return *this;
  }

  // "12,345원" for KRW.
  std::string FormatKrw() const;

 private:
  int64_t minor_units_ = 0;
};

}  // namespace crm
