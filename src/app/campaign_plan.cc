#include "app/campaign_plan.h"

#include <fmt/format.h>

#include "app/opt_out_link.h"
#include "store/audience_repository.h"
#include "store/business_repository.h"
#include "store/campaign_repository.h"
#include "store/consent_repository.h"
#include "store/customer_repository.h"
#include "store/loyalty_repository.h"

namespace crm::app {
namespace {

constexpr int64_t kDayMicros = 86'400LL * 1'000'000;

std::optional<domain::ConsentState> LatestConsent(const domain::Customer& customer, domain::ConsentChannel channel) {
  std::optional<domain::ConsentState> latest;
  for (const domain::Consent& consent : customer.consents) {
    if (consent.channel != channel) continue;
    if (!latest || consent.at >= latest->at) latest = domain::ConsentState{consent.granted, consent.at};
  }
  return latest;
}

bool UsesPhone(domain::Channel channel) { return channel != domain::Channel::kEmail; }

std::string AddressOf(const domain::Customer& customer, domain::Channel channel) {
  return UsesPhone(channel) ? customer.phone_e164 : customer.email;
}

}  // namespace

Result<PlanContext> LoadPlanContext(store::Transaction& tx, BusinessId business, Timestamp send_at) {
  PlanContext context;
  CRM_ASSIGN_OR_RETURN(context.business, tx.businesses().Get(business));
  store::ConsentRepository consents(tx.connection());
  CRM_ASSIGN_OR_RETURN(context.settings, consents.Settings(business));
  CRM_ASSIGN_OR_RETURN(auto numbers, consents.SenderNumbers(business));
  context.sender.business_name = context.business.name;
  context.sender.contact_number = context.settings.contact;
  context.sender.opt_out_number = context.settings.opt_out_number;
  for (const domain::SenderNumber& number : numbers) context.sender.registered_sender_numbers.push_back(number.number);
  context.send_at = send_at;
  const Timestamp since = Timestamp::FromMicros(send_at.micros() - context.settings.frequency_cap_days * kDayMicros);
  CRM_ASSIGN_OR_RETURN(auto counts, store::CampaignRepository(tx.connection()).AdvertisingCountsSince(business, since));
  for (const auto& [customer, count] : counts) context.recent_advertising[customer] = count;
  CRM_ASSIGN_OR_RETURN(context.program, tx.loyalty().GetProgram(business));
  return context;
}

namespace {

RecipientDecision DecideMember(const PlanContext& context, const domain::Campaign& campaign,
                               store::AudienceMember& member) {
  RecipientDecision decision;
  decision.customer = std::move(member.customer);
  const domain::Customer& customer = decision.customer;
  const domain::ConsentChannel item = domain::ConsentChannelFor(campaign.channel);
  domain::RecipientSnapshot snapshot;
  snapshot.channel = campaign.channel;
  snapshot.purpose = campaign.purpose;
  const std::string address = AddressOf(customer, campaign.channel);
  snapshot.has_address = !address.empty();
  snapshot.channel_consent = LatestConsent(customer, item);
  snapshot.night_consent = LatestConsent(customer, domain::ConsentChannel::kNight);
  if (auto found = member.reconfirmed_at.find(item); found != member.reconfirmed_at.end()) {
    snapshot.reconfirmed_at = found->second;
  }
  const std::optional<domain::SuppressionReason> suppression =
      UsesPhone(campaign.channel) ? member.phone_suppression : member.email_suppression;
  if (!address.empty() && suppression) {
    using domain::SuppressionReason;
    snapshot.opted_out_080 = *suppression == SuppressionReason::kOptOut080;
    snapshot.bounced = *suppression == SuppressionReason::kBounce;
    snapshot.withdrawn = *suppression == SuppressionReason::kWithdrawn;
    snapshot.erased = *suppression == SuppressionReason::kErased;
  }
  auto recent = context.recent_advertising.find(customer.id);
  snapshot.recent_advertising_count = recent == context.recent_advertising.end() ? 0 : static_cast<int>(recent->second);
  snapshot.frequency_cap = static_cast<int>(context.settings.frequency_cap_count);
  snapshot.now = context.send_at;
  snapshot.utc_offset_minutes = context.business.utc_offset_minutes;
  decision.exclusion = domain::CheckRecipient(snapshot);
  if (!decision.exclusion) {
    decision.control = domain::InControlGroup(campaign.seed, customer.id, campaign.control_share_permille);
    decision.standing = StandingOf(context.program, LoyaltyFacts{member.balance, member.tier_index,
                                                                 member.reward_progress, customer.stats});
  }
  return decision;
}

}  // namespace

Result<std::vector<RecipientDecision>> DecideAll(store::Transaction& tx, const PlanContext& context,
                                                 const domain::Campaign& campaign,
                                                 std::span<const CustomerId> customers) {
  CRM_ASSIGN_OR_RETURN(std::vector<store::AudienceMember> members,
                       store::AudienceRepository(tx.connection()).Load(campaign.business_id, customers));
  std::vector<RecipientDecision> decisions;
  decisions.reserve(members.size());
  for (store::AudienceMember& member : members) decisions.push_back(DecideMember(context, campaign, member));
  return decisions;
}

int64_t UnitPrice(const domain::MessagingSettings& s, domain::Channel channel) {
  switch (channel) {
    case domain::Channel::kSms: return s.price_sms;
    case domain::Channel::kLms: return s.price_lms;
    case domain::Channel::kMms: return s.price_mms;
    case domain::Channel::kAlimTalk: return s.price_alimtalk;
    case domain::Channel::kBrandMessage: return s.price_brand;
    case domain::Channel::kEmail: return s.price_email;
  }
  return 0;
}

Result<Composition> Compose(const PlanContext& context, const domain::Campaign& campaign,
                            const domain::Customer& customer, const std::string& coupon_code,
                            const TemplateStanding& standing) {
  domain::TemplateValues values;
  values.name = customer.name.empty() ? std::string("고객") : customer.name;
  values.coupon_code = coupon_code;
  values.points = standing.points;
  values.tier = standing.tier;
  values.next_reward = standing.next_reward;
  std::string unsubscribe_url;
  if (customer.id.valid() && !context.settings.opt_out_secret.empty()) {
    unsubscribe_url = OptOutUrl(context.settings.public_base_url,
                                OptOutToken(context.settings.opt_out_secret, campaign.business_id, customer.id));
  } else {
    unsubscribe_url = OptOutUrl(context.settings.public_base_url, "sample");
  }
  values.opt_out = campaign.channel == domain::Channel::kEmail || context.settings.opt_out_number.empty()
                       ? unsubscribe_url
                       : context.settings.opt_out_number;
  CRM_ASSIGN_OR_RETURN(std::string body, domain::RenderTemplate(campaign.body, values));
  CRM_ASSIGN_OR_RETURN(std::string subject, domain::RenderTemplate(campaign.subject, values));

  domain::ComposedMessage composed;
  composed.channel = campaign.channel;
  composed.purpose = campaign.purpose;
  composed.sender = campaign.sender_number;
  composed.subject = std::move(subject);
  composed.body = std::move(body);
  if (campaign.channel == domain::Channel::kEmail) composed.unsubscribe_url = unsubscribe_url;
  if (campaign.purpose == domain::Purpose::kAdvertising) {
    composed = domain::BuildAdvertisingMessage(std::move(composed), context.sender);
  }
  if (campaign.channel == domain::Channel::kSms || campaign.channel == domain::Channel::kLms) {
    auto text_channel = domain::ClassifyTextMessage(composed.body, false);
    if (text_channel.ok()) composed.channel = *text_channel;
  }
  Composition out;
  out.violations = domain::CheckMessage(composed, context.sender);
  domain::OutboxMessage& m = out.message;
  m.business_id = campaign.business_id;
  if (campaign.id.valid()) m.campaign_id = campaign.id;
  m.customer_id = customer.id;
  m.channel = composed.channel;
  m.purpose = campaign.purpose;
  m.recipient = AddressOf(customer, campaign.channel);
  m.sender = composed.sender;
  m.subject = composed.subject;
  m.body = composed.body;
  m.html_body = composed.html_body;
  m.fallback_channel = campaign.fallback_channel;
  m.unsubscribe_url = composed.unsubscribe_url;
  m.next_attempt_at = context.send_at;
  return out;
}

Result<domain::OutboxMessage> ComposeFor(const PlanContext& context, const domain::Campaign& campaign,
                                         const domain::Customer& customer, const std::string& coupon_code,
                                         const TemplateStanding& standing) {
  CRM_ASSIGN_OR_RETURN(Composition composition, Compose(context, campaign, customer, coupon_code, standing));
  if (!composition.violations.empty()) {
    const domain::RuleViolation& first = composition.violations.front();
    return InvalidArgument(fmt::format("{} ({})", first.message, first.rule), "body").WithReason(first.code);
  }
  return std::move(composition.message);
}

}  // namespace crm::app
