#include "analytics/association_rules.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace crm::analytics {
namespace {

using Bits = std::vector<uint64_t>;

int64_t CountBits(const Bits& bits) {
  int64_t count = 0;
  for (uint64_t word : bits) count += std::popcount(word);
  return count;
}

std::string Key(const std::vector<uint32_t>& sorted_items) {
  return std::string(reinterpret_cast<const char*>(sorted_items.data()),
                     sorted_items.size() * sizeof(uint32_t));
}

// Frequent itemsets by depth-first search over tid-list bitsets. Items are extended in ascending
// order of their counts, which keeps the intersections small early.
class Miner {
 public:
  Miner(const Baskets& baskets, int64_t min_count, int max_length)
      : min_count_(min_count), max_length_(max_length) {
    const size_t n = baskets.transaction_count();
    words_ = (n + 63) / 64;
    std::vector<Bits> item_bits(baskets.item_labels.size(), Bits(words_, 0));
    for (size_t t = 0; t < n; ++t) {
      for (uint32_t k = baskets.transaction_begin[t]; k < baskets.transaction_begin[t + 1]; ++k) {
        item_bits[baskets.items[k]][t / 64] |= uint64_t{1} << (t % 64);
      }
    }
    for (uint32_t item = 0; item < item_bits.size(); ++item) {
      const int64_t count = CountBits(item_bits[item]);
      if (count >= min_count_) roots_.push_back({item, count, std::move(item_bits[item])});
    }
    std::stable_sort(roots_.begin(), roots_.end(),
                     [](const Node& a, const Node& b) { return a.count < b.count; });
  }

  // Itemset key (ascending item ids) -> count, for every frequent itemset.
  std::unordered_map<std::string, int64_t> Mine() {
    std::vector<uint32_t> prefix;
    Extend(prefix, roots_);
    return std::move(counts_);
  }

 private:
  struct Node {
    uint32_t item;
    int64_t count;
    Bits bits;
  };

  void Record(std::vector<uint32_t> items, int64_t count) {
    std::sort(items.begin(), items.end());
    counts_.emplace(Key(items), count);
  }

  void Extend(std::vector<uint32_t>& prefix, const std::vector<Node>& nodes) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      prefix.push_back(nodes[i].item);
      Record(prefix, nodes[i].count);
      if (static_cast<int>(prefix.size()) < max_length_) {
        std::vector<Node> children;
        for (size_t j = i + 1; j < nodes.size(); ++j) {
          Bits bits(words_);
          for (size_t w = 0; w < words_; ++w) bits[w] = nodes[i].bits[w] & nodes[j].bits[w];
          const int64_t count = CountBits(bits);
          if (count >= min_count_) children.push_back({nodes[j].item, count, std::move(bits)});
        }
        if (!children.empty()) Extend(prefix, children);
      }
      prefix.pop_back();
    }
  }

  int64_t min_count_;
  int max_length_;
  size_t words_ = 0;
  std::vector<Node> roots_;
  std::unordered_map<std::string, int64_t> counts_;
};

Status CheckParameters(const Baskets& baskets, const RuleParameters& p) {
  if (!(p.min_support > 0 && p.min_support <= 1)) {
    return InvalidArgument("min support must be in (0, 1]", "min_support");
  }
  if (!(p.min_confidence > 0 && p.min_confidence <= 1)) {
    return InvalidArgument("min confidence must be in (0, 1]", "min_confidence");
  }
  if (p.min_length < 1 || p.max_length < p.min_length || p.max_length > 64) {
    return InvalidArgument("need 1 <= min length <= max length <= 64", "min_length");
  }
  if (baskets.transaction_begin.empty() || baskets.transaction_count() == 0) {
    return InvalidArgument("no transactions");
  }
  return Status::Ok();
}

// The smallest count c with c / n >= min_support, compared in double as arules does.
int64_t MinCount(double min_support, int64_t n) {
  int64_t c = static_cast<int64_t>(min_support * static_cast<double>(n));
  while (c > 0 && static_cast<double>(c - 1) / static_cast<double>(n) >= min_support) --c;
  while (static_cast<double>(c) / static_cast<double>(n) < min_support) ++c;
  return std::max<int64_t>(c, 1);
}

