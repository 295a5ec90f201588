#include "store/campaign_repository.h"

namespace crm::store {
namespace {

#define CAMPAIGN_COLUMNS                                                                                        \
  "id, business_id, name, purpose, channel, fallback_channel, audience_kind, audience_value, subject, body, "  \
  "sender_number, coupon_template_id, scheduled_at, night_policy, status, control_share_permille, seed, "      \
  "audience_count, treated_count, control_count, excluded_count, cost_estimate, created_by, created_at, "      \
  "updated_at, queued_at"

constexpr Statement kInsert{
    "campaign.insert",
    "INSERT INTO campaigns (business_id, name, purpose, channel, fallback_channel, audience_kind, audience_value, "
    "subject, body, sender_number, coupon_template_id, scheduled_at, night_policy, status, control_share_permille, "
    "seed, audience_count, treated_count, control_count, excluded_count, cost_estimate, created_by, created_at, "
    "updated_at, queued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
    "$18, $19, $20, $21, $22, $23, $24, $25) RETURNING id"};
constexpr Statement kGet{"campaign.get",
                         "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE business_id = $1 AND id = $2"};
constexpr Statement kGetForUpdate{
    "campaign.get_for_update", "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE business_id = $1 AND id = $2",
    "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE business_id = $1 AND id = $2 FOR UPDATE"};
constexpr Statement kList{"campaign.list",
                          "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE business_id = $1 ORDER BY id DESC"};
constexpr Statement kDue{"campaign.due",
                         "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE status = 2 AND scheduled_at <= $1 "
                         "ORDER BY scheduled_at, id LIMIT $2"};
constexpr Statement kUpdate{
    "campaign.update",
    "UPDATE campaigns SET name = $3, purpose = $4, channel = $5, fallback_channel = $6, audience_kind = $7, "
    "audience_value = $8, subject = $9, body = $10, sender_number = $11, coupon_template_id = $12, "
    "scheduled_at = $13, night_policy = $14, status = $15, control_share_permille = $16, seed = $17, "
    "audience_count = $18, treated_count = $19, control_count = $20, excluded_count = $21, cost_estimate = $22, "
    "created_by = $23, updated_at = $24, queued_at = $25 WHERE business_id = $1 AND id = $2 RETURNING id"};
constexpr Statement kInsertRecipient{
    "campaign.recipient_insert",
    "INSERT INTO campaign_recipients (business_id, campaign_id, customer_id, grp, exclusion, channel, coupon_id, "
    "queued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr Statement kRecipients{
    "campaign.recipients",
    "SELECT customer_id, grp, exclusion, channel, coupon_id, queued_at FROM campaign_recipients "
    "WHERE business_id = $1 AND campaign_id = $2 ORDER BY customer_id"};
constexpr Statement kCountAdvertising{
    "campaign.count_advertising",
    "SELECT COUNT(*) FROM campaign_recipients r JOIN campaigns c ON c.business_id = r.business_id AND "
    "c.id = r.campaign_id WHERE r.business_id = $1 AND r.customer_id = $2 AND r.queued_at >= $3 AND r.grp = 1 "
    "AND c.purpose = 2"};
constexpr Statement kAdvertisingCounts{
    "campaign.advertising_counts",
    "SELECT r.customer_id, COUNT(*) FROM campaign_recipients r JOIN campaigns c ON c.business_id = r.business_id "
    "AND c.id = r.campaign_id WHERE r.business_id = $1 AND r.queued_at >= $2 AND r.grp = 1 AND c.purpose = 2 "
    "GROUP BY r.customer_id"};
// Sales count as visits; refunds lower the revenue of the window they fall in.
constexpr Statement kOutcomes{
    "campaign.outcomes",
    "SELECT r.customer_id, r.grp, "
    "COALESCE((SELECT COUNT(*) FROM orders o WHERE o.business_id = r.business_id AND o.customer_id = r.customer_id "
    "AND o.kind = 1 AND o.ordered_at >= $3 AND o.ordered_at < $4), 0), "
    "COALESCE((SELECT SUM(o.total) FROM orders o WHERE o.business_id = r.business_id AND "
    "o.customer_id = r.customer_id AND o.ordered_at >= $3 AND o.ordered_at < $4), 0), "
    "CASE WHEN EXISTS (SELECT 1 FROM coupons k WHERE k.business_id = r.business_id AND k.id = r.coupon_id AND "
    "k.status = 2 AND k.redeemed_at >= $3 AND k.redeemed_at < $4) THEN 1 ELSE 0 END "
    "FROM campaign_recipients r WHERE r.business_id = $1 AND r.campaign_id = $2 AND r.grp IN (1, 2) "
    "ORDER BY r.customer_id"};
constexpr Statement kCampaignOfCoupon{
    "campaign.of_coupon",
    "SELECT campaign_id FROM campaign_recipients WHERE business_id = $1 AND coupon_id = $2"};
constexpr Statement kForCustomer{
    "campaign.for_customer",
    "SELECT c.id, c.name, c.purpose, r.customer_id, r.grp, r.exclusion, r.channel, r.coupon_id, r.queued_at "
    "FROM campaign_recipients r JOIN campaigns c ON c.business_id = r.business_id AND c.id = r.campaign_id "
    "WHERE r.business_id = $1 AND r.customer_id = $2 ORDER BY r.queued_at DESC, c.id DESC"};

template <typename Enum>
SqlValue OptionalEnum(const std::optional<Enum>& value) {
  return value ? SqlValue(static_cast<int64_t>(*value)) : SqlValue(nullptr);
}

SqlValue OptionalTime(const std::optional<Timestamp>& value) {
  return value ? SqlValue(value->micros()) : SqlValue(nullptr);
}

// Parameters $3..$25 of insert (shifted by one) and update.
std::vector<SqlValue> Fields(const domain::Campaign& c) {
  return {Text(c.name),
          Int(static_cast<int64_t>(c.purpose)),
          Int(static_cast<int64_t>(c.channel)),
          OptionalEnum(c.fallback_channel),
          Int(static_cast<int64_t>(c.audience_kind)),
          Text(c.audience_value),
          Text(c.subject),
          Text(c.body),
          Text(c.sender_number),
          c.coupon_template_id ? Int(c.coupon_template_id->value()) : Null(),
          OptionalTime(c.scheduled_at),
          Int(static_cast<int64_t>(c.night_policy)),
          Int(static_cast<int64_t>(c.status)),
          Int(c.control_share_permille),
          Int(c.seed),
          Int(c.audience_count),
          Int(c.treated_count),
          Int(c.control_count),
          Int(c.excluded_count),
          Int(c.cost_estimate),
          c.created_by ? Int(c.created_by->value()) : Null()};
}

std::optional<Timestamp> TimeAt(const Row& row, size_t i) {
  if (auto v = row.GetOptionalInt(i)) return Timestamp::FromMicros(*v);
  return std::nullopt;
}

domain::Campaign CampaignFromRow(const Row& row) {
  domain::Campaign c;
  c.id = CampaignId(row.GetInt(0));
  c.business_id = BusinessId(row.GetInt(1));
  c.name = row.GetText(2);
  c.purpose = static_cast<domain::Purpose>(row.GetInt(3));
  c.channel = static_cast<domain::Channel>(row.GetInt(4));
  if (auto v = row.GetOptionalInt(5)) c.fallback_channel = static_cast<domain::Channel>(*v);
  c.audience_kind = static_cast<domain::AudienceKind>(row.GetInt(6));
  c.audience_value = row.GetText(7);
  c.subject = row.GetText(8);
  c.body = row.GetText(9);
  c.sender_number = row.GetText(10);
  if (auto v = row.GetOptionalInt(11)) c.coupon_template_id = CouponTemplateId(*v);
  c.scheduled_at = TimeAt(row, 12);
  c.night_policy = static_cast<domain::NightPolicy>(row.GetInt(13));
  c.status = static_cast<domain::CampaignStatus>(row.GetInt(14));
  c.control_share_permille = row.GetInt(15);
  c.seed = row.GetInt(16);
  c.audience_count = row.GetInt(17);
  c.treated_count = row.GetInt(18);
  c.control_count = row.GetInt(19);
  c.excluded_count = row.GetInt(20);
  c.cost_estimate = row.GetInt(21);
  if (auto v = row.GetOptionalInt(22)) c.created_by = StaffId(*v);
  c.created_at = Timestamp::FromMicros(row.GetInt(23));
  c.updated_at = Timestamp::FromMicros(row.GetInt(24));
  c.queued_at = TimeAt(row, 25);
  return c;
}

domain::CampaignRecipient RecipientFromRow(const Row& row, size_t first) {
  domain::CampaignRecipient r;
  r.customer_id = CustomerId(row.GetInt(first));
  r.group = static_cast<domain::RecipientGroup>(row.GetInt(first + 1));
  if (auto v = row.GetOptionalInt(first + 2)) r.exclusion = static_cast<domain::ExclusionReason>(*v);
  if (auto v = row.GetOptionalInt(first + 3)) r.channel = static_cast<domain::Channel>(*v);
  if (auto v = row.GetOptionalInt(first + 4)) r.coupon_id = CouponId(*v);
  r.queued_at = Timestamp::FromMicros(row.GetInt(first + 5));
  return r;
}

}  // namespace

Result<domain::Campaign> CampaignRepository::Create(domain::Campaign campaign) {
  std::vector<SqlValue> params{Int(campaign.business_id.value())};
  for (SqlValue& value : Fields(campaign)) params.push_back(std::move(value));
  params.push_back(Int(campaign.created_at.micros()));
  params.push_back(Int(campaign.updated_at.micros()));
  params.push_back(OptionalTime(campaign.queued_at));
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kInsert, params));
  campaign.id = CampaignId(rows.at(0).GetInt(0));
  return campaign;
}

