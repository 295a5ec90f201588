#include "app/campaign_service.h"

#include <sodium.h>

#include <fmt/format.h>

#include "app/campaign_plan.h"
#include "app/loyalty_posting.h"
#include "app/opt_out_link.h"
#include "domain/korean_text.h"
#include "domain/phone.h"
#include "store/business_repository.h"
#include "store/campaign_repository.h"
#include "store/consent_repository.h"
#include "store/loyalty_repository.h"
#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int kSampleCount = 10;
constexpr size_t kEnqueueChunk = 500;
constexpr size_t kMaxTestPhones = 5;

bool HoldsAtNight(const domain::Campaign& c) {
  return c.purpose == domain::Purpose::kAdvertising && c.channel != domain::Channel::kEmail;
}

std::string MaskedAddress(const domain::Customer& customer, domain::Channel channel) {
  if (channel == domain::Channel::kEmail) return domain::MaskEmail(customer.email);
  return domain::MaskPhone(customer.phone_e164);
}

// The opt-out key of the business, made on first use.
Result<domain::MessagingSettings> EnsureOptOutKey(store::Transaction& tx, BusinessId business, Timestamp now) {
  store::ConsentRepository consents(tx.connection());
  CRM_ASSIGN_OR_RETURN(domain::MessagingSettings settings, consents.Settings(business));
  if (!settings.opt_out_secret.empty()) return settings;
  settings.opt_out_secret = NewOptOutKey();
  settings.updated_at = now;
  CRM_RETURN_IF_ERROR(consents.SaveSettings(settings));
  return settings;
}

int64_t RandomSeed() {
  int64_t seed = 0;
  randombytes_buf(&seed, sizeof seed);
  return seed & 0x7fffffffffffffffLL;
}

}  // namespace

struct CampaignService::Plan {
  PlanContext context;
  std::vector<RecipientDecision> decisions;
};

CampaignService::CampaignService(store::Database& database, const Clock& clock, AnalyticsService& analytics,
                                 SegmentService& segments, CustomerService& customers)
    : database_(database), clock_(clock), analytics_(analytics), segments_(segments), customers_(customers) {}

Status CampaignService::CheckComposition(const Principal& principal, domain::Campaign& campaign) {
  CRM_RETURN_IF_ERROR(domain::ValidateCampaign(campaign));
  if (!campaign.sender_number.empty() && campaign.channel != domain::Channel::kEmail) {
    auto parsed = domain::ParsePhone(campaign.sender_number);
    if (!parsed.ok()) return InvalidArgument("not a phone number", "sender_number");
    campaign.sender_number = parsed->national;
  }
  return database_.Read([&](store::Transaction& tx) -> Status {
    if (campaign.coupon_template_id) {
      auto coupon_template = tx.coupons().GetTemplate(principal.business_id, *campaign.coupon_template_id);
      if (!coupon_template.ok()) return InvalidArgument("no such coupon template", "coupon_template_id");
    }
    CRM_ASSIGN_OR_RETURN(PlanContext context, LoadPlanContext(tx, principal.business_id, clock_.Now()));
    domain::Customer sample;
    sample.name = "홍길동";
    sample.phone_e164 = "+821000000000";
    sample.email = "sample@example.com";
    return ComposeFor(context, campaign, sample, "SAMPLE").status();
  });
}

Result<domain::Campaign> CampaignService::Create(const Principal& principal, domain::Campaign draft) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  draft.business_id = principal.business_id;
  draft.status = domain::CampaignStatus::kDraft;
  draft.created_by = principal.staff_id;
  draft.created_at = draft.updated_at = now;
  draft.queued_at.reset();
  if (draft.seed == 0) draft.seed = RandomSeed();
  CRM_RETURN_IF_ERROR(CheckComposition(principal, draft));
  return store::WriteValue<domain::Campaign>(database_, [&](store::Transaction& tx) -> Result<domain::Campaign> {
    CRM_RETURN_IF_ERROR(EnsureOptOutKey(tx, principal.business_id, now).status());
    return store::CampaignRepository(tx.connection()).Create(draft);
  });
}

