#include "domain/segment.h"

#include <algorithm>

namespace crm::domain {
namespace {

constexpr int64_t kMaxNumber = 1'000'000'000'000;
constexpr int64_t kMicrosPerDay = 86'400'000'000;

Status CheckNumber(const std::optional<int64_t>& value, const char* field) {
  if (value && (*value < 0 || *value > kMaxNumber)) return InvalidArgument("must be from 0 to 10^12", field);
  return Status::Ok();
}

}  // namespace

Status ValidateSegment(const SavedSegment& segment) {
  if (segment.name.empty() || segment.name.size() > 100) return InvalidArgument("must be 1 to 100 bytes", "name");
  const SegmentFilter& f = segment.filter;
  if (f.rfm_segment && (*f.rfm_segment < 1 || *f.rfm_segment > kRfmSegmentCount)) {
    return InvalidArgument("unknown RFM segment", "filter.rfm_segment");
  }
  if (f.min_tier_index && (*f.min_tier_index < 0 || *f.min_tier_index > 100)) {
    return InvalidArgument("must be from 0 to 100", "filter.min_tier_index");
  }
  if (f.tag.size() > 100) return InvalidArgument("must be up to 100 bytes", "filter.tag");
  CRM_RETURN_IF_ERROR(CheckNumber(f.min_visits, "filter.min_visits"));
  CRM_RETURN_IF_ERROR(CheckNumber(f.min_spend, "filter.min_spend"));
  CRM_RETURN_IF_ERROR(CheckNumber(f.visited_within_days, "filter.visited_within_days"));
  CRM_RETURN_IF_ERROR(CheckNumber(f.not_visited_for_days, "filter.not_visited_for_days"));
  return Status::Ok();
}

bool MatchesSegment(const SegmentFilter& f, const Customer& customer, LifecycleStage stage, const SegmentFacts& facts,
                    Timestamp now) {
  if (f.rfm_segment && facts.rfm_segment != f.rfm_segment) return false;
  if (f.stage && *f.stage != stage) return false;
  if (!f.tag.empty() && std::find(customer.tags.begin(), customer.tags.end(), f.tag) == customer.tags.end()) {
    return false;
  }
  if (f.consent && std::none_of(customer.consents.begin(), customer.consents.end(),
                                [&](const Consent& c) { return c.channel == *f.consent && c.granted; })) {
    return false;
  }
  if (f.min_tier_index && (!facts.tier_index || *facts.tier_index < *f.min_tier_index)) return false;
  if (f.min_visits && customer.stats.visit_count < *f.min_visits) return false;
  if (f.min_spend && customer.stats.total_spend.minor_units() < *f.min_spend) return false;
  const std::optional<Timestamp>& last = customer.stats.last_visit_at;
  if (f.visited_within_days && (!last || now.micros() - last->micros() > *f.visited_within_days * kMicrosPerDay)) {
    return false;
  }
  if (f.not_visited_for_days && last && now.micros() - last->micros() < *f.not_visited_for_days * kMicrosPerDay) {
    return false;
  }
  if (f.overdue_only && !facts.overdue) return false;
  return true;
}

}  // namespace crm::domain
