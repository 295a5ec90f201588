// The demo's messaging set-up and one past campaign, so that a newcomer sees the campaign pages
// with data: a registered sender number, the 080 opt-out number and the messaging settings, and a
// win-back SMS campaign sent five weeks before the demo's "today" to the customers who had not come
// for a month or more. It goes through the real services at the campaign's time (a manual clock):
// the campaign is created and queued (control group, recipients, one coupon and one outbox message
// per treated recipient), its messages are claimed and marked sent and delivered as a provider
// would report them, and in the fortnight after it some recipients come back: a few of either group
// on their own, and more of the treated ones with their coupon, so that the uplift report shows a
// positive, noisy effect. Every choice is a function of the seed and the customer ids.
#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/message.h"
#include "store/database.h"

namespace crm::app {

struct DemoCampaignOptions {
  BusinessId business_id;
  StaffId owner;                  // creates and queues the campaign
  std::vector<BranchId> branches;  // where returning customers buy
  uint64_t seed = 42;
  Timestamp now;  // the demo's "today"
};

struct DemoCampaignSummary {
  CampaignId campaign_id;  // unset when no customer was lapsed
  int64_t audience = 0;
  int64_t treated = 0;
  int64_t control = 0;
  int64_t orders = 0;  // sales after the campaign, by either group
  int64_t lines = 0;
  int64_t redemptions = 0;
};

// The number of days before `now` the demo campaign was sent, and its uplift window.
inline constexpr int64_t kDemoCampaignDaysAgo = 35;
inline constexpr int64_t kDemoCampaignWindowDays = 14;

// Writes the messaging settings, the sender number and the campaign with what followed it. Fails
// with the code of the first service or store call that fails.
Result<DemoCampaignSummary> SeedDemoCampaign(store::Database& database, const DemoCampaignOptions& options);

}  // namespace crm::app
