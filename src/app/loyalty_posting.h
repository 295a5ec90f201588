// LoyaltyPosting: the loyalty steps that run inside another service's transaction — earning (and
// spending) on a sale in the order's own transaction, taking back on a refund, and the helpers
// every loyalty write shares (the account, appending to the ledger, issuing a coupon, claiming an
// idempotency key). Callers hold the customer's lock (CustomerRepository::LockForUpdate).
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

// Takes back the refunded share of what `original` earned and gives back the share it spent;
// a full refund of a friend's first order also takes back both referral rewards.
Status ReverseRefundLoyalty(store::Transaction& tx, const Principal& principal, const domain::Order& refund,
                            const domain::Order& original, Money refunded_before, Timestamp now);

}  // namespace crm::app
