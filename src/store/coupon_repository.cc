// CouponRepository and IdempotencyRepository (declared in loyalty_repository.h).
#include <algorithm>

#include "store/loyalty_repository.h"

namespace crm::store {
namespace {

#define TEMPLATE_COLUMNS \
  "id, business_id, name, kind, value, validity, valid_days, valid_from, valid_until, per_customer_limit, active, " \
  "created_at"
constexpr Statement kInsertTemplate{
    "coupon.insert_template",
    "INSERT INTO coupon_templates (business_id, name, kind, value, validity, valid_days, valid_from, valid_until, "
    "per_customer_limit, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"};
constexpr Statement kGetTemplate{"coupon.get_template",
                                 "SELECT " TEMPLATE_COLUMNS " FROM coupon_templates WHERE business_id = $1 AND id = $2"};
constexpr Statement kListTemplates{"coupon.list_templates",
                                   "SELECT " TEMPLATE_COLUMNS " FROM coupon_templates WHERE business_id = $1 ORDER BY id"};

#define COUPON_COLUMNS                                                                                          \
  "id, business_id, template_id, customer_id, code, name, kind, value, source, status, issued_at, expires_at, " \
  "issued_by, redeemed_at, redeemed_branch_id, redeemed_order_id, order_id, ledger_entry_id"
constexpr Statement kInsertCoupon{
    "coupon.insert",
    "INSERT INTO coupons (business_id, template_id, customer_id, code, name, kind, value, source, status, issued_at, "
    "expires_at, issued_by, order_id, ledger_entry_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, "
    "$13) RETURNING id"};
constexpr Statement kCouponsOfOrder{
    "coupon.of_order",
    "SELECT " COUPON_COLUMNS " FROM coupons WHERE business_id = $1 AND order_id = $2 ORDER BY id"};
constexpr Statement kCouponByCode{"coupon.by_code",
                                  "SELECT " COUPON_COLUMNS " FROM coupons WHERE business_id = $1 AND code = $2"};
constexpr Statement kCouponById{"coupon.by_id",
                                "SELECT " COUPON_COLUMNS " FROM coupons WHERE business_id = $1 AND id = $2"};
constexpr Statement kCouponsForCustomer{
    "coupon.for_customer",
    "SELECT " COUPON_COLUMNS " FROM coupons WHERE business_id = $1 AND customer_id = $2 ORDER BY id DESC LIMIT 500"};
constexpr Statement kCountIssued{
    "coupon.count_issued",
    "SELECT COUNT(*) FROM coupons WHERE business_id = $1 AND customer_id = $2 AND template_id = $3 AND status <> 3"};
constexpr Statement kMarkRedeemed{
    "coupon.mark_redeemed",
    "UPDATE coupons SET status = 2, redeemed_at = $3, redeemed_branch_id = $4, redeemed_order_id = $5, "
    "redeemed_by = $6 WHERE business_id = $1 AND id = $2 AND status = 1 RETURNING id"};
constexpr Statement kRestoreRedeemed{
    "coupon.restore_redeemed",
    "UPDATE coupons SET status = 1, redeemed_at = NULL, redeemed_branch_id = NULL, redeemed_order_id = NULL, "
    "redeemed_by = NULL WHERE business_id = $1 AND id = $2 AND status = 2 RETURNING id"};
constexpr Statement kMarkVoided{"coupon.mark_voided",
                                "UPDATE coupons SET status = 3 WHERE business_id = $1 AND id = $2 AND status = 1 "
                                "RETURNING id"};

constexpr Statement kInsertReferral{
    "referral.insert",
    "INSERT INTO referrals (business_id, customer_id, referrer_id, created_at) VALUES ($1, $2, $3, $4)"};
constexpr Statement kGetReferral{
    "referral.get",
    "SELECT customer_id, referrer_id, rewarded_order_id, created_at, rewarded_at, friend_entry_id, referrer_entry_id "
    "FROM referrals "
    "WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kSetReferralReward{
    "referral.set_reward",
    "UPDATE referrals SET rewarded_order_id = $3, rewarded_at = $4, friend_entry_id = $5, referrer_entry_id = $6 "
    "WHERE business_id = $1 AND customer_id = $2"};
constexpr Statement kReferralsBy{
    "referral.by_referrer",
    "SELECT customer_id, referrer_id, rewarded_order_id, created_at, rewarded_at, friend_entry_id, referrer_entry_id "
    "FROM referrals "
    "WHERE business_id = $1 AND referrer_id = $2 ORDER BY created_at, customer_id LIMIT 1000"};

constexpr Statement kInsertDraw{
    "gacha.insert",
    "INSERT INTO gacha_draws (business_id, customer_id, seed, draw, total_weight, prize_index, prize_label, points, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
constexpr Statement kGetDraw{
    "gacha.get",
    "SELECT customer_id, seed, draw, total_weight, prize_index, prize_label, points, created_at FROM gacha_draws "
    "WHERE business_id = $1 AND customer_id = $2"};

constexpr Statement kFindKey{"idempotency.find",
                             "SELECT request_hash, status, response, owner FROM idempotency_keys "
                             "WHERE business_id = $1 AND idem_key = $2"};
constexpr Statement kClaimKey{
    "idempotency.claim",
    "INSERT INTO idempotency_keys (business_id, idem_key, request_hash, status, response, created_at, owner) "
    "VALUES ($1, $2, $3, 0, '', $4, $5)"};
constexpr Statement kCompleteKey{
    "idempotency.complete",
    "INSERT INTO idempotency_keys (business_id, idem_key, request_hash, status, response, created_at, owner) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (business_id, idem_key) DO UPDATE SET status = excluded.status, "
    "response = excluded.response"};

template <typename IdType>
SqlValue OptionalIdValue(const std::optional<IdType>& id) {
  return id ? Int(id->value()) : Null();
}

SqlValue OptionalDate(const std::optional<Date>& date) { return date ? Text(date->ToString()) : Null(); }

std::optional<Date> ReadDate(const Row& row, size_t column) {
  if (row.IsNull(column)) return std::nullopt;
  auto date = Date::Parse(row.GetText(column));
  if (!date.ok()) return std::nullopt;
  return *date;
}

domain::CouponTemplate ReadTemplate(const Row& row) {
  domain::CouponTemplate t;
  t.id = CouponTemplateId(row.GetInt(0));
  t.business_id = BusinessId(row.GetInt(1));
  t.name = row.GetText(2);
  t.kind = static_cast<domain::CouponKind>(row.GetInt(3));
  t.value = row.GetInt(4);
  t.validity = static_cast<domain::CouponValidity>(row.GetInt(5));
  t.valid_days = row.GetInt(6);
  t.valid_from = ReadDate(row, 7);
  t.valid_until = ReadDate(row, 8);
  t.per_customer_limit = row.GetInt(9);
  t.active = row.GetInt(10) != 0;
  t.created_at = Timestamp::FromMicros(row.GetInt(11));
  return t;
}

domain::Coupon ReadCoupon(const Row& row) {
  domain::Coupon c;
  c.id = CouponId(row.GetInt(0));
  c.business_id = BusinessId(row.GetInt(1));
  if (auto v = row.GetOptionalInt(2)) c.template_id = CouponTemplateId(*v);
  c.customer_id = CustomerId(row.GetInt(3));
  c.code = row.GetText(4);
  c.name = row.GetText(5);
  c.kind = static_cast<domain::CouponKind>(row.GetInt(6));
  c.value = row.GetInt(7);
  c.source = static_cast<domain::CouponSource>(row.GetInt(8));
  c.status = static_cast<domain::CouponStatus>(row.GetInt(9));
  c.issued_at = Timestamp::FromMicros(row.GetInt(10));
  c.expires_at = Timestamp::FromMicros(row.GetInt(11));
  if (auto v = row.GetOptionalInt(12)) c.issued_by = StaffId(*v);
  if (auto v = row.GetOptionalInt(13)) c.redeemed_at = Timestamp::FromMicros(*v);
  if (auto v = row.GetOptionalInt(14)) c.redeemed_branch_id = BranchId(*v);
  if (auto v = row.GetOptionalInt(15)) c.redeemed_order_id = OrderId(*v);
  if (auto v = row.GetOptionalInt(16)) c.order_id = OrderId(*v);
  if (auto v = row.GetOptionalInt(17)) c.ledger_entry_id = LedgerEntryId(*v);
  return c;
}

domain::Referral ReadReferral(const Row& row) {
  domain::Referral r;
  r.customer_id = CustomerId(row.GetInt(0));
  r.referrer_id = CustomerId(row.GetInt(1));
  if (auto v = row.GetOptionalInt(2)) r.rewarded_order_id = OrderId(*v);
  r.created_at = Timestamp::FromMicros(row.GetInt(3));
  if (auto v = row.GetOptionalInt(4)) r.rewarded_at = Timestamp::FromMicros(*v);
  if (auto v = row.GetOptionalInt(5)) r.friend_entry_id = LedgerEntryId(*v);
  if (auto v = row.GetOptionalInt(6)) r.referrer_entry_id = LedgerEntryId(*v);
  return r;
}

}  // namespace

Result<domain::CouponTemplate> CouponRepository::InsertTemplate(domain::CouponTemplate t) {
  CRM_ASSIGN_OR_RETURN(
      auto rows, connection_.Query(kInsertTemplate,
                                   {Int(t.business_id.value()), Text(t.name), Int(static_cast<int64_t>(t.kind)),
                                    Int(t.value), Int(static_cast<int64_t>(t.validity)), Int(t.valid_days),
                                    OptionalDate(t.valid_from), OptionalDate(t.valid_until),
                                    Int(t.per_customer_limit), Int(t.active ? 1 : 0), Int(t.created_at.micros())}));
  t.id = CouponTemplateId(rows.at(0).GetInt(0));
  return t;
}

Result<domain::CouponTemplate> CouponRepository::GetTemplate(BusinessId business, CouponTemplateId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGetTemplate, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("coupon template not found");
  return ReadTemplate(rows[0]);
}

Result<std::vector<domain::CouponTemplate>> CouponRepository::ListTemplates(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListTemplates, {Int(business.value())}));
  std::vector<domain::CouponTemplate> templates;
  for (const Row& row : rows) templates.push_back(ReadTemplate(row));
  return templates;
}

