#include "store/staff_repository.h"

namespace crm::store {
namespace {

#define STAFF_COLUMNS \
  "id, business_id, email, display_name, role, password_hash, daily_prospect_goal, active, created_at"

constexpr Statement kInsertStaff{
    "staff.insert",
    "INSERT INTO staff (business_id, email, display_name, role, password_hash, daily_prospect_goal, active, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"};
constexpr Statement kUpdateStaff{
    "staff.update",
    "UPDATE staff SET display_name = $3, role = $4, password_hash = $5, daily_prospect_goal = $6, active = $7 "
    "WHERE business_id = $1 AND id = $2 RETURNING id"};
constexpr Statement kSelectStaff{"staff.get",
                                 "SELECT " STAFF_COLUMNS " FROM staff WHERE business_id = $1 AND id = $2"};
constexpr Statement kSelectStaffByEmail{"staff.by_email",
                                        "SELECT " STAFF_COLUMNS " FROM staff WHERE email = $1 ORDER BY id"};
constexpr Statement kListStaff{"staff.list", "SELECT " STAFF_COLUMNS " FROM staff WHERE business_id = $1 ORDER BY id"};
constexpr Statement kSelectBranches{
    "staff.branches", "SELECT branch_id FROM staff_branches WHERE business_id = $1 AND staff_id = $2 ORDER BY branch_id"};
constexpr Statement kDeleteBranches{"staff.branches_delete",
                                    "DELETE FROM staff_branches WHERE business_id = $1 AND staff_id = $2"};
constexpr Statement kInsertBranch{"staff.branches_insert",
                                  "INSERT INTO staff_branches (business_id, staff_id, branch_id) VALUES ($1, $2, $3)"};

domain::Staff StaffFromRow(const Row& row) {
  domain::Staff staff;
  staff.id = StaffId(row.GetInt(0));
  staff.business_id = BusinessId(row.GetInt(1));
  staff.email = row.GetText(2);
  staff.display_name = row.GetText(3);
  staff.role = static_cast<domain::Role>(row.GetInt(4));
  staff.password_hash = row.GetText(5);
  staff.daily_prospect_goal = static_cast<int>(row.GetInt(6));
  staff.active = row.GetInt(7) != 0;
  staff.created_at = Timestamp::FromMicros(row.GetInt(8));
  return staff;
}

}  // namespace

Result<domain::Staff> StaffRepository::Create(domain::Staff staff) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kInsertStaff, {Int(staff.business_id.value()), Text(staff.email),
                                                        Text(staff.display_name), Int(static_cast<int>(staff.role)),
                                                        Text(staff.password_hash), Int(staff.daily_prospect_goal),
                                                        Int(staff.active ? 1 : 0), Int(staff.created_at.micros())}));
  staff.id = StaffId(rows.at(0).GetInt(0));
  CRM_RETURN_IF_ERROR(SaveBranches(staff));
  return staff;
}

Status StaffRepository::Update(const domain::Staff& staff) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kUpdateStaff, {Int(staff.business_id.value()), Int(staff.id.value()),
                                                                    Text(staff.display_name),
                                                                    Int(static_cast<int>(staff.role)),
                                                                    Text(staff.password_hash),
                                                                    Int(staff.daily_prospect_goal),
                                                                    Int(staff.active ? 1 : 0)}));
  if (rows.empty()) return NotFound("staff member not found");
  CRM_RETURN_IF_ERROR(connection_.Execute(kDeleteBranches, {Int(staff.business_id.value()), Int(staff.id.value())}));
  return SaveBranches(staff);
}

Status StaffRepository::SaveBranches(const domain::Staff& staff) {
  for (BranchId branch : staff.branch_ids) {
    CRM_RETURN_IF_ERROR(connection_.Execute(
        kInsertBranch, {Int(staff.business_id.value()), Int(staff.id.value()), Int(branch.value())}));
  }
  return Status::Ok();
}

Status StaffRepository::LoadBranches(domain::Staff& staff) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kSelectBranches, {Int(staff.business_id.value()), Int(staff.id.value())}));
  staff.branch_ids.clear();
  for (const Row& row : rows) staff.branch_ids.emplace_back(row.GetInt(0));
  return Status::Ok();
}

Result<domain::Staff> StaffRepository::Get(BusinessId business, StaffId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectStaff, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("staff member not found");
  domain::Staff staff = StaffFromRow(rows[0]);
  CRM_RETURN_IF_ERROR(LoadBranches(staff));
  return staff;
}

Result<std::vector<domain::Staff>> StaffRepository::FindByEmail(const std::string& email) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectStaffByEmail, {Text(email)}));
  std::vector<domain::Staff> found;
  for (const Row& row : rows) {
    found.push_back(StaffFromRow(row));
    CRM_RETURN_IF_ERROR(LoadBranches(found.back()));
  }
  return found;
}

Result<std::vector<domain::Staff>> StaffRepository::List(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListStaff, {Int(business.value())}));
  std::vector<domain::Staff> found;
  for (const Row& row : rows) {
    found.push_back(StaffFromRow(row));
    CRM_RETURN_IF_ERROR(LoadBranches(found.back()));
  }
  return found;
}

}  // namespace crm::store
