// CustomerConsentGate: the dispatcher's last check (messaging::SendGate) from what the customer
// table holds: the customer still exists (erased customers are gone), has an address for the
// channel, and, for advertising, the channel's marketing consent and night consent in the
// business's time zone (korea.md ADV-01, ADV-02, MSG-01, MSG-02, MSG-03 through
// domain::CheckRecipient). Suppression lists, the frequency cap and the two-year reconfirmation
// come from the campaigns tables: a gate that knows them extends this one. Thread-safe.
#pragma once

#include "messaging/send_gate.h"
#include "store/database.h"

namespace crm::app {

class CustomerConsentGate final : public messaging::SendGate {
 public:
  explicit CustomerConsentGate(store::Database& database) : database_(database) {}

  // Messages without a customer (test sends to staff phones) pass. kUnavailable and other
  // database failures are returned as they are.
  Result<std::vector<messaging::GateVerdict>> Check(std::span<const domain::OutboxMessage> messages,
                                                    Timestamp now) override;
  // Nothing to record without a suppression list: logs the message id only.
  Status RecordProviderSuppression(const domain::OutboxMessage& message, const std::string& provider_code,
                                   Timestamp at) override;

 private:
  store::Database& database_;
};

}  // namespace crm::app
