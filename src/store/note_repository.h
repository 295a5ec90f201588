// Notes (memos) about customers and prospect cards written by staff.
#pragma once

#include <string>
#include <vector>

#include "domain/customer.h"
#include "domain/prospect.h"
#include "store/sql.h"

namespace crm::store {

class NoteRepository {
 public:
  explicit NoteRepository(SqlConnection& connection) : connection_(connection) {}
  // kNotFound when the customer is not the business's. `source` says who wrote it when no staff
  // member did ("import" for a customer list's memo; migration 0022); empty for staff.
  Result<domain::Note> Add(BusinessId business, domain::Note note, const std::string& source = {});
  // The ids of the customer's notes written by `source`.
  Result<std::vector<NoteId>> IdsFrom(BusinessId business, CustomerId customer, const std::string& source);
  // Pinned first, then newest first.
  Result<std::vector<domain::Note>> List(BusinessId business, CustomerId customer);
  // kNotFound when the note is not this customer's.
  Status SetPinned(BusinessId business, CustomerId customer, NoteId id, bool pinned);
  // Removes the note; kNotFound when it is not this customer's.
  Status Delete(BusinessId business, CustomerId customer, NoteId id);

 private:
  SqlConnection& connection_;
};

class ProspectRepository {
 public:
  explicit ProspectRepository(SqlConnection& connection) : connection_(connection) {}
  Result<domain::Prospect> Add(domain::Prospect prospect);
  // How many cards each staff member wrote in [start, end).
  Result<std::vector<std::pair<StaffId, int>>> CountByStaff(BusinessId business, Timestamp start, Timestamp end);
  // Newest first, ids below `before` when given.
  Result<std::vector<domain::Prospect>> List(BusinessId business, std::optional<ProspectId> before, int limit);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
