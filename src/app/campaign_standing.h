// A recipient's loyalty standing as the template variables #{포인트}, #{등급} and #{다음보상} show
// it, derived from the business's program and what the store holds of the customer (read in bulk
// for a whole audience by store::AudienceRepository). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/customer.h"
#include "domain/loyalty.h"

namespace crm::app {

// What the store holds of one customer's loyalty.
struct LoyaltyFacts {
  int64_t balance = 0;
  int tier_index = 0;
  int64_t reward_progress = 0;  // units counted towards the next reward
  domain::VisitStats stats;
};

struct TemplateStanding {
  std::string points = "0";  // the balance with thousands separators: "1,250"
  std::string tier;          // the tier's name; empty without tiers
  std::string next_reward;   // "스탬프 3개 더 모으면 5,000원 상당 무료 메뉴"; empty when nothing is next
};

// The next reward, first of: a stamp reward (stamps_per_reward), the current tier's reward every
// N units (Gold's free drink every 12 stars), the next tier when it is measured on lifetime visits
// or spend (other metrics and rolling windows need per-customer history and are left out), the
// balance that points may be used from (min_balance_to_redeem). Empty without a program.
TemplateStanding StandingOf(const std::optional<domain::Program>& program, const LoyaltyFacts& facts);

}  // namespace crm::app
