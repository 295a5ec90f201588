// ImportReport: what reading and cleansing one file found, row by row. A bad row is data, not an
// error: every rule that changed, flagged or rejected a value adds a RowIssue naming the row, the
// column, the rule (IssueCode) and the original value. The report keeps a count per code and the
// first few issues of each code as examples, so that it stays small for a million-row file.
// Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::importing {

// What an issue does to its row.
enum class Severity {
  kInfo = 1,     // a value was normalised ("010 1234 5678" → +821012345678); the row is kept
  kWarning = 2,  // something is flagged for review (an outlier, a zero price); the row is kept
  kSkip = 3,     // the row is left out because it adds nothing (an exact duplicate)
  kError = 4,    // the row is rejected; it goes to the rejects file
};

// The cleansing rules. Reported in API and CLI output by name (IssueCodeName); the numbers are
// not persisted.
enum class IssueCode {
  kPhoneNormalized,
  kInvalidPhone,
  kDateNormalized,
  kInvalidDate,
  kAmountNormalized,
  kInvalidAmount,
  kNameNormalized,
  kInvalidText,
  kEmailNormalized,
  kInvalidEmail,
  kInvalidQuantity,
  kDuplicateRow,
  kSameCustomerInFile,  // a later row with the phone or e-mail of an earlier one: merged into it
  kRefund,              // a cancellation invoice or negative quantity became a refund
  kZeroPrice,
  kNegativePrice,
  kAnonymousSale,  // no customer: kept as a sale of nobody, for product analytics
  kOutlier,
  kMissingRequired,
  kRaggedRow,  // more or fewer fields than the header
  kUnterminatedQuote,
  kInvoiceNotContiguous,
  kMixedSignInvoice,
  kNoCustomerKey,
  kMergedIntoExisting,  // a row with the exact phone or e-mail of a customer already there: merged into it
  kUnmappedColumn,      // a column of the header that no field takes: its values are not imported
  kPointsWithoutProgram,  // a points balance for a business without a loyalty program: not imported
  kOpeningBalance,      // visits, spend or points of the old system became the customer's opening balance
  kInvoiceRejected,     // a good line of an order that has a bad one: the whole order is left out
  kWriteOff,            // a negative quantity at price 0 outside a cancellation invoice: stock written off
  kTooManyDecimals,     // an amount with more decimals than the import's currency has
  kSharedPhone,         // a row with the phone of a customer of another name (a family, an alias)
  kCount,  // not a code: the number of codes
};

inline constexpr size_t kIssueCodeCount = static_cast<size_t>(IssueCode::kCount);

// "invalid_phone", "duplicate_row", ...
const char* IssueCodeName(IssueCode code);
Severity SeverityOf(IssueCode code);
const char* SeverityName(Severity severity);

struct RowIssue {
  int64_t row = 0;      // the row as a spreadsheet shows it: the header is row 1, blank rows count
  std::string column;   // the header text of the column, or empty for the whole row
  IssueCode code = IssueCode::kInvalidText;
  std::string message;  // the original value and what became of it
  bool operator==(const RowIssue&) const = default;
};

class ImportReport {
 public:
  // Examples kept per code; counts are always complete.
  static constexpr size_t kExamplesPerCode = 20;

  void Add(RowIssue issue);
  int64_t Count(IssueCode code) const { return counts_[static_cast<size_t>(code)]; }
  // The kept examples in the order they were added.
  const std::vector<RowIssue>& issues() const { return issues_; }

  int64_t rows_read = 0;      // data rows, header excluded
  int64_t rows_rejected = 0;  // rows with at least one kError issue
  int64_t rows_skipped = 0;   // exact duplicates

 private:
  std::array<int64_t, kIssueCodeCount> counts_{};
  std::vector<RowIssue> issues_;
};

}  // namespace crm::importing