Result<domain::Coupon> CouponRepository::Insert(domain::Coupon c) {
  CRM_ASSIGN_OR_RETURN(
      auto rows,
      connection_.Query(kInsertCoupon, {Int(c.business_id.value()), OptionalIdValue(c.template_id),
                                        Int(c.customer_id.value()), Text(c.code), Text(c.name),
                                        Int(static_cast<int64_t>(c.kind)), Int(c.value),
                                        Int(static_cast<int64_t>(c.source)), Int(c.issued_at.micros()),
                                        Int(c.expires_at.micros()), OptionalIdValue(c.issued_by),
                                        OptionalIdValue(c.order_id), OptionalIdValue(c.ledger_entry_id)}));
  c.id = CouponId(rows.at(0).GetInt(0));
  c.status = domain::CouponStatus::kIssued;
  return c;
}

Result<std::optional<domain::Coupon>> CouponRepository::FindByCode(BusinessId business, const std::string& code) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCouponByCode, {Int(business.value()), Text(code)}));
  if (rows.empty()) return std::optional<domain::Coupon>();
  return std::optional<domain::Coupon>(ReadCoupon(rows[0]));
}

Result<domain::Coupon> CouponRepository::Get(BusinessId business, CouponId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCouponById, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("coupon not found");
  return ReadCoupon(rows[0]);
}

