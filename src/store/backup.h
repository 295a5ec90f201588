// Backup and restore of one business: every row of every table that belongs to it, written as a
// dialect-neutral JSON-lines file and loaded into another database (SQLite or PostgreSQL) with the
// same ids. The format:
//
//   {"format":"dangol-backup","format_version":1,"schema_version":7,"business":"demo"}
//   {"table":"businesses","row":{"created_at":...,"id":1,"name":"...","slug":"demo",...}}
//   {"table":"branches","row":{...}}
//   ...
//   {"end":true,"rows":1234,"tables":{"branches":2,...},"sha256":"<hex of every line above>"}
//
// Tables come in an order that satisfies their foreign keys; rows of a table in id order (tables
// without an id: in the byte order of their lines), keys of a row in name order, so that the same
// data gives the same file on either back end. Values are JSON null, integers or strings, as the
// schema stores them. Not thread-safe; each call works inside one transaction.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>

#include "common/ids.h"
#include "store/sql.h"

namespace crm::store {

inline constexpr int kBackupFormatVersion = 1;

struct BackupSummary {
  std::string business_slug;
  int schema_version = 0;
  int64_t rows = 0;
  std::map<std::string, int64_t> tables;  // rows per table
};

// Writes the business's rows to `out` (read in the caller's transaction, so the copy is
// consistent). kNotFound when there is no such business.
Result<BackupSummary> WriteBackup(SqlConnection& connection, BusinessId business, std::ostream& out);

// Loads a backup read from `in` inside the caller's write transaction: the caller commits only on
// OK, so a bad file writes nothing. Fails with kAlreadyExists when the backup's business (its slug,
// or any of its ids) is in the database already, kFailedPrecondition when the backup's schema is
// newer than the database's, kDataLoss for a file that is not a complete, unaltered backup
// (a bad line, a missing end line, counts or checksum that do not match), kInvalidArgument for a
// table or column this database does not have. On PostgreSQL the id sequences are moved past the
// restored ids.
Result<BackupSummary> RestoreBackup(SqlConnection& connection, std::istream& in);

}  // namespace crm::store