Result<domain::Campaign> CampaignService::Update(const Principal& principal, CampaignId id, domain::Campaign draft) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  CRM_ASSIGN_OR_RETURN(domain::Campaign stored, Get(principal, id));
  if (stored.status != domain::CampaignStatus::kDraft) {
    return FailedPrecondition("only a draft can be changed", "status").WithReason("campaign_not_draft");
  }
  draft.id = id;
  draft.business_id = principal.business_id;
  draft.status = domain::CampaignStatus::kDraft;
  draft.created_by = stored.created_by;
  draft.created_at = stored.created_at;
  draft.updated_at = clock_.Now();
  if (draft.seed == 0) draft.seed = stored.seed;
  CRM_RETURN_IF_ERROR(CheckComposition(principal, draft));
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(domain::Campaign locked,
                         store::CampaignRepository(tx.connection()).GetForUpdate(principal.business_id, id));
    if (locked.status != domain::CampaignStatus::kDraft) {
      return FailedPrecondition("only a draft can be changed", "status").WithReason("campaign_not_draft");
    }
    return store::CampaignRepository(tx.connection()).Update(draft);
  }));
  return draft;
}

Result<std::vector<domain::Campaign>> CampaignService::List(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<std::vector<domain::Campaign>>(database_, [&](store::Transaction& tx) {
    return store::CampaignRepository(tx.connection()).List(principal.business_id);
  });
}

Result<domain::Campaign> CampaignService::Get(const Principal& principal, CampaignId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<domain::Campaign>(database_, [&](store::Transaction& tx) {
    return store::CampaignRepository(tx.connection()).Get(principal.business_id, id);
  });
}

Result<CampaignService::Plan> CampaignService::MakePlan(const Principal& principal, const domain::Campaign& campaign,
                                                        Timestamp send_at, int) {
  CRM_ASSIGN_OR_RETURN(std::vector<CustomerId> audience,
                       ResolveAudience(principal, campaign.audience_kind, campaign.audience_value));
  Plan plan;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(plan.context, LoadPlanContext(tx, principal.business_id, send_at));
    CRM_ASSIGN_OR_RETURN(plan.decisions, DecideAll(tx, plan.context, campaign, audience));
    return Status::Ok();
  }));
  return plan;
}

Result<CampaignPreview> CampaignService::Preview(const Principal& principal, const domain::Campaign& input) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  domain::Campaign campaign = input;
  campaign.business_id = principal.business_id;
  CRM_RETURN_IF_ERROR(domain::ValidateCampaign(campaign));
  const Timestamp send_at = campaign.scheduled_at.value_or(clock_.Now());
  CRM_ASSIGN_OR_RETURN(Plan plan, MakePlan(principal, campaign, send_at, kSampleCount));
  CampaignPreview preview;
  preview.audience = static_cast<int64_t>(plan.decisions.size());
  std::map<domain::Channel, int64_t> per_channel;
  bool first = true;
  for (const RecipientDecision& decision : plan.decisions) {
    if (decision.exclusion) {
      ++preview.exclusions[*decision.exclusion];
      continue;
    }
    ++preview.eligible;
    if (decision.control) {
      ++preview.control;
      continue;
    }
    ++preview.treated;
    CRM_ASSIGN_OR_RETURN(Composition composition, Compose(plan.context, campaign, decision.customer, "SAMPLE1234", decision.standing));
    ++per_channel[composition.message.channel];
    if (!first && preview.samples.size() >= kSampleCount) continue;
    // What the composer shows carries the masked name (김*수), never a customer's own: the
    // channel and the rules are the real message's.
    domain::Customer masked = decision.customer;
    masked.name = domain::MaskName(decision.customer.name);
    CRM_ASSIGN_OR_RETURN(Composition shown, Compose(plan.context, campaign, masked, "SAMPLE1234", decision.standing));
    if (first) {
      first = false;
      MessagePreview& m = preview.message;
      m.channel = composition.message.channel;
      m.subject = shown.message.subject;
      m.body = shown.message.body;
      m.violations = composition.violations;
    }
    if (preview.samples.size() < kSampleCount) {
      preview.samples.push_back({decision.customer.id, masked.name, MaskedAddress(decision.customer, campaign.channel),
                                 composition.message.channel, shown.message.body});
    }
  }
  if (first) {  // nobody to send to: show the message with sample values
    domain::Customer sample;
    sample.name = "홍길동";
    CRM_ASSIGN_OR_RETURN(Composition composition, Compose(plan.context, campaign, sample, "SAMPLE1234"));
    preview.message = {composition.message.channel, composition.message.subject, composition.message.body, 0, {},
                       composition.violations};
  }
  MessagePreview& m = preview.message;
  m.limit = domain::BodyLimit(m.channel);
  if (m.channel == domain::Channel::kAlimTalk || m.channel == domain::Channel::kBrandMessage) {
    m.length = domain::CharacterCount(m.body);
  } else if (m.channel == domain::Channel::kEmail) {
    m.length = static_cast<int64_t>(m.body.size());
  } else {
    auto bytes = domain::Cp949ByteLength(m.body);
    m.length = bytes.ok() ? *bytes : -1;
  }
  for (const auto& [channel, messages] : per_channel) {
    const int64_t price = UnitPrice(plan.context.settings, channel);
    preview.costs.push_back({channel, messages, price, messages * price});
    preview.total_cost += messages * price;
  }
  return preview;
}