Result<domain::Campaign> CampaignRepository::GetWith(const Statement& statement, BusinessId business,
                                                     CampaignId id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(statement, {Int(business.value()), Int(id.value())}));
  if (rows.empty()) return NotFound("campaign not found");
  return CampaignFromRow(rows.front());
}

Result<domain::Campaign> CampaignRepository::Get(BusinessId business, CampaignId id) {
  return GetWith(kGet, business, id);
}

Result<domain::Campaign> CampaignRepository::GetForUpdate(BusinessId business, CampaignId id) {
  return GetWith(kGetForUpdate, business, id);
}

Result<std::vector<domain::Campaign>> CampaignRepository::List(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kList, {Int(business.value())}));
  std::vector<domain::Campaign> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(CampaignFromRow(row));
  return out;
}

Result<std::vector<domain::Campaign>> CampaignRepository::DueScheduled(Timestamp now, int limit) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kDue, {Int(now.micros()), Int(limit)}));
  std::vector<domain::Campaign> out;
  for (const Row& row : rows) out.push_back(CampaignFromRow(row));
  return out;
}

Status CampaignRepository::Update(const domain::Campaign& campaign) {
  std::vector<SqlValue> params{Int(campaign.business_id.value()), Int(campaign.id.value())};
  for (SqlValue& value : Fields(campaign)) params.push_back(std::move(value));
  params.push_back(Int(campaign.updated_at.micros()));
  params.push_back(OptionalTime(campaign.queued_at));
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kUpdate, params));
  if (rows.empty()) return NotFound("campaign not found");
  return Status::Ok();
}

