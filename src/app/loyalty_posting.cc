#include "app/loyalty_posting.h"

#include <sodium.h>

#include <algorithm>
#include <fmt/format.h>

#include "app/idempotency_service.h"
#include "domain/prospect.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/customer_row_repository.h"
#include "store/loyalty_repository.h"
#include "store/order_repository.h"

namespace crm::app {
namespace {

constexpr int kCodeAttempts = 3;
// Reward coupons one sale may turn out; the rest of the balance waits for the next sale, so that a
// mistaken adjustment cannot make one transaction write millions of coupons.
constexpr int kMaxRewardsPerSale = 20;

std::string RandomCode(size_t length) {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  return domain::CouponCodeFromBytes(bytes).substr(0, length);
}

// The tier metric counted from `since`; `visit_sales` are the customer's live sales (lifetime).
Result<int64_t> MetricSince(store::Transaction& tx, const domain::Program& program, BusinessId business,
                            const domain::Customer& customer, const std::vector<domain::VisitSale>& visit_sales,
                            int utc_offset_minutes, Timestamp since, Timestamp now) {
  switch (program.tier_metric) {
    case domain::TierMetric::kVisits: {
      std::vector<domain::VisitSale> counted;
      for (const domain::VisitSale& sale : visit_sales) {
        if (since <= sale.ordered_at) counted.push_back(sale);
      }
      return domain::CountVisits(program, utc_offset_minutes, counted);
    }
    case domain::TierMetric::kSpend: {
      if (since == Timestamp()) return customer.stats.total_spend.minor_units();
      CRM_ASSIGN_OR_RETURN(Money spend, tx.orders().NetSpend(business, customer.id, since, now.PlusSeconds(1)));
      return spend.minor_units();
    }
    case domain::TierMetric::kEarned:
      return tx.loyalty().TierUnitsSince(business, customer.id, since);
  }
  return int64_t{0};
}

// Turns whole reward blocks into free-item coupons: a stamp card from the balance; at a tier with
// reward_every, the stars counted since the tier was reached (its reward counter), never those
// earned before it.
Status ConvertRewards(store::Transaction& tx, const domain::Program& program, BusinessId business,
                      domain::LoyaltyAccount& account, const domain::Order& sale, Timestamp now, SaleLoyalty& out) {
  int64_t every = 0;
  int64_t due = 0;
  domain::CouponSource source = domain::CouponSource::kStampReward;
  if (program.kind == domain::ProgramKind::kStamps) {
    every = program.stamps_per_reward;
    due = domain::RewardsDue(account.balance, every);
  } else if (!program.tiers.empty() && account.tier.index < static_cast<int>(program.tiers.size())) {
    every = program.tiers[account.tier.index].reward_every;
    source = domain::CouponSource::kStarReward;
    if (every <= 0) return Status::Ok();
    CRM_ASSIGN_OR_RETURN(int64_t progress, tx.loyalty().RewardProgress(business, account.customer_id));
    due = std::min(domain::RewardsDue(progress, every), domain::RewardsDue(account.balance, every));
  }
  if (every <= 0) return Status::Ok();
  for (int64_t rewards = 0; rewards < std::min<int64_t>(due, kMaxRewardsPerSale); ++rewards) {
    domain::LedgerEntry entry;
    entry.kind = domain::LedgerKind::kRedeem;
    entry.amount = -every;
    // No order id: a refund gives back the share the order earned and spent; the coupon below
    // names the sale, and the refund voids it while it is unused.
    entry.branch_id = sale.branch_id;
    entry.staff_id = sale.staff_id;
    entry.reason = fmt::format("{} {}개 → 무료 쿠폰 (주문 #{})", domain::BalanceUnit(program.kind), every, sale.id.value());
    CRM_ASSIGN_OR_RETURN(domain::LedgerEntry paid, AppendEntry(tx, business, account, std::move(entry), now));
    if (source == domain::CouponSource::kStarReward) {
      domain::LoyaltyCount count;
      count.reward_units = -every;
      count.counts_at = sale.ordered_at;
      count.ledger_entry_id = paid.id;
      count.reason = paid.reason;
      CRM_RETURN_IF_ERROR(AppendCount(tx, business, account.customer_id, std::move(count), now).status());
    }
    domain::Coupon coupon;
    coupon.business_id = business;
    coupon.customer_id = account.customer_id;
    coupon.name = program.kind == domain::ProgramKind::kStamps ? "스탬프 보상: 무료 메뉴" : "별 보상: 무료 음료";
    coupon.kind = domain::CouponKind::kFreeItem;
    coupon.value = program.reward_value.minor_units();
    coupon.source = source;
    coupon.issued_at = now;
    coupon.expires_at = now.PlusSeconds(program.reward_valid_days * 86'400);
    coupon.issued_by = sale.staff_id;
    coupon.order_id = sale.id;
    coupon.ledger_entry_id = paid.id;
    CRM_ASSIGN_OR_RETURN(domain::Coupon issued, IssueCouponIn(tx, std::move(coupon)));
    out.rewards.push_back(std::move(issued));
  }
  return Status::Ok();
}

// Issues a coupon of the template (a tier's welcome coupon, a rule's coupon) within the template's
// per-customer limit; a removed, inactive or ended template gives nothing.
Status TemplateCoupon(store::Transaction& tx, int64_t template_id, domain::CouponSource source, BusinessId business,
                      CustomerId customer, std::optional<OrderId> sale, int utc_offset_minutes, Timestamp now,
                      SaleLoyalty& out) {
  if (template_id <= 0) return Status::Ok();
  auto coupon_template = tx.coupons().GetTemplate(business, CouponTemplateId(template_id));
  if (!coupon_template.ok() || !coupon_template->active) return Status::Ok();  // a removed template gives nothing
  if (coupon_template->per_customer_limit > 0) {
    CRM_ASSIGN_OR_RETURN(int64_t count, tx.coupons().CountIssued(business, customer, coupon_template->id));
    if (count >= coupon_template->per_customer_limit) return Status::Ok();
  }
  auto expires = domain::CouponExpiry(*coupon_template, now, utc_offset_minutes);
  if (!expires.ok()) return Status::Ok();
  domain::Coupon coupon = domain::CouponFromTemplate(*coupon_template, customer, source, now, *expires, std::nullopt);
  coupon.order_id = sale;
  CRM_ASSIGN_OR_RETURN(domain::Coupon issued, IssueCouponIn(tx, std::move(coupon)));
  out.rewards.push_back(std::move(issued));
  return Status::Ok();
}

}  // namespace

Result<int64_t> AppendCount(store::Transaction& tx, BusinessId business, CustomerId customer,
                            domain::LoyaltyCount count, Timestamp now) {
  count.business_id = business;
  count.customer_id = customer;
  count.created_at = now;
  return tx.loyalty().AppendCount(count);
}

Result<domain::TierMeasure> MeasureTier(store::Transaction& tx, const domain::Program& program, BusinessId business,
                                        const domain::Customer& customer, const domain::TierState& standing,
                                        int utc_offset_minutes, Timestamp now) {
  domain::TierMeasure measure;
  if (program.tiers.empty()) return measure;
  std::vector<domain::VisitSale> sales;
  if (program.tier_metric == domain::TierMetric::kVisits) {
    CRM_ASSIGN_OR_RETURN(sales, tx.loyalty().VisitSales(business, customer.id, Timestamp()));
  }
  const bool rolling = program.tier_window == domain::TierWindow::kRolling12Months;
  const Timestamp window_start = rolling ? domain::AddMonths(now, -12) : Timestamp();
  CRM_ASSIGN_OR_RETURN(measure.window,
                       MetricSince(tx, program, business, customer, sales, utc_offset_minutes, window_start, now));
  const std::optional<Timestamp> qualified = standing.qualified_at ? standing.qualified_at : standing.reached_at;
  if (standing.index > 0 && qualified) {
    // What counted up to the qualification is spent on it: only what came after re-qualifies.
    const Timestamp after = Timestamp::FromMicros(qualified->micros() + 1);
    CRM_ASSIGN_OR_RETURN(measure.since_qualified,
                         MetricSince(tx, program, business, customer, sales, utc_offset_minutes, after, now));
  }
  return measure;
}

Result<int64_t> VisitCount(store::Transaction& tx, const domain::Program& program, BusinessId business,
                           CustomerId customer, int utc_offset_minutes) {
  CRM_ASSIGN_OR_RETURN(auto sales, tx.loyalty().VisitSales(business, customer, Timestamp()));
  return domain::CountVisits(program, utc_offset_minutes, sales);
}

Result<domain::TierChange> ReevaluateTier(store::Transaction& tx, const domain::Program& program, BusinessId business,
                                          const domain::Customer& customer, const domain::TierState& current,
                                          Timestamp now) {
  CRM_ASSIGN_OR_RETURN(domain::Business owner, tx.businesses().Get(business));
  CRM_ASSIGN_OR_RETURN(domain::TierMeasure measure,
                       MeasureTier(tx, program, business, customer, current, owner.utc_offset_minutes, now));
  return domain::EvaluateTier(program, current, measure, now);
}

namespace {

Status EvaluateAndRecordTier(store::Transaction& tx, const domain::Program& program, BusinessId business,
                             const domain::Customer& customer, domain::LoyaltyAccount& account,
                             std::optional<OrderId> order, int utc_offset_minutes, Timestamp now, SaleLoyalty& out) {
  if (program.tiers.empty()) return Status::Ok();
  CRM_ASSIGN_OR_RETURN(domain::TierMeasure measure,
                       MeasureTier(tx, program, business, customer, account.tier, utc_offset_minutes, now));
  const domain::TierChange change = domain::EvaluateTier(program, account.tier, measure, now);
  if (change.promoted || change.demoted) {
    const domain::Tier& tier = program.tiers[change.state.index];
    CRM_RETURN_IF_ERROR(tx.loyalty().AppendTierChange(
        business, {customer.id, account.tier.index, change.state.index, tier.name, order, now}));
  }
  if (change.state != account.tier) {
    account.tier = change.state;
    account.updated_at = now;
    CRM_RETURN_IF_ERROR(tx.loyalty().SaveAccount(business, account));
  }
  if (change.promoted) {
    const domain::Tier& tier = program.tiers[change.state.index];
    out.promoted_to = tier.name;
    CRM_RETURN_IF_ERROR(TemplateCoupon(tx, tier.welcome_coupon_template, domain::CouponSource::kTier, business,
                                       customer.id, order, utc_offset_minutes, now, out));
  }
  out.tier_name = program.tiers[std::clamp(account.tier.index, 0, static_cast<int>(program.tiers.size()) - 1)].name;
  return Status::Ok();
}

// The referral reward, once, on the friend's first paid order.
Status RewardReferral(store::Transaction& tx, const domain::Program& program, BusinessId business,
                      domain::LoyaltyAccount& friend_account, const domain::Order& sale, Timestamp now) {
  if (program.referral_reward_points <= 0) return Status::Ok();
  // Only a paid order counts: not a free one, not one below the program's minimum.
  if (sale.total.minor_units() < std::max<int64_t>(1, program.min_order_amount)) return Status::Ok();
  CRM_ASSIGN_OR_RETURN(auto referral, tx.coupons().GetReferral(business, friend_account.customer_id));
  if (!referral || referral->rewarded_order_id) return Status::Ok();
  auto reward = [&](domain::LoyaltyAccount& account, const std::string& reason) -> Result<domain::LedgerEntry> {
    domain::LedgerEntry entry;
    entry.kind = domain::LedgerKind::kEarn;
    entry.amount = program.referral_reward_points;
    entry.branch_id = sale.branch_id;
    entry.reason = reason;
    if (program.expiry_months > 0) entry.expires_at = domain::AddMonths(now, program.expiry_months);
    return AppendEntry(tx, business, account, std::move(entry), now);
  };
  CRM_ASSIGN_OR_RETURN(domain::LedgerEntry friend_entry,
                       reward(friend_account, fmt::format("추천 가입 보상 (주문 #{})", sale.id.value())));
  CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, referral->referrer_id));
  CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount referrer, LoadAccount(tx, business, referral->referrer_id, now));
  CRM_ASSIGN_OR_RETURN(domain::LedgerEntry referrer_entry,
                       reward(referrer, fmt::format("친구 추천 보상 (고객 #{})", friend_account.customer_id.value())));
  referral->rewarded_order_id = sale.id;
  referral->rewarded_at = now;
  referral->friend_entry_id = friend_entry.id;
  referral->referrer_entry_id = referrer_entry.id;
  return tx.coupons().SetReferralReward(business, *referral);
}

