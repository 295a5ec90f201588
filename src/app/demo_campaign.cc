#include "app/demo_campaign.h"

#include <fmt/format.h>

#include "app/analytics_service.h"
#include "app/campaign_service.h"
#include "app/customer_service.h"
#include "app/loyalty_service.h"
#include "app/order_service.h"
#include "app/segment_service.h"
#include "store/campaign_repository.h"
#include "store/consent_repository.h"
#include "store/customer_repository.h"
#include "store/loyalty_repository.h"
#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kKstOffsetSeconds = 9 * 3600;
constexpr int64_t kMaxAudience = 3000;
constexpr int64_t kLapsedDays = 30;    // no visit in the month before the campaign ...
constexpr int64_t kLookbackDays = 365;  // ... but one in the year before that
constexpr int kClaimBatch = 500;

constexpr const char* kSenderNumber = "0212345678";
constexpr const char* kContact = "02-1234-5678";
constexpr const char* kOptOutNumber = "080-500-1234";

// Out of 1000, per recipient: who comes back on their own (either group), who of the treated uses
// the coupon on such a visit, and who of the treated comes back because of the message.
constexpr uint64_t kOrganicPerMille = 70;
constexpr uint64_t kOrganicCouponPerMille = 40;
constexpr uint64_t kPromptedPerMille = 100;

struct MenuItem {
  const char* product;
  const char* category;
  int64_t price;
};
constexpr MenuItem kAmericano{"아메리카노", "커피", 4500};
constexpr MenuItem kExtras[] = {
    {"카페라떼", "커피", 5000},       {"치즈케이크", "디저트", 6500}, {"크루아상", "베이커리", 4000},
    {"바닐라라떼", "커피", 5500},     {"티라미수", "디저트", 7000},   {"샌드위치", "식사", 8500},
};

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// 11:00 in Seoul, `days_ago` local days before `now`.
Timestamp LocalMorning(Timestamp now, int64_t days_ago) {
  const int64_t local_seconds = now.seconds() + kKstOffsetSeconds;
  int64_t day = local_seconds / kSecondsPerDay;
  if (local_seconds < 0 && local_seconds % kSecondsPerDay != 0) --day;
  return Timestamp::FromSeconds((day - days_ago) * kSecondsPerDay + 11 * 3600 - kKstOffsetSeconds);
}

Status WriteMessagingSettings(store::Database& database, BusinessId business, Timestamp at) {
  return database.Write([&](store::Transaction& tx) -> Status {
    store::ConsentRepository consents(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::MessagingSettings settings, consents.Settings(business));
    settings.business_id = business;
    settings.contact = kContact;
    settings.opt_out_number = kOptOutNumber;
    settings.updated_at = at;
    CRM_RETURN_IF_ERROR(domain::ValidateMessagingSettings(settings));
    CRM_RETURN_IF_ERROR(consents.SaveSettings(settings));
    domain::SenderNumber number;
    number.business_id = business;
    number.number = kSenderNumber;
    number.label = "본점 대표번호";
    number.registered_at = at;
    return consents.AddSenderNumber(number).status();
  });
}

// Customers whose last visit lies in [at - lookback, at - lapsed): none of them has an order after
// the campaign, so the sales added below keep every customer's history in time order.
Result<std::vector<CustomerId>> LapsedCustomers(store::Database& database, BusinessId business, Timestamp at) {
  std::vector<CustomerId> ids;
  CRM_RETURN_IF_ERROR(database.Read([&](store::Transaction& tx) -> Status {
    store::CustomerFilter filter;
    filter.last_visit_before = at.PlusSeconds(-kLapsedDays * kSecondsPerDay);
    filter.last_visit_after = at.PlusSeconds(-kLookbackDays * kSecondsPerDay);
    filter.as_of = at;
    filter.limit = 1000;
    while (static_cast<int64_t>(ids.size()) < kMaxAudience) {
      CRM_ASSIGN_OR_RETURN(auto page, tx.customers().List(business, filter));
      if (page.empty()) break;
      for (const domain::Customer& customer : page) {
        if (static_cast<int64_t>(ids.size()) < kMaxAudience) ids.push_back(customer.id);
      }
      filter.after = page.back().id;
    }
    return Status::Ok();
  }));
  return ids;
}

