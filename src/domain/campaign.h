// Campaigns: a message (and optionally a coupon) sent to an audience of customers, with a random
// control group held out, and what the law and the business's settings say about each recipient
// (consent, night hours, frequency cap, suppression, reconfirmation). Also the uplift statistics
// of treated against control. Types and pure rules only: no storage, JSON, clock or randomness
// source here (the control group is drawn from a recorded seed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "common/time.h"
#include "domain/coupon.h"
#include "domain/customer.h"
#include "domain/message.h"
#include "domain/message_rules.h"

namespace crm::domain {

// Persisted: the values never change.
enum class CampaignStatus { kDraft = 1, kScheduled = 2, kQueued = 3, kSending = 4, kDone = 5, kCancelled = 6 };
// Where the audience comes from; `audience_value` holds its parameter.
enum class AudienceKind {
  kSegment = 1,      // a saved segment id
  kRfmSegment = 2,   // an RFM segment name ("at_risk")
  kAtRisk = 3,       // the at-risk list of the analytics
  kOverdue = 4,      // customers past their own rhythm
  kFilter = 5,       // a customer-list query string ("stage=regular&tag=vip")
  kCustomerIds = 6,  // comma-separated customer ids (a file of ids)
};
// What an advertising send scheduled into the night does: refused, or held to night consent.
enum class NightPolicy { kRefuse = 1, kNightConsentOnly = 2 };
enum class RecipientGroup { kTreated = 1, kControl = 2, kExcluded = 3 };
// Why an address is on the suppression list (opt-outs from the page or the counter are consent
// withdrawals, kept in the consent history instead).
enum class SuppressionReason { kOptOut080 = 1, kBounce = 2, kWithdrawn = 3, kErased = 4 };

const char* ToString(CampaignStatus value);
const char* ToString(AudienceKind value);
const char* ToString(NightPolicy value);
const char* ToString(RecipientGroup value);
const char* ToString(SuppressionReason value);
std::optional<CampaignStatus> ParseCampaignStatus(std::string_view text);
std::optional<AudienceKind> ParseAudienceKind(std::string_view text);
std::optional<NightPolicy> ParseNightPolicy(std::string_view text);
std::optional<SuppressionReason> ParseSuppressionReason(std::string_view text);
// The consent item that governs a channel (SMS for SMS/LMS/MMS, Kakao for AlimTalk and brand
// messages, e-mail for e-mail).
ConsentChannel ConsentChannelFor(Channel channel);

// A business's messaging settings. Prices are won per message (MSG-11), defaults from korea.md.
struct MessagingSettings {
  BusinessId business_id;
  int64_t frequency_cap_count = 2;  // advertising messages per customer ...
  int64_t frequency_cap_days = 7;   // ... in this many days; 0 messages means no cap
  int64_t control_share_permille = 100;
  int64_t price_sms = 20;
  int64_t price_lms = 50;
  int64_t price_mms = 150;
  int64_t price_alimtalk = 8;
  int64_t price_brand = 20;
  int64_t price_email = 1;
  std::string contact;         // the business's phone for the "(광고)" footer
  std::string opt_out_number;  // the registered 080 number (MSG-07)
  std::string provider = "fake";
  std::string provider_credentials;  // sealed with the server key; never logged
  std::string public_base_url;       // "https://shop.example" for opt-out links; empty: relative
  std::string opt_out_secret;        // hex key of the opt-out links' HMAC; made on first use, never shown
  Timestamp updated_at;
};
// kInvalidArgument naming the field.
Status ValidateMessagingSettings(const MessagingSettings& settings);

struct SenderNumber {
  int64_t id = 0;
  BusinessId business_id;
  std::string number;  // digits only, "0212345678"
  std::string label;
  Timestamp registered_at;
};

struct Campaign {
  CampaignId id;
  BusinessId business_id;
  std::string name;
  Purpose purpose = Purpose::kAdvertising;
  // kSms stands for text: SMS or LMS by the length of each rendered message (MSG-05).
  Channel channel = Channel::kSms;
  std::optional<Channel> fallback_channel;
  AudienceKind audience_kind = AudienceKind::kSegment;
  std::string audience_value;
  std::string subject;  // e-mail subject or LMS title
  std::string body;     // the template, with #{이름} and the other variables
  std::string sender_number;
  std::optional<CouponTemplateId> coupon_template_id;
  std::optional<Timestamp> scheduled_at;
  NightPolicy night_policy = NightPolicy::kRefuse;
  CampaignStatus status = CampaignStatus::kDraft;
  int64_t control_share_permille = 100;
  int64_t seed = 0;
  int64_t audience_count = 0;
  int64_t treated_count = 0;
  int64_t control_count = 0;
  int64_t excluded_count = 0;
  int64_t cost_estimate = 0;  // won
  std::optional<StaffId> created_by;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> queued_at;
};

// kInvalidArgument naming the field: name, body, audience, channel pairs (a fallback only from
// AlimTalk to SMS or LMS, MSG-01), control share 0..900 per mille, AlimTalk never advertising
// (MSG-02, reason "rule_msg_02").
Status ValidateCampaign(const Campaign& campaign);

struct CampaignRecipient {
  CustomerId customer_id;
  RecipientGroup group = RecipientGroup::kTreated;
  std::optional<ExclusionReason> exclusion;
  std::optional<Channel> channel;
  std::optional<CouponId> coupon_id;
  Timestamp queued_at;
};

// True when the customer falls in the control group: a hash of (seed, customer id) below the
// share. Stable: the same seed and id always give the same answer, whatever the audience order.
bool InControlGroup(int64_t seed, CustomerId customer, int64_t control_share_permille);

// One group's outcomes: customers, buyers (one sale or more), visits (sales), revenue (net won),
// redemptions (customers who used the campaign's coupon), with the sums of squares per customer.
struct OutcomeSample {
  int64_t customers = 0;
  int64_t buyers = 0;
  int64_t visits = 0;
  int64_t revenue = 0;
  int64_t redemptions = 0;
  double visits_sum_squares = 0;
  double revenue_sum_squares = 0;
};
struct Difference {
  double treated = 0;  // mean (or share) in the treated group
  double control = 0;
  double difference = 0;
  double low = 0;  // 95 % confidence interval, normal approximation
  double high = 0;
  bool defined = false;  // false when a group is empty
};
struct Uplift {
  Difference visits_per_customer;
  Difference buyer_share;
  Difference revenue_per_customer;
  Difference redemptions_per_customer;
  // (treated mean - control mean) * treated customers, rounded to won.
  int64_t incremental_revenue = 0;
  int64_t message_cost = 0;
  int64_t net = 0;  // incremental revenue minus message cost
};
// Difference of means with Welch's standard error sqrt(s1²/n1 + s0²/n0) (sample variances), and of
// proportions with sqrt(p1(1-p1)/n1 + p0(1-p0)/n0); the interval is difference ± 1.96 × SE.
Uplift ComputeUplift(const OutcomeSample& treated, const OutcomeSample& control, int64_t message_cost);

}  // namespace crm::domain
