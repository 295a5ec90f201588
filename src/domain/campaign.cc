#include "domain/campaign.h"

#include <array>
#include <cmath>

namespace crm::domain {
namespace {

template <typename Enum, size_t N>
const char* NameOf(const std::array<const char*, N>& names, Enum value) {
  const auto index = static_cast<size_t>(value) - 1;
  return index < N ? names[index] : "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> ParseName(const std::array<const char*, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<Enum>(i + 1);
  }
  return std::nullopt;
}

constexpr std::array<const char*, 6> kStatusNames{"draft", "scheduled", "queued", "sending", "done", "cancelled"};
constexpr std::array<const char*, 6> kAudienceNames{"segment", "rfm_segment", "at_risk", "overdue", "filter",
                                                    "customer_ids"};
constexpr std::array<const char*, 2> kNightNames{"refuse", "night_consent_only"};
constexpr std::array<const char*, 3> kGroupNames{"treated", "control", "excluded"};
constexpr std::array<const char*, 4> kSuppressionNames{"opt_out_080", "bounce", "withdrawn", "erased"};

// splitmix64: a well-mixed 64-bit hash, so that consecutive ids land independently.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr double kZ95 = 1.959963984540054;

Difference Interval(double treated, double control, double standard_error) {
  Difference d;
  d.treated = treated;
  d.control = control;
  d.difference = treated - control;
  d.low = d.difference - kZ95 * standard_error;
  d.high = d.difference + kZ95 * standard_error;
  d.defined = true;
  return d;
}

// Sample variance from a count, a sum and a sum of squares (0 with fewer than two values).
double Variance(int64_t n, double sum, double sum_squares) {
  if (n < 2) return 0;
  const double mean = sum / static_cast<double>(n);
  const double variance = (sum_squares - static_cast<double>(n) * mean * mean) / static_cast<double>(n - 1);
  return variance > 0 ? variance : 0;
}

Difference Means(int64_t n1, double sum1, double squares1, int64_t n0, double sum0, double squares0) {
  if (n1 == 0 || n0 == 0) return {};
  const double se = std::sqrt(Variance(n1, sum1, squares1) / static_cast<double>(n1) +
                              Variance(n0, sum0, squares0) / static_cast<double>(n0));
  return Interval(sum1 / static_cast<double>(n1), sum0 / static_cast<double>(n0), se);
}

Difference Proportions(int64_t n1, int64_t x1, int64_t n0, int64_t x0) {
  if (n1 == 0 || n0 == 0) return {};
  const double p1 = static_cast<double>(x1) / static_cast<double>(n1);
  const double p0 = static_cast<double>(x0) / static_cast<double>(n0);
  const double se = std::sqrt(p1 * (1 - p1) / static_cast<double>(n1) + p0 * (1 - p0) / static_cast<double>(n0));
  return Interval(p1, p0, se);
}

}  // namespace

const char* ToString(CampaignStatus value) { return NameOf(kStatusNames, value); }
const char* ToString(AudienceKind value) { return NameOf(kAudienceNames, value); }
const char* ToString(NightPolicy value) { return NameOf(kNightNames, value); }
const char* ToString(RecipientGroup value) { return NameOf(kGroupNames, value); }
const char* ToString(SuppressionReason value) { return NameOf(kSuppressionNames, value); }
std::optional<CampaignStatus> ParseCampaignStatus(std::string_view text) {
  return ParseName<CampaignStatus>(kStatusNames, text);
}
std::optional<AudienceKind> ParseAudienceKind(std::string_view text) {
  return ParseName<AudienceKind>(kAudienceNames, text);
}
std::optional<NightPolicy> ParseNightPolicy(std::string_view text) { return ParseName<NightPolicy>(kNightNames, text); }
std::optional<SuppressionReason> ParseSuppressionReason(std::string_view text) {
  return ParseName<SuppressionReason>(kSuppressionNames, text);
}

ConsentChannel ConsentChannelFor(Channel channel) {
  switch (channel) {
    case Channel::kSms:
    case Channel::kLms:
    case Channel::kMms: return ConsentChannel::kSms;
    case Channel::kAlimTalk:
    case Channel::kBrandMessage: return ConsentChannel::kKakao;
    case Channel::kEmail: return ConsentChannel::kEmail;
  }
  return ConsentChannel::kSms;
}

