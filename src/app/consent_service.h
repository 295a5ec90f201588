// ConsentService: what customers decided about advertising and how they say no (korea.md ADV-01,
// ADV-03, ADV-04, ADV-05, MSG-07, MSG-10). The public opt-out page works from a signed link without
// a login; staff record an opt-out at the counter; the 080 opt-out list is uploaded (or reported by
// the provider) into the suppression list; every decision is kept in the consent history. The
// confirmation notice of each decision (within 14 days) and the two-year reconfirmation are queued
// as informational SMS, or e-mail without a phone, never AlimTalk (MSG-02). A withdrawal commits
// before the next message is checked by the send gate (app/consent_gate.h). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "domain/campaign.h"
#include "domain/customer.h"
#include "store/consent_repository.h"
#include "store/database.h"

namespace crm::app {

// What the public page shows: the business and whether the customer still receives advertising.
struct OptOutPage {
  std::string business_name;
  std::string customer_name;  // masked
  bool receiving = false;     // some marketing consent still granted
};

struct NoticeCounts {
  int64_t confirmations = 0;
  int64_t reconfirmations = 0;
  int64_t without_address = 0;  // owed but the customer has neither phone nor e-mail
};

class ConsentService {
 public:
  ConsentService(store::Database& database, const Clock& clock);

  // kNotFound for a malformed, forged or stale link (the same answer for each, so a
  // link cannot be probed).
  Result<OptOutPage> Page(const std::string& token);
  // Withdraws every marketing consent (SMS, Kakao, e-mail, night) with source "opt_out_page".
  // Repeating it changes nothing. kNotFound as Page.
  Result<OptOutPage> OptOut(const std::string& token);
  // The signed link of a customer, for staff to hand over (manager or owner). kNotFound.
  Result<std::string> LinkFor(const Principal& principal, CustomerId customer);

  // Staff at the counter (any role): withdraws the given channels (all marketing when empty) with
  // source "counter". kNotFound.
  Status RecordOptOut(const Principal& principal, CustomerId customer, std::vector<domain::ConsentChannel> channels);
  // The customer's decisions, oldest first. kNotFound.
  Result<std::vector<store::ConsentEvent>> History(const Principal& principal, CustomerId customer);

  // Adds 080 opt-outs (manager or owner): each line a phone number. Returns how many were new;
  // kInvalidArgument "numbers[i]" for a line that is not a phone number (nothing is added).
  Result<int64_t> AddOptOuts080(const Principal& principal, const std::vector<std::string>& numbers);
  // Adds one address for a reason (a bounce, a withdrawal) from inside the server.
  Status Suppress(BusinessId business, const std::string& address, domain::SuppressionReason reason,
                  const std::string& source);
  Result<std::vector<store::Suppression>> Suppressions(const Principal& principal);
  Status Unsuppress(const Principal& principal, const std::string& address);

  // Queues the notices owed now (manager or owner, or the daily pass): ADV-04 confirmations of the
  // decisions of the last 14 days and ADV-05 reconfirmations of consents granted 23 months ago or
  // more without one since. Each is recorded, so a second call queues nothing new.
  Result<NoticeCounts> QueueConsentNotices(const Principal& principal);

  // The processors paragraph of the privacy policy (MSG-10) for the business's providers, in
  // Korean and English.
  Result<std::pair<std::string, std::string>> ProcessorsText(const Principal& principal);

 private:
  Status Withdraw(BusinessId business, CustomerId customer, const std::vector<domain::ConsentChannel>& channels,
                  const std::string& source);

  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
