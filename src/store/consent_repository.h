// What a business may send and to whom: its messaging settings and registered sender numbers,
// the consent history of each customer (every grant and withdrawal, appended by triggers on
// customer_consents) and the suppression list. Constructed over a transaction's connection.
// Not thread-safe, like the connection.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/campaign.h"
#include "domain/customer.h"
#include "store/sql.h"

namespace crm::store {

struct ConsentEvent {
  int64_t id = 0;
  CustomerId customer_id;
  domain::Consent consent;
};

struct Suppression {
  std::string address;  // E.164 phone or lower-case e-mail
  domain::SuppressionReason reason = domain::SuppressionReason::kOptOut080;
  std::string source;
  Timestamp at;
};

// A consent decision that a notice is owed for.
struct PendingNotice {
  CustomerId customer_id;
  domain::ConsentChannel channel = domain::ConsentChannel::kSms;
  bool granted = false;
  Timestamp decided_at;
};

// Persisted: the values never change.
enum class NoticeKind { kConfirmation = 1, kReconfirmation = 2 };

class ConsentRepository {
 public:
  explicit ConsentRepository(SqlConnection& connection) : connection_(connection) {}

  // The business's settings, or the defaults (with the business id) when none were saved.
  Result<domain::MessagingSettings> Settings(BusinessId business);
  Status SaveSettings(const domain::MessagingSettings& settings);

  // kAlreadyExists ("number") when the business registered it already.
  Result<domain::SenderNumber> AddSenderNumber(domain::SenderNumber number);
  Result<std::vector<domain::SenderNumber>> SenderNumbers(BusinessId business);
  // kNotFound when it is not the business's.
  Status RemoveSenderNumber(BusinessId business, int64_t id);

  // Records a decision as the customer's latest for its channel (the trigger adds it to the history).
  Status RecordConsent(BusinessId business, CustomerId customer, const domain::Consent& consent);
  // The customer's consent decisions, oldest first.
  Result<std::vector<ConsentEvent>> History(BusinessId business, CustomerId customer);
  // Consent events of the business at or after `since`, oldest first (confirmation notices).
  Result<std::vector<ConsentEvent>> EventsSince(BusinessId business, Timestamp since, int limit);

  // Consent decisions (SMS, Kakao, e-mail) made at or after `since` without a confirmation notice
  // (ADV-04), oldest first.
  Result<std::vector<PendingNotice>> PendingConfirmations(BusinessId business, Timestamp since, int limit);
  // Consents granted at or before `granted_before` with no reconfirmation notice sent after it
  // (ADV-05), oldest first.
  Result<std::vector<PendingNotice>> PendingReconfirmations(BusinessId business, Timestamp granted_before,
                                                           int limit);
  // Records a notice as queued; false when it was recorded already.
  Result<bool> RecordNotice(BusinessId business, NoticeKind kind, const PendingNotice& notice, Timestamp sent_at);
  // When the last reconfirmation notice for the customer's channel was queued, if ever.
  Result<std::optional<Timestamp>> LastReconfirmation(BusinessId business, CustomerId customer,
                                                      domain::ConsentChannel channel);

  // Adds an address (or keeps the first reason when it is already there). Returns true when added.
  Result<bool> Suppress(BusinessId business, const Suppression& suppression);
  Result<std::optional<Suppression>> FindSuppression(BusinessId business, const std::string& address);
  Result<std::vector<Suppression>> Suppressions(BusinessId business);
  // kNotFound when the address is not listed.
  Status Unsuppress(BusinessId business, const std::string& address);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