// Checks and writes the points a sale spends.
Status SpendOnSale(store::Transaction& tx, const domain::Program& program, BusinessId business,
                   domain::LoyaltyAccount& account, const domain::Order& sale, int64_t units, Timestamp now) {
  if (units <= 0) return Status::Ok();
  if (program.kind == domain::ProgramKind::kVisitRanks) {
    return FailedPrecondition("this program has no balance to spend", "points_redeemed")
        .WithReason("no_balance_program");
  }
  if (account.balance < program.min_balance_to_redeem) {
    return FailedPrecondition(fmt::format("points can be used from a balance of {}", program.min_balance_to_redeem),
                              "points_redeemed")
        .WithReason("below_min_balance")
        .WithFigure("min_balance", program.min_balance_to_redeem)
        .WithFigure("balance", account.balance);
  }
  if (units > account.balance) {
    return FailedPrecondition("more than the balance", "points_redeemed")
        .WithReason("insufficient_balance")
        .WithFigure("balance", account.balance);
  }
  if (program.kind == domain::ProgramKind::kPoints) {
    const int64_t payable = domain::EligibleAmount(sale, program.spend_excluded).minor_units();
    if (units > payable * program.max_redeem_percent / 100) {
      return FailedPrecondition(fmt::format("points may pay at most {} % of the eligible amount ({} won)",
                                            program.max_redeem_percent, payable),
                                "points_redeemed")
          .WithReason("over_redeem_share")
          .WithFigure("max_percent", program.max_redeem_percent)
          .WithFigure("eligible", payable);
    }
  }
  domain::LedgerEntry entry;
  entry.kind = domain::LedgerKind::kRedeem;
  entry.amount = -units;
  entry.order_id = sale.id;
  entry.branch_id = sale.branch_id;
  entry.staff_id = sale.staff_id;
  entry.reason = "주문 결제에 사용";
  return AppendEntry(tx, business, account, std::move(entry), now).status();
}

}  // namespace

