#include "app/principal.h"

#include <algorithm>

namespace crm::app {

bool Principal::CanAccessBranch(BranchId branch) const {
  if (role == domain::Role::kOwner || branch_ids.empty()) return true;
  return std::find(branch_ids.begin(), branch_ids.end(), branch) != branch_ids.end();
}

Status Principal::Require(domain::Role required) const {
  if (domain::HasRole(role, required)) return Status::Ok();
  return PermissionDenied(std::string("this needs the ") + domain::ToString(required) + " role");
}

}  // namespace crm::app
