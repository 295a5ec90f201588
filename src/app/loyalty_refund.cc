// The loyalty side of a refund (declared in loyalty_posting.h): what the refunded share of a sale
// takes back from the balance, the tier metric and the reward counter, the coupons it voids, the
// tier evaluated again, and the referral rewards of a friend's first order.
#include <algorithm>
#include <fmt/format.h>

#include "app/loyalty_posting.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/loyalty_repository.h"

namespace crm::app {
namespace {

// Takes back what the entry `reward` gave `holder` (all of it, or as much as the balance allows
// when the policy clamps at zero); returns whether all of it was taken back.
Result<bool> TakeBackReward(store::Transaction& tx, BusinessId business, domain::LoyaltyAccount& holder,
                            std::optional<LedgerEntryId> reward, const domain::Order& refund,
                            domain::ReversalPolicy policy, Timestamp now) {
  if (!reward) return true;
  CRM_ASSIGN_OR_RETURN(domain::LedgerEntry given, tx.loyalty().Entry(business, *reward));
  int64_t take = given.amount;
  if (policy == domain::ReversalPolicy::kClampAtZero) take = std::min(take, std::max<int64_t>(holder.balance, 0));
  if (take > 0) {
    domain::LedgerEntry entry;
    entry.kind = domain::LedgerKind::kReverse;
    entry.amount = -take;
    entry.order_id = refund.id;
    entry.related_id = reward;
    entry.branch_id = refund.branch_id;
    entry.reason = "환불: 추천 보상 취소";
    CRM_RETURN_IF_ERROR(AppendEntry(tx, business, holder, std::move(entry), now).status());
  }
  return take == given.amount;
}

// A friend's first order refunded in full takes back both referral rewards, by the amounts that
// were given. Only when both came back whole does the next paid order earn them again; otherwise
// the referral stays rewarded, so that spending a reward and refunding cannot repeat it.
Status TakeBackReferral(store::Transaction& tx, const domain::Order& refund, const domain::Order& original,
                        domain::LoyaltyAccount& friend_account, domain::ReversalPolicy policy, Timestamp now) {
  const BusinessId business = original.business_id;
  CRM_ASSIGN_OR_RETURN(auto referral, tx.coupons().GetReferral(business, friend_account.customer_id));
  if (!referral || referral->rewarded_order_id != original.id) return Status::Ok();
  CRM_ASSIGN_OR_RETURN(bool friend_whole,
                       TakeBackReward(tx, business, friend_account, referral->friend_entry_id, refund, policy, now));
  CRM_RETURN_IF_ERROR(tx.customers().LockForUpdate(business, referral->referrer_id));
  CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount referrer, LoadAccount(tx, business, referral->referrer_id, now));
  CRM_ASSIGN_OR_RETURN(bool referrer_whole,
                       TakeBackReward(tx, business, referrer, referral->referrer_entry_id, refund, policy, now));
  if (!friend_whole || !referrer_whole) return Status::Ok();
  domain::Referral reset = *referral;
  reset.rewarded_order_id.reset();
  reset.rewarded_at.reset();
  reset.friend_entry_id.reset();
  reset.referrer_entry_id.reset();
  return tx.coupons().SetReferralReward(business, reset);
}

// What a refund takes back and gives back, before the balance clamps anything.
struct RefundShares {
  int64_t earned = 0;         // units of the balance the sale earned, refunded share
  int64_t tier_units = 0;     // of the tier metric
  int64_t reward_units = 0;   // of the reward counter
};

RefundShares SharesOf(const std::vector<domain::LedgerEntry>& entries, const std::vector<domain::LoyaltyCount>& counts,
                      CustomerId customer, const domain::Order& original, Money refunded_before, Money refunded_now) {
  RefundShares shares;
  for (const domain::LedgerEntry& entry : entries) {
    if (entry.customer_id != customer || entry.kind != domain::LedgerKind::kEarn) continue;
    shares.earned += domain::ProportionalShare(entry.amount, original.total, refunded_before, refunded_now);
  }
  for (const domain::LoyaltyCount& count : counts) {
    if (count.customer_id != customer) continue;
    shares.tier_units += domain::ProportionalShare(count.tier_units, original.total, refunded_before, refunded_now);
    shares.reward_units += domain::ProportionalShare(count.reward_units, original.total, refunded_before, refunded_now);
  }
  return shares;
}

// Voids an unused reward coupon and gives back, in the ledger, what it cost (and to the reward
// counter, for a tier's reward).
Status VoidReward(store::Transaction& tx, BusinessId business, domain::LoyaltyAccount& account,
                  const domain::Coupon& coupon, const domain::Order& refund, std::optional<StaffId> staff,
                  Timestamp now, int64_t& progress) {
  CRM_RETURN_IF_ERROR(tx.coupons().MarkVoided(business, coupon.id));
  CRM_ASSIGN_OR_RETURN(domain::LedgerEntry paid, tx.loyalty().Entry(business, *coupon.ledger_entry_id));
  domain::LedgerEntry entry;
  entry.kind = domain::LedgerKind::kReverse;
  entry.amount = -paid.amount;
  entry.order_id = refund.id;
  entry.related_id = paid.id;
  entry.branch_id = refund.branch_id;
  entry.staff_id = staff;
  entry.reason = fmt::format("환불: 보상 쿠폰 {} 취소", coupon.code);
  CRM_ASSIGN_OR_RETURN(domain::LedgerEntry written, AppendEntry(tx, business, account, std::move(entry), now));
  if (coupon.source == domain::CouponSource::kStarReward) {
    domain::LoyaltyCount count;
    count.reward_units = -paid.amount;
    count.counts_at = now;
    count.order_id = refund.id;
    count.ledger_entry_id = written.id;
    count.reason = written.reason;
    CRM_RETURN_IF_ERROR(AppendCount(tx, business, account.customer_id, std::move(count), now).status());
    progress -= paid.amount;
  }
  return Status::Ok();
}

// Voids the reward coupons of the sale, newest first: all of the unused ones on a full refund,
// else while what the refund takes back would leave the stamp card (the balance) or the tier's
// reward counter short.
Status VoidRewards(store::Transaction& tx, BusinessId business, domain::LoyaltyAccount& account,
                   std::vector<domain::Coupon>& coupons, const RefundShares& shares, bool full,
                   const domain::Order& refund, std::optional<StaffId> staff, Timestamp now) {
  int64_t progress = 0;
  CRM_ASSIGN_OR_RETURN(progress, tx.loyalty().RewardProgress(business, account.customer_id));
  for (auto coupon = coupons.rbegin(); coupon != coupons.rend(); ++coupon) {
    if (coupon->status != domain::CouponStatus::kIssued || !coupon->ledger_entry_id) continue;
    const bool stars = coupon->source == domain::CouponSource::kStarReward;
    const bool short_after = stars ? progress - shares.reward_units < 0 : account.balance - shares.earned < 0;
    if (!full && !short_after) continue;
    CRM_RETURN_IF_ERROR(VoidReward(tx, business, account, *coupon, refund, staff, now, progress));
    coupon->status = domain::CouponStatus::kVoided;
  }
  return Status::Ok();
}

// The standing before `original` promoted the customer to the tier they stand in, when it did.
Result<std::optional<domain::TierState>> StandingBeforePromotion(store::Transaction& tx, BusinessId business,
                                                                 CustomerId customer, const domain::TierState& current,
                                                                 OrderId original) {
  CRM_ASSIGN_OR_RETURN(auto changes, tx.loyalty().TierChanges(business, customer));
  if (changes.empty()) return std::optional<domain::TierState>();
  const domain::TierChangeRecord& last = changes.back();
  if (last.order_id != original || last.to_index != current.index || last.to_index <= last.from_index) {
    return std::optional<domain::TierState>();
  }
  domain::TierState before{last.from_index, std::nullopt, std::nullopt};
  for (size_t i = changes.size() - 1; i-- > 0;) {
    if (changes[i].to_index != last.from_index) continue;
    before.reached_at = changes[i].created_at;
    before.qualified_at = changes[i].created_at;
    break;
  }
  return std::optional<domain::TierState>(before);
}

// Evaluates the tier after the refund; returns whether it undid a promotion the sale made.
Result<bool> ReevaluateAfterRefund(store::Transaction& tx, const domain::Program& program, BusinessId business,
                                   domain::LoyaltyAccount& account, const domain::Order& refund,
                                   const domain::Order& original, Timestamp now) {
  if (program.tiers.empty()) return false;
  CRM_ASSIGN_OR_RETURN(domain::Business owner, tx.businesses().Get(business));
  CRM_ASSIGN_OR_RETURN(domain::Customer customer, tx.customers().Get(business, account.customer_id));
  CRM_ASSIGN_OR_RETURN(auto before,
                       StandingBeforePromotion(tx, business, account.customer_id, account.tier, original.id));
  CRM_ASSIGN_OR_RETURN(domain::TierMeasure measure,
                       MeasureTier(tx, program, business, customer, account.tier, owner.utc_offset_minutes, now));
  const domain::TierChange change = domain::EvaluateTierAfterRefund(program, account.tier, before, measure, now);
  if (change.state == account.tier) return false;
  if (change.state.index != account.tier.index) {
    const domain::Tier& tier = program.tiers[change.state.index];
    CRM_RETURN_IF_ERROR(tx.loyalty().AppendTierChange(
        business, {account.customer_id, account.tier.index, change.state.index, tier.name, refund.id, now}));
  }
  const bool undone = before && change.state.index < account.tier.index;
  account.tier = change.state;
  account.updated_at = now;
  CRM_RETURN_IF_ERROR(tx.loyalty().SaveAccount(business, account));
  return undone;
}

// Takes back the refunded share of the sale's count rows: in full, whatever the balance did.
Status TakeBackCounts(store::Transaction& tx, BusinessId business, CustomerId customer,
                      const std::vector<domain::LoyaltyCount>& counts, const domain::Order& refund,
                      const domain::Order& original, Money refunded_before, Timestamp now) {
  for (const domain::LoyaltyCount& source : counts) {
    if (source.customer_id != customer) continue;
    const Money refunded_now = -refund.total;
    domain::LoyaltyCount count;
    count.tier_units = -domain::ProportionalShare(source.tier_units, original.total, refunded_before, refunded_now);
    count.reward_units =
        -domain::ProportionalShare(source.reward_units, original.total, refunded_before, refunded_now);
    if (count.tier_units == 0 && count.reward_units == 0) continue;
    // It leaves the window the sale counted in.
    count.counts_at = source.counts_at;
    count.order_id = refund.id;
    count.source_id = source.id;
    count.reason = "환불: 적립 취소";
    CRM_RETURN_IF_ERROR(AppendCount(tx, business, customer, std::move(count), now).status());
  }
  return Status::Ok();
}

}  // namespace

