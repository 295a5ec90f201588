// Association rules ("customers who order X often add Y") over baskets, with the definitions and
// thresholds of R's arules: support(X => Y) = count(X u Y) / N, confidence = count(X u Y) /
// count(X), lift = confidence / support(Y); one item on the right-hand side; an itemset is
// frequent when count / N >= min_support. Frequent itemsets are mined depth-first with bitset
// tid-lists (Eclat). Deterministic; pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/text_formats.h"
#include "common/status.h"

namespace crm::analytics {

struct RuleParameters {
  double min_support = 0.1;     // arules' defaults
  double min_confidence = 0.8;
  int min_length = 1;           // items in lhs + rhs; 1 allows rules with an empty lhs
  int max_length = 10;
};

// Rules as columns. Rule k's left-hand side is lhs_items[lhs_begin[k], lhs_begin[k + 1]),
// ascending item ids of the baskets' item_labels.
struct RuleTable {
  std::vector<uint32_t> lhs_begin{0};
  std::vector<uint32_t> lhs_items;
  std::vector<uint32_t> rhs;
  std::vector<int64_t> count;  // transactions containing lhs and rhs
  std::vector<double> support, confidence, lift;

  size_t size() const { return rhs.size(); }
};

// All rules meeting the thresholds, sorted by lift descending (ties: higher support, higher
// confidence, then the lhs and rhs ids, so the order is stable). kInvalidArgument for thresholds
// outside (0, 1] or lengths outside 1 <= min_length <= max_length <= 64, or no transactions.
Result<RuleTable> MineRules(const Baskets& baskets, const RuleParameters& parameters);

// "{a,b} => {c}" with the item labels, as arules prints a rule; lhs labels in byte order, so the
// text does not depend on the order items first appear in the input.
std::string FormatRule(const RuleTable& rules, size_t k, const Baskets& baskets);

// CSV with header lhs,rhs,support,confidence,lift,count, one rule per line in table order; lhs
// and rhs written as arules does ("{a,b}"), quoted.
std::string FormatRulesCsv(const RuleTable& rules, const Baskets& baskets);

}  // namespace crm::analytics
