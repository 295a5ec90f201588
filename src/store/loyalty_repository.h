// Loyalty storage: the business's program, customers' accounts, the append-only ledger and tier
// changes (LoyaltyRepository); coupon templates and coupons, referrals and gacha draws
// (CouponRepository); and the idempotency keys of counter and POS writes (IdempotencyRepository).
// Every call is scoped by business. Not thread-safe; each lives inside one Transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/coupon.h"
#include "domain/loyalty.h"
#include "store/sql.h"

namespace crm::store {

// Outstanding units of one branch of origin and one expiry month ("2027-03", or "" for never).
struct LiabilityRow {
  std::optional<BranchId> branch_id;
  std::string expiry_month;
  int64_t units = 0;
};

// An account whose stored balance differs from the sum of its ledger.
struct BalanceMismatch {
  BusinessId business_id;
  CustomerId customer_id;
  int64_t stored = 0;
  int64_t ledger = 0;
};

class LoyaltyRepository {
 public:
  explicit LoyaltyRepository(SqlConnection& connection) : connection_(connection) {}

  // The program, or nullopt when the business has none.
  Result<std::optional<domain::Program>> GetProgram(BusinessId business);
  Status SaveProgram(BusinessId business, const domain::Program& program, Timestamp now);

  // The account, or nullopt when the customer never had one.
  Result<std::optional<domain::LoyaltyAccount>> GetAccount(BusinessId business, CustomerId customer);
  // kAlreadyExists when the referral code is taken (the caller draws another).
  Status CreateAccount(BusinessId business, const domain::LoyaltyAccount& account);
  Status SaveAccount(BusinessId business, const domain::LoyaltyAccount& account);
  Result<std::optional<CustomerId>> FindByReferralCode(BusinessId business, const std::string& code);

  // Appends an entry; returns its id.
  Result<LedgerEntryId> Append(const domain::LedgerEntry& entry);
  // Every entry of the customer, oldest first.
  Result<std::vector<domain::LedgerEntry>> Entries(BusinessId business, CustomerId customer);
  // Newest first, ids below `before` when given.
  Result<std::vector<domain::LedgerEntry>> Page(BusinessId business, CustomerId customer,
                                                std::optional<LedgerEntryId> before, int limit);
  Result<std::vector<domain::LedgerEntry>> EntriesForOrder(BusinessId business, OrderId order);
  // kNotFound when the entry is not the business's.
  Result<domain::LedgerEntry> Entry(BusinessId business, LedgerEntryId id);
  Result<int64_t> LedgerSum(BusinessId business, CustomerId customer);
  // Appends a row of the count journal; returns its id.
  Result<int64_t> AppendCount(const domain::LoyaltyCount& count);
  // The count rows of an order (a sale's own, or a refund's), oldest first.
  Result<std::vector<domain::LoyaltyCount>> CountsForOrder(BusinessId business, OrderId order);
  // The tier metric of earned units: the tier units of the count rows counting from `since` on.
  Result<int64_t> TierUnitsSince(BusinessId business, CustomerId customer, Timestamp since);
  // The customer's counter towards a tier's reward: the sum of every row's reward units.
  Result<int64_t> RewardProgress(BusinessId business, CustomerId customer);
  // The customer's sales at or after `since` that are not refunded in full, as visit counting
  // sees them.
  Result<std::vector<domain::VisitSale>> VisitSales(BusinessId business, CustomerId customer, Timestamp since);
  // Customers holding awards that expire at or before `now` and have no expire entry yet.
  Result<std::vector<CustomerId>> CustomersWithDueAwards(BusinessId business, Timestamp now, int limit,
                                                         std::optional<CustomerId> after);
  // Customers with awards expiring in (now, until], with the units those awards were given.
  Result<std::vector<CustomerId>> CustomersWithAwardsExpiring(BusinessId business, Timestamp now, Timestamp until,
                                                              std::optional<CustomerId> after, int limit);
  // Customer ids that have ledger entries, ascending, after `after`.
  Result<std::vector<CustomerId>> CustomersWithEntries(BusinessId business, std::optional<CustomerId> after,
                                                       int limit);
  // Accounts (of every business when `business` is unset) whose balance is not their ledger sum,
  // and ledger entries without an account.
  Result<std::vector<BalanceMismatch>> Mismatches(std::optional<BusinessId> business);

