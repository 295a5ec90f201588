// Readers and writers of the text layouts the analytics command line works on: the peers'
// transaction CSV, the CDNOW transaction file, basket files (one transaction per line, items
// separated by commas) and the peers' RFM output CSV. They work on text already in memory, so
// they stay pure and testable; opening files is the caller's business. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/rfm.h"
#include "analytics/transactions.h"
#include "common/status.h"

namespace crm::analytics {

// Parses the peers' CSV: a header naming at least order_id, customer_id, ordered_at and
// amount_krw (any order, other columns ignored), then one order line per row. ordered_at is ISO
// 8601 with an offset or Z. Fails with kInvalidArgument naming the line of the first bad row.
Result<TransactionColumns> ParsePeerTransactionsCsv(std::string_view text);

// The UTC offset, in seconds, that the first row's ordered_at carries ("+09:00" gives 32400; "Z"
// or no row gives 0): the local day boundary of the file's business. kInvalidArgument when the
// header lacks ordered_at.
Result<int64_t> PeerCsvUtcOffsetSeconds(std::string_view text);

// "+09:00", "-03:30", "Z" or "+00:00" as seconds east of UTC; kInvalidArgument otherwise.
Result<int64_t> ParseUtcOffset(std::string_view text);

// Parses the CDNOW transaction file (whitespace-separated, CRLF or LF): either five columns
// (master id, sample id, YYYYMMDD, CDs, dollars) or four (id, YYYYMMDD, CDs, dollars); a header
// line is skipped. Each record becomes its own order at midnight UTC of its date, amount in cents.
// The customer id is the sample id (second column) in the five-column layout, else the first. kInvalidArgument names the first bad line.
Result<TransactionColumns> ParseCdnowTransactions(std::string_view text);

// Baskets: one transaction per line, items separated by commas, no header and no quoting. Items
// are interned in order of first appearance; labels are kept as written (not trimmed). Empty
// lines are empty transactions. A repeated item in one line counts once.
struct Baskets {
  std::vector<std::string> item_labels;
  std::vector<uint32_t> transaction_begin;  // transactions + 1 entries into items
  std::vector<uint32_t> items;              // item ids, ascending within a transaction

  size_t transaction_count() const { return transaction_begin.size() - 1; }
};
Result<Baskets> ParseBaskets(std::string_view text);

// The peers' RFM output: header customer_id,recency,frequency,monetary,r,f,m,segment and one
// LF-terminated row per customer.
std::string FormatRfmCsv(const RfmTable& table);

}  // namespace crm::analytics
