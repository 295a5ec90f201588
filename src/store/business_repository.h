// Businesses (tenants) and their branches. Every branch query is scoped by business id.
#pragma once

#include <optional>
#include <vector>

#include "domain/business.h"
#include "store/sql.h"

namespace crm::store {

class BusinessRepository {
 public:
  explicit BusinessRepository(SqlConnection& connection) : connection_(connection) {}
  // Returns the stored business with its id; kAlreadyExists when the slug is taken.
  Result<domain::Business> Create(domain::Business business);
  // kNotFound when there is no such business.
  Result<domain::Business> Get(BusinessId id);
  Result<domain::Business> FindBySlug(const std::string& slug);

 private:
  SqlConnection& connection_;
};

class BranchRepository {
 public:
  explicit BranchRepository(SqlConnection& connection) : connection_(connection) {}
  // kAlreadyExists when the business has a branch of that name.
  Result<domain::Branch> Create(domain::Branch branch);
  // kNotFound when the branch does not exist in this business.
  Result<domain::Branch> Get(BusinessId business, BranchId id);
  Result<std::vector<domain::Branch>> List(BusinessId business);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
