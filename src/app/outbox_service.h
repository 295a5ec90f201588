// OutboxService: what the business's outbox holds, for the back office's outbox page (발송함) and
// the campaign list: the messages newest first with their status, one message with its full status
// history (MSG-08), and per campaign how many messages are in each status. Read-only; owners and
// managers only (kPermissionDenied for staff). Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "domain/message.h"
#include "store/database.h"

namespace crm::app {

struct OutboxQuery {
  std::optional<CampaignId> campaign;
  std::optional<domain::MessageStatus> status;
  int limit = 50;                  // 1..200
  std::optional<MessageId> before;  // the cursor: messages older than this one
};

struct OutboxPage {
  std::vector<domain::OutboxMessage> messages;
  std::optional<MessageId> next;  // the cursor of the next page, unset on the last
};

struct OutboxEntry {
  domain::OutboxMessage message;
  std::vector<domain::MessageEvent> events;  // oldest first, starting with kQueued
};

class OutboxService {
 public:
  explicit OutboxService(store::Database& database) : database_(database) {}

  // The business's messages, newest first. kInvalidArgument "limit" outside 1..200.
  Result<OutboxPage> List(const Principal& principal, const OutboxQuery& query);
  // One message and its history. kNotFound when it is not the business's.
  Result<OutboxEntry> Get(const Principal& principal, MessageId id);
  // Per campaign, its messages by status (campaigns without messages are absent).
  Result<std::map<CampaignId, std::map<domain::MessageStatus, int64_t>>> CountByCampaign(
      const Principal& principal);

 private:
  store::Database& database_;
};

}  // namespace crm::app
