// What a customer list says beyond the profile, written with the customer it belongs to: the
// opening balance (visits, spend, first and last visit, points, tier of the old system), the memo
// as a note by "import" and the preferences. The totals are folded into the customer's visit
// statistics once per customer and source, so that stages and lists see them; the points become
// one ledger entry with reason "import". No order is invented. Used inside the import's
// transaction; not thread-safe.
#pragma once

#include <string>

#include "common/ids.h"
#include "common/time.h"
#include "domain/customer.h"
#include "importing/cleanser.h"
#include "importing/import_report.h"
#include "store/transaction.h"

namespace crm::app {

struct HistorySettings {
  BusinessId business;
  std::string source;  // the old system's name, as the import calls it
  Timestamp now;
};

// The stats with an opening balance folded in: counts and spend added, first and last visit
// widened, and the visits of the year up to the last visit estimated from the opening's span when
// it is longer than a year (visits spread evenly; at least one).
domain::VisitStats FoldOpening(const domain::VisitStats& stats, const importing::OpeningRecord& opening);

// Writes the record's history for customer `id`. A second import of the same row adds nothing: the
// opening balance is kept once per source, and a note or preference already there is not repeated.
// Reports opening_balance (info) and points_without_program (warning) in `report`.
Status ApplyCustomerHistory(store::Transaction& tx, const HistorySettings& settings, CustomerId id,
                            const importing::CustomerRecord& record, importing::ImportReport& report);

}  // namespace crm::app
