// The per-recipient work shared by a campaign's preview and its queueing: what the rules say of
// each customer at the send time (domain::CheckRecipient), which eligible customers fall in the
// control group, and the composed message of a treated one (template rendered, advertising form
// built, SMS or LMS chosen by length, every rule checked). Runs inside the caller's transaction.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/campaign_standing.h"
#include "common/time.h"
#include "domain/business.h"
#include "domain/campaign.h"
#include "domain/loyalty.h"
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
  std::optional<domain::Program> program;  // for the loyalty variables; unset without a program
};

Result<PlanContext> LoadPlanContext(store::Transaction& tx, BusinessId business, Timestamp send_at);

// One customer's place in the campaign.
struct RecipientDecision {
  domain::Customer customer;  // the fields a message uses and the consents (AudienceRepository)
  std::optional<domain::ExclusionReason> exclusion;
  bool control = false;
  TemplateStanding standing;  // #{포인트}, #{등급}, #{다음보상}
};

// The decisions for `customers`, in their order, read in bulk (a few statements per thousand
// customers); ids that are not the business's customers (stale ids in a list) are left out.
Result<std::vector<RecipientDecision>> DecideAll(store::Transaction& tx, const PlanContext& context,
                                                 const domain::Campaign& campaign,
                                                 std::span<const CustomerId> customers);

// The unit price of a channel in the settings (MSG-11).
int64_t UnitPrice(const domain::MessagingSettings& settings, domain::Channel channel);

// The message for one recipient (or a sample when `customer` has no id), with `coupon_code`
// standing in for #{쿠폰코드}. Fails with kInvalidArgument ("body", the rule's code as reason, the
// korea.md rule in the message) when the composed message breaks a rule, or when the template
// cannot be rendered.
Result<domain::OutboxMessage> ComposeFor(const PlanContext& context, const domain::Campaign& campaign,
                                         const domain::Customer& customer, const std::string& coupon_code,
                                         const TemplateStanding& standing = {});

// The composed message with every violation listed (for the composer's preview), never failing
// on a rule.
struct Composition {
  domain::OutboxMessage message;
  std::vector<domain::RuleViolation> violations;
};
Result<Composition> Compose(const PlanContext& context, const domain::Campaign& campaign,
                            const domain::Customer& customer, const std::string& coupon_code,
                            const TemplateStanding& standing = {});

}  // namespace crm::app
