#include "importing/import_report.h"

namespace crm::importing {

const char* IssueCodeName(IssueCode code) {
  switch (code) {
    case IssueCode::kPhoneNormalized: return "phone_normalized";
    case IssueCode::kInvalidPhone: return "invalid_phone";
    case IssueCode::kDateNormalized: return "date_normalized";
    case IssueCode::kInvalidDate: return "invalid_date";
    case IssueCode::kAmountNormalized: return "amount_normalized";
    case IssueCode::kInvalidAmount: return "invalid_amount";
    case IssueCode::kNameNormalized: return "name_normalized";
    case IssueCode::kInvalidText: return "invalid_text";
    case IssueCode::kEmailNormalized: return "email_normalized";
    case IssueCode::kInvalidEmail: return "invalid_email";
    case IssueCode::kInvalidQuantity: return "invalid_quantity";
    case IssueCode::kDuplicateRow: return "duplicate_row";
    case IssueCode::kSameCustomerInFile: return "same_customer_in_file";
    case IssueCode::kRefund: return "refund";
    case IssueCode::kZeroPrice: return "zero_price";
    case IssueCode::kNegativePrice: return "negative_price";
    case IssueCode::kAnonymousSale: return "anonymous_sale";
    case IssueCode::kOutlier: return "outlier";
    case IssueCode::kMissingRequired: return "missing_required";
    case IssueCode::kRaggedRow: return "ragged_row";
    case IssueCode::kUnterminatedQuote: return "unterminated_quote";
    case IssueCode::kInvoiceNotContiguous: return "invoice_not_contiguous";
    case IssueCode::kMixedSignInvoice: return "mixed_sign_invoice";
    case IssueCode::kNoCustomerKey: return "no_customer_key";
    case IssueCode::kMergedIntoExisting: return "merged_into_existing";
    case IssueCode::kUnmappedColumn: return "unmapped_column";
    case IssueCode::kPointsWithoutProgram: return "points_without_program";
    case IssueCode::kOpeningBalance: return "opening_balance";
    case IssueCode::kInvoiceRejected: return "invoice_rejected";
    case IssueCode::kWriteOff: return "write_off";
    case IssueCode::kTooManyDecimals: return "too_many_decimals";
    case IssueCode::kSharedPhone: return "shared_phone";
    case IssueCode::kCount: break;
  }
  return "unknown";
}

Severity SeverityOf(IssueCode code) {
  switch (code) {
    case IssueCode::kPhoneNormalized:
    case IssueCode::kDateNormalized:
    case IssueCode::kAmountNormalized:
    case IssueCode::kNameNormalized:
    case IssueCode::kEmailNormalized:
    case IssueCode::kRefund:
    case IssueCode::kAnonymousSale:
    case IssueCode::kSameCustomerInFile:
    case IssueCode::kMergedIntoExisting:
    case IssueCode::kOpeningBalance:
    case IssueCode::kWriteOff:
      return Severity::kInfo;
    case IssueCode::kUnmappedColumn:
    case IssueCode::kPointsWithoutProgram:
    case IssueCode::kSharedPhone:
    case IssueCode::kZeroPrice:
    case IssueCode::kOutlier:
    case IssueCode::kRaggedRow:
      return Severity::kWarning;
    case IssueCode::kDuplicateRow:
      return Severity::kSkip;
    default:
      return Severity::kError;
  }
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kSkip: return "skip";
    case Severity::kError: return "error";
  }
  return "unknown";
}

void ImportReport::Add(RowIssue issue) {
  int64_t& count = counts_[static_cast<size_t>(issue.code)];
  ++count;
  if (static_cast<size_t>(count) <= kExamplesPerCode) issues_.push_back(std::move(issue));
}

}  // namespace crm::importing
