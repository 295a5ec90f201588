// CampaignService: campaigns from audience to report. A campaign takes its audience from a saved
// segment, an RFM segment, the at-risk or overdue list, a customer-list filter or a list of ids;
// the preview counts it, samples ten masked recipients, counts the exclusions by reason and
// estimates the cost per channel (korea.md MSG-11); the composer refuses a message that breaks a
// rule of domain/message_rules.h and names the rule. Scheduling queues one outbox message per
// treated recipient, in the same transaction as that recipient's own coupon, held until the send
// time; a random control group (seeded, recorded) receives nothing. The report compares treated
// and control over a window (domain::ComputeUplift). Owners and managers only (kPermissionDenied
// for staff). Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/analytics_service.h"
#include "app/customer_service.h"
#include "app/principal.h"
#include "app/segment_service.h"
#include "common/time.h"
#include "domain/campaign.h"
#include "domain/message_rules.h"
#include "store/database.h"

namespace crm::app {

// A masked recipient of the preview and the message they would get.
struct SampleRecipient {
  CustomerId customer_id;
  std::string name;     // masked (김*수)
  std::string address;  // masked phone or e-mail
  domain::Channel channel = domain::Channel::kSms;
  std::string body;
};

struct ChannelCost {
  domain::Channel channel = domain::Channel::kSms;
  int64_t messages = 0;
  int64_t unit_price = 0;  // won
  int64_t total = 0;
};

// The composed message with the rules' verdict: what the phone frame shows.
struct MessagePreview {
  domain::Channel channel = domain::Channel::kSms;  // SMS or LMS by length for text campaigns
  std::string subject;
  std::string body;  // built (advertising: "(광고)" and the opt-out added) and rendered with sample values
  int64_t length = 0;  // CP949 bytes for SMS/LMS, characters for Kakao, bytes for e-mail
  std::optional<int64_t> limit;
  std::vector<domain::RuleViolation> violations;
};

struct CampaignPreview {
  int64_t audience = 0;
  int64_t eligible = 0;
  int64_t treated = 0;  // eligible outside the control group
  int64_t control = 0;
  std::map<domain::ExclusionReason, int64_t> exclusions;
  std::vector<SampleRecipient> samples;
  std::vector<ChannelCost> costs;
  int64_t total_cost = 0;
  MessagePreview message;
};

// One group's figures over the report window.
struct GroupFigures {
  int64_t customers = 0;
  int64_t buyers = 0;
  int64_t visits = 0;
  int64_t revenue = 0;
  int64_t redemptions = 0;
};

struct CampaignReport {
  domain::Campaign campaign;
  std::string progress;  // "draft", "scheduled", "sending", "done", "cancelled"
  std::map<domain::MessageStatus, int64_t> messages;  // outbox statuses of its messages
  std::map<domain::ExclusionReason, int64_t> exclusions;
  Timestamp window_start;
  Timestamp window_end;  // exclusive; later than now while the window is open
  int window_days = 14;
  GroupFigures treated;
  GroupFigures control;
  domain::Uplift uplift;
  Timestamp as_of;
};

// What a customer received (or was held from) and their consent history.
struct CustomerMessageEntry {
  std::optional<CampaignId> campaign_id;
  std::string campaign_name;
  domain::RecipientGroup group = domain::RecipientGroup::kTreated;
  std::optional<domain::ExclusionReason> exclusion;
  std::optional<domain::OutboxMessage> message;  // the outbox row, for treated recipients
  Timestamp at;
};

class CampaignService {
 public:
  // Turns a customer-list query string ("stage=regular&tag=vip") into a query; set by http/.
  using FilterParser = std::function<Result<CustomerQuery>(const std::string&)>;

  CampaignService(store::Database& database, const Clock& clock, AnalyticsService& analytics,
                  SegmentService& segments, CustomerService& customers);

  void SetFilterParser(FilterParser parser) { filter_parser_ = std::move(parser); }

  // Stores a draft. kInvalidArgument naming the field (domain::ValidateCampaign), or "body" with the
  // reason of the first rule the composed message breaks ("missing_ad_prefix", ...; the message
  // names the korea.md rule); kInvalidArgument "coupon_template_id" for a template not the business's.
  Result<domain::Campaign> Create(const Principal& principal, domain::Campaign draft);
  // Replaces a draft's content. As Create, and kFailedPrecondition when it is no longer a draft.
  Result<domain::Campaign> Update(const Principal& principal, CampaignId id, domain::Campaign draft);
  Result<std::vector<domain::Campaign>> List(const Principal& principal);
  Result<domain::Campaign> Get(const Principal& principal, CampaignId id);
  // The preview of a draft (stored or not): counts, exclusions, samples, cost and the composed
  // message as of its send time (its schedule, or now).
  Result<CampaignPreview> Preview(const Principal& principal, const domain::Campaign& draft);
  // Queues a draft for `at` (unset: now). An advertising campaign on SMS, LMS or Kakao into
  // 21:00-08:00 local is refused (kInvalidArgument "scheduled_at", reason "night_hours", ADV-02)
  // unless its night policy holds it to customers with night consent. kFailedPrecondition when it
  // is no longer a draft, or ("body") when the message breaks a rule.
  Result<domain::Campaign> Schedule(const Principal& principal, CampaignId id, std::optional<Timestamp> at);
  // Cancels a draft or a queued campaign: its unsent messages are cancelled and its unused coupons
  // voided. kFailedPrecondition when it is done or cancelled already.
  Result<domain::Campaign> Cancel(const Principal& principal, CampaignId id);
  // Queues the message, rendered with sample values, to staff phone numbers (at most 5), marked as a
  // test. kInvalidArgument "phones" for an unparsable number or none.
  Result<int64_t> TestSend(const Principal& principal, CampaignId id, const std::vector<std::string>& phones);
  // Treated against control over [queued, queued + window_days) (1..90 days, kInvalidArgument
  // "window_days"), from the orders as they are now.
  Result<CampaignReport> Report(const Principal& principal, CampaignId id, int window_days);
  // The campaigns that reached the customer (or held them out), newest first. kNotFound.
  Result<std::vector<CustomerMessageEntry>> CustomerMessages(const Principal& principal, CustomerId customer);

  Result<domain::MessagingSettings> Settings(const Principal& principal);
  // Owners only. kInvalidArgument naming the field.
  Result<domain::MessagingSettings> SaveSettings(const Principal& principal, domain::MessagingSettings settings);
  Result<std::vector<domain::SenderNumber>> SenderNumbers(const Principal& principal);
  // Owners only. kInvalidArgument "number" when it is not a phone number; kAlreadyExists "number".
  Result<domain::SenderNumber> AddSenderNumber(const Principal& principal, const std::string& number,
                                               const std::string& label);
  Status RemoveSenderNumber(const Principal& principal, int64_t id);

  // The customers of an audience, ascending id (also for the "send to these" buttons).
  Result<std::vector<CustomerId>> ResolveAudience(const Principal& principal, domain::AudienceKind kind,
                                                  const std::string& value);

 private:
  struct Plan;
  Result<Plan> MakePlan(const Principal& principal, const domain::Campaign& campaign, Timestamp send_at,
                        int sample_limit);
  Status CheckComposition(const Principal& principal, domain::Campaign& campaign);  // normalises the sender

  store::Database& database_;
  const Clock& clock_;
  AnalyticsService& analytics_;
  SegmentService& segments_;
  CustomerService& customers_;
  FilterParser filter_parser_;
};

}  // namespace crm::app
