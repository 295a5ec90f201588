// Campaigns of a business, their recipients (treated, control, excluded with a reason) and the
// per-recipient outcomes the uplift report is computed from. Constructed over a transaction's
// connection (CampaignRepository(tx.connection())). Not thread-safe, like the connection.
#pragma once

#include <optional>
#include <vector>

#include "domain/campaign.h"
#include "store/sql.h"

namespace crm::store {

// One recipient's orders and redemption in a window.
struct RecipientOutcome {
  CustomerId customer_id;
  domain::RecipientGroup group = domain::RecipientGroup::kTreated;
  int64_t visits = 0;   // sales
  int64_t revenue = 0;  // net of refunds, won
  bool redeemed = false;
};

// A message a customer was sent (or held from) by a campaign, for the customer's page.
struct CustomerCampaignEntry {
  CampaignId campaign_id;
  std::string campaign_name;
  domain::Purpose purpose = domain::Purpose::kAdvertising;
  domain::CampaignRecipient recipient;
};

class CampaignRepository {
 public:
  explicit CampaignRepository(SqlConnection& connection) : connection_(connection) {}
  // Stores a new campaign; returns it with its id.
  Result<domain::Campaign> Create(domain::Campaign campaign);
  // kNotFound when it is not the business's.
  Result<domain::Campaign> Get(BusinessId business, CampaignId id);
  // As Get, locking the row against concurrent queueing (PostgreSQL; SQLite has one writer).
  Result<domain::Campaign> GetForUpdate(BusinessId business, CampaignId id);
  // The business's campaigns, newest first.
  Result<std::vector<domain::Campaign>> List(BusinessId business);
  // Rewrites everything but id, business and created_at. kNotFound.
  Status Update(const domain::Campaign& campaign);
  // Scheduled campaigns of any business due at `now`, oldest first.
  Result<std::vector<domain::Campaign>> DueScheduled(Timestamp now, int limit);

  Status InsertRecipient(BusinessId business, CampaignId campaign, const domain::CampaignRecipient& recipient);
  Result<std::vector<domain::CampaignRecipient>> Recipients(BusinessId business, CampaignId campaign);
  // Treated advertising messages queued for the customer at or after `since` (frequency cap).
  Result<int64_t> CountAdvertisingSince(BusinessId business, CustomerId customer, Timestamp since);
  // The same for every customer with at least one, as (customer, count) pairs.
  Result<std::vector<std::pair<CustomerId, int64_t>>> AdvertisingCountsSince(BusinessId business, Timestamp since);
  // Treated and control recipients with their sales, net revenue and redemption of the campaign's
  // coupon in [from, until).
  Result<std::vector<RecipientOutcome>> Outcomes(BusinessId business, CampaignId campaign, Timestamp from,
                                                 Timestamp until);
  // The campaign that issued a coupon, if any.
  Result<std::optional<CampaignId>> CampaignOfCoupon(BusinessId business, CouponId coupon);
  // Every campaign entry of one customer, newest first.
  Result<std::vector<CustomerCampaignEntry>> ForCustomer(BusinessId business, CustomerId customer);

 private:
  Result<domain::Campaign> GetWith(const Statement& statement, BusinessId business, CampaignId id);
  SqlConnection& connection_;
};

}  // namespace crm::store