Status ValidateMessagingSettings(const MessagingSettings& s) {
  if (s.frequency_cap_count < 0 || s.frequency_cap_count > 100) {
    return InvalidArgument("frequency_cap_count must be 0..100", "frequency_cap_count");
  }
  if (s.frequency_cap_days < 1 || s.frequency_cap_days > 365) {
    return InvalidArgument("frequency_cap_days must be 1..365", "frequency_cap_days");
  }
  if (s.control_share_permille < 0 || s.control_share_permille > 900) {
    return InvalidArgument("control_share_permille must be 0..900", "control_share_permille");
  }
  const std::array<std::pair<int64_t, const char*>, 6> prices{{{s.price_sms, "price_sms"},
                                                               {s.price_lms, "price_lms"},
                                                               {s.price_mms, "price_mms"},
                                                               {s.price_alimtalk, "price_alimtalk"},
                                                               {s.price_brand, "price_brand"},
                                                               {s.price_email, "price_email"}}};
  for (const auto& [price, field] : prices) {
    if (price < 0 || price > 10'000) return InvalidArgument("a price must be 0..10000 won", field);
  }
  return Status::Ok();
}

Status ValidateCampaign(const Campaign& c) {
  if (c.name.empty() || c.name.size() > 200) return InvalidArgument("name must be 1..200 bytes", "name");
  if (c.body.empty()) return InvalidArgument("the message is empty", "body");
  if (c.control_share_permille < 0 || c.control_share_permille > 900) {
    return InvalidArgument("control_share_permille must be 0..900", "control_share_permille");
  }
  if (c.audience_kind != AudienceKind::kAtRisk && c.audience_kind != AudienceKind::kOverdue &&
      c.audience_kind != AudienceKind::kFilter && c.audience_value.empty()) {
    return InvalidArgument("the audience needs a value", "audience.value");
  }
  if (c.channel == Channel::kMms) return InvalidArgument("MMS campaigns are not supported", "channel");
  if (c.channel == Channel::kAlimTalk && c.purpose == Purpose::kAdvertising) {
    return InvalidArgument("AlimTalk never carries advertising (MSG-02)", "channel").WithReason("rule_msg_02");
  }
  if (c.fallback_channel && (c.channel != Channel::kAlimTalk ||
                             (*c.fallback_channel != Channel::kSms && *c.fallback_channel != Channel::kLms))) {
    return InvalidArgument("only AlimTalk falls back, and only to SMS or LMS (MSG-01)", "fallback_channel")
        .WithReason("rule_msg_01");
  }
  if (c.channel == Channel::kEmail && c.subject.empty()) {
    return InvalidArgument("an e-mail needs a subject", "subject");
  }
  return Status::Ok();
}

bool InControlGroup(int64_t seed, CustomerId customer, int64_t control_share_permille) {
  const uint64_t hash = Mix(Mix(static_cast<uint64_t>(seed)) ^ static_cast<uint64_t>(customer.value()));
  return static_cast<int64_t>(hash % 1000) < control_share_permille;
}

Uplift ComputeUplift(const OutcomeSample& t, const OutcomeSample& c, int64_t message_cost) {
  Uplift u;
  u.visits_per_customer = Means(t.customers, static_cast<double>(t.visits), t.visits_sum_squares, c.customers,
                                static_cast<double>(c.visits), c.visits_sum_squares);
  u.revenue_per_customer = Means(t.customers, static_cast<double>(t.revenue), t.revenue_sum_squares, c.customers,
                                 static_cast<double>(c.revenue), c.revenue_sum_squares);
  u.buyer_share = Proportions(t.customers, t.buyers, c.customers, c.buyers);
  u.redemptions_per_customer = Proportions(t.customers, t.redemptions, c.customers, c.redemptions);
  if (u.revenue_per_customer.defined) {
    u.incremental_revenue =
        static_cast<int64_t>(std::llround(u.revenue_per_customer.difference * static_cast<double>(t.customers)));
  }
  u.message_cost = message_cost;
  u.net = u.incremental_revenue - message_cost;
  return u;
}

}  // namespace crm::domain