Result<domain::Campaign> CampaignService::Schedule(const Principal& principal, CampaignId id,
                                                   std::optional<Timestamp> at) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  const Timestamp send_at = at && *at > now ? *at : now;
  CRM_ASSIGN_OR_RETURN(domain::Campaign campaign, Get(principal, id));
  if (campaign.status != domain::CampaignStatus::kDraft) {
    return FailedPrecondition("the campaign was queued already", "status").WithReason("campaign_not_draft");
  }
  CRM_ASSIGN_OR_RETURN(domain::Business business,
                       store::ReadValue<domain::Business>(database_, [&](store::Transaction& tx) {
                         return tx.businesses().Get(principal.business_id);
                       }));
  if (HoldsAtNight(campaign) && campaign.night_policy == domain::NightPolicy::kRefuse &&
      domain::InNightWindow(send_at, business.utc_offset_minutes)) {
    return InvalidArgument("advertising cannot be sent between 21:00 and 08:00 without night consent (ADV-02)",
                           "scheduled_at")
        .WithReason("night_hours");
  }
  campaign.scheduled_at = send_at;
  CRM_ASSIGN_OR_RETURN(Plan plan, MakePlan(principal, campaign, send_at, 0));
  domain::Campaign queued;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    store::CampaignRepository campaigns(tx.connection());
    CRM_ASSIGN_OR_RETURN(queued, campaigns.GetForUpdate(principal.business_id, id));
    if (queued.status != domain::CampaignStatus::kDraft) {
      return FailedPrecondition("the campaign was queued already", "status").WithReason("campaign_not_draft");
    }
    CRM_ASSIGN_OR_RETURN(plan.context.settings, EnsureOptOutKey(tx, principal.business_id, now));
    std::optional<domain::CouponTemplate> coupon_template;
    if (queued.coupon_template_id) {
      CRM_ASSIGN_OR_RETURN(coupon_template, tx.coupons().GetTemplate(principal.business_id, *queued.coupon_template_id));
    }
    queued.scheduled_at = send_at;
    queued.audience_count = static_cast<int64_t>(plan.decisions.size());
    queued.treated_count = queued.control_count = queued.excluded_count = queued.cost_estimate = 0;
    store::OutboxRepository outbox(tx.connection());
    std::vector<domain::OutboxMessage> pending;
    for (const RecipientDecision& decision : plan.decisions) {
      domain::CampaignRecipient recipient{decision.customer.id, domain::RecipientGroup::kTreated, decision.exclusion,
                                          std::nullopt, std::nullopt, now};
      if (decision.exclusion) {
        recipient.group = domain::RecipientGroup::kExcluded;
        ++queued.excluded_count;
      } else if (decision.control) {
        recipient.group = domain::RecipientGroup::kControl;
        ++queued.control_count;
      } else {
        std::string code;
        if (coupon_template) {
          CRM_ASSIGN_OR_RETURN(Timestamp expires,
                               domain::CouponExpiry(*coupon_template, send_at, plan.context.business.utc_offset_minutes));
          domain::Coupon coupon = domain::CouponFromTemplate(*coupon_template, decision.customer.id,
                                                             domain::CouponSource::kCampaign, now, expires,
                                                             principal.staff_id);
          CRM_ASSIGN_OR_RETURN(domain::Coupon issued, IssueCouponIn(tx, std::move(coupon)));
          recipient.coupon_id = issued.id;
          code = issued.code;
        }
        CRM_ASSIGN_OR_RETURN(domain::OutboxMessage message, ComposeFor(plan.context, queued, decision.customer, code, decision.standing));
        message.idempotency_key = fmt::format("campaign-{}-{}", queued.id.value(), decision.customer.id.value());
        recipient.channel = message.channel;
        queued.cost_estimate += UnitPrice(plan.context.settings, message.channel);
        ++queued.treated_count;
        pending.push_back(std::move(message));
        if (pending.size() >= kEnqueueChunk) {
          CRM_RETURN_IF_ERROR(outbox.Enqueue(pending, now));
          pending.clear();
        }
      }
      CRM_RETURN_IF_ERROR(campaigns.InsertRecipient(principal.business_id, id, recipient));
    }
    if (!pending.empty()) CRM_RETURN_IF_ERROR(outbox.Enqueue(pending, now));
    queued.status = send_at > now ? domain::CampaignStatus::kScheduled : domain::CampaignStatus::kQueued;
    queued.queued_at = send_at;
    queued.updated_at = now;
    return campaigns.Update(queued);
  }));
  return queued;
}

