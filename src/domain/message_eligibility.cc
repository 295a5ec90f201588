// Recipient eligibility at send time and the retry policy of message_rules.h.
#include <algorithm>
#include <utility>

#include "domain/message_rules.h"

namespace crm::domain {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;

constexpr std::pair<ExclusionReason, const char*> kReasons[] = {
    {ExclusionReason::kNoAddress, "no_address"},
    {ExclusionReason::kErased, "erased"},
    {ExclusionReason::kWithdrawn, "withdrawn"},
    {ExclusionReason::kBounced, "bounced"},
    {ExclusionReason::kOptedOut080, "opted_out_080"},
    {ExclusionReason::kAdvertisingOnAlimTalk, "advertising_on_alimtalk"},
    {ExclusionReason::kNoConsent, "no_consent"},
    {ExclusionReason::kConsentNotReconfirmed, "consent_not_reconfirmed"},
    {ExclusionReason::kNightWithoutConsent, "night_without_consent"},
    {ExclusionReason::kBrandMessageQuietHours, "brand_message_quiet_hours"},
    {ExclusionReason::kFrequencyCap, "frequency_cap"},
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// Local seconds since the epoch and the minute of the local day.
int64_t LocalSeconds(Timestamp at, int utc_offset_minutes) {
  return FloorDiv(at.micros(), 1'000'000) + int64_t{utc_offset_minutes} * 60;
}
int MinuteOfDay(Timestamp at, int utc_offset_minutes) {
  int64_t local = LocalSeconds(at, utc_offset_minutes);
  return static_cast<int>((local - FloorDiv(local, kSecondsPerDay) * kSecondsPerDay) / 60);
}
Date LocalDate(Timestamp at, int utc_offset_minutes) {
  return CivilFromDays(FloorDiv(LocalSeconds(at, utc_offset_minutes), kSecondsPerDay));
}

bool IsGranted(const std::optional<ConsentState>& consent) { return consent.has_value() && consent->granted; }

// SplitMix64: a well-mixed 64-bit value from a seed, so jitter is reproducible.
uint64_t Mix(uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

std::optional<ExclusionReason> CheckAdvertisingRecipient(const RecipientSnapshot& r) {
  bool consented = IsGranted(r.channel_consent);
  bool by_transaction = r.transaction_exception_until.has_value() && r.now < *r.transaction_exception_until;
  if (!consented && !by_transaction) return ExclusionReason::kNoConsent;
  if (consented) {
    Timestamp basis = r.channel_consent->at;
    if (r.reconfirmed_at && *r.reconfirmed_at > basis) basis = *r.reconfirmed_at;
    if (LocalDate(r.now, r.utc_offset_minutes) > ReconfirmationDue(basis, r.utc_offset_minutes)) {
      return ExclusionReason::kConsentNotReconfirmed;
    }
  }
  if (r.channel != Channel::kEmail && InNightWindow(r.now, r.utc_offset_minutes) && !IsGranted(r.night_consent)) {
    return ExclusionReason::kNightWithoutConsent;
  }
  return std::nullopt;
}

}  // namespace

const char* ToString(ExclusionReason reason) {
  for (const auto& [candidate, name] : kReasons) {
    if (candidate == reason) return name;
  }
  return "unknown";
}

std::optional<ExclusionReason> ParseExclusionReason(std::string_view text) {
  for (const auto& [candidate, name] : kReasons) {
    if (text == name) return candidate;
  }
  return std::nullopt;
}

bool IsTemporary(ExclusionReason reason) {
  return reason == ExclusionReason::kNightWithoutConsent || reason == ExclusionReason::kBrandMessageQuietHours ||
         reason == ExclusionReason::kFrequencyCap;
}

std::optional<ExclusionReason> CheckRecipient(const RecipientSnapshot& r) {
  if (r.erased) return ExclusionReason::kErased;
  if (r.withdrawn) return ExclusionReason::kWithdrawn;
  if (!r.has_address) return ExclusionReason::kNoAddress;
  if (r.bounced) return ExclusionReason::kBounced;
  bool advertising = r.purpose == Purpose::kAdvertising;
  if (advertising && r.opted_out_080) return ExclusionReason::kOptedOut080;
  if (advertising && r.channel == Channel::kAlimTalk) return ExclusionReason::kAdvertisingOnAlimTalk;
  if (advertising) {
    if (auto reason = CheckAdvertisingRecipient(r)) return reason;
  }
  // Kakao stops every brand message from 20:50 to 08:00, whatever its purpose (MSG-03).
  if (r.channel == Channel::kBrandMessage && InBrandMessageQuietHours(r.now, r.utc_offset_minutes)) {
    return ExclusionReason::kBrandMessageQuietHours;
  }
  if (advertising && r.frequency_cap > 0 && r.recent_advertising_count >= r.frequency_cap) {
    return ExclusionReason::kFrequencyCap;
  }
  return std::nullopt;
}

bool InNightWindow(Timestamp at, int utc_offset_minutes) {
  int minute = MinuteOfDay(at, utc_offset_minutes);
  return minute >= 21 * 60 || minute < 8 * 60;
}

bool InBrandMessageQuietHours(Timestamp at, int utc_offset_minutes) {
  int minute = MinuteOfDay(at, utc_offset_minutes);
  return minute >= 20 * 60 + 50 || minute < 8 * 60;
}

Timestamp NextSendWindow(Timestamp at, Channel channel, int utc_offset_minutes) {
  bool held = channel == Channel::kBrandMessage ? InBrandMessageQuietHours(at, utc_offset_minutes)
                                                : channel != Channel::kEmail && InNightWindow(at, utc_offset_minutes);
  if (!held) return at;
  int64_t local = LocalSeconds(at, utc_offset_minutes);
  int64_t day = FloorDiv(local, kSecondsPerDay);
  if (MinuteOfDay(at, utc_offset_minutes) >= 8 * 60) ++day;
  int64_t local_eight = day * kSecondsPerDay + 8 * 3600;
  return Timestamp::FromSeconds(local_eight - int64_t{utc_offset_minutes} * 60);
}

Date ReconfirmationDue(Timestamp at, int utc_offset_minutes) {
  Date start = LocalDate(at, utc_offset_minutes);
  Date due{start.year + 2, start.month, start.day};
  // 29 February has no anniversary in a common year: the due date is the last day of February.
  if (!due.IsValid()) due.day = 28;
  return due;
}

bool IsTransient(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
         code == StatusCode::kResourceExhausted;
}

RetryDecision DecideRetry(const RetryPolicy& policy, StatusCode code, int attempts_made, Timestamp now,
                          uint64_t seed) {
  if (!IsTransient(code) || attempts_made >= policy.max_attempts) return RetryDecision{};
  int64_t delay_seconds = policy.base_delay_seconds;
  for (int i = 1; i < attempts_made && delay_seconds < policy.max_delay_seconds; ++i) delay_seconds *= 2;
  delay_seconds = std::min(delay_seconds, policy.max_delay_seconds);
  int64_t delay_micros = std::max<int64_t>(delay_seconds, 1) * 1'000'000;
  int64_t half = delay_micros / 2;
  uint64_t draw = Mix(seed ^ Mix(static_cast<uint64_t>(attempts_made)));
  int64_t jittered = half + static_cast<int64_t>(draw % static_cast<uint64_t>(delay_micros - half + 1));
  return RetryDecision{true, Timestamp::FromMicros(now.micros() + jittered)};
}

}  // namespace crm::domain
