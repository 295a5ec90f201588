// Cleanser: turns the records of an imported file into clean customers and orders, applying every
// cleansing rule and reporting each in the ImportReport with the row, the column and the original
// value (see import_report.h for the codes). Rows of one order (same invoice number, one after the
// other) are gathered into one order; negative quantities and cancellation invoices ("C536379")
// become refunds, linked to the customer's latest earlier sale of the same product where there is
// one; rows without a customer become anonymous sales; line amounts (order totals for the orders
// kind) far from the median by the robust MAD rule are flagged when the file ends; a line's unit
// price is judged against the other lines of the same product, an order's total against the file.
// Streaming: what it holds grows with the number of distinct invoices, customer-product pairs and
// rows (one 64-bit hash each, for duplicate detection), never with the text of the file.
// Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "domain/customer.h"
#include "domain/order.h"
#include "importing/column_mapping.h"
#include "importing/hash_set64.h"
#include "importing/import_report.h"
#include "importing/row_source.h"
#include "importing/value_parsers.h"

namespace crm::importing {

struct CleanseOptions {
  ImportKind kind = ImportKind::kCustomers;
  int currency_exponent = 0;         // 0 for KRW; 2 for GBP or USD
  int utc_offset_minutes = 9 * 60;   // how the file's local times are read (Asia/Seoul)
  double outlier_mad_multiple = 10;  // flag values beyond median ± multiple × 1.4826 × MAD
};

// What a customer list says about a customer's past in the old system: stored as the customer's
// opening balance, never as invented orders.
struct OpeningRecord {
  int64_t visit_count = 0;
  int64_t total_spend = 0;  // minor units of the import's currency
  std::optional<Timestamp> first_visit_at;
  std::optional<Timestamp> last_visit_at;
  std::optional<int64_t> points;
  std::string tier;
  bool IsEmpty() const {
    return visit_count == 0 && total_spend == 0 && !first_visit_at && !last_visit_at && !points && tier.empty();
  }
};

// Who a customer is, as far as the file says. Empty strings are unknown.
struct CustomerRecord {
  int64_t row = 0;
  std::string name;
  std::string phone_e164;
  std::string email;
  std::string external_id;
  std::string address;
  std::optional<Date> birthday;
  domain::Gender gender = domain::Gender::kUnspecified;
  std::vector<std::string> tags;
  std::optional<Timestamp> joined_at;
  OpeningRecord opening;
  std::string note;
  std::vector<PreferenceText> preferences;
  std::vector<std::pair<std::string, std::string>> attributes;  // (header, value) of attribute columns
  bool HasKey() const { return !phone_e164.empty() || !email.empty() || !external_id.empty(); }
  bool IsEmpty() const { return !HasKey() && name.empty(); }
};

struct OrderRecord {
  int64_t first_row = 0;
  std::string external_id;  // the invoice number, or "row-<hash>" when the file has none
  domain::OrderKind kind = domain::OrderKind::kSale;
  Timestamp ordered_at;
  Money total;  // negative for a refund
  std::vector<domain::OrderLine> lines;  // quantities positive, for refunds too
  CustomerRecord customer;               // empty for an anonymous sale
  std::string original_external_id;      // a refund's sale, when one was found
};

// A line at price 0 with a negative quantity outside a cancellation invoice: stock written off
// (damaged, lost), which is neither a customer's refund nor a sale, and belongs to no customer.
struct WriteOffRecord {
  int64_t row = 0;
  std::string external_id;  // the invoice number the line came with
  Timestamp at;
  domain::OrderLine line;  // quantity positive: the units written off
};

// Receives the clean records as they complete. Returning an error stops the import.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status OnCustomer(CustomerRecord record) = 0;
  virtual Status OnOrder(OrderRecord record) = 0;
  virtual Status OnWriteOff(WriteOffRecord) { return Status::Ok(); }
};

// What a first pass over a line file learns about its invoices, so that the second pass groups
// each invoice's rows wherever they are in the file and leaves out every row of an invoice with a
// bad line.
struct InvoicePlan {
  struct Bad {
    int64_t row = 0;          // the first bad row
    bool mixed_sign = false;  // a sale line in a refund or the reverse, rather than a bad value
  };
  std::unordered_map<std::string, int64_t> last_row;  // where each invoice's last line is
  std::unordered_map<std::string, Bad> bad;
  std::unordered_map<std::string, bool> refund;  // while scanning: whether the first line made a refund
};

