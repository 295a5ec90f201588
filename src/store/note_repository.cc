#include "store/note_repository.h"

#include <algorithm>

namespace crm::store {
namespace {

constexpr Statement kInsertNote{
    "note.insert",
    "INSERT INTO notes (business_id, customer_id, author_id, branch_id, text, pinned, created_at, source) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"};
constexpr Statement kNoteIdsFrom{
    "note.ids_from",
    "SELECT id FROM notes WHERE business_id = $1 AND customer_id = $2 AND source = $3 ORDER BY id"};
constexpr Statement kListNotes{
    "note.list",
    "SELECT id, customer_id, author_id, branch_id, text, pinned, created_at FROM notes "
    "WHERE business_id = $1 AND customer_id = $2 ORDER BY pinned DESC, created_at DESC, id DESC"};
constexpr Statement kPinNote{
    "note.pin",
    "UPDATE notes SET pinned = $4 WHERE business_id = $1 AND customer_id = $2 AND id = $3 RETURNING id"};
constexpr Statement kDeleteNote{
    "note.delete", "DELETE FROM notes WHERE business_id = $1 AND customer_id = $2 AND id = $3 RETURNING id"};
constexpr Statement kInsertProspect{
    "prospect.insert",
    "INSERT INTO prospects (business_id, staff_id, branch_id, name, phone_e164, how_met, liked, customer_id, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"};
constexpr Statement kCountProspects{
    "prospect.count_by_staff",
    "SELECT staff_id, COUNT(*) FROM prospects WHERE business_id = $1 AND created_at >= $2 AND created_at < $3 "
    "GROUP BY staff_id ORDER BY staff_id"};
constexpr Statement kListProspects{
    "prospect.list",
    "SELECT id, business_id, staff_id, branch_id, name, phone_e164, how_met, liked, customer_id, created_at "
    "FROM prospects WHERE business_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"};

SqlValue OptionalId(int64_t value) { return value > 0 ? Int(value) : Null(); }

}  // namespace

Result<domain::Note> NoteRepository::Add(BusinessId business, domain::Note note, const std::string& source) {
  auto rows = connection_.Query(kInsertNote, {Int(business.value()), Int(note.customer_id.value()),
                                              OptionalId(note.author_id.value()), OptionalId(note.branch_id.value()),
                                              Text(note.text), Int(note.pinned ? 1 : 0), Int(note.created_at.micros()),
                                              Text(source)});
  if (!rows.ok() && rows.status().code() == StatusCode::kFailedPrecondition) {
    return NotFound("customer or branch not found");
  }
  if (!rows.ok()) return rows.status();
  note.id = NoteId(rows->at(0).GetInt(0));
  return note;
}

Result<std::vector<NoteId>> NoteRepository::IdsFrom(BusinessId business, CustomerId customer,
                                                    const std::string& source) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kNoteIdsFrom, {Int(business.value()), Int(customer.value()), Text(source)}));
  std::vector<NoteId> ids;
  for (const Row& row : rows) ids.push_back(NoteId(row.GetInt(0)));
  return ids;
}

Result<std::vector<domain::Note>> NoteRepository::List(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListNotes, {Int(business.value()), Int(customer.value())}));
  std::vector<domain::Note> notes;
  for (const Row& row : rows) {
    domain::Note note;
    note.id = NoteId(row.GetInt(0));
    note.customer_id = CustomerId(row.GetInt(1));
    note.author_id = StaffId(row.GetInt(2));
    note.branch_id = BranchId(row.GetInt(3));
    note.text = row.GetText(4);
    note.pinned = row.GetInt(5) != 0;
    note.created_at = Timestamp::FromMicros(row.GetInt(6));
    notes.push_back(std::move(note));
  }
  return notes;
}

Status NoteRepository::SetPinned(BusinessId business, CustomerId customer, NoteId id, bool pinned) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kPinNote, {Int(business.value()), Int(customer.value()),
                                                                Int(id.value()), Int(pinned ? 1 : 0)}));
  if (rows.empty()) return NotFound("note not found");
  return Status::Ok();
}

Status NoteRepository::Delete(BusinessId business, CustomerId customer, NoteId id) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kDeleteNote, {Int(business.value()), Int(customer.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("note not found");
  return Status::Ok();
}

Result<domain::Prospect> ProspectRepository::Add(domain::Prospect prospect) {
  auto rows = connection_.Query(
      kInsertProspect,
      {Int(prospect.business_id.value()), Int(prospect.staff_id.value()),
       prospect.branch_id ? Int(prospect.branch_id->value()) : Null(), Text(prospect.name), Text(prospect.phone_e164),
       Text(prospect.how_met), Text(prospect.liked),
       prospect.customer_id ? Int(prospect.customer_id->value()) : Null(), Int(prospect.created_at.micros())});
  if (!rows.ok() && rows.status().code() == StatusCode::kFailedPrecondition) {
    return NotFound("branch or customer not found");
  }
  if (!rows.ok()) return rows.status();
  prospect.id = ProspectId(rows->at(0).GetInt(0));
  return prospect;
}

Result<std::vector<std::pair<StaffId, int>>> ProspectRepository::CountByStaff(BusinessId business, Timestamp start,
                                                                              Timestamp end) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCountProspects, {Int(business.value()), Int(start.micros()),
                                                                       Int(end.micros())}));
  std::vector<std::pair<StaffId, int>> counts;
  for (const Row& row : rows) counts.emplace_back(StaffId(row.GetInt(0)), static_cast<int>(row.GetInt(1)));
  return counts;
}

Result<std::vector<domain::Prospect>> ProspectRepository::List(BusinessId business, std::optional<ProspectId> before,
                                                               int limit) {
  const int64_t bound = before ? before->value() : INT64_MAX;
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListProspects, {Int(business.value()), Int(bound),
                                                                      Int(std::clamp(limit, 1, 500))}));
  std::vector<domain::Prospect> prospects;
  for (const Row& row : rows) {
    domain::Prospect prospect;
    prospect.id = ProspectId(row.GetInt(0));
    prospect.business_id = BusinessId(row.GetInt(1));
    prospect.staff_id = StaffId(row.GetInt(2));
    if (auto branch = row.GetOptionalInt(3)) prospect.branch_id = BranchId(*branch);
    prospect.name = row.GetText(4);
    prospect.phone_e164 = row.GetText(5);
    prospect.how_met = row.GetText(6);
    prospect.liked = row.GetText(7);
    if (auto customer = row.GetOptionalInt(8)) prospect.customer_id = CustomerId(*customer);
    prospect.created_at = Timestamp::FromMicros(row.GetInt(9));
    prospects.push_back(std::move(prospect));
  }
  return prospects;
}

}  // namespace crm::store
