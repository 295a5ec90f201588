// The message outbox: rows queued in the same transaction as the change that causes them, claimed
// by dispatchers under a lease, and their full status history (MSG-08). Constructed over a
// transaction's connection (OutboxRepository(tx.connection())). Not thread-safe, like the
// connection; many dispatchers may claim at once from different transactions.
//
// Claim protocol: ClaimDue moves due rows to kSending with a lease (due_at = lease expiry) and a
// claim token, and counts the attempt. The dispatcher then calls the provider with the message's
// idempotency key and records the outcome under its token. A dispatcher that dies leaves its rows in
// kSending; once the lease runs out another claims them and sends again with the same key, so the
// provider drops the duplicate (MSG-09).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/message.h"
#include "store/sql.h"

namespace crm::store {

// The result of one attempt or report, for RecordOutcomes.
struct MessageOutcome {
  MessageId id;
  std::string claim_token;  // the token ClaimDue gave; empty for delivery reports
  domain::MessageStatus status = domain::MessageStatus::kSent;  // kSent, kQueued (retry), kFailed, kSuppressed, ...
  std::optional<Timestamp> next_attempt_at;  // with kQueued: when to try again
  std::string provider_message_id;           // with kSent
  std::string provider_status_code;
  std::string detail;  // no personal data
  Timestamp at;
  // With kQueued: send again on this channel (AlimTalk falling back to SMS or LMS, MSG-01).
  std::optional<domain::Channel> new_channel;
};

// A delivery report to apply: found by the business and idempotency key.
struct DeliveryUpdate {
  BusinessId business_id;
  std::string idempotency_key;
  domain::MessageStatus status = domain::MessageStatus::kDelivered;  // kDelivered or kFailed
  std::string provider_status_code;
  std::string detail;
  Timestamp at;
  // Kept when the row has none yet: a report can arrive for a message whose sender died before
  // recording the provider's answer.
  std::string provider_message_id;
};

class OutboxRepository {
 public:
  explicit OutboxRepository(SqlConnection& connection) : connection_(connection) {}

  // Queues `messages` (status kQueued, attempts 0; id, created_at and updated_at are set here to
  // their row id and `now`) in the caller's transaction, many rows per statement. Fails with
  // kAlreadyExists (field "idempotency_key") when a key is already queued for the business; the
  // caller's transaction then keeps nothing. kInvalidArgument for an empty key or recipient.
  Status Enqueue(std::span<const domain::OutboxMessage> messages, Timestamp now);

  // Claims up to `limit` messages that are due at `now`: queued with next_attempt_at <= now, or
  // sending with an expired lease. Each becomes kSending with attempts + 1, the lease until
  // `lease_until` and `claim_token`, and gets a kSending event. On PostgreSQL rows locked by another
  // claimer are skipped (FOR UPDATE SKIP LOCKED). With `only_business`, claims that business's
  // messages only (tests; a dispatcher claims across businesses). Returns the claimed messages,
  // oldest due first.
  Result<std::vector<domain::OutboxMessage>> ClaimDue(Timestamp now, Timestamp lease_until,
                                                      const std::string& claim_token, int limit,
                                                      std::optional<BusinessId> only_business = {});

  // Applies attempt outcomes and appends one event each. An outcome whose claim token no longer
  // matches (its lease expired and another dispatcher claimed the row) is skipped; returns how many
  // were applied.
  Result<int64_t> RecordOutcomes(std::span<const MessageOutcome> outcomes);

  // Applies delivery reports: kDelivered or kFailed on a sent (or sending) message, with an event.
  // Reports for unknown keys or for messages already final are skipped; returns how many applied.
  Result<int64_t> ApplyDeliveryReports(std::span<const DeliveryUpdate> updates);

  // Cancels the campaign's messages that are still queued (not those being sent). Returns how many.
  Result<int64_t> CancelQueued(BusinessId business, CampaignId campaign, Timestamp now);

  // Blanks the recipient, subject and bodies of the customer's messages (PIPA-03 erasure), keeping
  // status, channel and times for the campaign reports. Returns how many rows changed.
  Result<int64_t> EraseCustomer(BusinessId business, CustomerId customer, Timestamp now);

  // kNotFound when the message is not the business's.
  Result<domain::OutboxMessage> Get(BusinessId business, MessageId id);
  Result<domain::OutboxMessage> GetByIdempotencyKey(BusinessId business, const std::string& key);

  // A customer's messages, newest first, at most `limit`, older than `before` when given (paging).
  Result<std::vector<domain::OutboxMessage>> ListForCustomer(BusinessId business, CustomerId customer,
                                                             int limit, std::optional<MessageId> before = {});

  // The business's messages, newest first, at most `limit`, older than `before` when given
  // (paging); only the campaign's when `campaign` is given, only those in `status` when given.
  Result<std::vector<domain::OutboxMessage>> ListForBusiness(BusinessId business,
                                                             std::optional<CampaignId> campaign,
                                                             std::optional<domain::MessageStatus> status,
                                                             int limit, std::optional<MessageId> before = {});

  // Per campaign of the business, how many of its messages are in each status (for the campaign
  // list); campaigns without messages are absent.
  Result<std::map<CampaignId, std::map<domain::MessageStatus, int64_t>>> CountByCampaign(BusinessId business);

  // The message's history, oldest first, starting with kQueued at its created_at (MSG-08).
  Result<std::vector<domain::MessageEvent>> ListEvents(BusinessId business, MessageId id);

  // How many of the campaign's messages are in each status (statuses with none are absent).
  Result<std::map<domain::MessageStatus, int64_t>> CountByStatus(BusinessId business, CampaignId campaign);

  // For the frequency cap: per customer, the advertising messages sent (kSent or kDelivered) at or
  // after `since`. Customers with none are absent.
  Result<std::map<CustomerId, int>> CountRecentAdvertising(BusinessId business,
                                                           std::span<const CustomerId> customers,
                                                           Timestamp since);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
