#include "app/customer_consent_gate.h"

#include <map>

#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

using domain::Channel;
using messaging::GateVerdict;

domain::ConsentChannel ConsentItemOf(Channel channel) {
  switch (channel) {
    case Channel::kAlimTalk:
    case Channel::kBrandMessage: return domain::ConsentChannel::kKakao;
    case Channel::kEmail: return domain::ConsentChannel::kEmail;
    default: return domain::ConsentChannel::kSms;
  }
}

// The latest decision on `item`.
std::optional<domain::ConsentState> Latest(const domain::Customer& customer, domain::ConsentChannel item) {
  std::optional<domain::ConsentState> latest;
  for (const domain::Consent& consent : customer.consents) {
    if (consent.channel != item) continue;
    if (!latest || consent.at >= latest->at) latest = domain::ConsentState{consent.granted, consent.at};
  }
  return latest;
}

}  // namespace

Result<std::vector<GateVerdict>> CustomerConsentGate::Check(std::span<const domain::OutboxMessage> messages,
                                                            Timestamp now) {
  std::vector<GateVerdict> verdicts;
  verdicts.reserve(messages.size());
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    std::map<BusinessId, int> offsets;
    for (const domain::OutboxMessage& m : messages) {
      if (!m.customer_id.valid()) {
        verdicts.push_back(GateVerdict::Send());
        continue;
      }
      if (!offsets.contains(m.business_id)) {
        CRM_ASSIGN_OR_RETURN(domain::Business business, tx.businesses().Get(m.business_id));
        offsets[m.business_id] = business.utc_offset_minutes;
      }
      domain::RecipientSnapshot snapshot;
      snapshot.channel = m.channel;
      snapshot.purpose = m.purpose;
      snapshot.now = now;
      snapshot.utc_offset_minutes = offsets[m.business_id];
      Result<domain::Customer> customer = tx.customers().Get(m.business_id, m.customer_id);
      if (customer.status().code() == StatusCode::kNotFound) {
        snapshot.erased = true;
      } else if (!customer.ok()) {
        return customer.status();
      } else {
        snapshot.has_address = m.channel == Channel::kEmail ? !customer->email.empty() : !customer->phone_e164.empty();
        snapshot.channel_consent = Latest(*customer, ConsentItemOf(m.channel));
        snapshot.night_consent = Latest(*customer, domain::ConsentChannel::kNight);
      }
      std::optional<domain::ExclusionReason> reason = domain::CheckRecipient(snapshot);
      if (!reason) {
        verdicts.push_back(GateVerdict::Send());
      } else if (domain::IsTemporary(*reason)) {
        verdicts.push_back(GateVerdict::Hold(*reason, domain::NextSendWindow(now, m.channel, snapshot.utc_offset_minutes)));
      } else {
        verdicts.push_back(GateVerdict::Suppress(*reason));
      }
    }
    return Status::Ok();
  }));
  return verdicts;
}

Status CustomerConsentGate::RecordProviderSuppression(const domain::OutboxMessage& message,
                                                      const std::string& provider_code, Timestamp at) {
  return Status::Ok();
}

}  // namespace crm::app
