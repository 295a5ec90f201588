// A business (the tenant), its branches, its staff with their roles and branch access, and the
// credentials that act for it: login sessions and API tokens. Types and pure rules only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/time.h"

namespace crm::domain {

// Persisted: the values never change. Lower value = more authority.
enum class Role { kOwner = 1, kManager = 2, kStaff = 3 };

const char* ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);
// True when `actual` has at least the authority of `required`.
inline bool HasRole(Role actual, Role required) { return static_cast<int>(actual) <= static_cast<int>(required); }

struct Business {
  BusinessId id;
  std::string slug;  // "demo": lower-case letters, digits and hyphens
  std::string name;
  int utc_offset_minutes = 540;  // Asia/Seoul; used for "today" in daily goals
  Timestamp created_at;
};

// Returns OK when `slug` is 2-40 characters of a-z, 0-9 and '-', else kInvalidArgument ("slug").
Status ValidateSlug(std::string_view slug);

struct Branch {
  BranchId id;
  BusinessId business_id;
  std::string name;
  Timestamp created_at;
};

struct Staff {
  StaffId id;
  BusinessId business_id;
  std::string email;  // lower case
  std::string display_name;
  Role role = Role::kStaff;
  std::string password_hash;  // Argon2id, libsodium's string form
  std::vector<BranchId> branch_ids;  // empty: every branch
  int daily_prospect_goal = 3;
  bool active = true;
  Timestamp created_at;

  // Owners reach every branch; others the branches listed, or all when none are listed.
  bool CanAccessBranch(BranchId branch) const;
};

struct Session {
  int64_t id = 0;
  BusinessId business_id;
  StaffId staff_id;
  std::string token_hash;  // hex SHA-256 of the cookie value; the value itself is never stored
  std::string csrf_token;
  Timestamp created_at;
  Timestamp expires_at;
};

struct ApiToken {
  TokenId id;
  BusinessId business_id;
  std::string name;
  Role role = Role::kStaff;
  std::string token_hash;  // hex SHA-256 of the token
  Timestamp created_at;
  std::optional<Timestamp> revoked_at;
  std::optional<StaffId> created_by;       // none when made on the command line
  std::optional<Timestamp> last_used_at;   // to the minute
};

// Persisted: the values never change.
enum class AccessAction { kViewProfile = 1, kExport = 2, kCreate = 3, kUpdate = 4, kErase = 5, kLookup = 6,
                          kMerge = 11, kUndoMerge = 12, kList = 13 };
const char* ToString(AccessAction action);

// One line of the personal-data access log (PIPA-06): who, when, from where, which customer, what.
struct AccessLogEntry {
  int64_t id = 0;
  BusinessId business_id;
  Timestamp at;
  std::optional<StaffId> staff_id;
  std::optional<TokenId> token_id;
  std::optional<CustomerId> customer_id;
  AccessAction action = AccessAction::kViewProfile;
  std::string ip;
  std::string detail;  // never personal data: route names, counts, export reasons
};

}  // namespace crm::domain
