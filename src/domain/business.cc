#include "domain/business.h"

#include <algorithm>

namespace crm::domain {

const char* ToString(Role role) {
  switch (role) {
    case Role::kOwner: return "owner";
    case Role::kManager: return "manager";
    case Role::kStaff: return "staff";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "owner") return Role::kOwner;
  if (text == "manager") return Role::kManager;
  if (text == "staff") return Role::kStaff;
  return std::nullopt;
}

Status ValidateSlug(std::string_view slug) {
  const bool well_formed = slug.size() >= 2 && slug.size() <= 40 &&
                           std::all_of(slug.begin(), slug.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                           });
  if (!well_formed) return InvalidArgument("slug must be 2-40 characters of a-z, 0-9 and -", "slug");
  return Status::Ok();
}

bool Staff::CanAccessBranch(BranchId branch) const {
  if (role == Role::kOwner || branch_ids.empty()) return true;
  return std::find(branch_ids.begin(), branch_ids.end(), branch) != branch_ids.end();
}

const char* ToString(AccessAction action) {
  switch (action) {
    case AccessAction::kViewProfile: return "view_profile";
    case AccessAction::kExport: return "export";
    case AccessAction::kCreate: return "create";
    case AccessAction::kUpdate: return "update";
    case AccessAction::kErase: return "erase";
    case AccessAction::kLookup: return "lookup";
    case AccessAction::kMerge: return "merge";
    case AccessAction::kUndoMerge: return "undo_merge";
    case AccessAction::kList: return "list";
  }
  return "unknown";
}

}  // namespace crm::domain
