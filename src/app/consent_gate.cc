#include "app/consent_gate.h"

#include <map>

#include "domain/campaign.h"
#include "store/business_repository.h"
#include "store/consent_repository.h"
#include "store/customer_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

std::optional<domain::ConsentState> Latest(const domain::Customer& customer, domain::ConsentChannel channel) {
  std::optional<domain::ConsentState> latest;
  for (const domain::Consent& consent : customer.consents) {
    if (consent.channel == channel && (!latest || consent.at >= latest->at)) {
      latest = domain::ConsentState{consent.granted, consent.at};
    }
  }
  return latest;
}

Result<messaging::GateVerdict> CheckOne(store::Transaction& tx, const domain::OutboxMessage& message, Timestamp now,
                                        std::map<int64_t, int>& offsets) {
  if (!message.customer_id.valid()) return messaging::GateVerdict::Send();  // a test send to staff
  const BusinessId business = message.business_id;
  auto offset = offsets.find(business.value());
  if (offset == offsets.end()) {
    CRM_ASSIGN_OR_RETURN(domain::Business owner, tx.businesses().Get(business));
    offset = offsets.emplace(business.value(), owner.utc_offset_minutes).first;
  }
  domain::RecipientSnapshot snapshot;
  snapshot.channel = message.channel;
  snapshot.purpose = message.purpose;
  snapshot.now = now;
  snapshot.utc_offset_minutes = offset->second;
  auto customer = tx.customers().Get(business, message.customer_id);
  if (customer.status().code() == StatusCode::kNotFound) {
    snapshot.erased = true;
  } else {
    CRM_RETURN_IF_ERROR(customer.status());
    const domain::ConsentChannel item = domain::ConsentChannelFor(message.channel);
    snapshot.has_address = !message.recipient.empty();
    snapshot.channel_consent = Latest(*customer, item);
    snapshot.night_consent = Latest(*customer, domain::ConsentChannel::kNight);
    store::ConsentRepository consents(tx.connection());
    CRM_ASSIGN_OR_RETURN(snapshot.reconfirmed_at, consents.LastReconfirmation(business, message.customer_id, item));
    CRM_ASSIGN_OR_RETURN(auto suppression, consents.FindSuppression(business, message.recipient));
    if (suppression) {
      using domain::SuppressionReason;
      snapshot.opted_out_080 = suppression->reason == SuppressionReason::kOptOut080;
      snapshot.bounced = suppression->reason == SuppressionReason::kBounce;
      snapshot.withdrawn = suppression->reason == SuppressionReason::kWithdrawn;
      snapshot.erased = suppression->reason == SuppressionReason::kErased;
    }
  }
  const std::optional<domain::ExclusionReason> reason = domain::CheckRecipient(snapshot);
  if (!reason) return messaging::GateVerdict::Send();
  if (domain::IsTemporary(*reason)) {
    return messaging::GateVerdict::Hold(*reason, domain::NextSendWindow(now, message.channel, offset->second));
  }
  return messaging::GateVerdict::Suppress(*reason);
}

}  // namespace

Result<std::vector<messaging::GateVerdict>> ConsentSendGate::Check(std::span<const domain::OutboxMessage> messages,
                                                                   Timestamp now) {
  std::vector<messaging::GateVerdict> verdicts;
  verdicts.reserve(messages.size());
  std::map<int64_t, int> offsets;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    for (const domain::OutboxMessage& message : messages) {
      CRM_ASSIGN_OR_RETURN(messaging::GateVerdict verdict, CheckOne(tx, message, now, offsets));
      verdicts.push_back(verdict);
    }
    return Status::Ok();
  }));
  return verdicts;
}

Status ConsentSendGate::RecordProviderSuppression(const domain::OutboxMessage& message,
                                                  const std::string& provider_code, Timestamp at) {
  return database_.Write([&](store::Transaction& tx) -> Status {
    return store::ConsentRepository(tx.connection())
        .Suppress(message.business_id,
                  {message.recipient, domain::SuppressionReason::kOptOut080, "provider " + provider_code.substr(0, 10), at})
        .status();
  });
}

}  // namespace crm::app
