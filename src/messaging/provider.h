// One interface for every sending provider (korea.md MSG-04): the dispatcher hands it a batch of
// outbox messages of the channels it serves and gets back, per message, the provider's id or an
// error with the provider's code; delivery reports come back by polling. Adapters: Solapi
// (messaging/solapi_provider.h), NHN Cloud (nhn_provider.h) and SMTP for e-mail (smtp_provider.h).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "domain/message.h"

namespace crm::messaging {

// What the CRM does about a provider's code (MSG-08), beside retrying or dead-lettering.
enum class ProviderAction {
  kNone = 0,
  kSuppress = 1,            // the number opted out through 080: add it to the suppression list
  kConfigurationError = 2,  // unregistered or spoofed sender, KISA block: the business must fix it
  kFallbackToSms = 3,       // not a KakaoTalk user or AlimTalk blocked: send the text by SMS/LMS
  kReschedule = 4,          // outside the provider's send window: try again later
};

// The result of sending one message. `status` OK means the provider accepted it (kSent). Otherwise
// its code says what happens next: kUnavailable, kDeadlineExceeded and kResourceExhausted (rate
// limit, 429) are retried with backoff; others are permanent (kInvalidArgument for a message the
// provider refuses, kFailedPrecondition for a configuration error, kPermissionDenied or
// kUnauthenticated for bad credentials) and dead-letter the message.
struct SendResult {
  Status status;
  std::string provider_message_id;  // when accepted
  std::string provider_code;        // the provider's own code ("2000", "1062", "429"), when it gave one
  ProviderAction action = ProviderAction::kNone;
};

// A delivery report (MSG-08), matched to the outbox by the key the message was sent with.
struct DeliveryReport {
  std::string provider_key;  // domain::ProviderIdempotencyKey of the message
  std::string provider_message_id;
  bool delivered = false;     // false: the provider gave up (the code says why)
  std::string provider_code;  // "4000" delivered, "3104" not a KakaoTalk user, ...
  ProviderAction action = ProviderAction::kNone;
  Timestamp at;
};

// A sending provider. Implementations are thread-compatible: the dispatcher calls one provider from
// one thread at a time.
class Provider {
 public:
  virtual ~Provider() = default;

  // "solapi", "nhn", "smtp": for logs and metrics.
  virtual std::string_view name() const = 0;
  // True when this provider can send messages of `channel`.
  virtual bool Supports(domain::Channel channel) const = 0;
  // The most messages one Send call takes.
  virtual int max_batch_size() const = 0;
  // The provider's rate limit in messages per second (the dispatcher's token bucket).
  virtual double messages_per_second() const = 0;

  // Sends `batch` (each of a supported channel), each with its ProviderIdempotencyKey so that a
  // repeated send is dropped by the provider (MSG-09). Returns one result per message, in order.
  // A failure of the whole call (network, 5xx, 429, bad credentials) gives every message the same
  // status.
  virtual std::vector<SendResult> Send(std::span<const domain::OutboxMessage> batch) = 0;

  // Delivery reports that arrived since the last call. kUnavailable (and other codes) when the
  // provider cannot be asked now; the caller tries again later. Providers without reports (SMTP)
  // return an empty list.
  virtual Result<std::vector<DeliveryReport>> FetchReports() = 0;
};

// Finds the provider that sends a business's messages of a channel. The campaigns side builds it
// from each business's (decrypted) provider settings. Thread-safe.
class ProviderDirectory {
 public:
  virtual ~ProviderDirectory() = default;
  // nullptr when the business has no provider for the channel; the message then fails with
  // kFailedPrecondition ("no_provider").
  virtual Provider* Find(BusinessId business, domain::Channel channel) = 0;
  // Every provider, for polling delivery reports.
  virtual std::vector<Provider*> All() = 0;
};

// The same providers for every business: one per channel, set at start-up (`dangol serve` with
// provider flags, tests, benchmarks). Thread-safe once built.
class StaticProviderDirectory final : public ProviderDirectory {
 public:
  // Serves `channel` with `provider` (not owned); a later call for the same channel replaces it.
  void Set(domain::Channel channel, Provider* provider);
  Provider* Find(BusinessId business, domain::Channel channel) override;
  std::vector<Provider*> All() override;

 private:
  std::vector<std::pair<domain::Channel, Provider*>> providers_;
};

}  // namespace crm::messaging
