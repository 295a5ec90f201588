#include "domain/loyalty.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <limits>
#include <utility>

namespace crm::domain {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> ParseName(const std::array<std::pair<const char*, Enum>, N>& names, std::string_view text) {
  for (const auto& [name, value] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
const char* NameOf(const std::array<std::pair<const char*, Enum>, N>& names, Enum value) {
  for (const auto& [name, candidate] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<const char*, ProgramKind>, 4> kProgramKinds{{{"stamps", ProgramKind::kStamps},
                                                                            {"points", ProgramKind::kPoints},
                                                                            {"stars", ProgramKind::kStars},
                                                                            {"visit_ranks", ProgramKind::kVisitRanks}}};
constexpr std::array<std::pair<const char*, StampBasis>, 3> kStampBases{
    {{"visit", StampBasis::kVisit}, {"item", StampBasis::kItem}, {"amount", StampBasis::kAmount}}};
constexpr std::array<std::pair<const char*, TierMetric>, 3> kTierMetrics{
    {{"visits", TierMetric::kVisits}, {"spend", TierMetric::kSpend}, {"earned", TierMetric::kEarned}}};
constexpr std::array<std::pair<const char*, TierWindow>, 2> kTierWindows{
    {{"lifetime", TierWindow::kLifetime}, {"rolling_12_months", TierWindow::kRolling12Months}}};
constexpr std::array<std::pair<const char*, ReversalPolicy>, 2> kReversalPolicies{
    {{"clamp_at_zero", ReversalPolicy::kClampAtZero}, {"allow_negative", ReversalPolicy::kAllowNegative}}};
constexpr std::array<std::pair<const char*, VisitRule>, 3> kVisitRules{
    {{"every_order", VisitRule::kEveryOrder}, {"per_branch_day", VisitRule::kPerBranchDay}, {"per_day", VisitRule::kPerDay}}};
constexpr std::array<std::pair<const char*, LedgerKind>, 5> kLedgerKinds{{{"earn", LedgerKind::kEarn},
                                                                          {"redeem", LedgerKind::kRedeem},
                                                                          {"expire", LedgerKind::kExpire},
                                                                          {"adjust", LedgerKind::kAdjust},
                                                                          {"reverse", LedgerKind::kReverse}}};

// Far beyond any real balance, far below overflow when a few are added.
constexpr int64_t kMaxUnits = 1'000'000'000'000;

int64_t Saturate(__int128 value) {
  if (value > kMaxUnits) return kMaxUnits;
  if (value < -kMaxUnits) return -kMaxUnits;
  return static_cast<int64_t>(value);
}

bool Excluded(const OrderLine& line, const std::vector<std::string>& excluded) {
  return std::find(excluded.begin(), excluded.end(), line.product) != excluded.end() ||
         (!line.category.empty() && std::find(excluded.begin(), excluded.end(), line.category) != excluded.end());
}

// Keeps `status` when it is an error.
void Collect(std::vector<Status>& errors, Status status) {
  if (!status.ok()) errors.push_back(std::move(status));
}

Status CheckRange(int64_t value, int64_t min, int64_t max, const std::string& field) {
  if (value < min || value > max) {
    return InvalidArgument(fmt::format("must be from {} to {}", min, max), field)
        .WithReason("out_of_range")
        .WithFigure("min", min)
        .WithFigure("max", max);
  }
  return Status::Ok();
}

void TierErrors(const Program& program, std::vector<Status>& errors) {
  for (size_t i = 0; i < program.tiers.size(); ++i) {
    const Tier& tier = program.tiers[i];
    const std::string prefix = fmt::format("tiers[{}].", i);
    if (tier.name.empty() || tier.name.size() > 100)
      errors.push_back(InvalidArgument("must be 1 to 100 bytes", prefix + "name").WithReason("length"));
    if (i == 0 && tier.threshold != 0)
      errors.push_back(InvalidArgument("the first tier starts at 0", prefix + "threshold").WithReason("first_tier_not_zero"));
    if (i > 0 && tier.threshold <= program.tiers[i - 1].threshold) {
      errors.push_back(InvalidArgument("thresholds must rise from tier to tier", prefix + "threshold").WithReason("not_rising"));
    }
    Collect(errors, CheckRange(tier.threshold, 0, kMaxUnits, prefix + "threshold"));
    Collect(errors, CheckRange(tier.earn_multiplier_percent, 0, 1'000, prefix + "earn_multiplier_percent"));
    Collect(errors, CheckRange(tier.reward_every, 0, 1'000'000, prefix + "reward_every"));
    Collect(errors, CheckRange(tier.welcome_coupon_template, 0, std::numeric_limits<int64_t>::max(),
                               prefix + "welcome_coupon_template"));
    if (tier.benefit.size() > 500) errors.push_back(InvalidArgument("must be at most 500 bytes", prefix + "benefit").WithReason("length"));
  }
}

void EventErrors(const Program& program, std::vector<Status>& errors) {
  if (program.events.size() > 50) errors.push_back(InvalidArgument("at most 50 events", "events").WithReason("too_many"));
  if (program.gacha.size() > 100) errors.push_back(InvalidArgument("at most 100 prizes", "gacha").WithReason("too_many"));
  for (size_t i = 0; i < program.events.size(); ++i) {
    const EarnEvent& event = program.events[i];
    const std::string prefix = fmt::format("events[{}].", i);
    if (event.name.empty() || event.name.size() > 100)
      errors.push_back(InvalidArgument("must be 1 to 100 bytes", prefix + "name").WithReason("length"));
    if (!event.first_day.IsValid()) errors.push_back(InvalidArgument("must be a date", prefix + "first_day").WithReason("not_a_date"));
    if (!event.last_day.IsValid() || event.last_day < event.first_day) {
      errors.push_back(InvalidArgument("must be a date on or after first_day", prefix + "last_day").WithReason("date_order"));
    }
    Collect(errors, CheckRange(event.multiplier_percent, 0, 1'000, prefix + "multiplier_percent"));
  }
  if (program.coupon_rules.size() > 20) errors.push_back(InvalidArgument("at most 20 rules", "coupon_rules").WithReason("too_many"));
  for (size_t i = 0; i < program.coupon_rules.size(); ++i) {
    const std::string prefix = fmt::format("coupon_rules[{}].", i);
    Collect(errors, CheckRange(program.coupon_rules[i].every_visits, 1, 1'000, prefix + "every_visits"));
    Collect(errors, CheckRange(program.coupon_rules[i].coupon_template, 1, std::numeric_limits<int64_t>::max(),
                               prefix + "coupon_template"));
  }
  for (size_t i = 0; i < program.gacha.size(); ++i) {
    const std::string prefix = fmt::format("gacha[{}].", i);
    if (program.gacha[i].label.empty()) errors.push_back(InvalidArgument("is required", prefix + "label").WithReason("required"));
    Collect(errors, CheckRange(program.gacha[i].weight, 1, 1'000'000, prefix + "weight"));
    Collect(errors, CheckRange(program.gacha[i].points, 0, 1'000'000, prefix + "points"));
  }
}

}  // namespace

const char* ToString(ProgramKind kind) { return NameOf(kProgramKinds, kind); }
std::optional<ProgramKind> ParseProgramKind(std::string_view text) { return ParseName(kProgramKinds, text); }
const char* ToString(StampBasis basis) { return NameOf(kStampBases, basis); }
std::optional<StampBasis> ParseStampBasis(std::string_view text) { return ParseName(kStampBases, text); }
const char* ToString(TierMetric metric) { return NameOf(kTierMetrics, metric); }
std::optional<TierMetric> ParseTierMetric(std::string_view text) { return ParseName(kTierMetrics, text); }
const char* ToString(TierWindow window) { return NameOf(kTierWindows, window); }
std::optional<TierWindow> ParseTierWindow(std::string_view text) { return ParseName(kTierWindows, text); }
const char* ToString(ReversalPolicy policy) { return NameOf(kReversalPolicies, policy); }
std::optional<ReversalPolicy> ParseReversalPolicy(std::string_view text) { return ParseName(kReversalPolicies, text); }
const char* ToString(LedgerKind kind) { return NameOf(kLedgerKinds, kind); }
const char* ToString(VisitRule rule) { return NameOf(kVisitRules, rule); }
std::optional<VisitRule> ParseVisitRule(std::string_view text) { return ParseName(kVisitRules, text); }

std::optional<Program> ProgramPreset(std::string_view preset) {
  Program program;
  if (preset == "stamps") {
    program.kind = ProgramKind::kStamps;
    program.name = "스탬프 10개 = 음료 1잔";
    program.stamp_basis = StampBasis::kVisit;
    program.stamps_per_reward = 10;
    program.reward_value = Money(6'000);
    return program;
  }
  if (preset == "points") {
    program.kind = ProgramKind::kPoints;
    program.name = "결제 금액의 1.5 % 적립";
    program.rate_permille = 15;
    // With a fractional rate, payments under 1,000 won earn nothing (Korean POS practice).
    program.min_order_amount = 1'000;
    program.min_balance_to_redeem = 5'000;
    program.max_redeem_percent = 100;
    program.expiry_months = 24;
    return program;
  }
  if (preset == "starbucks") {
    program.kind = ProgramKind::kStars;
    program.name = "별 적립과 등급";
    program.won_per_star = 1'000;
    program.tier_metric = TierMetric::kEarned;
    program.tier_window = TierWindow::kRolling12Months;
    program.tier_keep_months = 12;
    program.reward_value = Money(6'500);
    program.tiers = {{.name = "Welcome", .threshold = 0},
                     {.name = "Green", .threshold = 5},
                     {.name = "Gold", .threshold = 30, .reward_every = 12, .benefit = "별 12개마다 무료 음료"}};
    return program;
  }
  if (preset == "visit-ranks") {
    program.kind = ProgramKind::kVisitRanks;
    program.name = "방문 직급 명함";
    program.tier_metric = TierMetric::kVisits;
    program.tier_window = TierWindow::kLifetime;
    const std::array<std::pair<const char*, int64_t>, 7> ranks{
        {{"주임", 1}, {"계장", 5}, {"과장", 10}, {"차장", 15}, {"부장", 20}, {"사장", 30}, {"회장", 36}}};
    program.tiers.push_back({.name = "손님", .threshold = 0});
    for (const auto& [name, visits] : ranks) program.tiers.push_back({.name = name, .threshold = visits});
    return program;
  }
  return std::nullopt;
}

std::vector<Status> ProgramErrors(const Program& program) {
  std::vector<Status> errors;
  if (program.name.empty() || program.name.size() > 200)
    errors.push_back(InvalidArgument("must be 1 to 200 bytes", "name").WithReason("length"));
  Collect(errors, CheckRange(program.won_per_stamp, 1, 100'000'000, "won_per_stamp"));
  Collect(errors, CheckRange(program.rate_permille, 0, 1'000, "rate_permille"));
  Collect(errors, CheckRange(program.won_per_star, 1, 100'000'000, "won_per_star"));
  Collect(errors, CheckRange(program.min_order_amount, 0, kMaxOrderTotal, "min_order_amount"));
  Collect(errors, CheckRange(program.stamps_per_reward, 1, 1'000, "stamps_per_reward"));
  Collect(errors, CheckRange(program.reward_value.minor_units(), 0, 100'000'000, "reward_value"));
  Collect(errors, CheckRange(program.reward_valid_days, 1, 3'650, "reward_valid_days"));
  Collect(errors, CheckRange(program.min_balance_to_redeem, 0, kMaxUnits, "min_balance_to_redeem"));
  Collect(errors, CheckRange(program.max_redeem_percent, 0, 100, "max_redeem_percent"));
  Collect(errors, CheckRange(program.expiry_months, 0, 120, "expiry_months"));
  Collect(errors, CheckRange(program.tier_keep_months, 0, 120, "tier_keep_months"));
  Collect(errors, CheckRange(program.birthday_month_percent, 100, 1'000, "birthday_month_percent"));
  Collect(errors, CheckRange(program.referral_reward_points, 0, 1'000'000, "referral_reward_points"));
  Collect(errors, CheckRange(static_cast<int64_t>(program.visit_rule), 1, 3, "visit_rule"));
  Collect(errors, CheckRange(program.visit_day_start_hour, 0, 23, "visit_day_start_hour"));
  if (program.earn_excluded.size() > 200) errors.push_back(InvalidArgument("at most 200 entries", "earn_excluded").WithReason("too_many"));
  if (program.spend_excluded.size() > 200) errors.push_back(InvalidArgument("at most 200 entries", "spend_excluded").WithReason("too_many"));
  if (program.kind == ProgramKind::kVisitRanks && program.tiers.empty()) {
    errors.push_back(InvalidArgument("a visit-ranks program needs its ranks", "tiers").WithReason("required"));
  }
  TierErrors(program, errors);
  EventErrors(program, errors);
  // One message per field: a first tier at -1 is not also reported as out of range.
  std::vector<Status> first_per_field;
  for (Status& error : errors) {
    const bool seen = std::any_of(first_per_field.begin(), first_per_field.end(),
                                  [&](const Status& kept) { return kept.field() == error.field(); });
    if (!seen) first_per_field.push_back(std::move(error));
  }
  return first_per_field;
}

Status ValidateProgram(const Program& program) {
  std::vector<Status> errors = ProgramErrors(program);
  if (errors.empty()) return Status::Ok();
  Status first = errors.front();
  return std::move(first).WithDetails(std::move(errors));
}

const char* BalanceUnit(ProgramKind kind) {
  switch (kind) {
    case ProgramKind::kStamps: return "stamps";
    case ProgramKind::kPoints: return "points";
    case ProgramKind::kStars: return "stars";
    case ProgramKind::kVisitRanks: return "";
  }
  return "";
}

Money EligibleAmount(const Order& order, const std::vector<std::string>& excluded) {
  if (order.lines.empty()) return order.total;
  int64_t eligible = 0;
  for (const OrderLine& line : order.lines) {
    if (!Excluded(line, excluded)) eligible += line.quantity * line.unit_price.minor_units();
  }
  return Money(std::clamp<int64_t>(eligible, 0, std::max<int64_t>(order.total.minor_units(), 0)));
}

int64_t BaseEarn(const Program& program, const Order& sale, VisitStatus visit) {
  const int64_t eligible = EligibleAmount(sale, program.earn_excluded).minor_units();
  if (sale.total.minor_units() < program.min_order_amount) return 0;
  switch (program.kind) {
    case ProgramKind::kStamps:
      if (program.stamp_basis == StampBasis::kVisit) {
        if (visit == VisitStatus::kSameVisit) return 0;
        return eligible > 0 || sale.lines.empty() ? 1 : 0;
      }
      if (program.stamp_basis == StampBasis::kAmount) return eligible / program.won_per_stamp;
      if (sale.lines.empty()) return 1;
      {
        int64_t items = 0;
        for (const OrderLine& line : sale.lines) {
          if (!Excluded(line, program.earn_excluded)) items += line.quantity;
        }
        return items;
      }
    case ProgramKind::kPoints:
      return Saturate(static_cast<__int128>(eligible) * program.rate_permille / 1'000);
    case ProgramKind::kStars:
      return eligible / program.won_per_star;
    case ProgramKind::kVisitRanks:
      return 0;
  }
  return 0;
}

int64_t BusinessDay(const Program& program, int utc_offset_minutes, Timestamp at) {
  constexpr int64_t kDayMicros = 86'400LL * 1'000'000;
  const int64_t shift = (int64_t{utc_offset_minutes} * 60 - program.visit_day_start_hour * 3'600) * 1'000'000;
  const int64_t local = at.micros() + shift;
  return local >= 0 ? local / kDayMicros : -((-local + kDayMicros - 1) / kDayMicros);
}

namespace {

// Sales with equal keys are one visit.
std::pair<int64_t, int64_t> VisitKey(const Program& program, int utc_offset_minutes, const VisitSale& sale) {
  switch (program.visit_rule) {
    case VisitRule::kEveryOrder: return {sale.id.value(), -1};
    case VisitRule::kPerDay: return {0, BusinessDay(program, utc_offset_minutes, sale.ordered_at)};
    case VisitRule::kPerBranchDay: break;
  }
  return {sale.branch_id.value(), BusinessDay(program, utc_offset_minutes, sale.ordered_at)};
}

}  // namespace

int64_t CountVisits(const Program& program, int utc_offset_minutes, const std::vector<VisitSale>& sales) {
  std::vector<std::pair<int64_t, int64_t>> keys;
  keys.reserve(sales.size());
  for (const VisitSale& sale : sales) keys.push_back(VisitKey(program, utc_offset_minutes, sale));
  std::sort(keys.begin(), keys.end());
  return static_cast<int64_t>(std::unique(keys.begin(), keys.end()) - keys.begin());
}

VisitStatus VisitOf(const Program& program, int utc_offset_minutes, const VisitSale& sale,
                    const std::vector<VisitSale>& others) {
  const auto key = VisitKey(program, utc_offset_minutes, sale);
  for (const VisitSale& other : others) {
    if (other.id != sale.id && VisitKey(program, utc_offset_minutes, other) == key) return VisitStatus::kSameVisit;
  }
  return VisitStatus::kNewVisit;
}

std::optional<Timestamp> EarnExpiry(const Program& program, Timestamp ordered_at) {
  if (program.expiry_months <= 0) return std::nullopt;
  return AddMonths(ordered_at, program.expiry_months);
}

bool EarnedTooLate(const Program& program, Timestamp ordered_at, Timestamp now) {
  const std::optional<Timestamp> expiry = EarnExpiry(program, ordered_at);
  return expiry && *expiry <= now;
}

int64_t ApplyPercent(int64_t base, int64_t percent) {
  return Saturate(static_cast<__int128>(base) * percent / 100);
}

EarnMultiplier SaleMultiplier(const Program& program, int tier_index, const Order& sale, Date local_day,
                              std::optional<int> birthday_month) {
  EarnMultiplier multiplier;
  std::vector<std::string> notes;
  auto apply = [&](int64_t percent, const std::string& name) {
    if (percent == 100) return;
    multiplier.percent = Saturate(static_cast<__int128>(multiplier.percent) * percent / 100);
    notes.push_back(fmt::format("{} ×{}", name, percent % 100 == 0 ? fmt::format("{}", percent / 100)
                                                                      : fmt::format("{:.2g}", percent / 100.0)));
  };
  if (tier_index >= 0 && tier_index < static_cast<int>(program.tiers.size())) {
    apply(program.tiers[tier_index].earn_multiplier_percent, program.tiers[tier_index].name);
  }
  for (const EarnEvent& event : program.events) {
    if (local_day < event.first_day || event.last_day < local_day) continue;
    if (event.branch_id && *event.branch_id != sale.branch_id) continue;
    apply(event.multiplier_percent, event.name);
  }
  if (birthday_month && *birthday_month == local_day.month) apply(program.birthday_month_percent, "생일 달");
  for (size_t i = 0; i < notes.size(); ++i) multiplier.note += (i ? ", " : "") + notes[i];
  return multiplier;
}

std::vector<Award> ReplayAwards(const std::vector<LedgerEntry>& entries) {
  std::vector<Award> awards;
  int64_t debt = 0;
  size_t oldest = 0;  // awards before this index are used up
  for (const LedgerEntry& entry : entries) {
    if (entry.amount > 0) {
      Award award{entry.id, entry.amount, entry.amount, entry.expires_at, entry.branch_id, entry.created_at};
      const int64_t paid = std::min(debt, award.remaining);
      award.remaining -= paid;
      debt -= paid;
      awards.push_back(award);
      continue;
    }
    int64_t owed = -entry.amount;
    if (entry.kind == LedgerKind::kExpire && entry.related_id) {
      for (Award& award : awards) {
        if (award.id != *entry.related_id) continue;
        const int64_t taken = std::min(owed, award.remaining);
        award.remaining -= taken;
        owed -= taken;
      }
    }
    for (size_t i = oldest; i < awards.size() && owed > 0; ++i) {
      const int64_t taken = std::min(owed, awards[i].remaining);
      awards[i].remaining -= taken;
      owed -= taken;
    }
    while (oldest < awards.size() && awards[oldest].remaining == 0) ++oldest;
    debt += owed;
  }
  return awards;
}

std::vector<Award> DueForExpiry(const std::vector<LedgerEntry>& entries, Timestamp now) {
  std::vector<Award> due;
  for (const Award& award : ReplayAwards(entries)) {
    if (award.remaining > 0 && award.expires_at && *award.expires_at <= now) due.push_back(award);
  }
  return due;
}

Timestamp AddMonths(Timestamp at, int64_t months) {
  constexpr int64_t kDayMicros = 86'400LL * 1'000'000;
  int64_t days = at.micros() / kDayMicros;
  int64_t rest = at.micros() % kDayMicros;
  if (rest < 0) {
    rest += kDayMicros;
    --days;
  }
  const Date date = CivilFromDays(days);
  const int64_t month_index = date.year * 12LL + (date.month - 1) + months;
  const int year = static_cast<int>(month_index / 12);
  const int month = static_cast<int>(month_index % 12) + 1;
  const int64_t month_start = DaysFromCivil(year, month, 1);
  const int64_t month_length = DaysFromCivil(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) - month_start;
  const int64_t day = std::min<int64_t>(date.day, month_length);
  return Timestamp::FromMicros((month_start + day - 1) * kDayMicros + rest);
}

int QualifyingTier(const Program& program, int64_t metric) {
  int index = 0;
  for (size_t i = 0; i < program.tiers.size(); ++i) {
    if (metric >= program.tiers[i].threshold) index = static_cast<int>(i);
  }
  return index;
}

TierChange EvaluateTier(const Program& program, const TierState& current, const TierMeasure& measure, Timestamp now) {
  TierChange change{current, false, false, false};
  if (program.tiers.empty()) return change;
  const int qualifying = QualifyingTier(program, measure.window);
  const int standing = std::clamp(current.index, 0, static_cast<int>(program.tiers.size()) - 1);
  if (qualifying > standing) {
    change.state = TierState{qualifying, now, now};
    change.promoted = true;
    return change;
  }
  // Earning the threshold again after the latest qualification re-qualifies: the keep restarts.
  if (standing > 0 && measure.since_qualified >= program.tiers[standing].threshold) {
    change.state.qualified_at = now;
    change.requalified = true;
  }
  if (qualifying < standing) {
    const std::optional<Timestamp> qualified = change.state.qualified_at ? change.state.qualified_at : current.reached_at;
    const bool kept = qualified && now < AddMonths(*qualified, program.tier_keep_months);
    if (!kept) {
      change.state = TierState{qualifying, now, now};
      change.demoted = true;
      change.requalified = false;
    }
  }
  return change;
}

TierChange EvaluateTierAfterRefund(const Program& program, const TierState& current,
                                   const std::optional<TierState>& before_promotion, const TierMeasure& measure,
                                   Timestamp now) {
  if (!before_promotion || program.tiers.empty()) return EvaluateTier(program, current, measure, now);
  TierChange change{current, false, false, false};
  if (QualifyingTier(program, measure.window) >= current.index) return change;
  const TierChange from_before = EvaluateTier(program, *before_promotion, measure, now);
  change.state = from_before.state;
  if (!from_before.promoted && !from_before.demoted && !from_before.requalified) change.state = *before_promotion;
  change.demoted = change.state.index < current.index;
  change.promoted = change.state.index > current.index;
  return change;
}

int64_t RewardsDue(int64_t progress, int64_t every) {
  if (every <= 0 || progress < every) return 0;
  return progress / every;
}

int64_t ProportionalShare(int64_t value, Money order_total, Money refunded_before, Money refunded_now) {
  const int64_t total = order_total.minor_units();
  if (total <= 0 || value == 0) return 0;
  auto share = [&](int64_t refunded) {
    return static_cast<int64_t>(static_cast<__int128>(value) * std::min(refunded, total) / total);
  };
  return share(refunded_before.minor_units() + refunded_now.minor_units()) - share(refunded_before.minor_units());
}

int64_t GachaTotalWeight(const std::vector<GachaPrize>& prizes) {
  int64_t total = 0;
  for (const GachaPrize& prize : prizes) total += prize.weight;
  return total;
}

size_t GachaPick(const std::vector<GachaPrize>& prizes, uint64_t draw) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < prizes.size(); ++i) {
    cumulative += static_cast<uint64_t>(prizes[i].weight);
    if (draw < cumulative) return i;
  }
  return prizes.empty() ? 0 : prizes.size() - 1;
}

}  // namespace crm::domain
