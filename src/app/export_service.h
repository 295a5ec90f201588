// ExportService: a business's data going out. Customers (the same filters as the list) and orders
// (a time range, a branch) are read in pages inside one read transaction and handed row by row to
// a TableWriter (CSV or XLSX), so an export never holds the whole table in memory; names, phones
// and e-mails can be masked with the scheme of the counter's pick list. Every export is written to
// the access log with who, what, how many rows and whether it was masked. Thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "app/customer_service.h"
#include "app/principal.h"
#include "common/time.h"
#include "importing/table_writer.h"
#include "store/database.h"

namespace crm::app {

enum class Masking { kNone, kMasked };

struct OrderExportQuery {
  std::optional<Timestamp> from;  // ordered_at at or after
  std::optional<Timestamp> to;    // ordered_at before
  std::optional<BranchId> branch;
};

class ExportService {
 public:
  ExportService(store::Database& database, const Clock& clock);

  // Writes the header and one row per customer the query holds, in id order, then finishes the
  // writer and logs the export (`format` names the file type in the log). Returns the number of
  // customers. kPermissionDenied below manager; kInvalidArgument as CustomerService::List;
  // kDataLoss when the writer fails.
  Result<int64_t> Customers(const Principal& principal, const CustomerQuery& query, Masking masking,
                            std::string_view format, importing::TableWriter& writer);

  // Writes one row per order line (an order without lines is one row) of the orders in the range,
  // in order id order. Orders carry the customer's id only, no personal data. Returns the number
  // of orders. kPermissionDenied below manager or for a branch the principal may not see
  // (a principal limited to some branches must name one); kNotFound ("branch_id") for a branch
  // not of the business; kInvalidArgument ("from") when from is not before to.
  Result<int64_t> Orders(const Principal& principal, const OrderExportQuery& query, std::string_view format,
                         importing::TableWriter& writer);

 private:
  Status LogExport(const Principal& principal, std::string detail);

  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