uint64_t GachaDrawFromSeed(const unsigned char (&seed)[32], int64_t total_weight) {
  static_assert(randombytes_SEEDBYTES == 32);
  const auto total = static_cast<uint64_t>(std::max<int64_t>(total_weight, 1));
  unsigned char stream[64];
  randombytes_buf_deterministic(stream, sizeof stream, seed);
  const uint64_t limit = UINT64_MAX - UINT64_MAX % total;
  uint64_t value = 0;
  for (size_t chunk = 0; chunk < sizeof stream / 8; ++chunk) {
    value = 0;
    for (size_t i = 0; i < 8; ++i) value = (value << 8) | stream[chunk * 8 + i];
    if (value < limit) break;  // a block at or above the limit (odds under total / 2^64) is skipped
  }
  return value % total;
}

Status ClaimIdempotency(store::Transaction& tx, const Principal& principal, Timestamp now) {
  if (!principal.idempotency) return Status::Ok();
  return tx.idempotency().Claim(principal.business_id, principal.idempotency->key,
                                principal.idempotency->request_hash, IdempotencyService::OwnerOf(principal), now);
}

Result<domain::LoyaltyAccount> LoadAccount(store::Transaction& tx, BusinessId business, CustomerId customer,
                                           Timestamp now) {
  CRM_ASSIGN_OR_RETURN(auto existing, tx.loyalty().GetAccount(business, customer));
  if (existing) return std::move(*existing);
  domain::LoyaltyAccount account;
  account.customer_id = customer;
  account.updated_at = now;
  for (int attempt = 0;; ++attempt) {
    account.referral_code = RandomCode(8);
    CRM_ASSIGN_OR_RETURN(auto taken, tx.loyalty().FindByReferralCode(business, account.referral_code));
    if (!taken) break;
    if (attempt + 1 == kCodeAttempts) return Unavailable("could not draw a free referral code");
  }
  CRM_RETURN_IF_ERROR(tx.loyalty().CreateAccount(business, account));
  return account;
}

