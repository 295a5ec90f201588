#include "app/outbox_service.h"

#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::app {

Result<OutboxPage> OutboxService::List(const Principal& principal, const OutboxQuery& query) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (query.limit < 1 || query.limit > 200) return InvalidArgument("must be from 1 to 200", "limit");
  return store::ReadValue<OutboxPage>(database_, [&](store::Transaction& tx) -> Result<OutboxPage> {
    // One more than asked tells whether a next page exists.
    CRM_ASSIGN_OR_RETURN(auto messages, store::OutboxRepository(tx.connection())
                                            .ListForBusiness(principal.business_id, query.campaign, query.status,
                                                             query.limit + 1, query.before));
    OutboxPage page;
    if (static_cast<int>(messages.size()) > query.limit) {
      messages.resize(query.limit);
      page.next = messages.back().id;
    }
    page.messages = std::move(messages);
    return page;
  });
}

Result<OutboxEntry> OutboxService::Get(const Principal& principal, MessageId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<OutboxEntry>(database_, [&](store::Transaction& tx) -> Result<OutboxEntry> {
    store::OutboxRepository outbox(tx.connection());
    OutboxEntry entry;
    CRM_ASSIGN_OR_RETURN(entry.message, outbox.Get(principal.business_id, id));
    CRM_ASSIGN_OR_RETURN(entry.events, outbox.ListEvents(principal.business_id, id));
    return entry;
  });
}

Result<std::map<CampaignId, std::map<domain::MessageStatus, int64_t>>> OutboxService::CountByCampaign(
    const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  using Counts = std::map<CampaignId, std::map<domain::MessageStatus, int64_t>>;
  return store::ReadValue<Counts>(database_, [&](store::Transaction& tx) {
    return store::OutboxRepository(tx.connection()).CountByCampaign(principal.business_id);
  });
}

}  // namespace crm::app
