// SegmentService: saved segments (named customer filters over profile fields, lifecycle stage,
// consent, loyalty tier, RFM segment and visit rhythm) and their members. Owners and managers
// only (kPermissionDenied for staff). The RFM segment and the overdue flag come from the
// AnalyticsService's aggregates. Thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "app/analytics_service.h"
#include "app/principal.h"
#include "common/time.h"
#include "domain/customer.h"
#include "domain/segment.h"
#include "store/database.h"

namespace crm::app {

struct SegmentMember {
  domain::Customer customer;
  domain::LifecycleStage stage = domain::LifecycleStage::kProspect;
  std::optional<int> rfm_segment;
  bool overdue = false;
};

struct SegmentMembers {
  AnalyticsStamp stamp;  // of the RFM segments and rhythm used
  std::vector<SegmentMember> members;
  std::optional<CustomerId> next_cursor;
};

class SegmentService {
 public:
  SegmentService(store::Database& database, const Clock& clock, AnalyticsService& analytics);

  // kInvalidArgument naming the field (domain::ValidateSegment); kAlreadyExists "name".
  Result<domain::SavedSegment> Create(const Principal& principal, domain::SavedSegment segment);
  Result<std::vector<domain::SavedSegment>> List(const Principal& principal);
  // kNotFound when it is not the business's.
  Result<domain::SavedSegment> Get(const Principal& principal, SegmentId id);
  // Replaces name and filter. As Create, and kNotFound.
  Result<domain::SavedSegment> Update(const Principal& principal, SegmentId id, std::string name,
                                      domain::SegmentFilter filter);
  Status Delete(const Principal& principal, SegmentId id);
  // The members with an id above `after`, ascending id, at most `limit` (1..500).
  Result<SegmentMembers> Members(const Principal& principal, SegmentId id, std::optional<CustomerId> after, int limit);

 private:
  store::Database& database_;
  const Clock& clock_;
  AnalyticsService& analytics_;
};

}  // namespace crm::app
