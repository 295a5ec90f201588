// Saved segments of a business (named customer filters). Constructed over a transaction's
// connection (SegmentRepository(tx.connection())). Not thread-safe, like the connection.
#pragma once

#include <vector>

#include "domain/segment.h"
#include "store/sql.h"

namespace crm::store {

class SegmentRepository {
 public:
  explicit SegmentRepository(SqlConnection& connection) : connection_(connection) {}
  // Stores a new segment; returns it with its id. kAlreadyExists (field "name") when the business
  // has a segment of that name.
  Result<domain::SavedSegment> Create(domain::SavedSegment segment);
  // kNotFound when it is not the business's.
  Result<domain::SavedSegment> Get(BusinessId business, SegmentId id);
  // Every segment of the business, by name.
  Result<std::vector<domain::SavedSegment>> List(BusinessId business);
  // Rewrites name and filter. kNotFound, kAlreadyExists as above.
  Status Update(const domain::SavedSegment& segment);
  // kNotFound when it is not the business's.
  Status Delete(BusinessId business, SegmentId id);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