Result<domain::Campaign> CampaignService::Cancel(const Principal& principal, CampaignId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  return store::WriteValue<domain::Campaign>(database_, [&](store::Transaction& tx) -> Result<domain::Campaign> {
    store::CampaignRepository campaigns(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::Campaign campaign, campaigns.GetForUpdate(principal.business_id, id));
    if (campaign.status == domain::CampaignStatus::kCancelled || campaign.status == domain::CampaignStatus::kDone) {
      return FailedPrecondition("the campaign is finished", "status").WithReason("campaign_finished");
    }
    CRM_RETURN_IF_ERROR(store::OutboxRepository(tx.connection()).CancelQueued(principal.business_id, id, now).status());
    CRM_ASSIGN_OR_RETURN(auto recipients, campaigns.Recipients(principal.business_id, id));
    for (const domain::CampaignRecipient& recipient : recipients) {
      if (!recipient.coupon_id) continue;
      CRM_ASSIGN_OR_RETURN(domain::Coupon coupon, tx.coupons().Get(principal.business_id, *recipient.coupon_id));
      if (coupon.status == domain::CouponStatus::kIssued) {
        CRM_RETURN_IF_ERROR(tx.coupons().MarkVoided(principal.business_id, coupon.id));
      }
    }
    campaign.status = domain::CampaignStatus::kCancelled;
    campaign.updated_at = now;
    CRM_RETURN_IF_ERROR(campaigns.Update(campaign));
    return campaign;
  });
}

Result<int64_t> CampaignService::TestSend(const Principal& principal, CampaignId id,
                                          const std::vector<std::string>& phones) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (phones.empty() || phones.size() > kMaxTestPhones) {
    return InvalidArgument("give 1 to 5 staff phone numbers", "phones");
  }
  std::vector<std::string> numbers;
  for (size_t i = 0; i < phones.size(); ++i) {
    auto parsed = domain::ParsePhone(phones[i]);
    if (!parsed.ok()) return InvalidArgument("not a phone number", fmt::format("phones[{}]", i));
    numbers.push_back(parsed->e164);
  }
  CRM_ASSIGN_OR_RETURN(domain::Campaign campaign, Get(principal, id));
  if (campaign.channel == domain::Channel::kEmail) {
    return InvalidArgument("test sends go to phones; this is an e-mail campaign", "phones");
  }
  const Timestamp now = clock_.Now();
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(PlanContext context, LoadPlanContext(tx, principal.business_id, now));
    std::vector<domain::OutboxMessage> messages;
    for (size_t i = 0; i < numbers.size(); ++i) {
      domain::Customer staff;
      staff.name = "테스트";
      staff.phone_e164 = numbers[i];
      CRM_ASSIGN_OR_RETURN(domain::OutboxMessage message, ComposeFor(context, campaign, staff, "TEST0000"));
      message.campaign_id.reset();  // a test is no part of the campaign's counts
      message.idempotency_key = fmt::format("campaign-test-{}-{}-{}", id.value(), now.micros(), i);
      messages.push_back(std::move(message));
    }
    return store::OutboxRepository(tx.connection()).Enqueue(messages, now);
  }));
  return static_cast<int64_t>(numbers.size());
}

}  // namespace crm::app