Result<domain::LedgerEntry> AppendEntry(store::Transaction& tx, BusinessId business, domain::LoyaltyAccount& account,
                                        domain::LedgerEntry entry, Timestamp now) {
  entry.business_id = business;
  entry.customer_id = account.customer_id;
  entry.created_at = now;
  CRM_ASSIGN_OR_RETURN(entry.id, tx.loyalty().Append(entry));
  account.balance += entry.amount;
  account.updated_at = now;
  CRM_RETURN_IF_ERROR(tx.loyalty().SaveAccount(business, account));
  return entry;
}

Result<domain::Coupon> IssueCouponIn(store::Transaction& tx, domain::Coupon coupon) {
  for (int attempt = 0;; ++attempt) {
    coupon.code = RandomCode(12);
    CRM_ASSIGN_OR_RETURN(auto taken, tx.coupons().FindByCode(coupon.business_id, coupon.code));
    if (!taken) break;
    if (attempt + 1 == kCodeAttempts) return Unavailable("could not draw a free coupon code");
  }
  return tx.coupons().Insert(std::move(coupon));
}

Result<std::optional<SaleLoyalty>> PostSaleLoyalty(store::Transaction& tx, const Principal& principal,
                                                   const domain::Order& sale, int64_t redeem_units, Timestamp now) {
  const BusinessId business = sale.business_id;
  if (!sale.customer_id) {
    if (redeem_units > 0) return InvalidArgument("points need a customer", "points_redeemed");
    return std::optional<SaleLoyalty>();
  }
  CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(business));
  if (!program) {
    if (redeem_units > 0) {
      return FailedPrecondition("the business has no loyalty program", "points_redeemed").WithReason("no_program");
    }
    return std::optional<SaleLoyalty>();
  }
  CRM_ASSIGN_OR_RETURN(domain::Business owner, tx.businesses().Get(business));
  // The row only (the birthday): the sale has locked it already.
  store::CustomerRowRepository rows(tx.connection());
  CRM_ASSIGN_OR_RETURN(domain::Customer customer, rows.LockAndGetRow(business, *sale.customer_id));
  CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount account, LoadAccount(tx, business, customer.id, now));
  SaleLoyalty out;
  out.unit = domain::BalanceUnit(program->kind);
  CRM_RETURN_IF_ERROR(SpendOnSale(tx, *program, business, account, sale, redeem_units, now));
  out.redeemed = std::max<int64_t>(redeem_units, 0);

  // Visits by the program's rule: a second sale at the branch the same business day is no new visit.
  CRM_ASSIGN_OR_RETURN(auto visit_sales, tx.loyalty().VisitSales(business, customer.id, Timestamp()));
  const domain::VisitStatus visit = domain::VisitOf(*program, owner.utc_offset_minutes,
                                                    {sale.id, sale.branch_id, sale.ordered_at}, visit_sales);
  out.visit_counted = visit == domain::VisitStatus::kNewVisit;
  out.visits = domain::CountVisits(*program, owner.utc_offset_minutes, visit_sales);

  const domain::DayBounds day = domain::LocalDay(sale.ordered_at, owner.utc_offset_minutes);
  const Date local_day = CivilFromDays((day.start.micros() / 1'000'000 + owner.utc_offset_minutes * 60) / 86'400);
  std::optional<int> birthday_month;
  if (customer.birthday && customer.birthday->calendar == domain::CalendarType::kSolar) {
    birthday_month = customer.birthday->date.month;
  }
  const domain::EarnMultiplier multiplier =
      domain::SaleMultiplier(*program, account.tier.index, sale, local_day, birthday_month);
  int64_t earned = domain::ApplyPercent(domain::BaseEarn(*program, sale, visit), multiplier.percent);
  // Units count from the order's time: an order older than the expiry period (a late POS sync)
  // would earn units already expired, so it earns nothing and the answer says why.
  if (earned > 0 && domain::EarnedTooLate(*program, sale.ordered_at, now)) {
    earned = 0;
    out.not_earned_reason = "older_than_expiry";
    out.expired_at = domain::EarnExpiry(*program, sale.ordered_at);
  }
  if (earned > 0) {
    domain::LedgerEntry entry;
    entry.kind = domain::LedgerKind::kEarn;
    entry.amount = earned;
    entry.order_id = sale.id;
    entry.branch_id = sale.branch_id;
    entry.staff_id = sale.staff_id;
    entry.reason = multiplier.note.empty() ? "주문 적립" : "주문 적립 (" + multiplier.note + ")";
    entry.expires_at = domain::EarnExpiry(*program, sale.ordered_at);
    CRM_ASSIGN_OR_RETURN(domain::LedgerEntry written, AppendEntry(tx, business, account, std::move(entry), now));
    // The tier metric counts it from the order's time; the reward counter only when it was earned
    // at a tier that gives rewards (the stars that reach Gold are not Gold's stars).
    domain::LoyaltyCount count;
    count.tier_units = earned;
    const bool at_reward_tier = program->kind != domain::ProgramKind::kStamps && !program->tiers.empty() &&
                                account.tier.index < static_cast<int>(program->tiers.size()) &&
                                program->tiers[account.tier.index].reward_every > 0;
    count.reward_units = at_reward_tier ? earned : 0;
    count.counts_at = sale.ordered_at;
    count.order_id = sale.id;
    count.ledger_entry_id = written.id;
    count.reason = written.reason;
    CRM_RETURN_IF_ERROR(AppendCount(tx, business, customer.id, std::move(count), now).status());
  }
  out.earned = earned;
  out.note = multiplier.note;
  CRM_RETURN_IF_ERROR(EvaluateAndRecordTier(tx, *program, business, customer, account, sale.id,
                                            owner.utc_offset_minutes, now, out));
  CRM_RETURN_IF_ERROR(ConvertRewards(tx, *program, business, account, sale, now, out));
  for (const domain::CouponRule& rule : program->coupon_rules) {
    if (!out.visit_counted || rule.every_visits <= 0 || out.visits % rule.every_visits != 0) continue;
    CRM_RETURN_IF_ERROR(TemplateCoupon(tx, rule.coupon_template, domain::CouponSource::kRule, business, customer.id,
                                       sale.id, owner.utc_offset_minutes, now, out));
  }
  CRM_RETURN_IF_ERROR(RewardReferral(tx, *program, business, account, sale, now));
  out.balance = account.balance;
  return std::optional<SaleLoyalty>(std::move(out));
}

