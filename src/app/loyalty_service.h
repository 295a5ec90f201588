// LoyaltyService: the business's program, customers' balances and ledgers, redemption, manual
// adjustment, expiry, the liability report, coupons, referrals and the gacha. Earning and reversal
// happen inside the order's own transaction through LoyaltyPosting (loyalty_posting.h); everything
// here opens its own transaction. Writes lock the customer first, so two counters redeeming the
// same balance at once are serialised and the second sees what the first left. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "domain/coupon.h"
#include "domain/loyalty.h"
#include "store/database.h"
#include "store/loyalty_repository.h"

namespace crm::app {

// What the counter shows about a customer's standing.
struct AccountView {
  std::optional<domain::Program> program;  // unset: the business has no program
  domain::LoyaltyAccount account;
  std::string tier_name;
  std::optional<std::string> next_tier_name;
  int64_t tier_metric = 0;             // the metric the tiers are measured on, now
  int64_t to_next_tier = 0;            // how much more of it reaches the next tier
  int64_t visit_count = 0;             // visits by the program's visit rule
  int64_t reward_progress = 0;         // units counted towards the tier's next reward
  int64_t expiring_within_30_days = 0;
  std::optional<Timestamp> next_expiry;
  std::vector<domain::Coupon> coupons;  // usable now
  std::optional<CustomerId> referrer_id;
  int64_t referral_count = 0;
};

// The standing shown with a profile: no program, no summary.
struct LoyaltySummary {
  std::string unit;
  int64_t balance = 0;
  std::optional<std::string> tier;
};

struct LedgerPage {
  std::vector<domain::LedgerEntry> entries;
  std::optional<LedgerEntryId> next_cursor;
};

// The result of a redemption or an adjustment: the entry written and the balance after it.
struct LedgerWrite {
  domain::LedgerEntry entry;
  int64_t balance = 0;
};

struct RedeemRequest {
  int64_t amount = 0;
  BranchId branch_id;
  std::optional<OrderId> order_id;  // the order the points pay for; limits and refunds use it
  std::string reason;
};

struct ExpiryRun {
  int64_t customers = 0;
  int64_t entries = 0;
  int64_t units = 0;
};

struct ExpiringCustomer {
  CustomerId customer_id;
  int64_t units = 0;
  Timestamp first_expiry;
};

struct LiabilityReport {
  int64_t total = 0;
  std::vector<store::LiabilityRow> rows;  // by branch of origin and expiry month
};

struct CouponRedemption {
  domain::Coupon coupon;
  Money discount;  // what it takes off the order amount given
};

class LoyaltyService {
 public:
  LoyaltyService(store::Database& database, const Clock& clock);

  // The program, or nullopt when none is set.
  Result<std::optional<domain::Program>> GetProgram(const Principal& principal);
  // Owner only (kPermissionDenied); kInvalidArgument naming the field.
  Result<domain::Program> SetProgram(const Principal& principal, domain::Program program);

  // The balance and tier for a profile; nullopt when the business has no program.
  Result<std::optional<LoyaltySummary>> Summary(const Principal& principal, CustomerId customer);
  // kNotFound when the customer is not the business's.
  Result<AccountView> Account(const Principal& principal, CustomerId customer);
  Result<LedgerPage> Ledger(const Principal& principal, CustomerId customer, std::optional<LedgerEntryId> before,
                            int limit);
  Result<std::vector<domain::TierChangeRecord>> TierChanges(const Principal& principal, CustomerId customer);

  // Spends units. kFailedPrecondition ("amount") when the balance is short, below the program's
  // minimum before use, or over the share of the order points may pay; kPermissionDenied for a
  // branch the principal may not use; kFailedPrecondition when the business has no program.
  Result<LedgerWrite> Redeem(const Principal& principal, CustomerId customer, const RedeemRequest& request);
  // Manager or owner; a reason is required. A negative adjustment may not take the balance
  // below zero.
  Result<LedgerWrite> Adjust(const Principal& principal, CustomerId customer, int64_t amount, std::string reason,
                             std::optional<BranchId> branch);

  // Expires every award of the business that is due at `now`. Idempotent.
  Result<ExpiryRun> RunExpiry(BusinessId business);
  // Customers with units expiring in the next `days` days.
  Result<std::vector<ExpiringCustomer>> ExpiringSoon(const Principal& principal, int days);
  // Outstanding units by branch of origin and expiry month. Manager or owner.
  Result<LiabilityReport> Liability(const Principal& principal);
  // Accounts whose balance is not the sum of their ledger (empty when all is well).
  Result<std::vector<store::BalanceMismatch>> Verify(std::optional<BusinessId> business);

  Result<domain::CouponTemplate> CreateTemplate(const Principal& principal, domain::CouponTemplate coupon_template);
  Result<std::vector<domain::CouponTemplate>> Templates(const Principal& principal);
  // Issues a coupon from a template (manager or owner); kFailedPrecondition when the per-customer
  // limit is reached or the template is inactive or over.
  Result<domain::Coupon> IssueCoupon(const Principal& principal, CustomerId customer, CouponTemplateId id);
  Result<std::vector<domain::Coupon>> Coupons(const Principal& principal, CustomerId customer);
  // Uses a coupon at the counter against an order amount (unset: the coupon's face value, which a
  // percent-off coupon does not have: kInvalidArgument "amount"); kNotFound for an unknown code;
  // kFailedPrecondition ("code") for an expired, used, voided or another customer's coupon.
  Result<CouponRedemption> RedeemCoupon(const Principal& principal, const std::string& code, CustomerId customer,
                                        BranchId branch, std::optional<OrderId> order, std::optional<Money> amount);
  Status VoidCoupon(const Principal& principal, CouponId id);

  // Links a customer to the referrer whose code they joined with. kNotFound for an unknown code;
  // kFailedPrecondition for self-referral (the same customer or the same phone) or a customer who
  // already has a referrer or an order.
  Result<domain::Referral> JoinWithReferral(const Principal& principal, CustomerId customer, const std::string& code);
  Result<std::vector<domain::Referral>> Referrals(const Principal& principal, CustomerId referrer);

  // One gacha draw for a customer who joined the Kakao channel; once per customer
  // (kAlreadyExists with the first draw's result otherwise). kFailedPrecondition without a table.
  Result<domain::GachaDraw> DrawGacha(const Principal& principal, CustomerId customer);

 private:
  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
