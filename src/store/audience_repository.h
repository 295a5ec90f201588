// What a campaign needs to know of many customers at once, read in a few statements per thousand
// customers rather than several per customer: the profile fields a message uses, the consents,
// the last two-year reconfirmation notice per consent channel, the suppression of their addresses
// and their loyalty standing. Constructed over a transaction's connection
// (AudienceRepository(tx.connection())). Not thread-safe, like the connection.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/campaign.h"
#include "domain/customer.h"
#include "store/sql.h"

namespace crm::store {

// One customer as the campaign planner sees them.
struct AudienceMember {
  // id, business, name, phone, e-mail, visit statistics and consents; no tags, anniversaries or
  // preferences.
  domain::Customer customer;
  // The latest reconfirmation notice (ADV-05) per consent channel.
  std::map<domain::ConsentChannel, Timestamp> reconfirmed_at;
  // The suppression of the phone and of the e-mail address, when listed.
  std::optional<domain::SuppressionReason> phone_suppression;
  std::optional<domain::SuppressionReason> email_suppression;
  // Loyalty: balance, tier index and the units counted towards the next reward (0 without an
  // account).
  int64_t balance = 0;
  int tier_index = 0;
  int64_t reward_progress = 0;
};

class AudienceRepository {
 public:
  explicit AudienceRepository(SqlConnection& connection) : connection_(connection) {}

  // The business's customers among `ids` (merged and unknown ones left out), in the order of `ids`;
  // duplicates in `ids` are read once.
  Result<std::vector<AudienceMember>> Load(BusinessId business, std::span<const CustomerId> ids);

 private:
  Status LoadChunk(BusinessId business, std::span<const CustomerId> ids, std::vector<AudienceMember>& out);
  SqlConnection& connection_;
};

}  // namespace crm::store