void SortByLift(RuleTable& rules) {
  std::vector<size_t> order(rules.size());
  std::iota(order.begin(), order.end(), 0);
  auto lhs = [&](size_t k) {
    return std::vector<uint32_t>(rules.lhs_items.begin() + rules.lhs_begin[k],
                                 rules.lhs_items.begin() + rules.lhs_begin[k + 1]);
  };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_tuple(-rules.lift[a], -rules.support[a], -rules.confidence[a], lhs(a),
                           rules.rhs[a]) < std::make_tuple(-rules.lift[b], -rules.support[b],
                                                           -rules.confidence[b], lhs(b),
                                                           rules.rhs[b]);
  });
  RuleTable sorted;
  for (size_t k : order) {
    const std::vector<uint32_t> items = lhs(k);
    sorted.lhs_items.insert(sorted.lhs_items.end(), items.begin(), items.end());
    sorted.lhs_begin.push_back(static_cast<uint32_t>(sorted.lhs_items.size()));
    sorted.rhs.push_back(rules.rhs[k]);
    sorted.count.push_back(rules.count[k]);
    sorted.support.push_back(rules.support[k]);
    sorted.confidence.push_back(rules.confidence[k]);
    sorted.lift.push_back(rules.lift[k]);
  }
  rules = std::move(sorted);
}

}  // namespace

Result<RuleTable> MineRules(const Baskets& baskets, const RuleParameters& parameters) {
  CRM_RETURN_IF_ERROR(CheckParameters(baskets, parameters));
  const int64_t n = static_cast<int64_t>(baskets.transaction_count());
  const double nd = static_cast<double>(n);
  Miner miner(baskets, MinCount(parameters.min_support, n), parameters.max_length);
  const std::unordered_map<std::string, int64_t> counts = miner.Mine();
  RuleTable rules;
  std::vector<uint32_t> itemset, lhs;
  for (const auto& [key, count] : counts) {
    itemset.resize(key.size() / sizeof(uint32_t));
    std::memcpy(itemset.data(), key.data(), key.size());
    if (static_cast<int>(itemset.size()) < parameters.min_length) continue;
    for (size_t drop = 0; drop < itemset.size(); ++drop) {
      lhs = itemset;
      lhs.erase(lhs.begin() + static_cast<std::ptrdiff_t>(drop));
      const int64_t lhs_count = lhs.empty() ? n : counts.at(Key(lhs));
      const double confidence = static_cast<double>(count) / static_cast<double>(lhs_count);
      if (!(confidence >= parameters.min_confidence)) continue;
      const uint32_t rhs = itemset[drop];
      const double rhs_support = static_cast<double>(counts.at(Key({rhs}))) / nd;
      rules.lhs_items.insert(rules.lhs_items.end(), lhs.begin(), lhs.end());
      rules.lhs_begin.push_back(static_cast<uint32_t>(rules.lhs_items.size()));
      rules.rhs.push_back(rhs);
      rules.count.push_back(count);
      rules.support.push_back(static_cast<double>(count) / nd);
      rules.confidence.push_back(confidence);
      rules.lift.push_back(confidence / rhs_support);
    }
  }
  SortByLift(rules);
  return rules;
}

namespace {

// "{a,b}": the lhs labels in byte order.
std::string LhsText(const RuleTable& rules, size_t k, const Baskets& baskets) {
  std::vector<std::string_view> labels;
  for (uint32_t i = rules.lhs_begin[k]; i < rules.lhs_begin[k + 1]; ++i) {
    labels.push_back(baskets.item_labels[rules.lhs_items[i]]);
  }
  std::sort(labels.begin(), labels.end());
  return fmt::format("{{{}}}", fmt::join(labels, ","));
}

}  // namespace

std::string FormatRule(const RuleTable& rules, size_t k, const Baskets& baskets) {
  return fmt::format("{} => {{{}}}", LhsText(rules, k, baskets), baskets.item_labels[rules.rhs[k]]);
}

std::string FormatRulesCsv(const RuleTable& rules, const Baskets& baskets) {
  auto quoted = [](std::string text) {
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::string out = "lhs,rhs,support,confidence,lift,count\n";
  for (size_t k = 0; k < rules.size(); ++k) {
    out += fmt::format("{},{},{:.9g},{:.9g},{:.9g},{}\n", quoted(LhsText(rules, k, baskets)),
                       quoted("{" + baskets.item_labels[rules.rhs[k]] + "}"), rules.support[k],
                       rules.confidence[k], rules.lift[k], rules.count[k]);
  }
  return out;
}

}  // namespace crm::analytics