// Line files (order_lines, transactions) are read twice: a scan that builds the InvoicePlan and
// hands nothing over, then the pass that uses it. Other kinds need only the second.
enum class CleanserPass { kScanInvoices, kRecords };

// What became of one row.
struct RowOutcome {
  bool rejected = false;
  std::string reason;  // "invalid_phone: 전화번호" for the first error
};

class Cleanser {
 public:
  // `mapping` must have passed ValidateMapping for options.kind. `report` must outlive the cleanser.
  // Without a plan a line file's orders are handed over at Finish, each whole.
  Cleanser(ColumnMapping mapping, CleanseOptions options, ImportReport& report,
           CleanserPass pass = CleanserPass::kRecords, InvoicePlan plan = {});

  // Cleans the record shown on spreadsheet row `row` (the header is row 1). Completed records go to `sink`; its errors are returned.
  Result<RowOutcome> Add(const Record& record, int64_t row, RecordSink& sink);
  // Hands over the orders still open and flags outliers. Call once, after the last row.
  Status Finish(RecordSink& sink);
  // After a kScanInvoices pass and its Finish: what it learnt.
  InvoicePlan TakePlan();
  // The decimals most of the too_many_decimals amounts had (0 when there were none): what the
  // currency exponent should be for this file.
  int CommonExcessDecimals() const;

 private:
  struct RowContext {
    const Record& record;
    int64_t row;
    RowOutcome outcome;
  };
  std::string_view Value(const RowContext& context, Field field) const;
  const std::string& Header(Field field) const;
  void Issue(RowContext& context, Field field, IssueCode code, std::string message);

  bool CleanCustomer(RowContext& context, CustomerRecord& customer);
  // `original` normalised, or nothing (and an invalid_text issue) when it is not text, is longer
  // than `max_bytes` or holds control characters.
  std::optional<std::string> CleanText(RowContext& context, Field field, std::string_view original, size_t max_bytes);
  void CleanName(RowContext& context, CustomerRecord& customer);
  void CleanPhone(RowContext& context, CustomerRecord& customer);
  void CleanEmail(RowContext& context, CustomerRecord& customer);
  void CleanProfile(RowContext& context, CustomerRecord& customer);
  // The customers kind's history columns (cleanser_history.cc).
  void CleanHistory(RowContext& context, CustomerRecord& customer);
  std::optional<int64_t> CleanCount(RowContext& context, Field field);
  void CleanAttributes(RowContext& context, CustomerRecord& customer);
  std::optional<Timestamp> CleanTime(RowContext& context, Field field);
  std::optional<int64_t> CleanAmount(RowContext& context, Field field);

  Status AddCustomerRow(RowContext& context, RecordSink& sink);
  Status AddOrderRow(RowContext& context, RecordSink& sink);
  Status AddLineRow(RowContext& context, RecordSink& sink);
  std::optional<domain::OrderLine> CleanLine(RowContext& context, bool& negative);
  Status FlushOrder(const std::string& invoice, RecordSink& sink);
  void LinkRefund(OrderRecord& order);
  void FlagOutliers();

  ColumnMapping mapping_;
  CleanseOptions options_;
  ImportReport& report_;
  HashSet64 seen_rows_;
  CleanserPass pass_;
  InvoicePlan plan_;
  std::unordered_map<std::string, OrderRecord> open_orders_;
  std::array<int64_t, 10> excess_decimals_{};  // too_many_decimals amounts by the decimals they had
  // The hash of (customer key, category, product) → the latest sale's invoice, for linking refunds.
  // A hash rather than the text: one key is made for every sale line of the file.
  std::unordered_map<uint64_t, std::string> last_sale_;
  // For the outlier rule: order totals (one group), or each line's unit price grouped by product.
  struct AmountSample {
    uint64_t group = 0;  // the product's hash; 0 for order totals
    int64_t row = 0;
    int64_t amount = 0;
  };
  std::vector<AmountSample> amounts_;
  // The last date text that parsed without an issue, and its time (see CleanTime).
  std::string last_time_text_;
  Timestamp last_time_;
};

}  // namespace crm::importing
