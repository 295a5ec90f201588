// Staff accounts of a business with their role and branch access.
#pragma once

#include <vector>

#include "domain/business.h"
#include "store/sql.h"

namespace crm::store {

class StaffRepository {
 public:
  explicit StaffRepository(SqlConnection& connection) : connection_(connection) {}
  // Stores the account and its branch list. kAlreadyExists when the e-mail is taken in the business;
  // kFailedPrecondition when a branch is not the business's.
  Result<domain::Staff> Create(domain::Staff staff);
  // Rewrites role, name, goal, active flag, password hash and branch list. kNotFound if missing.
  Status Update(const domain::Staff& staff);
  Result<domain::Staff> Get(BusinessId business, StaffId id);
  // Every account with this e-mail, in any business (login picks among them).
  Result<std::vector<domain::Staff>> FindByEmail(const std::string& email);
  Result<std::vector<domain::Staff>> List(BusinessId business);

 private:
  Status LoadBranches(domain::Staff& staff);
  Status SaveBranches(const domain::Staff& staff);
  SqlConnection& connection_;
};

}  // namespace crm::store
