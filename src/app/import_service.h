// ImportService: bringing a business's customers and sales in from CSV or XLSX files. The file is
// read and cleansed by importing/ (every rule reported per row) and written in one transaction:
// a dry run writes nothing and reports what would happen; a real run is all-or-nothing unless the
// caller asks for the valid rows only, in which case the rejected rows come back as a CSV file
// with the reason, to be fixed and imported again. Re-importing a file, or an overlapping one,
// doubles nothing: orders are keyed by (source, invoice number) or by a content hash of the row,
// customers by phone, e-mail or their number in the other system. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/principal.h"
#include "common/time.h"
#include "importing/column_mapping.h"
#include "importing/duplicate_finder.h"
#include "importing/import_report.h"
#include "importing/source_opener.h"
#include "store/database.h"
#include "store/import_repository.h"

namespace crm::app {

// Persisted in import runs: the values never change.
enum class ImportMode { kAllOrNothing = 1, kValidRows = 2 };
enum class ImportAction { kDryRun = 0, kApply = 1 };
// What a customer row whose phone belongs to a customer of another name becomes: merged into that
// customer, a separate customer sharing the number (a family; the default), or another name of
// that customer. Rows whose names match are always merged.
enum class SharedPhonePolicy { kAuto = 0, kMerge = 1, kFamily = 2, kAlias = 3 };
std::optional<SharedPhonePolicy> ParseSharedPhonePolicy(std::string_view text);  // auto, merge, family, alias

struct ImportProgress {
  int64_t rows = 0;
  int64_t bytes_read = 0;   // of the file; for XLSX the whole file is read first
  int64_t bytes_total = 0;  // 0 when unknown
};

struct ImportRequest {
  importing::ImportKind kind = importing::ImportKind::kCustomers;
  ImportAction action = ImportAction::kDryRun;
  ImportMode mode = ImportMode::kAllOrNothing;
  importing::SourceOptions source;
  // The user's mapping, one field per column; unset: the remembered one for this header, else a guess.
  std::optional<std::vector<importing::Field>> fields;
  std::string source_name = "import";  // the external source its orders and customer numbers carry
  // Decimals of the file's amounts (0 for KRW, 2 for GBP); unset: the business's currency's.
  std::optional<int> currency_exponent;
  std::optional<int> utc_offset_minutes;  // how the file's times are read; default the business's
  std::optional<BranchId> branch;         // where imported orders belong; default the first branch
  std::function<void(const ImportProgress&)> on_progress;  // called every few thousand rows
  // Columns whose header names a known field but which the mapping ignores stop the run unless
  // the user confirmed that they are to be left out.
  bool confirm_ignored = false;
  SharedPhonePolicy shared_phone = SharedPhonePolicy::kAuto;
};

struct ImportCounts {
  int64_t customers_created = 0;
  int64_t customers_updated = 0;    // empty fields filled from the file
  int64_t customers_unchanged = 0;  // already there with nothing new
  int64_t orders_created = 0;
  int64_t refunds_created = 0;  // included in orders_created
  int64_t refunds_linked = 0;   // refunds tied to their original sale
  int64_t orders_existing = 0;  // already imported: skipped
  int64_t write_offs_created = 0;   // stock written off (not orders, no customer's)
  int64_t write_offs_existing = 0;  // already imported: skipped
};

struct ImportOutcome {
  importing::ImportReport report;
  importing::ColumnMapping mapping;
  importing::FileFormat format = importing::FileFormat::kCsv;
  importing::Encoding encoding = importing::Encoding::kUtf8;
  char delimiter = ',';
  std::string file_hash;
  ImportCounts counts;  // what was written, or for a dry run what would be
  bool committed = false;
  std::optional<int64_t> run_id;
  std::optional<int64_t> previous_run_id;  // the same file was imported before
  // kValidRows: the header plus "reason", and each rejected row, up to 32 MiB (then
  // rejects_truncated is set and later rejected rows are only counted).
  std::string rejects_csv;
  bool rejects_truncated = false;
};

// What imports kept for one customer beyond the profile's fields.
struct ImportedProfile {
  std::vector<store::OpeningBalance> opening_balances;
  std::vector<store::PhoneShare> phone_shares;  // as the one sharing a number, or as its holder
  std::vector<store::CustomerAttribute> attributes;
  std::vector<NoteId> imported_notes;  // the notes a customer list's memo column wrote
};

class ImportService {
 public:
  ImportService(store::Database& database, const Clock& clock);

  // Reads `input` (seekable; it must stay readable for the call) as the request says. Returns the
  // outcome whenever the file could be read as a table, also when rows were rejected: then, in
  // kAllOrNothing mode, nothing is written and `committed` is false. Fails with
  // kPermissionDenied below manager; kInvalidArgument ("file") for an empty or unreadable file,
  // ("mapping") for a mapping that does not fit the header or the kind, ("branch") for a branch
  // not of the business; kFailedPrecondition ("mapping", reason ignored_known_column) for a column
  // whose header names a known field but which is mapped to ignore, unless confirm_ignored; kFailedPrecondition ("branch") when the business has no branch for orders.
  Result<ImportOutcome> Import(const Principal& principal, std::istream& input, const ImportRequest& request);

  // The duplicate review queue: candidate pairs of the business's customers that may be one person
  // (see importing/duplicate_finder.h), best first, at most `limit`. Reads every customer once.
  // kPermissionDenied below manager.
  Result<std::vector<importing::DuplicateCandidate>> FindDuplicates(const Principal& principal, int limit);

  // The opening balances, shared phones and attributes imports kept for the customer. kNotFound
  // when the customer is not the business's.
  Result<ImportedProfile> CustomerImports(const Principal& principal, CustomerId customer);

  // A committed run. kNotFound when it is not the business's.
  Result<store::ImportRun> GetRun(const Principal& principal, int64_t id);

 private:
  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
