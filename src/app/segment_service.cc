#include "app/segment_service.h"

#include <algorithm>

#include "domain/korean_text.h"
#include "store/customer_repository.h"
#include "store/loyalty_repository.h"
#include "store/segment_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int kScanPage = 500;

Status Clean(domain::SavedSegment& segment) {
  auto name = domain::NormalizeText(segment.name);
  if (!name.ok()) return InvalidArgument("must be valid UTF-8 text", "name");
  segment.name = std::move(name).value();
  auto tag = domain::NormalizeText(segment.filter.tag);
  if (!tag.ok()) return InvalidArgument("must be valid UTF-8 text", "filter.tag");
  segment.filter.tag = std::move(tag).value();
  return domain::ValidateSegment(segment);
}

}  // namespace

SegmentService::SegmentService(store::Database& database, const Clock& clock, AnalyticsService& analytics)
    : database_(database), clock_(clock), analytics_(analytics) {}

Result<domain::SavedSegment> SegmentService::Create(const Principal& principal, domain::SavedSegment segment) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  segment.business_id = principal.business_id;
  segment.created_at = segment.updated_at = clock_.Now();
  CRM_RETURN_IF_ERROR(Clean(segment));
  return store::WriteValue<domain::SavedSegment>(
      database_, [&](store::Transaction& tx) { return store::SegmentRepository(tx.connection()).Create(segment); });
}

Result<std::vector<domain::SavedSegment>> SegmentService::List(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<std::vector<domain::SavedSegment>>(database_, [&](store::Transaction& tx) {
    return store::SegmentRepository(tx.connection()).List(principal.business_id);
  });
}

Result<domain::SavedSegment> SegmentService::Get(const Principal& principal, SegmentId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<domain::SavedSegment>(database_, [&](store::Transaction& tx) {
    return store::SegmentRepository(tx.connection()).Get(principal.business_id, id);
  });
}

Result<domain::SavedSegment> SegmentService::Update(const Principal& principal, SegmentId id, std::string name,
                                                    domain::SegmentFilter filter) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  domain::SavedSegment changed;
  changed.name = std::move(name);
  changed.filter = std::move(filter);
  CRM_RETURN_IF_ERROR(Clean(changed));
  const Timestamp now = clock_.Now();
  return store::WriteValue<domain::SavedSegment>(
      database_, [&](store::Transaction& tx) -> Result<domain::SavedSegment> {
        store::SegmentRepository segments(tx.connection());
        CRM_ASSIGN_OR_RETURN(domain::SavedSegment segment, segments.Get(principal.business_id, id));
        segment.name = changed.name;
        segment.filter = changed.filter;
        segment.updated_at = now;
        CRM_RETURN_IF_ERROR(segments.Update(segment));
        return segment;
      });
}

Status SegmentService::Delete(const Principal& principal, SegmentId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return database_.Write([&](store::Transaction& tx) {
    return store::SegmentRepository(tx.connection()).Delete(principal.business_id, id);
  });
}

Result<SegmentMembers> SegmentService::Members(const Principal& principal, SegmentId id,
                                               std::optional<CustomerId> after, int limit) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (limit < 1 || limit > 500) return InvalidArgument("must be an integer from 1 to 500", "limit");
  CRM_ASSIGN_OR_RETURN(domain::SavedSegment segment, Get(principal, id));
  CRM_ASSIGN_OR_RETURN(CustomerLabels labels, analytics_.Labels(principal.business_id));
  const domain::SegmentFilter& filter = segment.filter;
  const Timestamp now = clock_.Now();
  SegmentMembers result;
  result.stamp = labels.stamp;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    result.members.clear();
    store::CustomerFilter page;
    page.after = after;
    page.limit = kScanPage;
    if (!filter.tag.empty()) page.tag = filter.tag;
    while (true) {
      CRM_ASSIGN_OR_RETURN(auto customers, tx.customers().List(principal.business_id, page));
      for (domain::Customer& customer : customers) {
        domain::SegmentFacts facts;
        auto at = std::lower_bound(labels.customer_id.begin(), labels.customer_id.end(), customer.id.value());
        if (at != labels.customer_id.end() && *at == customer.id.value()) {
          const size_t i = static_cast<size_t>(at - labels.customer_id.begin());
          facts.rfm_segment = labels.segment[i];
          facts.overdue = labels.overdue[i] != 0;
        }
        if (filter.min_tier_index) {
          CRM_ASSIGN_OR_RETURN(auto account, tx.loyalty().GetAccount(principal.business_id, customer.id));
          if (account) facts.tier_index = account->tier.index;
        }
        const domain::LifecycleStage stage = domain::ComputeStage(customer.stats, now);
        if (filter.consent) {
          // List pages carry no consents: read the whole profile of the customers that pass the rest.
          domain::SegmentFilter rest = filter;
          rest.consent.reset();
          if (!domain::MatchesSegment(rest, customer, stage, facts, now)) continue;
          CRM_ASSIGN_OR_RETURN(customer, tx.customers().Get(principal.business_id, customer.id));
        }
        if (!domain::MatchesSegment(filter, customer, stage, facts, now)) continue;
        if (static_cast<int>(result.members.size()) == limit) {
          result.next_cursor = result.members.back().customer.id;
          return Status::Ok();
        }
        result.members.push_back({std::move(customer), stage, facts.rfm_segment, facts.overdue});
      }
      if (static_cast<int>(customers.size()) < kScanPage) return Status::Ok();
      page.after = customers.back().id;
    }
  }));
  return result;
}

}  // namespace crm::app
