// BusinessService: setting up a business (the tenant) with branches and staff, staff prospect
// cards with their daily goal, and the owners' view of the access log. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "domain/business.h"
#include "domain/prospect.h"
#include "store/database.h"

namespace crm::app {

struct NewStaff {
  std::string email;
  std::string display_name;
  std::string password;  // see password_policy.h
  domain::Role role = domain::Role::kStaff;
  std::vector<BranchId> branch_ids;
  int daily_prospect_goal = 3;
};

struct StaffChange {
  std::optional<std::string> display_name;
  std::optional<domain::Role> role;
  std::optional<std::vector<BranchId>> branch_ids;
  std::optional<int> daily_prospect_goal;
  std::optional<bool> active;
  std::optional<std::string> password;
};

class BusinessService {
 public:
  BusinessService(store::Database& database, const Clock& clock);

  // For the CLI and set-up: no principal. kInvalidArgument ("slug"), ("currency") for a currency
  // code Dangol does not know; kAlreadyExists ("slug").
  Result<domain::Business> CreateBusiness(const std::string& slug, const std::string& name,
                                          const std::string& currency = "KRW");
  Result<domain::Business> FindBusiness(const std::string& slug);
  Result<domain::Business> GetBusiness(const Principal& principal);
  // Adds a staff account without a principal (CLI). Validates like AddStaff.
  Result<domain::Staff> CreateStaff(BusinessId business, const NewStaff& staff);

  // Managers and owners. kAlreadyExists ("name") for a duplicate branch name.
  Result<domain::Branch> CreateBranch(const Principal& principal, const std::string& name);
  Result<std::vector<domain::Branch>> ListBranches(const Principal& principal);

  // Owners add any role; managers add staff only. kAlreadyExists ("email").
  Result<domain::Staff> AddStaff(const Principal& principal, const NewStaff& staff);
  Result<std::vector<domain::Staff>> ListStaff(const Principal& principal);
  // The principal's own staff record; kNotFound for an API token, which has none.
  Result<domain::Staff> GetSelf(const Principal& principal);
  // A new password or role, or disabling the account, ends the staff member's sessions in the same
  // transaction; disabling also revokes the API tokens they created. The callback set with
  // OnCredentialsEnded then hears the ended credentials' hashes.
  Result<domain::Staff> UpdateStaff(const Principal& principal, StaffId id, const StaffChange& change);
  void OnCredentialsEnded(std::function<void(const std::vector<std::string>&)> callback) {
    on_credentials_ended_ = std::move(callback);
  }

  // A staff member's card for a new face; only staff sessions (not API tokens) write prospects.
  Result<domain::Prospect> AddProspect(const Principal& principal, domain::Prospect prospect);
  Result<std::vector<domain::Prospect>> ListProspects(const Principal& principal, std::optional<ProspectId> before,
                                                      int limit);
  // Every active staff member's goal and how many cards they wrote today (business local day).
  Result<std::vector<domain::ProspectProgress>> ProspectProgress(const Principal& principal);

  // Owners only.
  Result<std::vector<domain::AccessLogEntry>> AccessLog(const Principal& principal, std::optional<CustomerId> customer,
                                                        std::optional<int64_t> before, int limit);

 private:
  Result<domain::Staff> ValidateNewStaff(BusinessId business, const NewStaff& staff);

  store::Database& database_;
  const Clock& clock_;
  std::function<void(const std::vector<std::string>&)> on_credentials_ended_;
};

}  // namespace crm::app
