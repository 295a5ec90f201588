// Messages to customers: the channels Dangol sends through, why a message is sent (informational or
// advertising, korea.md MSG-01/ADV-06), and the outbox row that carries one message from the
// transaction that caused it to the provider that delivers it. Plain types; the rules about them
// live in domain/message_rules.h, their storage in store/outbox_repository.h and their delivery in
// messaging/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/ids.h"
#include "common/time.h"

namespace crm {

using MessageId = Id<struct MessageTag>;
using CampaignId = Id<struct CampaignTag>;
using AutomationId = Id<struct AutomationTag>;

}  // namespace crm

namespace crm::domain {

// How a message travels. Persisted: the values never change.
enum class Channel {
  kSms = 1,           // up to 90 CP949 bytes
  kLms = 2,           // long text, up to 2,000 bytes with a 40-byte subject
  kMms = 3,           // LMS with an image
  kAlimTalk = 4,      // Kakao informational template message; never advertising (MSG-02)
  kBrandMessage = 5,  // Kakao brand message (formerly friend-talk), to channel friends (MSG-03)
  kEmail = 6,
};

// Why a message is sent. Any promotion makes the whole message advertising (ADV-06).
// Persisted: the values never change.
enum class Purpose { kInformational = 1, kAdvertising = 2 };

// Where a message is in its life. Persisted: the values never change.
enum class MessageStatus {
  kQueued = 1,     // waiting for its time (next_attempt_at), first or after a transient failure
  kSending = 2,    // claimed by a dispatcher; the provider may or may not have it yet
  kSent = 3,       // accepted by the provider
  kDelivered = 4,  // the provider reported delivery to the handset or mailbox
  kFailed = 5,     // permanent failure (dead letter), with the provider's code
  kCancelled = 6,  // withdrawn before sending (campaign cancelled)
  kSuppressed = 7, // dropped at send time by a consent or suppression check
};

// True for the statuses a message never leaves: delivered, failed, cancelled, suppressed.
bool IsFinal(MessageStatus status);

// "sms", "lms", "mms", "alimtalk", "brand_message", "email".
const char* ToString(Channel channel);
std::optional<Channel> ParseChannel(std::string_view text);
// "informational", "advertising".
const char* ToString(Purpose purpose);
std::optional<Purpose> ParsePurpose(std::string_view text);
// "queued", "sending", "sent", "delivered", "failed", "cancelled", "suppressed".
const char* ToString(MessageStatus status);
std::optional<MessageStatus> ParseMessageStatus(std::string_view text);

// One message in the outbox. Rows are written in the same transaction as the change that causes
// them (a campaign's recipient and coupon, an automation's trigger), each with an idempotency key
// unique within the business, which the dispatcher also gives the provider (MSG-09).
struct OutboxMessage {
  MessageId id;
  BusinessId business_id;
  std::optional<CampaignId> campaign_id;
  std::optional<AutomationId> automation_id;
  CustomerId customer_id;  // not valid (0) for a test send to a staff phone
  Channel channel = Channel::kSms;
  Purpose purpose = Purpose::kInformational;
  std::string recipient;  // E.164 phone number ("+821012345678") or e-mail address
  std::string sender;     // registered sender number (MSG-06) or the e-mail From address
  std::string subject;    // LMS/MMS subject or e-mail subject; empty otherwise
  std::string body;       // rendered text, final: "(광고)" and opt-out already in it when advertising
  std::string html_body;  // e-mail only; empty for a text-only e-mail
  // AlimTalk only: the Kakao-approved template code; body is that template rendered.
  std::string template_code;
  // AlimTalk only: when Kakao cannot deliver, the text is sent again on this channel (SMS or LMS)
  // where korea.md allows it (MSG-01). Empty: no fallback.
  std::optional<Channel> fallback_channel;
  // E-mail only: the one-click unsubscribe URL put in List-Unsubscribe (ADV-03).
  std::string unsubscribe_url;
  std::string idempotency_key;  // unique within the business
  MessageStatus status = MessageStatus::kQueued;
  int attempts = 0;                 // provider calls made so far
  Timestamp next_attempt_at;        // not before this time (scheduling and backoff)
  std::string provider_message_id;  // the provider's id once accepted
  std::string provider_status_code; // the provider's last code ("2000", "3104", "429")
  std::string last_error;           // why the last attempt failed, without personal data
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> sent_at;
  std::optional<Timestamp> delivered_at;
};

// One step of a message's history (MSG-08). The first step, kQueued at created_at, is the row itself.
struct MessageEvent {
  MessageId message_id;
  MessageStatus status = MessageStatus::kQueued;
  int attempt = 0;
  std::string provider_status_code;
  std::string detail;  // e.g. the exclusion reason or the error message; no personal data
  Timestamp at;
};

// The key the provider sees for a message: the business id and the message's idempotency key, so it
// is unique across the businesses sharing one provider account, and the same on every attempt. An
// AlimTalk message resent as SMS or LMS (fallback) gets the suffix "~sms": a new message for the
// provider, itself sent once.
std::string ProviderIdempotencyKey(const OutboxMessage& message);
// The business and idempotency key of a ProviderIdempotencyKey; nullopt when `key` is not one.
std::optional<std::pair<BusinessId, std::string>> ParseProviderIdempotencyKey(std::string_view key);

}  // namespace crm::domain
