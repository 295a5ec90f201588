// Principal: who is making a request, as the http layer established it (session cookie or API
// token), and for which business. Every app service call takes one and scopes everything by it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "domain/business.h"
#include "domain/kiosk.h"

namespace crm::app {

// The Idempotency-Key of a write and a hash of its request. A service that honours it claims the
// key inside the transaction of its write (ClaimIdempotency), so that the write and the key commit
// together or not at all.
struct IdempotencyClaim {
  std::string key;
  std::string request_hash;
};

struct Principal {
  BusinessId business_id;
  std::optional<StaffId> staff_id;  // set for a logged-in staff member
  std::optional<TokenId> token_id;  // set for an API token
  // Set for a kiosk device: it may use the kiosk routes and nothing else (http/ enforces this).
  std::optional<KioskDeviceId> kiosk_device_id;
  domain::Role role = domain::Role::kStaff;
  std::vector<BranchId> branch_ids;  // empty: every branch
  std::string ip;                    // for the access log
  std::optional<IdempotencyClaim> idempotency;  // set by http/ for a write carrying Idempotency-Key

  bool CanAccessBranch(BranchId branch) const;
  // OK when the principal has at least `required`; kPermissionDenied otherwise.
  Status Require(domain::Role required) const;
};

}  // namespace crm::app