Result<std::vector<domain::Coupon>> CouponRepository::ListForCustomer(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCouponsForCustomer, {Int(business.value()), Int(customer.value())}));
  std::vector<domain::Coupon> coupons;
  for (const Row& row : rows) coupons.push_back(ReadCoupon(row));
  return coupons;
}

Result<std::vector<domain::Coupon>> CouponRepository::IssuedBySale(BusinessId business, OrderId order) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCouponsOfOrder, {Int(business.value()), Int(order.value())}));
  std::vector<domain::Coupon> coupons;
  for (const Row& row : rows) coupons.push_back(ReadCoupon(row));
  return coupons;
}

Result<int64_t> CouponRepository::CountIssued(BusinessId business, CustomerId customer,
                                              CouponTemplateId coupon_template) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCountIssued, {Int(business.value()), Int(customer.value()),
                                                                   Int(coupon_template.value())}));
  return rows.at(0).GetInt(0);
}

Status CouponRepository::MarkRedeemed(BusinessId business, CouponId id, Timestamp at, BranchId branch,
                                      std::optional<OrderId> order, std::optional<StaffId> by) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kMarkRedeemed, {Int(business.value()), Int(id.value()),
                                                                    Int(at.micros()), Int(branch.value()),
                                                                    OptionalIdValue(order), OptionalIdValue(by)}));
  if (rows.empty()) return FailedPrecondition("this coupon has already been used", "code").WithReason("coupon_used");
  return Status::Ok();
}

