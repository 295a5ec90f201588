// ConsentSendGate: the campaigns side of messaging::SendGate. Right before the dispatcher calls a
// provider it reads each message's customer again (consents, night consent, reconfirmation) and the
// suppression list, and asks domain::CheckRecipient as of that moment, so that a withdrawal or an
// 080 opt-out recorded after queueing stops the message (korea.md ADV-01, MSG-07). Night hours and
// brand-message quiet hours hold a message until the window opens; every other reason suppresses
// it. The frequency cap is applied when a campaign is queued (its own queued messages would count
// against it here). Test sends to staff (no customer) pass. Thread-safe.
#pragma once

#include "common/time.h"
#include "messaging/send_gate.h"
#include "store/database.h"

namespace crm::app {

class ConsentSendGate final : public messaging::SendGate {
 public:
  explicit ConsentSendGate(store::Database& database) : database_(database) {}

  // One verdict per message; fails only when the database does.
  Result<std::vector<messaging::GateVerdict>> Check(std::span<const domain::OutboxMessage> messages,
                                                    Timestamp now) override;
  // Puts the recipient on the suppression list as an 080 opt-out (MSG-08 codes 1061/2061).
  Status RecordProviderSuppression(const domain::OutboxMessage& message, const std::string& provider_code,
                                   Timestamp at) override;

 private:
  store::Database& database_;
};

}  // namespace crm::app
