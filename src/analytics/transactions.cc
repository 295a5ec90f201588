#include "analytics/transactions.h"

#include <algorithm>
#include <limits>
#include <tuple>

namespace crm::analytics {
namespace {

// Maps each row's customer id to a dense index in ascending id order. Uses a direct table when
// the ids span a small range (the usual case: ids are assigned 1..N), else sort and search.
struct CustomerIndex {
  std::vector<int64_t> ids;       // ascending, distinct
  std::vector<uint32_t> of_row;   // dense index per row
};

CustomerIndex IndexCustomers(const std::vector<int64_t>& customer_id) {
  CustomerIndex index;
  const size_t n = customer_id.size();
  index.of_row.resize(n);
  const auto [min_it, max_it] = std::minmax_element(customer_id.begin(), customer_id.end());
  const int64_t low = *min_it;
  const uint64_t span = static_cast<uint64_t>(*max_it) - static_cast<uint64_t>(low);
  if (span < 2 * n + 1024) {
    std::vector<uint32_t> slot(span + 1, 0);
    for (int64_t id : customer_id) slot[static_cast<uint64_t>(id - low)] = 1;
    uint32_t next = 0;
    for (uint64_t k = 0; k <= span; ++k) {
      if (slot[k] == 0) continue;
      slot[k] = next++;
      index.ids.push_back(low + static_cast<int64_t>(k));
    }
    for (size_t i = 0; i < n; ++i) index.of_row[i] = slot[static_cast<uint64_t>(customer_id[i] - low)];
    return index;
  }
  index.ids = customer_id;
  std::sort(index.ids.begin(), index.ids.end());
  index.ids.erase(std::unique(index.ids.begin(), index.ids.end()), index.ids.end());
  for (size_t i = 0; i < n; ++i) {
    index.of_row[i] = static_cast<uint32_t>(
        std::lower_bound(index.ids.begin(), index.ids.end(), customer_id[i]) - index.ids.begin());
  }
  return index;
}

struct Line {
  int64_t order_id;
  int64_t at;
  int64_t last;
  int64_t amount;
};

// Collapses one customer's lines (sorted by order id) into orders sorted by time, appended to
// the history.
void AppendOrders(std::vector<Line>& lines, OrderHistory& history) {
  std::sort(lines.begin(), lines.end(),
            [](const Line& a, const Line& b) { return a.order_id < b.order_id; });
  size_t out = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (out > 0 && lines[out - 1].order_id == lines[i].order_id) {
      lines[out - 1].at = std::min(lines[out - 1].at, lines[i].at);
      lines[out - 1].last = std::max(lines[out - 1].last, lines[i].last);
      lines[out - 1].amount += lines[i].amount;
    } else {
      lines[out++] = lines[i];
    }
  }
  lines.resize(out);
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    return std::tie(a.at, a.order_id) < std::tie(b.at, b.order_id);
  });
  for (const Line& line : lines) {
    history.order_id.push_back(line.order_id);
    history.order_at_micros.push_back(line.at);
    history.order_last_micros.push_back(line.last);
    history.order_amount_minor.push_back(line.amount);
  }
}

}  // namespace

void TransactionColumns::Reserve(size_t rows) {
  customer_id.reserve(rows);
  order_id.reserve(rows);
  ordered_at_micros.reserve(rows);
  amount_minor.reserve(rows);
}

Status TransactionColumns::Validate() const {
  const size_t n = customer_id.size();
  if (order_id.size() != n || ordered_at_micros.size() != n || amount_minor.size() != n) {
    return InvalidArgument("transaction columns differ in length");
  }
  return Status::Ok();
}

Result<OrderHistory> BuildOrderHistory(const TransactionColumns& transactions) {
  CRM_RETURN_IF_ERROR(transactions.Validate());
  const size_t n = transactions.size();
  OrderHistory history;
  history.order_begin.push_back(0);
  if (n == 0) return history;
  if (n >= std::numeric_limits<uint32_t>::max()) {
    return ResourceExhausted("too many order lines in one batch");
  }
  CustomerIndex index = IndexCustomers(transactions.customer_id);
  const size_t customers = index.ids.size();
  // Counting sort of the rows by customer, stable in row order.
  std::vector<uint32_t> start(customers + 1, 0);
  for (uint32_t c : index.of_row) ++start[c + 1];
  for (size_t c = 0; c < customers; ++c) start[c + 1] += start[c];
  std::vector<uint32_t> rows(n);
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (size_t i = 0; i < n; ++i) rows[fill[index.of_row[i]]++] = static_cast<uint32_t>(i);
  }
  history.customers = std::move(index.ids);
  history.order_begin.reserve(customers + 1);
  history.order_id.reserve(n);
  history.order_at_micros.reserve(n);
  history.order_last_micros.reserve(n);
  history.order_amount_minor.reserve(n);
  std::vector<Line> lines;
  for (size_t c = 0; c < customers; ++c) {
    lines.clear();
    for (uint32_t k = start[c]; k < start[c + 1]; ++k) {
      const uint32_t i = rows[k];
      const int64_t at = transactions.ordered_at_micros[i];
      lines.push_back({transactions.order_id[i], at, at, transactions.amount_minor[i]});
    }
    AppendOrders(lines, history);
    history.order_begin.push_back(history.order_id.size());
  }
  return history;
}

}  // namespace crm::analytics
