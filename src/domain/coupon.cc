#include "domain/coupon.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "domain/prospect.h"

namespace crm::domain {
namespace {

constexpr std::array<std::pair<const char*, CouponKind>, 3> kKinds{
    {{"percent_off", CouponKind::kPercentOff}, {"amount_off", CouponKind::kAmountOff}, {"free_item", CouponKind::kFreeItem}}};
constexpr std::array<std::pair<const char*, CouponValidity>, 3> kValidities{
    {{"same_day", CouponValidity::kSameDay}, {"days", CouponValidity::kDays}, {"date_range", CouponValidity::kDateRange}}};
constexpr std::array<std::pair<const char*, CouponSource>, 9> kSources{{{"manual", CouponSource::kManual},
                                                                        {"tier", CouponSource::kTier},
                                                                        {"rule", CouponSource::kRule},
                                                                        {"stamp_reward", CouponSource::kStampReward},
                                                                        {"referral", CouponSource::kReferral},
                                                                        {"gacha", CouponSource::kGacha},
                                                                        {"star_reward", CouponSource::kStarReward},
                                                                        {"campaign", CouponSource::kCampaign},
                                                                        {"automation", CouponSource::kAutomation}}};
constexpr std::array<std::pair<const char*, CouponStatus>, 3> kStatuses{
    {{"issued", CouponStatus::kIssued}, {"redeemed", CouponStatus::kRedeemed}, {"voided", CouponStatus::kVoided}}};

constexpr char kCodeAlphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";  // no 0/O, 1/I/L
constexpr int64_t kDayMicros = 86'400LL * 1'000'000;

template <typename Enum, size_t N>
const char* NameOf(const std::array<std::pair<const char*, Enum>, N>& names, Enum value) {
  for (const auto& [name, candidate] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> ParseName(const std::array<std::pair<const char*, Enum>, N>& names, std::string_view text) {
  for (const auto& [name, value] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

// The UTC moment at which local day `date` begins.
Timestamp LocalMidnight(Date date, int utc_offset_minutes) {
  return Timestamp::FromMicros(DaysFromCivil(date.year, date.month, date.day) * kDayMicros -
                               int64_t{utc_offset_minutes} * 60'000'000);
}

}  // namespace

const char* ToString(CouponKind kind) { return NameOf(kKinds, kind); }
std::optional<CouponKind> ParseCouponKind(std::string_view text) { return ParseName(kKinds, text); }
const char* ToString(CouponValidity validity) { return NameOf(kValidities, validity); }
std::optional<CouponValidity> ParseCouponValidity(std::string_view text) { return ParseName(kValidities, text); }
const char* ToString(CouponSource source) { return NameOf(kSources, source); }
const char* ToString(CouponStatus status) { return NameOf(kStatuses, status); }

Coupon CouponFromTemplate(const CouponTemplate& t, CustomerId customer, CouponSource source, Timestamp issued_at,
                          Timestamp expires_at, std::optional<StaffId> issued_by) {
  Coupon coupon;
  coupon.business_id = t.business_id;
  coupon.template_id = t.id;
  coupon.customer_id = customer;
  coupon.name = t.name;
  coupon.kind = t.kind;
  coupon.value = t.value;
  coupon.source = source;
  coupon.issued_at = issued_at;
  coupon.expires_at = expires_at;
  coupon.issued_by = issued_by;
  return coupon;
}

Status ValidateCouponTemplate(const CouponTemplate& t) {
  if (t.name.empty() || t.name.size() > 200) return InvalidArgument("must be 1 to 200 bytes", "name");
  if (t.kind == CouponKind::kPercentOff && (t.value < 1 || t.value > 100)) {
    return InvalidArgument("a percentage from 1 to 100", "value");
  }
  if (t.kind != CouponKind::kPercentOff && (t.value < 1 || t.value > 100'000'000)) {
    return InvalidArgument("an amount in won from 1 to 100,000,000", "value");
  }
  if (t.validity == CouponValidity::kDays && (t.valid_days < 1 || t.valid_days > 3'650)) {
    return InvalidArgument("must be from 1 to 3650", "valid_days");
  }
  if (t.validity == CouponValidity::kDateRange) {
    if (!t.valid_from || !t.valid_from->IsValid()) return InvalidArgument("a date is required", "valid_from");
    if (!t.valid_until || !t.valid_until->IsValid() || *t.valid_until < *t.valid_from) {
      return InvalidArgument("a date on or after valid_from is required", "valid_until");
    }
  }
  if (t.per_customer_limit < 0 || t.per_customer_limit > 1'000) {
    return InvalidArgument("must be from 0 (no limit) to 1000", "per_customer_limit");
  }
  return Status::Ok();
}

Result<Timestamp> CouponExpiry(const CouponTemplate& t, Timestamp issued_at, int utc_offset_minutes) {
  const DayBounds today = LocalDay(issued_at, utc_offset_minutes);
  switch (t.validity) {
    case CouponValidity::kSameDay:
      return today.end;
    case CouponValidity::kDays:
      return today.end.PlusSeconds((t.valid_days - 1) * 86'400);
    case CouponValidity::kDateRange: {
      const Date after = CivilFromDays(DaysFromCivil(t.valid_until->year, t.valid_until->month, t.valid_until->day) + 1);
      const Timestamp end = LocalMidnight(after, utc_offset_minutes);
      if (end <= issued_at) {
        return FailedPrecondition("the template's date range has ended", "template_id")
            .WithReason("coupon_template_ended");
      }
      return end;
    }
  }
  return today.end;
}

Status CheckRedeemable(const Coupon& coupon, CustomerId customer, Timestamp now) {
  if (coupon.customer_id != customer) {
    return FailedPrecondition("this coupon belongs to another customer", "code").WithReason("coupon_other_customer");
  }
  if (coupon.status == CouponStatus::kRedeemed) {
    return FailedPrecondition("this coupon has already been used", "code").WithReason("coupon_used");
  }
  if (coupon.status == CouponStatus::kVoided) {
    return FailedPrecondition("this coupon has been voided", "code").WithReason("coupon_voided");
  }
  if (now >= coupon.expires_at) {
    return FailedPrecondition("this coupon has expired", "code").WithReason("coupon_expired");
  }
  return Status::Ok();
}

Money CouponDiscount(const Coupon& coupon, Money amount) {
  const int64_t base = std::max<int64_t>(amount.minor_units(), 0);
  switch (coupon.kind) {
    case CouponKind::kPercentOff:
      return Money(base * coupon.value / 100);
    case CouponKind::kAmountOff:
    case CouponKind::kFreeItem:
      return Money(std::min(base, coupon.value));
  }
  return Money();
}

std::string CouponCodeFromBytes(const unsigned char (&bytes)[8]) {
  uint64_t value = 0;
  for (unsigned char byte : bytes) value = (value << 8) | byte;
  std::string code;
  for (int i = 0; i < 12; ++i) {
    code.push_back(kCodeAlphabet[value % 31]);
    value /= 31;
  }
  return code;
}

std::string NormalizeCouponCode(std::string_view code) {
  std::string normalized;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    normalized.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return normalized;
}

}  // namespace crm::domain
