// SendGate: the last check before a message leaves. The dispatcher asks it about each claimed
// message right before calling the provider, so that a withdrawal, an 080 opt-out or a bounce
// recorded a moment ago stops the next message (korea.md ADV-01, MSG-07). The campaigns side
// implements it over the consent and suppression tables and domain::CheckRecipient.
#pragma once

#include <span>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "domain/message.h"
#include "domain/message_rules.h"
#include "messaging/provider.h"

namespace crm::messaging {

// The gate's answer for one message.
struct GateVerdict {
  enum class Kind { kSend = 1, kSuppress = 2, kHold = 3 };
  Kind kind = Kind::kSend;
  domain::ExclusionReason reason = domain::ExclusionReason::kNoConsent;  // with kSuppress or kHold
  Timestamp hold_until;                                                // with kHold

  static GateVerdict Send() { return {}; }
  static GateVerdict Suppress(domain::ExclusionReason why) { return {Kind::kSuppress, why, {}}; }
  static GateVerdict Hold(domain::ExclusionReason why, Timestamp until) { return {Kind::kHold, why, until}; }
};

// Thread-safe: the dispatcher may call it from its own thread while requests use the database.
class SendGate {
 public:
  virtual ~SendGate() = default;

  // One verdict per message, in order, as of `now`. A failure (database unavailable) makes the
  // dispatcher put the batch back for a later attempt, sending nothing.
  virtual Result<std::vector<GateVerdict>> Check(std::span<const domain::OutboxMessage> messages,
                                                 Timestamp now) = 0;

  // Called when a provider says a recipient must be suppressed (an 080 opt-out reported with code
  // 1061/2061, MSG-07/MSG-08) so that it joins the suppression list. Errors are logged, not retried.
  virtual Status RecordProviderSuppression(const domain::OutboxMessage& message,
                                           const std::string& provider_code, Timestamp at) = 0;
};

// A gate that lets every message through. Only for tests and benchmarks of the delivery path.
class AllowAllGate final : public SendGate {
 public:
  Result<std::vector<GateVerdict>> Check(std::span<const domain::OutboxMessage> messages,
                                         Timestamp now) override {
    return std::vector<GateVerdict>(messages.size(), GateVerdict::Send());
  }
  Status RecordProviderSuppression(const domain::OutboxMessage&, const std::string&, Timestamp) override {
    return Status::Ok();
  }
};

}  // namespace crm::messaging
