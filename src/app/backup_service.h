// BackupService: a consistent backup of one business to a stream, and its restore into a database
// that does not hold that business, in one transaction (a bad file restores nothing). The file
// format is store/backup.h's. Thread-safe.
#pragma once

#include <functional>
#include <iosfwd>

#include "store/backup.h"
#include "store/database.h"

namespace crm::app {

class BackupService {
 public:
  explicit BackupService(store::Database& database) : database_(database) {}

  // Writes every row of the business, read from one snapshot. kNotFound for an unknown business.
  Result<store::BackupSummary> Backup(BusinessId business, std::ostream& out);

  // Loads the backup; `in` must be seekable (the transaction may run again on PostgreSQL).
  // Failures as store::RestoreBackup; nothing is written unless it returns OK. `input_intact`, when
  // given, is asked after the whole file was read and before the commit (a sealed file's
  // authentication); its error rolls everything back.
  Result<store::BackupSummary> Restore(std::istream& in, const std::function<Status()>& input_intact = {});

 private:
  store::Database& database_;
};

}  // namespace crm::app
