#include "store/business_repository.h"

namespace crm::store {
namespace {

constexpr Statement kInsertBusiness{
    "business.insert",
    "INSERT INTO businesses (slug, name, utc_offset_minutes, created_at) VALUES ($1, $2, $3, $4) RETURNING id"};
constexpr Statement kSelectBusinessById{
    "business.by_id", "SELECT id, slug, name, utc_offset_minutes, created_at FROM businesses WHERE id = $1"};
constexpr Statement kSelectBusinessBySlug{
    "business.by_slug", "SELECT id, slug, name, utc_offset_minutes, created_at FROM businesses WHERE slug = $1"};
constexpr Statement kInsertBranch{
    "branch.insert", "INSERT INTO branches (business_id, name, created_at) VALUES ($1, $2, $3) RETURNING id"};
constexpr Statement kSelectBranch{
    "branch.get", "SELECT id, business_id, name, created_at FROM branches WHERE business_id = $1 AND id = $2"};
constexpr Statement kListBranches{
    "branch.list", "SELECT id, business_id, name, created_at FROM branches WHERE business_id = $1 ORDER BY id"};

domain::Business BusinessFromRow(const Row& row) {
  domain::Business business;
  business.id = BusinessId(row.GetInt(0));
  business.slug = row.GetText(1);
  business.name = row.GetText(2);
  business.utc_offset_minutes = static_cast<int>(row.GetInt(3));
  business.created_at = Timestamp::FromMicros(row.GetInt(4));
  return business;
}

domain::Branch BranchFromRow(const Row& row) {
  return domain::Branch{BranchId(row.GetInt(0)), BusinessId(row.GetInt(1)), row.GetText(2),
                        Timestamp::FromMicros(row.GetInt(3))};
}

}  // namespace

Result<domain::Business> BusinessRepository::Create(domain::Business business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kInsertBusiness, {Text(business.slug), Text(business.name),
                                                                       Int(business.utc_offset_minutes),
                                                                       Int(business.created_at.micros())}));
  business.id = BusinessId(rows.at(0).GetInt(0));
  return business;
}

Result<domain::Business> BusinessRepository::Get(BusinessId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectBusinessById, {Int(id.value())}));
  if (rows.empty()) return NotFound("business not found");
  return BusinessFromRow(rows[0]);
}

Result<domain::Business> BusinessRepository::FindBySlug(const std::string& slug) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectBusinessBySlug, {Text(slug)}));
  if (rows.empty()) return NotFound("business not found");
  return BusinessFromRow(rows[0]);
}

Result<domain::Branch> BranchRepository::Create(domain::Branch branch) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kInsertBranch, {Int(branch.business_id.value()),
                                                                     Text(branch.name),
                                                                     Int(branch.created_at.micros())}));
  branch.id = BranchId(rows.at(0).GetInt(0));
  return branch;
}

Result<domain::Branch> BranchRepository::Get(BusinessId business, BranchId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectBranch, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("branch not found");
  return BranchFromRow(rows[0]);
}

Result<std::vector<domain::Branch>> BranchRepository::List(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListBranches, {Int(business.value())}));
  std::vector<domain::Branch> branches;
  for (const Row& row : rows) branches.push_back(BranchFromRow(row));
  return branches;
}

}  // namespace crm::store
