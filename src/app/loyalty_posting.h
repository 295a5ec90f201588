// LoyaltyPosting: the loyalty steps that run inside another service's transaction — earning (and
// spending) on a sale in the order's own transaction, taking back on a refund (loyalty_refund.cc),
// and the helpers every loyalty write shares (the account, appending to the ledger and to the
// count journal, measuring tiers and visits, issuing a coupon, claiming an idempotency key).
// Callers hold the customer's lock (CustomerRepository::LockForUpdate).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/principal.h"
#include "domain/coupon.h"
#include "domain/loyalty.h"
#include "domain/order.h"
#include "store/transaction.h"

namespace crm::app {

// What a sale did to the customer's standing, for the order response.
struct SaleLoyalty {
  std::string unit;  // "points", "stamps", "stars" or "" (visit ranks)
  int64_t earned = 0;
  int64_t redeemed = 0;
  int64_t balance = 0;
  std::string tier_name;
  std::optional<std::string> promoted_to;  // the tier reached by this sale
  std::vector<domain::Coupon> rewards;     // coupons the sale earned (stamp cards, stars, tiers)
  std::string note;                        // the multipliers applied
  bool visit_counted = false;  // the sale opened a visit (by the program's visit rule)
  int64_t visits = 0;          // the customer's visits so far, by that rule
  // Why the sale earned nothing although it would have: "older_than_expiry" for an order whose
  // units would already have expired (a late sync of an old sale); empty otherwise.
  std::string not_earned_reason;
  std::optional<Timestamp> expired_at;  // with "older_than_expiry": when its units expired
};

// Claims the principal's idempotency key (if any) in this transaction: kAlreadyExists when it was
// used before, and then nothing of the transaction may commit.
Status ClaimIdempotency(store::Transaction& tx, const Principal& principal, Timestamp now);

// The customer's account, created on first use with a fresh referral code.
Result<domain::LoyaltyAccount> LoadAccount(store::Transaction& tx, BusinessId business, CustomerId customer,
                                           Timestamp now);

// Appends the entry (business and customer from the account) and saves the new balance.
Result<domain::LedgerEntry> AppendEntry(store::Transaction& tx, BusinessId business, domain::LoyaltyAccount& account,
                                        domain::LedgerEntry entry, Timestamp now);

// Appends a row to the count journal (business and customer from the account's owner).
Result<int64_t> AppendCount(store::Transaction& tx, BusinessId business, CustomerId customer,
                            domain::LoyaltyCount count, Timestamp now);

// The tier metric over the program's window and since the standing's latest qualification, at
// `now`; `utc_offset_minutes` is the business's (visit metrics count business days).
Result<domain::TierMeasure> MeasureTier(store::Transaction& tx, const domain::Program& program, BusinessId business,
                                        const domain::Customer& customer, const domain::TierState& standing,
                                        int utc_offset_minutes, Timestamp now);

// The customer's visits by the program's visit rule.
Result<int64_t> VisitCount(store::Transaction& tx, const domain::Program& program, BusinessId business,
                           CustomerId customer, int utc_offset_minutes);

// Where the customer stands in the program's tiers now, measured from `current` (the customer's
// stats must be up to date): EvaluateTier over the program's metric. Writes nothing.
Result<domain::TierChange> ReevaluateTier(store::Transaction& tx, const domain::Program& program, BusinessId business,
                                          const domain::Customer& customer, const domain::TierState& current,
                                          Timestamp now);

// Issues a coupon with a fresh unguessable code.
Result<domain::Coupon> IssueCouponIn(store::Transaction& tx, domain::Coupon coupon);

// A gacha draw in [0, total_weight) from a 32-byte seed: the first 8-byte block of libsodium's
// deterministic stream for the seed that lies below the largest multiple of the total weight,
// modulo the weight. Uniform (so the published odds are exact) and repeatable from the seed.
uint64_t GachaDrawFromSeed(const unsigned char (&seed)[32], int64_t total_weight);

// Earns for a sale (and spends `redeem_units` on it) after the customer's stats include it:
// multipliers, tier evaluation and promotion, rewards, and the referral reward on a friend's first
// paid order. nullopt for an anonymous sale or a business without a program. kFailedPrecondition
// ("points_redeemed") when the redemption breaks a rule.
Result<std::optional<SaleLoyalty>> PostSaleLoyalty(store::Transaction& tx, const Principal& principal,
                                                   const domain::Order& sale, int64_t redeem_units, Timestamp now);

// The loyalty of a sale that was posted before (a replay), from its ledger entries.
Result<std::optional<SaleLoyalty>> ReplayedSaleLoyalty(store::Transaction& tx, const domain::Order& sale);

// Takes back the refunded share of what `original` earned (the tier metric and the reward counter
// in full, the balance as far as the program's reversal policy allows) and gives back the share
// it spent. Unused coupons the sale issued are voided — every one on a full refund; on a partial
// refund a reward whose stamps or stars the refund takes back, and a tier's welcome coupon when
// the refund undoes the promotion — and what a voided reward cost comes back to the balance,
// all in the ledger. The tier is evaluated again, with no keep for a promotion the refunded sale
// made. A full refund of a friend's first order also takes back both referral rewards.
Status ReverseRefundLoyalty(store::Transaction& tx, const Principal& principal, const domain::Order& refund,
                            const domain::Order& original, Money refunded_before, Timestamp now);

}  // namespace crm::app