Result<std::optional<SaleLoyalty>> ReplayedSaleLoyalty(store::Transaction& tx, const domain::Order& sale) {
  if (!sale.customer_id) return std::optional<SaleLoyalty>();
  CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(sale.business_id));
  if (!program) return std::optional<SaleLoyalty>();
  CRM_ASSIGN_OR_RETURN(auto entries, tx.loyalty().EntriesForOrder(sale.business_id, sale.id));
  SaleLoyalty out;
  out.unit = domain::BalanceUnit(program->kind);
  for (const domain::LedgerEntry& entry : entries) {
    if (entry.customer_id != *sale.customer_id) continue;
    if (entry.kind == domain::LedgerKind::kEarn) out.earned += entry.amount;
    if (entry.kind == domain::LedgerKind::kRedeem) out.redeemed -= entry.amount;
  }
  CRM_ASSIGN_OR_RETURN(auto account, tx.loyalty().GetAccount(sale.business_id, *sale.customer_id));
  if (account) {
    out.balance = account->balance;
    if (!program->tiers.empty()) {
      out.tier_name = program->tiers[std::clamp(account->tier.index, 0, static_cast<int>(program->tiers.size()) - 1)].name;
    }
  }
  return std::optional<SaleLoyalty>(std::move(out));
}

}  // namespace crm::app