Status CampaignRepository::InsertRecipient(BusinessId business, CampaignId campaign,
                                           const domain::CampaignRecipient& r) {
  return connection_.Execute(
      kInsertRecipient, {Int(business.value()), Int(campaign.value()), Int(r.customer_id.value()),
                         Int(static_cast<int64_t>(r.group)), OptionalEnum(r.exclusion), OptionalEnum(r.channel),
                         r.coupon_id ? Int(r.coupon_id->value()) : Null(), Int(r.queued_at.micros())});
}

Result<std::vector<domain::CampaignRecipient>> CampaignRepository::Recipients(BusinessId business,
                                                                                CampaignId campaign) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRecipients, {Int(business.value()), Int(campaign.value())}));
  std::vector<domain::CampaignRecipient> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(RecipientFromRow(row, 0));
  return out;
}

Result<int64_t> CampaignRepository::CountAdvertisingSince(BusinessId business, CustomerId customer,
                                                          Timestamp since) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCountAdvertising, {Int(business.value()),
                                                                        Int(customer.value()), Int(since.micros())}));
  return rows.empty() ? 0 : rows.front().GetInt(0);
}

Result<std::vector<std::pair<CustomerId, int64_t>>> CampaignRepository::AdvertisingCountsSince(BusinessId business,
                                                                                              Timestamp since) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kAdvertisingCounts, {Int(business.value()), Int(since.micros())}));
  std::vector<std::pair<CustomerId, int64_t>> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.emplace_back(CustomerId(row.GetInt(0)), row.GetInt(1));
  return out;
}

Result<std::vector<RecipientOutcome>> CampaignRepository::Outcomes(BusinessId business, CampaignId campaign,
                                                                   Timestamp from, Timestamp until) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kOutcomes, {Int(business.value()), Int(campaign.value()),
                                                                Int(from.micros()), Int(until.micros())}));
  std::vector<RecipientOutcome> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back({CustomerId(row.GetInt(0)), static_cast<domain::RecipientGroup>(row.GetInt(1)), row.GetInt(2),
                   row.GetInt(3), row.GetInt(4) != 0});
  }
  return out;
}

Result<std::optional<CampaignId>> CampaignRepository::CampaignOfCoupon(BusinessId business, CouponId coupon) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kCampaignOfCoupon, {Int(business.value()), Int(coupon.value())}));
  if (rows.empty()) return std::optional<CampaignId>();
  return std::optional<CampaignId>(CampaignId(rows.front().GetInt(0)));
}

Result<std::vector<CustomerCampaignEntry>> CampaignRepository::ForCustomer(BusinessId business,
                                                                           CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kForCustomer, {Int(business.value()), Int(customer.value())}));
  std::vector<CustomerCampaignEntry> out;
  for (const Row& row : rows) {
    out.push_back({CampaignId(row.GetInt(0)), row.GetText(1), static_cast<domain::Purpose>(row.GetInt(2)),
                   RecipientFromRow(row, 3)});
  }
  return out;
}

}  // namespace crm::store
