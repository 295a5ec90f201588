// Principal: who is making a request, as the http layer established it (session cookie or API
// token), and for which business. Every app service call takes one and scopes everything by it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "domain/business.h"

namespace crm::app {

struct Principal {
  BusinessId business_id;
  std::optional<StaffId> staff_id;  // set for a logged-in staff member
  std::optional<TokenId> token_id;  // set for an API token
  domain::Role role = domain::Role::kStaff;
  std::vector<BranchId> branch_ids;  // empty: every branch
  std::string ip;                    // for the access log

  bool CanAccessBranch(BranchId branch) const;
  // OK when the principal has at least `required`; kPermissionDenied otherwise.
  Status Require(domain::Role required) const;
};

}  // namespace crm::app
