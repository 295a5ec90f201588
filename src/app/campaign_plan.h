// The per-recipient work shared by a campaign's preview and its queueing: what the rules say of
// each customer at the send time (domain::CheckRecipient), which eligible customers fall in the
// control group, and the composed message of a treated one (template rendered, advertising form
// built, SMS or LMS chosen by length, every rule checked). Runs inside the caller's transaction.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/time.h"
#include "domain/business.h"
#include "domain/campaign.h"
#include "domain/message_rules.h"
#include "store/transaction.h"

namespace crm::app {

// What every recipient of one campaign shares.
struct PlanContext {
  domain::Business business;
  domain::MessagingSettings settings;
  domain::SenderProfile sender;
  Timestamp send_at;
  std::map<CustomerId, int64_t> recent_advertising;  // in the frequency-cap window before send_at
};

Result<PlanContext> LoadPlanContext(store::Transaction& tx, BusinessId business, Timestamp send_at);

// One customer's place in the campaign.
struct RecipientDecision {
  domain::Customer customer;
  std::optional<domain::ExclusionReason> exclusion;
  bool control = false;
};

// kNotFound when the customer is not the business's (a stale id in a list).
Result<RecipientDecision> Decide(store::Transaction& tx, const PlanContext& context,
                                 const domain::Campaign& campaign, CustomerId customer);

// The unit price of a channel in the settings (MSG-11).
int64_t UnitPrice(const domain::MessagingSettings& settings, domain::Channel channel);

// The message for one recipient (or a sample when `customer` has no id), with `coupon_code`
// standing in for #{쿠폰코드}. Fails with kInvalidArgument ("body", the rule's code as reason, the
// korea.md rule in the message) when the composed message breaks a rule, or when the template
// cannot be rendered.
Result<domain::OutboxMessage> ComposeFor(const PlanContext& context, const domain::Campaign& campaign,
                                         const domain::Customer& customer, const std::string& coupon_code);

// The composed message with every violation listed (for the composer's preview), never failing
// on a rule.
struct Composition {
  domain::OutboxMessage message;
  std::vector<domain::RuleViolation> violations;
};
Result<Composition> Compose(const PlanContext& context, const domain::Campaign& campaign,
                            const domain::Customer& customer, const std::string& coupon_code);

}  // namespace crm::app
