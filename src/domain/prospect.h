// Prospect cards: a staff member records a new face before they are a customer, and each staff
// member has a daily goal of such cards (PRODUCT.md §1).
#pragma once

#include <optional>
#include <string>

#include "common/ids.h"
#include "common/time.h"

namespace crm::domain {

struct Prospect {
  ProspectId id;
  BusinessId business_id;
  StaffId staff_id;
  std::optional<BranchId> branch_id;
  std::string name;        // as told; may be a description ("안경 쓴 남자 손님")
  std::string phone_e164;  // optional
  std::string how_met;
  std::string liked;
  std::optional<CustomerId> customer_id;  // set once they become a customer
  Timestamp created_at;
};

struct ProspectProgress {
  StaffId staff_id;
  std::string display_name;
  int goal = 3;
  int today = 0;
};

// The UTC interval [start, end) of the local calendar day containing `at`, for a business whose
// local time is UTC + `utc_offset_minutes`.
struct DayBounds {
  Timestamp start;
  Timestamp end;
};
DayBounds LocalDay(Timestamp at, int utc_offset_minutes);

}  // namespace crm::domain
