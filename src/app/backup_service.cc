#include "app/backup_service.h"

#include <istream>

#include "store/transaction.h"

namespace crm::app {

Result<store::BackupSummary> BackupService::Backup(BusinessId business, std::ostream& out) {
  return store::ReadValue<store::BackupSummary>(
      database_, [&](store::Transaction& tx) { return store::WriteBackup(tx.connection(), business, out); });
}

Result<store::BackupSummary> BackupService::Restore(std::istream& in,
                                                    const std::function<Status()>& input_intact) {
  return store::WriteValue<store::BackupSummary>(database_, [&](store::Transaction& tx) -> Result<store::BackupSummary> {
    // From the start each time: a PostgreSQL transaction that hit a serialization failure runs again.
    in.clear();
    in.seekg(0);
    auto summary = store::RestoreBackup(tx.connection(), in);
    if (summary.ok() && input_intact) CRM_RETURN_IF_ERROR(input_intact());
    return summary;
  });
}

}  // namespace crm::app
