// Loyalty: a business's program (stamps, points, stars with tiers, visit ranks), the append-only
// ledger that holds each customer's money-like balance, and the pure rules over them: what an order
// earns, which tier a customer stands in, which awards expire (first in, first out), what a refund
// takes back. Nothing here reads a clock or a database; callers pass `now` and the entries.
// All amounts are integers: points, stamps and stars are whole units; money is won.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/money.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/order.h"

namespace crm {
using LedgerEntryId = Id<struct LedgerEntryTag>;
}

namespace crm::domain {

// Persisted: the values never change.
enum class ProgramKind { kStamps = 1, kPoints = 2, kStars = 3, kVisitRanks = 4 };
enum class StampBasis { kVisit = 1, kItem = 2, kAmount = 3 };
enum class TierMetric { kVisits = 1, kSpend = 2, kEarned = 3 };  // kEarned: units earned (stars)
enum class TierWindow { kLifetime = 1, kRolling12Months = 2 };
enum class ReversalPolicy { kClampAtZero = 1, kAllowNegative = 2 };
// What counts as a visit (for visit tiers, stamps per visit, every-N-th-visit coupons and the
// visit count of the loyalty view): every sale, or at most one per customer per branch per
// business day, or one per customer per business day whatever the branch.
enum class VisitRule { kEveryOrder = 1, kPerBranchDay = 2, kPerDay = 3 };

const char* ToString(ProgramKind kind);
std::optional<ProgramKind> ParseProgramKind(std::string_view text);
const char* ToString(StampBasis basis);
std::optional<StampBasis> ParseStampBasis(std::string_view text);
const char* ToString(TierMetric metric);
std::optional<TierMetric> ParseTierMetric(std::string_view text);
const char* ToString(TierWindow window);
std::optional<TierWindow> ParseTierWindow(std::string_view text);
const char* ToString(ReversalPolicy policy);
std::optional<ReversalPolicy> ParseReversalPolicy(std::string_view text);
const char* ToString(VisitRule rule);
std::optional<VisitRule> ParseVisitRule(std::string_view text);

struct Tier {
  std::string name = {};
  int64_t threshold = 0;               // metric value from which the tier applies
  int64_t earn_multiplier_percent = 100;  // 150: earns 1.5 times
  int64_t reward_every = 0;            // units that buy one free-item reward (Gold: 12 stars); 0: none
  int64_t welcome_coupon_template = 0;  // coupon template issued on reaching the tier; 0: none
  std::string benefit = {};            // shown to staff: "생일 음료 쿠폰"
  bool operator==(const Tier&) const = default;
};

// A promotion event: earn more in a date range (local dates, inclusive), optionally at one branch.
struct EarnEvent {
  std::string name = {};
  Date first_day = {};
  Date last_day = {};
  std::optional<BranchId> branch_id = {};  // empty: every branch
  int64_t multiplier_percent = 200;   // 200: double points
  bool operator==(const EarnEvent&) const = default;
};

// One weighted prize of a gacha (random reward) table.
struct GachaPrize {
  std::string label = {};
  int64_t weight = 1;
  int64_t points = 0;
  bool operator==(const GachaPrize&) const = default;
};

// A rule that issues a coupon by itself: every `every_visits`-th visit (the 5th, 10th, ...)
// gets a coupon of the template.
struct CouponRule {
  int64_t every_visits = 0;
  int64_t coupon_template = 0;
  bool operator==(const CouponRule&) const = default;
};

struct Program {
  ProgramKind kind = ProgramKind::kPoints;
  std::string name;
  // Earning.
  StampBasis stamp_basis = StampBasis::kVisit;
  int64_t won_per_stamp = 10'000;      // StampBasis::kAmount: one stamp per this many won
  int64_t rate_permille = 10;          // points: tenths of a percent of the eligible amount (15 = 1.5 %)
  int64_t won_per_star = 1'000;        // stars: one star per this many won
  int64_t min_order_amount = 0;        // orders below earn nothing
  std::vector<std::string> earn_excluded;   // products or categories that earn nothing
  std::vector<std::string> spend_excluded;  // products or categories that points cannot pay for
  // Rewards for stamps: this many stamps become a free-item coupon worth up to reward_value won.
  int64_t stamps_per_reward = 10;
  Money reward_value = Money(5'000);
  int64_t reward_valid_days = 90;
  // Redemption.
  int64_t min_balance_to_redeem = 0;   // a balance below this cannot be used
  int64_t max_redeem_percent = 100;    // of an order's eligible amount
  // Expiry: each award expires this many months after it was earned; 0: never.
  int64_t expiry_months = 0;
  ReversalPolicy reversal_policy = ReversalPolicy::kClampAtZero;
  // Tiers, ascending by threshold; the first has threshold 0. Empty: no tiers.
  TierMetric tier_metric = TierMetric::kVisits;
  TierWindow tier_window = TierWindow::kLifetime;
  int64_t tier_keep_months = 0;  // a tier is kept this long after its latest qualification
  std::vector<Tier> tiers;
  // Events.
  std::vector<EarnEvent> events;
  int64_t birthday_month_percent = 100;  // earn multiplier in the customer's (solar) birthday month
  // Referral: what the referrer and the friend each get after the friend's first paid order.
  int64_t referral_reward_points = 0;
  // Coupons issued by rule.
  std::vector<CouponRule> coupon_rules;
  // Gacha for joining the business's Kakao channel; empty: no gacha.
  std::vector<GachaPrize> gacha;
  // Visits: what counts as one, and the local hour the business day starts at (a bar open past
  // midnight sets 5, so that 01:00 still belongs to the evening before).
  VisitRule visit_rule = VisitRule::kPerBranchDay;
  int64_t visit_day_start_hour = 0;
  bool operator==(const Program&) const = default;
};

// The program a preset starts from: "stamps", "points", "starbucks" or "visit-ranks".
std::optional<Program> ProgramPreset(std::string_view preset);

// Every bad setting of a program, in the order of the fields, each a kInvalidArgument naming its
// field ("tiers[1].threshold"); empty when the program is valid.
std::vector<Status> ProgramErrors(const Program& program);
// The first of ProgramErrors, carrying all of them as its details (Status::details); OK when
// there are none.
Status ValidateProgram(const Program& program);

// The unit the balance is counted in: "stamps", "points", "stars" or "" (visit ranks).
const char* BalanceUnit(ProgramKind kind);

// The part of an order that earns (or that points may pay for): the lines whose product and
// category are not in `excluded`, or the whole total when the order has no lines; never more
// than the order total.
Money EligibleAmount(const Order& order, const std::vector<std::string>& excluded);

// Whether a sale opens a visit of its own or falls in a visit already counted (the same branch
// and business day, by the program's visit rule).
enum class VisitStatus { kNewVisit = 1, kSameVisit = 2 };

// What a sale earns before multipliers, by the program's rule. A stamp per visit is earned only
// by the sale that opens the visit.
int64_t BaseEarn(const Program& program, const Order& sale, VisitStatus visit = VisitStatus::kNewVisit);

// A sale as visit counting sees it (a sale refunded in full is left out by the caller).
struct VisitSale {
  OrderId id;
  BranchId branch_id;
  Timestamp ordered_at;
};

// The business day of `at`: whole days since 1970-01-01 of the business's local time, shifted
// back by the program's day start hour.
int64_t BusinessDay(const Program& program, int utc_offset_minutes, Timestamp at);
// The number of visits among the sales by the program's visit rule.
int64_t CountVisits(const Program& program, int utc_offset_minutes, const std::vector<VisitSale>& sales);
// kNewVisit when none of `others` (sales other than `sale`) falls in the visit of `sale`.
VisitStatus VisitOf(const Program& program, int utc_offset_minutes, const VisitSale& sale,
                    const std::vector<VisitSale>& others);

// When the units a sale earns expire: `ordered_at` plus the program's expiry months (nullopt:
// they never expire). A sale whose units would already have expired at `now` (a late sync of an
// old order) earns nothing.
std::optional<Timestamp> EarnExpiry(const Program& program, Timestamp ordered_at);
bool EarnedTooLate(const Program& program, Timestamp ordered_at, Timestamp now);

// The multipliers that apply to a sale, in percent, with a note for the ledger entry.
struct EarnMultiplier {
  int64_t percent = 100;
  std::string note;  // "Gold ×1.5, 더블 포인트 ×2"; empty when 100 %
};
EarnMultiplier SaleMultiplier(const Program& program, int tier_index, const Order& sale, Date local_day,
                              std::optional<int> birthday_month);

// base × percent / 100, floored, saturating far beyond any real figure.
int64_t ApplyPercent(int64_t base, int64_t percent);

// Persisted: the values never change.
enum class LedgerKind { kEarn = 1, kRedeem = 2, kExpire = 3, kAdjust = 4, kReverse = 5 };
const char* ToString(LedgerKind kind);

struct LedgerEntry {
  LedgerEntryId id;
  BusinessId business_id;
  CustomerId customer_id;
  LedgerKind kind = LedgerKind::kEarn;
  int64_t amount = 0;                      // positive adds to the balance
  std::optional<Timestamp> expires_at;     // positive entries of an expiring program
  std::optional<OrderId> order_id;
  std::optional<LedgerEntryId> related_id;  // expire: the award; reverse: the entry reversed
  std::optional<StaffId> staff_id;
  std::optional<BranchId> branch_id;
  std::string reason;
  Timestamp created_at;
};

// One row of the count journal kept beside the ledger: how a sale, a refund or a reward changed
// the tier metric of earned units (`tier_units`) and the counter towards the tier's reward
// (`reward_units`), counted from `counts_at` (the order's time) in a rolling window. Unlike the
// ledger it is never clamped: a refund takes back all it added, whatever the balance.
struct LoyaltyCount {
  int64_t id = 0;
  BusinessId business_id;
  CustomerId customer_id;
  int64_t tier_units = 0;
  int64_t reward_units = 0;
  Timestamp counts_at;
  std::optional<OrderId> order_id;
  std::optional<int64_t> source_id;  // the count a refund takes back
  std::optional<LedgerEntryId> ledger_entry_id;
  std::string reason;
  Timestamp created_at;
};

// What is left of one positive entry after the negative ones consumed the oldest awards first.
struct Award {
  LedgerEntryId id;
  int64_t amount = 0;
  int64_t remaining = 0;
  std::optional<Timestamp> expires_at;
  std::optional<BranchId> branch_id;
  Timestamp created_at;
};

// Replays a customer's entries (in id order): positive entries are awards; an expire entry
// consumes its own award; every other negative entry consumes the oldest awards first. A debt
// (a negative balance) is paid by the next awards. Returns the awards with what remains of them.
std::vector<Award> ReplayAwards(const std::vector<LedgerEntry>& entries);

// The awards that have expired by `now` and still hold units: each must get an expire entry of
// minus its remaining. Running this again after those entries returns nothing.
std::vector<Award> DueForExpiry(const std::vector<LedgerEntry>& entries, Timestamp now);

// `at` plus whole calendar months, the day clamped to the month's length (Jan 31 + 1 = Feb 28).
Timestamp AddMonths(Timestamp at, int64_t months);

// Tier standing: the index into Program::tiers, when it was reached, and when it was last
// qualified for (reached, or earned again while standing in it); the tier is kept
// tier_keep_months after the latest qualification.
struct TierState {
  int index = 0;
  std::optional<Timestamp> reached_at;
  std::optional<Timestamp> qualified_at;
  bool operator==(const TierState&) const = default;
};

struct TierChange {
  TierState state;
  bool promoted = false;
  bool demoted = false;
  bool requalified = false;  // the tier was earned again: its keep starts anew
};

// The tier metric measured two ways: over the program's window (lifetime or the last 12 months)
// and over what came after the current tier's latest qualification (for re-qualification).
struct TierMeasure {
  int64_t window = 0;
  int64_t since_qualified = 0;
};

// The tier the metric value qualifies for (the highest threshold at or below it).
int QualifyingTier(const Program& program, int64_t metric);

// Moves the standing to the qualifying tier: up at once; down only after tier_keep_months since
// the current tier's latest qualification. Earning the tier's threshold again after that
// qualification re-qualifies (the keep starts anew).
TierChange EvaluateTier(const Program& program, const TierState& current, const TierMeasure& measure, Timestamp now);

// The standing after a refund. When the refunded sale promoted the customer to the current tier,
// that promotion no longer protects them: the standing returns to `before_promotion` and is
// evaluated from there (it stays where it is when the metric still qualifies for it). Otherwise
// the usual EvaluateTier.
TierChange EvaluateTierAfterRefund(const Program& program, const TierState& current,
                                   const std::optional<TierState>& before_promotion, const TierMeasure& measure,
                                   Timestamp now);

// Whole rewards a tier's counter holds: `progress` units counted at the tier, one reward per
// `every`; 0 when the tier gives none.
int64_t RewardsDue(int64_t progress, int64_t every);

// The share of what a sale earned (or spent) that a refund takes back (or restores), so that the
// refunds of one order, added up, take back exactly what it earned: floor(value × refunded_total
// / order_total) minus what earlier refunds took.
int64_t ProportionalShare(int64_t value, Money order_total, Money refunded_before, Money refunded_now);

// A customer's standing in the program: the stored balance (always equal to the sum of the
// ledger; `dangol ledger verify` checks it), the tier and the referral code friends join with.
struct LoyaltyAccount {
  CustomerId customer_id;
  int64_t balance = 0;
  TierState tier;
  std::string referral_code;
  Timestamp updated_at;
};

// A promotion or demotion, kept for the customer's timeline.
struct TierChangeRecord {
  CustomerId customer_id;
  int from_index = 0;
  int to_index = 0;
  std::string tier_name;
  std::optional<OrderId> order_id;
  Timestamp created_at;
};

// A friend who joined with a referral code; rewarded once, after their first paid order.
struct Referral {
  CustomerId customer_id;
  CustomerId referrer_id;
  std::optional<OrderId> rewarded_order_id;
  std::optional<LedgerEntryId> friend_entry_id;    // the rewards, taken back if that order is refunded
  std::optional<LedgerEntryId> referrer_entry_id;
  Timestamp created_at;
  std::optional<Timestamp> rewarded_at;
};

// One gacha draw, logged with its seed so that anyone can repeat it.
struct GachaDraw {
  CustomerId customer_id;
  std::string seed_hex;
  uint64_t draw = 0;
  int64_t total_weight = 0;
  int64_t prize_index = 0;
  std::string prize_label;
  int64_t points = 0;
  Timestamp created_at;
};

// The gacha prize that `draw` (uniform in [0, total weight)) lands on.
size_t GachaPick(const std::vector<GachaPrize>& prizes, uint64_t draw);
int64_t GachaTotalWeight(const std::vector<GachaPrize>& prizes);

}  // namespace crm::domain
