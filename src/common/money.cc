#include "common/money.h"

namespace crm {

std::string Money::FormatKrw() const {
  const bool negative = minor_units_ < 0;
  uint64_t value = negative ? -static_cast<uint64_t>(minor_units_) : static_cast<uint64_t>(minor_units_);
  std::string digits = std::to_string(value);
  std::string grouped;
  const int lead = static_cast<int>(digits.size() % 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (static_cast<int>(i) - lead) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return (negative ? "-" : "") + grouped + "원";
}

}  // namespace crm
