// Saved segments: a named filter over a business's customers that the back office keeps and uses
// as a list or an export ("regulars who agreed to KakaoTalk and are overdue"). A customer belongs
// when every criterion that is set holds. The rules are pure: the caller supplies what the filter
// needs beyond the profile (RFM segment, rhythm, loyalty tier).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ids.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/customer.h"

namespace crm::domain {

inline constexpr int kRfmSegmentCount = 11;  // analytics::RfmSegment values 1..11

struct SegmentFilter {
  std::optional<int> rfm_segment;  // analytics::RfmSegment value
  std::optional<LifecycleStage> stage;
  std::string tag;                        // empty: any
  std::optional<ConsentChannel> consent;  // granted on this channel
  std::optional<int> min_tier_index;      // loyalty tier index (0 = the first tier)
  std::optional<int64_t> min_visits;
  std::optional<int64_t> min_spend;  // won
  std::optional<int64_t> visited_within_days;
  std::optional<int64_t> not_visited_for_days;
  bool overdue_only = false;  // days since the last visit > 2 x the median gap
  bool operator==(const SegmentFilter&) const = default;
};

struct SavedSegment {
  SegmentId id;
  BusinessId business_id;
  std::string name;
  SegmentFilter filter;
  Timestamp created_at;
  Timestamp updated_at;
};

// What a filter needs to know of a customer beyond the profile.
struct SegmentFacts {
  std::optional<int> rfm_segment;  // unset before the first sale
  bool overdue = false;
  std::optional<int> tier_index;  // unset without a loyalty account
};

// kInvalidArgument naming the field: "name" (1..100 bytes), "filter.rfm_segment" (1..11),
// "filter.min_visits" and the other numbers (0..10^12).
Status ValidateSegment(const SavedSegment& segment);

// Whether the customer (in `stage`, with `facts`, as of `now`) meets every criterion set.
bool MatchesSegment(const SegmentFilter& filter, const Customer& customer, LifecycleStage stage,
                    const SegmentFacts& facts, Timestamp now);

}  // namespace crm::domain