Status ReverseRefundLoyalty(store::Transaction& tx, const Principal& principal, const domain::Order& refund,
                            const domain::Order& original, Money refunded_before, Timestamp now) {
  if (!original.customer_id) return Status::Ok();
  const BusinessId business = original.business_id;
  CRM_ASSIGN_OR_RETURN(auto program, tx.loyalty().GetProgram(business));
  CRM_ASSIGN_OR_RETURN(auto entries, tx.loyalty().EntriesForOrder(business, original.id));
  CRM_ASSIGN_OR_RETURN(auto counts, tx.loyalty().CountsForOrder(business, original.id));
  CRM_ASSIGN_OR_RETURN(auto coupons, tx.coupons().IssuedBySale(business, original.id));
  const domain::ReversalPolicy policy = program ? program->reversal_policy : domain::ReversalPolicy::kClampAtZero;
  CRM_ASSIGN_OR_RETURN(domain::LoyaltyAccount account, LoadAccount(tx, business, *original.customer_id, now));
  const Money refunded_now = -refund.total;
  const bool fully_refunded = refunded_before + refunded_now >= original.total;
  const RefundShares shares = SharesOf(entries, counts, account.customer_id, original, refunded_before, refunded_now);
  CRM_RETURN_IF_ERROR(
      VoidRewards(tx, business, account, coupons, shares, fully_refunded, refund, principal.staff_id, now));
  for (const domain::LedgerEntry& source : entries) {
    if (source.customer_id != account.customer_id) continue;
    if (source.kind != domain::LedgerKind::kEarn && source.kind != domain::LedgerKind::kRedeem) continue;
    int64_t share = domain::ProportionalShare(-source.amount, original.total, refunded_before, refunded_now);
    if (share == 0) continue;
    if (share < 0 && policy == domain::ReversalPolicy::kClampAtZero) {
      share = -std::min(-share, std::max<int64_t>(account.balance, 0));
      if (share == 0) continue;
    }
    domain::LedgerEntry entry;
    entry.kind = domain::LedgerKind::kReverse;
    entry.amount = share;
    entry.order_id = refund.id;
    entry.related_id = source.id;
    entry.branch_id = refund.branch_id;
    entry.staff_id = principal.staff_id;
    entry.reason = share < 0 ? "환불: 적립 취소" : "환불: 사용분 복원";
    if (share > 0 && program && program->expiry_months > 0) entry.expires_at = domain::AddMonths(now, program->expiry_months);
    CRM_RETURN_IF_ERROR(AppendEntry(tx, business, account, std::move(entry), now).status());
  }
  CRM_RETURN_IF_ERROR(
      TakeBackCounts(tx, business, account.customer_id, counts, refund, original, refunded_before, now));
  bool promotion_undone = false;
  if (program) {
    CRM_ASSIGN_OR_RETURN(promotion_undone, ReevaluateAfterRefund(tx, *program, business, account, refund, original, now));
  }
  // The sale's other coupons (a tier's welcome coupon, a rule's): void while unused when the sale
  // is refunded in full, and the welcome coupon when the refund undid the promotion.
  for (const domain::Coupon& coupon : coupons) {
    if (coupon.status != domain::CouponStatus::kIssued || coupon.ledger_entry_id) continue;
    if (!fully_refunded && !(promotion_undone && coupon.source == domain::CouponSource::kTier)) continue;
    CRM_RETURN_IF_ERROR(tx.coupons().MarkVoided(business, coupon.id));
  }
  if (fully_refunded) return TakeBackReferral(tx, refund, original, account, policy, now);
  return Status::Ok();
}

}  // namespace crm::app
