// The rules a message must follow before and when it is sent, as pure functions (korea.md sections
// 2 and 3): the CP949 byte count that separates SMS from LMS (MSG-05), template variables, the
// advertising format and opt-out (ADV-03, MSG-03, MSG-06, MSG-07, MSG-02), who may receive a message
// at a given moment (ADV-01, ADV-02, ADV-05, ADV-06, MSG-01, suppression) and how a failed send is
// retried (STYLE.md Errors). No clock, database or I/O: callers pass the moment and the facts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "domain/message.h"

namespace crm::domain {

// ---------------------------------------------------------------------------------------------
// Length (MSG-05)

inline constexpr int64_t kSmsMaxBytes = 90;
inline constexpr int64_t kLmsMaxBytes = 2000;  // LMS and MMS body
inline constexpr int64_t kLmsMaxSubjectBytes = 40;
inline constexpr int64_t kAlimTalkMaxCharacters = 1000;
inline constexpr int64_t kBrandMessageMaxCharacters = 1300;  // text type (MSG-03)

// The length of UTF-8 `text` in CP949 (EUC-KR extended): Hangul and other Korean characters 2
// bytes, ASCII 1, newline 1. Fails with kInvalidArgument (reason "not_cp949") naming the first
// character that CP949 cannot carry (most emoji): SMS, LMS and MMS would fail on it. Also
// kInvalidArgument for text that is not valid UTF-8.
Result<int64_t> Cp949ByteLength(std::string_view text);

// The number of Unicode characters (code points) of UTF-8 `text`; how Kakao counts.
int64_t CharacterCount(std::string_view text);

// The text channel a body fits: kSms up to 90 bytes, else kLms up to 2,000 bytes (kMms when
// `has_image`). Fails with kInvalidArgument (field "body", reason "too_long") past 2,000 bytes and
// as Cp949ByteLength does.
Result<Channel> ClassifyTextMessage(std::string_view body, bool has_image);

// The body limit of a channel in its own unit, for the composer's counter: bytes for SMS/LMS/MMS,
// characters for AlimTalk and brand messages, nullopt for e-mail (unlimited).
std::optional<int64_t> BodyLimit(Channel channel);

// ---------------------------------------------------------------------------------------------
// Templates

// The values a template may use. An unset value used by the template is an error, so a message
// never goes out with a hole where the coupon code should be.
struct TemplateValues {
  std::optional<std::string> name;         // #{이름}  #{name}
  std::optional<std::string> points;       // #{포인트} #{points}
  std::optional<std::string> tier;         // #{등급}  #{tier}
  std::optional<std::string> next_reward;  // #{다음보상} #{next_reward}
  std::optional<std::string> coupon_code;  // #{쿠폰코드} #{coupon_code}
  std::optional<std::string> opt_out;      // #{수신거부} #{opt_out}: the opt-out link or number
};

// The variables a template may name, Korean first then English alias.
enum class TemplateVariable { kName = 1, kPoints = 2, kTier = 3, kNextReward = 4, kCouponCode = 5, kOptOut = 6 };

// The variables `text` uses, each once, in order of first use. Fails with kInvalidArgument
// (field "body", reason "unknown_variable") naming the first unknown `#{...}`, or (reason
// "unclosed_variable") for a "#{" without "}".
Result<std::vector<TemplateVariable>> TemplateVariables(std::string_view text);

// `text` with every `#{variable}` replaced by its value. Fails as TemplateVariables does, and with
// kInvalidArgument (reason "missing_value") naming a variable used without a value.
Result<std::string> RenderTemplate(std::string_view text, const TemplateValues& values);

// ---------------------------------------------------------------------------------------------
// Advertising format and composer checks (ADV-03, MSG-02, MSG-03, MSG-05, MSG-06, MSG-07)

// What the business has registered for sending: read from its settings by the caller.
struct SenderProfile {
  std::string business_name;   // shown after "(광고)"
  std::string contact_number;  // customer-service number; may equal a sender number
  std::vector<std::string> registered_sender_numbers;  // verified with the provider (MSG-06)
  std::string opt_out_number;  // the registered 080 number for free opt-out (MSG-07); may be empty
};

// A message as the composer has it, before it is queued.
struct ComposedMessage {
  Channel channel = Channel::kSms;
  Purpose purpose = Purpose::kInformational;
  std::string sender;  // sender number; the From address for e-mail
  std::string subject;
  std::string body;
  std::string html_body;        // e-mail
  std::string unsubscribe_url;  // e-mail: the one-click opt-out link
  std::string template_code;    // AlimTalk
  bool has_image = false;       // MMS, brand message with image
};

// One rule a message breaks: the korea.md id ("ADV-03"), a stable code for clients
// ("missing_ad_prefix") and an English sentence saying what is wrong.
struct RuleViolation {
  std::string rule;
  std::string code;
  std::string message;
  bool operator==(const RuleViolation&) const = default;
};

// Every rule `message` breaks, in a fixed order; empty when it may be queued. Checks: AlimTalk is
// never advertising and needs a template code (MSG-02, MSG-01); advertising starts with exactly
// "(광고)" (the e-mail subject for e-mail; "[광고]" and "(광 고)" are refused), names the business,
// gives a contact, and a free opt-out: "무료수신거부" with the registered 080 number for SMS/LMS/MMS
// (MSG-07; none registered is itself a violation), nothing for brand messages (Kakao's block button,
// MSG-03), a one-click unsubscribe link present in the e-mail (ADV-03); the sender number is a
// registered one (MSG-06); the body fits its channel and CP949 (MSG-05).
std::vector<RuleViolation> CheckMessage(const ComposedMessage& message, const SenderProfile& sender);

// The legal advertising form of a body (ADV-03): "(광고)" and the business name first, the contact
// when it differs from the sender number, and the opt-out last: "[무료수신거부]080..." for
// SMS/LMS/MMS, "수신거부: 채널 차단" for brand messages, the unsubscribe link for e-mail (also as an
// HTML footer when html_body is set; the e-mail subject gets the "(광고)" prefix). A body already
// starting with "(광고)" is not prefixed twice. AlimTalk is returned unchanged: it cannot advertise.
ComposedMessage BuildAdvertisingMessage(ComposedMessage message, const SenderProfile& sender);

// ---------------------------------------------------------------------------------------------
// Recipient eligibility at send time (ADV-01, ADV-02, ADV-05, ADV-06, MSG-01, MSG-02, MSG-03)

// Why a recipient does not get a message now. Persisted (campaign reports, message events): the
// values never change.
enum class ExclusionReason {
  kNoAddress = 1,               // no phone number or e-mail address for the channel
  kErased = 2,                  // personal data erased
  kWithdrawn = 3,               // left membership: counts as opting out (ADV-01)
  kBounced = 4,                 // the address bounced or the number is dead
  kOptedOut080 = 5,             // opted out through the 080 number (MSG-07), advertising only
  kAdvertisingOnAlimTalk = 6,   // AlimTalk cannot carry advertising (MSG-02)
  kNoConsent = 7,               // no marketing consent for the channel (ADV-01)
  kConsentNotReconfirmed = 8,   // consent older than 2 years without a reconfirmation notice (ADV-05)
  kNightWithoutConsent = 9,     // advertising 21:00-08:00 local without night consent (ADV-02)
  kBrandMessageQuietHours = 10, // brand messages stop 20:50-08:00 (MSG-03)
  kFrequencyCap = 11,           // the business's advertising cap for the window is reached
};

// "no_address", "erased", ... for reports and the API.
const char* ToString(ExclusionReason reason);
std::optional<ExclusionReason> ParseExclusionReason(std::string_view text);
// True for the reasons that pass with time (night, quiet hours, frequency cap): the message may be
// held until NextSendWindow rather than dropped.
bool IsTemporary(ExclusionReason reason);

// A customer's latest decision on one consent item, as stored (domain::Consent without the source).
struct ConsentState {
  bool granted = false;
  Timestamp at;  // when given or withdrawn
};

// Everything the send-time check needs to know about one recipient and one message.
struct RecipientSnapshot {
  Channel channel = Channel::kSms;
  Purpose purpose = Purpose::kInformational;
  bool has_address = true;
  // The latest decision for the channel's consent item (SMS for SMS/LMS/MMS, Kakao for AlimTalk and
  // brand messages, e-mail for e-mail); nullopt when the customer never decided.
  std::optional<ConsentState> channel_consent;
  std::optional<ConsentState> night_consent;
  // The last two-year reconfirmation notice sent for the channel's consent (ADV-05), if any.
  std::optional<Timestamp> reconfirmed_at;
  // ADV-01's exception: a number collected in a transaction may get advertising for similar goods
  // until this time without consent. nullopt: no exception.
  std::optional<Timestamp> transaction_exception_until;
  int recent_advertising_count = 0;  // advertising messages sent in the business's window
  int frequency_cap = 0;             // at most this many per window; 0 means no cap
  bool erased = false;
  bool withdrawn = false;
  bool bounced = false;
  bool opted_out_080 = false;
  Timestamp now;
  int utc_offset_minutes = 540;  // the business's time zone (DATA-05)
};

// nullopt when the message may be sent to this recipient now, else the first reason it may not,
// checked in this order: erased, withdrawn, no address, bounced; for advertising 080 opt-out,
// AlimTalk, consent (or ADV-01's transaction exception), reconfirmation, night; brand-message quiet
// hours (any purpose); for advertising the frequency cap. Informational messages never need marketing consent (MSG-01, ADV-06)
// and are never held at night; e-mail is exempt from the night window (ADV-02).
std::optional<ExclusionReason> CheckRecipient(const RecipientSnapshot& recipient);

// True when `at` falls in the advertising night window 21:00-08:00 local (ADV-02).
bool InNightWindow(Timestamp at, int utc_offset_minutes);
// True when `at` falls in the brand-message stop 20:50-08:00 local (MSG-03).
bool InBrandMessageQuietHours(Timestamp at, int utc_offset_minutes);
// The first moment at or after `at` when the channel's night rule no longer holds a message back:
// 08:00 local for SMS/LMS/MMS/AlimTalk/brand messages inside their window, `at` otherwise.
Timestamp NextSendWindow(Timestamp at, Channel channel, int utc_offset_minutes);
// The date by which consent given (or last reconfirmed) at `at` must be reconfirmed: two calendar
// years later, in local time (ADV-05). 2024-03-01 gives 2026-03-01.
Date ReconfirmationDue(Timestamp at, int utc_offset_minutes);

// ---------------------------------------------------------------------------------------------
// Retries (STYLE.md Errors)

struct RetryPolicy {
  int max_attempts = 8;                 // provider calls in all, the first included
  int64_t base_delay_seconds = 5;       // before the second attempt
  int64_t max_delay_seconds = 30 * 60;  // the backoff never waits longer
};

// True for the codes the outbox retries: kUnavailable, kDeadlineExceeded, kResourceExhausted.
bool IsTransient(StatusCode code);

// What to do after attempt number `attempts_made` (1 after the first call) failed with `code`.
struct RetryDecision {
  bool retry = false;       // false: dead-letter (kFailed)
  Timestamp next_attempt_at;  // when retry
};

// Retries transient codes while attempts_made < max_attempts, after an exponential delay
// (base * 2^(attempts_made-1), capped) with jitter in [delay/2, delay] drawn from `seed` (e.g. a
// hash of the idempotency key): the same inputs give the same time. Dead-letters the rest.
RetryDecision DecideRetry(const RetryPolicy& policy, StatusCode code, int attempts_made, Timestamp now,
                          uint64_t seed);

}  // namespace crm::domain