// Claims the campaign's messages as the dispatcher would and records what a provider answered:
// accepted at once, delivered a few seconds later.
Status MarkDelivered(store::Database& database, BusinessId business, Timestamp at) {
  for (;;) {
    int64_t claimed = 0;
    CRM_RETURN_IF_ERROR(database.Write([&](store::Transaction& tx) -> Status {
      store::OutboxRepository outbox(tx.connection());
      CRM_ASSIGN_OR_RETURN(auto messages, outbox.ClaimDue(at, at.PlusSeconds(120), "demo", kClaimBatch, business));
      claimed = static_cast<int64_t>(messages.size());
      std::vector<store::MessageOutcome> outcomes;
      std::vector<store::DeliveryUpdate> reports;
      for (const domain::OutboxMessage& message : messages) {
        store::MessageOutcome outcome;
        outcome.id = message.id;
        outcome.claim_token = "demo";
        outcome.status = domain::MessageStatus::kSent;
        outcome.provider_message_id = fmt::format("DEMO{:010d}", message.id.value());
        outcome.provider_status_code = "2000";
        outcome.at = at.PlusSeconds(1);
        outcomes.push_back(std::move(outcome));
        store::DeliveryUpdate report;
        report.business_id = business;
        report.idempotency_key = message.idempotency_key;
        report.status = domain::MessageStatus::kDelivered;
        report.provider_status_code = "4000";
        report.at = at.PlusSeconds(5 + static_cast<int64_t>(Mix(message.id.value()) % 60));
        reports.push_back(std::move(report));
      }
      CRM_RETURN_IF_ERROR(outbox.RecordOutcomes(outcomes).status());
      return outbox.ApplyDeliveryReports(reports).status();
    }));
    if (claimed < kClaimBatch) return Status::Ok();
  }
}

domain::Order ReturnSale(const DemoCampaignOptions& options, CustomerId customer, uint64_t roll, bool with_coupon,
                         Timestamp at) {
  domain::Order order;
  order.business_id = options.business_id;
  order.customer_id = customer;
  order.branch_id = options.branches[roll % options.branches.size()];
  order.staff_id = options.owner;
  order.ordered_at = at;
  order.created_at = at;
  const MenuItem& extra = kExtras[(roll >> 8) % std::size(kExtras)];
  int64_t total = 0;
  auto add = [&](const MenuItem& item, int64_t quantity) {
    order.lines.push_back({item.product, item.category, quantity, Money(item.price)});
    total += quantity * item.price;
  };
  // A coupon visit has the free americano and, most of the time, something bought beside it.
  if (with_coupon || (roll >> 16) % 2 == 0) add(kAmericano, 1);
  if (!with_coupon || (roll >> 20) % 10 < 7) add(extra, 1 + static_cast<int64_t>((roll >> 24) % 4 == 0));
  order.total = Money(total);
  return order;
}

class DemoCampaign {
 public:
  DemoCampaign(store::Database& database, const DemoCampaignOptions& options)
      : database_(database),
        options_(options),
        clock_(LocalMorning(options.now, kDemoCampaignDaysAgo)),
        analytics_(database, clock_),
        segments_(database, clock_, analytics_),
        customers_(database, clock_),
        campaigns_(database, clock_, analytics_, segments_, customers_),
        loyalty_(database, clock_),
        orders_(database, clock_) {
    owner_.business_id = options.business_id;
    owner_.staff_id = options.owner;
    owner_.role = domain::Role::kOwner;
  }

  Result<DemoCampaignSummary> Run();

 private:
  Result<domain::Campaign> Queue(const std::vector<CustomerId>& audience);
  Status FollowUp(CampaignId campaign, Timestamp sent_at);

  store::Database& database_;
  const DemoCampaignOptions& options_;
  ManualClock clock_;
  AnalyticsService analytics_;
  SegmentService segments_;
  CustomerService customers_;
  CampaignService campaigns_;
  LoyaltyService loyalty_;
  OrderService orders_;
  Principal owner_;
  DemoCampaignSummary summary_;
};

Result<domain::Campaign> DemoCampaign::Queue(const std::vector<CustomerId>& audience) {
  domain::CouponTemplate coupon;
  coupon.name = "다시 만나요 아메리카노 1잔";
  coupon.kind = domain::CouponKind::kFreeItem;
  coupon.value = kAmericano.price;
  coupon.validity = domain::CouponValidity::kDays;
  coupon.valid_days = kDemoCampaignWindowDays;
  coupon.per_customer_limit = 1;
  CRM_ASSIGN_OR_RETURN(domain::CouponTemplate stored, loyalty_.CreateTemplate(owner_, coupon));

  domain::Campaign draft;
  draft.name = "다시 만나요: 한 달 넘게 못 뵌 손님께 아메리카노";
  draft.purpose = domain::Purpose::kAdvertising;
  draft.channel = domain::Channel::kSms;
  draft.audience_kind = domain::AudienceKind::kCustomerIds;
  for (CustomerId id : audience) {
    if (!draft.audience_value.empty()) draft.audience_value += ',';
    draft.audience_value += std::to_string(id.value());
  }
  draft.body =
      "#{이름}님, 오랜만이에요! 다시 오시면 아메리카노 한 잔을 드릴게요. 쿠폰 #{쿠폰코드} (2주간, 전 지점)\n"
      "#{수신거부}";
  draft.sender_number = kSenderNumber;
  draft.coupon_template_id = stored.id;
  draft.control_share_permille = 100;
  draft.seed = static_cast<int64_t>(Mix(options_.seed ^ 0xCA3F) & 0x7fffffffffffffffULL) | 1;
  CRM_ASSIGN_OR_RETURN(domain::Campaign created, campaigns_.Create(owner_, draft));
  return campaigns_.Schedule(owner_, created.id, std::nullopt);
}