  Status AppendTierChange(BusinessId business, const domain::TierChangeRecord& change);
  Result<std::vector<domain::TierChangeRecord>> TierChanges(BusinessId business, CustomerId customer);

 private:
  SqlConnection& connection_;
};

class CouponRepository {
 public:
  explicit CouponRepository(SqlConnection& connection) : connection_(connection) {}

  Result<domain::CouponTemplate> InsertTemplate(domain::CouponTemplate coupon_template);
  Result<domain::CouponTemplate> GetTemplate(BusinessId business, CouponTemplateId id);
  Result<std::vector<domain::CouponTemplate>> ListTemplates(BusinessId business);

  // kAlreadyExists when the code is taken.
  Result<domain::Coupon> Insert(domain::Coupon coupon);
  Result<std::optional<domain::Coupon>> FindByCode(BusinessId business, const std::string& code);
  Result<domain::Coupon> Get(BusinessId business, CouponId id);
  Result<std::vector<domain::Coupon>> ListForCustomer(BusinessId business, CustomerId customer);
  // The coupons a sale issued (rewards, tier welcome coupons, rule coupons), oldest first.
  Result<std::vector<domain::Coupon>> IssuedBySale(BusinessId business, OrderId order);
  Result<int64_t> CountIssued(BusinessId business, CustomerId customer, CouponTemplateId coupon_template);
  // Marks an issued coupon used; kFailedPrecondition when it was no longer issued (a concurrent use).
  Status MarkRedeemed(BusinessId business, CouponId id, Timestamp at, BranchId branch, std::optional<OrderId> order,
                      std::optional<StaffId> by = std::nullopt);
  // Makes a used coupon usable again (the undo of a use at the counter); kFailedPrecondition when
  // it is not used.
  Status RestoreRedeemed(BusinessId business, CouponId id);
  Status MarkVoided(BusinessId business, CouponId id);

  Status InsertReferral(BusinessId business, const domain::Referral& referral);
  Result<std::optional<domain::Referral>> GetReferral(BusinessId business, CustomerId customer);
  // Stores the reward fields of the referral (all unset again when a refund took it back).
  Status SetReferralReward(BusinessId business, const domain::Referral& referral);
  Result<std::vector<domain::Referral>> ReferralsBy(BusinessId business, CustomerId referrer);

  // kAlreadyExists when the customer has drawn already.
  Status InsertGachaDraw(BusinessId business, const domain::GachaDraw& draw);
  Result<std::optional<domain::GachaDraw>> GetGachaDraw(BusinessId business, CustomerId customer);

 private:
  SqlConnection& connection_;
};

// A stored idempotency key: the hash of the request that first used it, the principal that used
// it ("token:7", "staff:3"; empty for a key stored before owners were recorded) and, once it
// completed, the response (status 0 while the response is not yet recorded). A response never
// holds a secret: callers store it redacted.
struct IdempotencyRecord {
  std::string request_hash;
  int status = 0;
  std::string response;
  std::string owner;
};

class IdempotencyRepository {
 public:
  explicit IdempotencyRepository(SqlConnection& connection) : connection_(connection) {}
  Result<std::optional<IdempotencyRecord>> Find(BusinessId business, const std::string& key);
  // kAlreadyExists when the key was claimed before (possibly by a concurrent request).
  Status Claim(BusinessId business, const std::string& key, const std::string& request_hash,
               const std::string& owner, Timestamp now);
  // Records the response of the key's request, claimed earlier in the write's own transaction
  // or (when it was not claimed) now, for `owner`.
  Status Complete(BusinessId business, const std::string& key, const std::string& request_hash,
                  const std::string& owner, int status, const std::string& response, Timestamp now);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
