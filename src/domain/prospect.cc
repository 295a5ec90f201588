#include "domain/prospect.h"

namespace crm::domain {

DayBounds LocalDay(Timestamp at, int utc_offset_minutes) {
  constexpr int64_t kDay = 86400;
  const int64_t local = at.seconds() + utc_offset_minutes * 60LL;
  int64_t day = local / kDay;
  if (local % kDay < 0) --day;
  const int64_t start = day * kDay - utc_offset_minutes * 60LL;
  return DayBounds{Timestamp::FromSeconds(start), Timestamp::FromSeconds(start + kDay)};
}

}  // namespace crm::domain