// In the fortnight after the campaign: per recipient, a roll of the seed and the customer id says
// whether they come back, when, and with or without the coupon.
Status DemoCampaign::FollowUp(CampaignId campaign, Timestamp sent_at) {
  std::vector<domain::CampaignRecipient> recipients;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(recipients, store::CampaignRepository(tx.connection()).Recipients(options_.business_id, campaign));
    return Status::Ok();
  }));
  for (const domain::CampaignRecipient& recipient : recipients) {
    if (recipient.group == domain::RecipientGroup::kExcluded) continue;
    const bool treated = recipient.group == domain::RecipientGroup::kTreated;
    const uint64_t roll = Mix(options_.seed ^ Mix(static_cast<uint64_t>(recipient.customer_id.value())));
    const uint64_t chance = roll % 1000;
    const bool organic = chance < kOrganicPerMille;
    const bool prompted = treated && chance >= kOrganicPerMille && chance < kOrganicPerMille + kPromptedPerMille;
    if (!organic && !prompted) continue;
    const bool with_coupon = treated && recipient.coupon_id && (prompted || chance < kOrganicCouponPerMille);
    // Prompted customers come sooner; the coupon runs out after the window.
    const int64_t day = prompted ? 1 + static_cast<int64_t>((roll >> 32) % 7)
                                 : 1 + static_cast<int64_t>((roll >> 32) % (kDemoCampaignWindowDays - 2));
    const int64_t minutes = static_cast<int64_t>((roll >> 40) % (9 * 60));  // 10:00 to 19:00
    const Timestamp at = sent_at.PlusSeconds(day * kSecondsPerDay - 3600 + minutes * 60);
    clock_.Set(at);
    CRM_ASSIGN_OR_RETURN(PostedOrder posted,
                         orders_.PostSale(owner_, ReturnSale(options_, recipient.customer_id, roll, with_coupon, at)));
    ++summary_.orders;
    summary_.lines += static_cast<int64_t>(posted.order.lines.size());
    if (!with_coupon) continue;
    std::string code;
    CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
      CRM_ASSIGN_OR_RETURN(domain::Coupon coupon, tx.coupons().Get(options_.business_id, *recipient.coupon_id));
      code = coupon.code;
      return Status::Ok();
    }));
    CRM_RETURN_IF_ERROR(loyalty_
                            .RedeemCoupon(owner_, code, recipient.customer_id, posted.order.branch_id,
                                          posted.order.id, std::nullopt)
                            .status());
    ++summary_.redemptions;
  }
  return Status::Ok();
}

Result<DemoCampaignSummary> DemoCampaign::Run() {
  const Timestamp sent_at = clock_.Now();
  CRM_RETURN_IF_ERROR(WriteMessagingSettings(database_, options_.business_id, sent_at.PlusSeconds(-30 * kSecondsPerDay)));
  CRM_ASSIGN_OR_RETURN(std::vector<CustomerId> audience, LapsedCustomers(database_, options_.business_id, sent_at));
  if (audience.empty() || options_.branches.empty()) return summary_;
  CRM_ASSIGN_OR_RETURN(domain::Campaign campaign, Queue(audience));
  summary_.campaign_id = campaign.id;
  summary_.audience = campaign.audience_count;
  summary_.treated = campaign.treated_count;
  summary_.control = campaign.control_count;
  CRM_RETURN_IF_ERROR(MarkDelivered(database_, options_.business_id, sent_at.PlusSeconds(1)));
  CRM_RETURN_IF_ERROR(FollowUp(campaign.id, sent_at));
  // Everything it sent is final: the campaign is done.
  return store::WriteValue<DemoCampaignSummary>(database_, [&](store::Transaction& tx) -> Result<DemoCampaignSummary> {
    store::CampaignRepository campaigns(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::Campaign stored, campaigns.GetForUpdate(options_.business_id, campaign.id));
    stored.status = domain::CampaignStatus::kDone;
    stored.updated_at = sent_at.PlusSeconds(kDemoCampaignWindowDays * kSecondsPerDay);
    CRM_RETURN_IF_ERROR(campaigns.Update(stored));
    return summary_;
  });
}

}  // namespace

Result<DemoCampaignSummary> SeedDemoCampaign(store::Database& database, const DemoCampaignOptions& options) {
  auto campaign = std::make_unique<DemoCampaign>(database, options);
  return campaign->Run();
}

}  // namespace crm::app
