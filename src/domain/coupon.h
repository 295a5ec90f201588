// Coupons: templates a business defines (% off, amount off, a free item; valid the same day, for N
// days or in a date range; a limit per customer) and the one-time coupons issued from them or by
// the program (stamp and star rewards, referrals). The rules here decide when a coupon expires,
// whether it can be redeemed and what it takes off an order.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/ids.h"
#include "common/money.h"
#include "common/status.h"
#include "common/time.h"

namespace crm {
using CouponId = Id<struct CouponTag>;
using CouponTemplateId = Id<struct CouponTemplateTag>;
using LedgerEntryId = Id<struct LedgerEntryTag>;
}  // namespace crm

namespace crm::domain {

// Persisted: the values never change.
enum class CouponKind { kPercentOff = 1, kAmountOff = 2, kFreeItem = 3 };
enum class CouponValidity { kSameDay = 1, kDays = 2, kDateRange = 3 };
enum class CouponSource { kManual = 1, kTier = 2, kRule = 3, kStampReward = 4, kReferral = 5, kGacha = 6, kStarReward = 7, kCampaign = 8, kAutomation = 9 };
enum class CouponStatus { kIssued = 1, kRedeemed = 2, kVoided = 3 };

const char* ToString(CouponKind kind);
std::optional<CouponKind> ParseCouponKind(std::string_view text);
const char* ToString(CouponValidity validity);
std::optional<CouponValidity> ParseCouponValidity(std::string_view text);
const char* ToString(CouponSource source);
const char* ToString(CouponStatus status);

struct CouponTemplate {
  CouponTemplateId id = {};
  BusinessId business_id = {};
  std::string name = {};
  CouponKind kind = CouponKind::kAmountOff;
  int64_t value = 0;  // percent for kPercentOff; won off, or the free item's maximum worth
  CouponValidity validity = CouponValidity::kDays;
  int64_t valid_days = 30;
  std::optional<Date> valid_from = {};   // kDateRange, local dates, inclusive
  std::optional<Date> valid_until = {};
  int64_t per_customer_limit = 0;  // 0: no limit
  bool active = true;
  Timestamp created_at = {};
};

struct Coupon {
  CouponId id;
  BusinessId business_id;
  std::optional<CouponTemplateId> template_id;
  CustomerId customer_id;
  std::string code;
  std::string name;
  CouponKind kind = CouponKind::kFreeItem;
  int64_t value = 0;
  CouponSource source = CouponSource::kManual;
  CouponStatus status = CouponStatus::kIssued;
  Timestamp issued_at;
  Timestamp expires_at;  // the first moment it is no longer valid
  std::optional<StaffId> issued_by;
  std::optional<Timestamp> redeemed_at;
  std::optional<BranchId> redeemed_branch_id;
  std::optional<OrderId> redeemed_order_id;
  // The sale that issued it (a reward, a tier's welcome coupon, a rule's coupon) and the ledger
  // entry that paid for it (a stamp or star reward): a refund of the sale voids it while unused.
  std::optional<OrderId> order_id;
  std::optional<LedgerEntryId> ledger_entry_id;
};

// A coupon of the template for `customer`, without its code (the issuer draws one).
Coupon CouponFromTemplate(const CouponTemplate& coupon_template, CustomerId customer, CouponSource source,
                          Timestamp issued_at, Timestamp expires_at, std::optional<StaffId> issued_by);

// kInvalidArgument naming the field.
Status ValidateCouponTemplate(const CouponTemplate& coupon_template);

// When a coupon issued at `issued_at` from the template stops being valid (local midnight after
// its last valid day), or kFailedPrecondition when a date range has already ended.
Result<Timestamp> CouponExpiry(const CouponTemplate& coupon_template, Timestamp issued_at, int utc_offset_minutes);

// OK when `customer` may redeem the coupon at `now`; kFailedPrecondition ("code") saying why not:
// already used, voided, expired, or another customer's.
Status CheckRedeemable(const Coupon& coupon, CustomerId customer, Timestamp now);

// What the coupon takes off an order whose eligible amount is `amount`.
Money CouponDiscount(const Coupon& coupon, Money amount);

// Codes are 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L), from 8 random bytes.
std::string CouponCodeFromBytes(const unsigned char (&bytes)[8]);
// Upper-cases and drops spaces and dashes so "abcd-efgh-jkmn" finds "ABCDEFGHJKMN".
std::string NormalizeCouponCode(std::string_view code);

}  // namespace crm::domain
