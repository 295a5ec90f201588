#include "app/campaign_standing.h"

#include <algorithm>

#include <fmt/format.h>

namespace crm::app {
namespace {

std::string Thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

// "스탬프 3개", "별 5개", "120포인트": how much of the program's unit.
std::string Units(domain::ProgramKind kind, int64_t count) {
  switch (kind) {
    case domain::ProgramKind::kStamps: return fmt::format("스탬프 {}개", Thousands(count));
    case domain::ProgramKind::kStars: return fmt::format("별 {}개", Thousands(count));
    case domain::ProgramKind::kPoints:
    case domain::ProgramKind::kVisitRanks: break;
  }
  return fmt::format("{}포인트", Thousands(count));
}

int64_t Remaining(int64_t every, int64_t progress) {
  const int64_t into = ((progress % every) + every) % every;
  return every - into;
}

std::string NextReward(const domain::Program& program, const LoyaltyFacts& facts, int tier) {
  if (program.kind == domain::ProgramKind::kStamps && program.stamps_per_reward > 0) {
    return fmt::format("{} 더 모으면 {}원 상당 무료 메뉴",
                       Units(program.kind, Remaining(program.stamps_per_reward, facts.reward_progress)),
                       Thousands(program.reward_value.minor_units()));
  }
  if (!program.tiers.empty() && program.tiers[tier].reward_every > 0) {
    return fmt::format("{} 더 모으면 무료 메뉴",
                       Units(program.kind, Remaining(program.tiers[tier].reward_every, facts.reward_progress)));
  }
  const size_t next = static_cast<size_t>(tier) + 1;
  if (next < program.tiers.size() && program.tier_window == domain::TierWindow::kLifetime) {
    const domain::Tier& target = program.tiers[next];
    if (program.tier_metric == domain::TierMetric::kVisits) {
      const int64_t more = std::max<int64_t>(target.threshold - facts.stats.visit_count, 1);
      return fmt::format("{}번 더 방문하면 {}", Thousands(more), target.name);
    }
    if (program.tier_metric == domain::TierMetric::kSpend) {
      const int64_t more = std::max<int64_t>(target.threshold - facts.stats.total_spend.minor_units(), 1);
      return fmt::format("{}원 더 이용하면 {}", Thousands(more), target.name);
    }
  }
  if (program.kind == domain::ProgramKind::kPoints && facts.balance < program.min_balance_to_redeem) {
    return fmt::format("{} 더 모으면 사용할 수 있어요",
                       Units(program.kind, program.min_balance_to_redeem - facts.balance));
  }
  return "";
}

}  // namespace

TemplateStanding StandingOf(const std::optional<domain::Program>& program, const LoyaltyFacts& facts) {
  TemplateStanding standing;
  standing.points = Thousands(facts.balance);
  if (!program) return standing;
  int tier = 0;
  if (!program->tiers.empty()) {
    tier = std::clamp(facts.tier_index, 0, static_cast<int>(program->tiers.size()) - 1);
    standing.tier = program->tiers[tier].name;
  }
  standing.next_reward = NextReward(*program, facts, tier);
  return standing;
}

}  // namespace crm::app