Status CouponRepository::RestoreRedeemed(BusinessId business, CouponId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRestoreRedeemed, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return FailedPrecondition("this coupon is not used", "id").WithReason("coupon_not_used");
  return Status::Ok();
}

Status CouponRepository::MarkVoided(BusinessId business, CouponId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kMarkVoided, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) {
    return FailedPrecondition("only an unused coupon can be voided", "id").WithReason("coupon_not_issued");
  }
  return Status::Ok();
}

Status CouponRepository::InsertReferral(BusinessId business, const domain::Referral& referral) {
  return connection_.Execute(kInsertReferral, {Int(business.value()), Int(referral.customer_id.value()),
                                               Int(referral.referrer_id.value()), Int(referral.created_at.micros())});
}

Result<std::optional<domain::Referral>> CouponRepository::GetReferral(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGetReferral, {Int(business.value()), Int(customer.value())}));
  if (rows.empty()) return std::optional<domain::Referral>();
  return std::optional<domain::Referral>(ReadReferral(rows[0]));
}

Status CouponRepository::SetReferralReward(BusinessId business, const domain::Referral& referral) {
  return connection_.Execute(kSetReferralReward,
                             {Int(business.value()), Int(referral.customer_id.value()),
                              OptionalIdValue(referral.rewarded_order_id),
                              referral.rewarded_at ? Int(referral.rewarded_at->micros()) : Null(),
                              OptionalIdValue(referral.friend_entry_id), OptionalIdValue(referral.referrer_entry_id)});
}

Result<std::vector<domain::Referral>> CouponRepository::ReferralsBy(BusinessId business, CustomerId referrer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kReferralsBy, {Int(business.value()), Int(referrer.value())}));
  std::vector<domain::Referral> referrals;
  for (const Row& row : rows) referrals.push_back(ReadReferral(row));
  return referrals;
}

Status CouponRepository::InsertGachaDraw(BusinessId business, const domain::GachaDraw& d) {
  return connection_.Execute(kInsertDraw, {Int(business.value()), Int(d.customer_id.value()), Text(d.seed_hex),
                                           Int(static_cast<int64_t>(d.draw)), Int(d.total_weight),
                                           Int(d.prize_index), Text(d.prize_label), Int(d.points),
                                           Int(d.created_at.micros())});
}

Result<std::optional<domain::GachaDraw>> CouponRepository::GetGachaDraw(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGetDraw, {Int(business.value()), Int(customer.value())}));
  if (rows.empty()) return std::optional<domain::GachaDraw>();
  const Row& row = rows[0];
  domain::GachaDraw d;
  d.customer_id = CustomerId(row.GetInt(0));
  d.seed_hex = row.GetText(1);
  d.draw = static_cast<uint64_t>(row.GetInt(2));
  d.total_weight = row.GetInt(3);
  d.prize_index = row.GetInt(4);
  d.prize_label = row.GetText(5);
  d.points = row.GetInt(6);
  d.created_at = Timestamp::FromMicros(row.GetInt(7));
  return std::optional<domain::GachaDraw>(std::move(d));
}

Result<std::optional<IdempotencyRecord>> IdempotencyRepository::Find(BusinessId business, const std::string& key) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindKey, {Int(business.value()), Text(key)}));
  if (rows.empty()) return std::optional<IdempotencyRecord>();
  return std::optional<IdempotencyRecord>(
      IdempotencyRecord{rows[0].GetText(0), static_cast<int>(rows[0].GetInt(1)), rows[0].GetText(2),
                        rows[0].GetText(3)});
}

Status IdempotencyRepository::Claim(BusinessId business, const std::string& key, const std::string& request_hash,
                                    const std::string& owner, Timestamp now) {
  return connection_.Execute(kClaimKey,
                             {Int(business.value()), Text(key), Text(request_hash), Int(now.micros()), Text(owner)});
}

Status IdempotencyRepository::Complete(BusinessId business, const std::string& key, const std::string& request_hash,
                                       const std::string& owner, int status, const std::string& response,
                                       Timestamp now) {
  return connection_.Execute(kCompleteKey, {Int(business.value()), Text(key), Text(request_hash), Int(status),
                                            Text(response), Int(now.micros()), Text(owner)});
}

}  // namespace crm::store
