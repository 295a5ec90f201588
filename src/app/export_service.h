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
#include "app/segment_service.h"
#include "common/time.h"
#include "domain/coupon.h"
#include "domain/loyalty.h"
#include "domain/message.h"
#include "domain/order.h"
#include "importing/table_writer.h"
#include "store/consent_repository.h"
#include "store/database.h"

namespace crm::app {

enum class Masking { kNone, kMasked };

struct OrderExportQuery {
  std::optional<Timestamp> from;  // ordered_at at or after
  std::optional<Timestamp> to;    // ordered_at before
  std::optional<BranchId> branch;
};

// Everything the business holds about one customer (the right of access, PIPA art. 35).
struct CustomerRecord {
  domain::Customer customer;  // the profile with consents, preferences, tags and anniversaries
  domain::LifecycleStage stage = domain::LifecycleStage::kProspect;
  std::vector<domain::Note> notes;
  std::vector<domain::Order> orders;  // newest first, with lines
  std::optional<domain::LoyaltyAccount> account;
  std::vector<domain::LedgerEntry> ledger;
  std::vector<domain::TierChangeRecord> tier_changes;
  std::vector<domain::Coupon> coupons;
  std::optional<domain::Referral> referred_by;  // how this customer was referred
  std::vector<domain::Referral> referrals;      // whom this customer referred
  std::optional<domain::GachaDraw> gacha_draw;
  std::vector<store::ConsentEvent> consent_history;   // oldest first
  std::vector<domain::OutboxMessage> messages;        // newest first
  std::vector<domain::AccessLogEntry> access_log;     // who viewed, changed or exported it, newest first
};

struct AccessLogExportQuery {
  Timestamp from;  // at or after
  Timestamp to;    // before
  std::string reason;
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

  // The customers a saved segment selects now, written as Customers writes them, paging through
  // `segments` (its RFM segments and rhythm as of the analytics' latest figures); the segment's id
  // and name go to the access log. kPermissionDenied below manager; kNotFound for another
  // business's segment.
  Result<int64_t> Segment(const Principal& principal, SegmentService& segments, SegmentId id, Masking masking,
                          std::string_view format, importing::TableWriter& writer);

  // Writes one row per order line (an order without lines is one row) of the orders in the range,
  // in order id order. Orders carry the customer's id only, no personal data. Returns the number
  // of orders. kPermissionDenied below manager or for a branch the principal may not see
  // (a principal limited to some branches must name one); kNotFound ("branch_id") for a branch
  // not of the business; kInvalidArgument ("from") when from is not before to.
  Result<int64_t> Orders(const Principal& principal, const OrderExportQuery& query, std::string_view format,
                         importing::TableWriter& writer);

  // The access log of [from, to) for an audit, oldest first: one row per entry with the staff
  // member's name. Owners only, with a reason (PIPA-06), which goes to the access log with the
  // count. kInvalidArgument ("from") when from is not before to, ("reason") for a missing reason.
  Result<int64_t> AccessLog(const Principal& principal, const AccessLogExportQuery& query, std::string_view format,
                            importing::TableWriter& writer);

  // Everything about one customer, read in one transaction, and an access-log entry for it.
  // kPermissionDenied below manager; kNotFound when the customer is not the business's.
  Result<CustomerRecord> CustomerData(const Principal& principal, CustomerId id);

 private:
  Status LogExport(const Principal& principal, std::string detail, std::optional<CustomerId> customer = {});

  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
