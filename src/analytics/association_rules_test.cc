#include "analytics/association_rules.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "analytics/test_data.h"

namespace crm::analytics {
namespace {

const Baskets& Groceries() {
  static const Baskets* baskets = [] {
    Result<Baskets> parsed = ParseBaskets(testing::ReadTestData("groceries.csv"));
    CRM_CHECK(parsed.ok());
    return new Baskets(*std::move(parsed));
  }();
  return *baskets;
}

TEST(BasketsTest, GroceriesFactsMatchArulesSummary) {
  const Baskets& g = Groceries();
  EXPECT_EQ(g.transaction_count(), 9835u);
  EXPECT_EQ(g.item_labels.size(), 169u);
  EXPECT_EQ(g.items.size(), 43367u);
}

TEST(AssociationRulesTest, GroceriesAtSupport0001Confidence08GivesThe410Rules) {
  Result<RuleTable> rules = MineRules(Groceries(), {0.001, 0.8});
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 410u);
  std::map<size_t, int> by_length;
  int certain = 0;
  for (size_t k = 0; k < rules->size(); ++k) {
    ++by_length[rules->lhs_begin[k + 1] - rules->lhs_begin[k] + 1];
    certain += rules->confidence[k] == 1.0;
    EXPECT_GE(rules->count[k], 10);
  }
  EXPECT_EQ(by_length, (std::map<size_t, int>{{3, 29}, {4, 229}, {5, 140}, {6, 12}}));
  EXPECT_EQ(certain, 28);
  const Baskets& g = Groceries();
  EXPECT_EQ(FormatRule(*rules, 0, g), "{liquor,red/blush wine} => {bottled beer}");
  EXPECT_NEAR(rules->support[0], 0.001931876, 1e-9);
  EXPECT_NEAR(rules->confidence[0], 0.9047619, 1e-7);
  EXPECT_NEAR(rules->lift[0], 11.235269, 1e-6);
  EXPECT_EQ(rules->count[0], 19);
  // Two rules tie on lift 8.340400; arules lists them in its own order, so compare as a set.
  // Labels in the lhs print sorted (model-values.md lists them in arules' item order).
  const std::set<std::string> tied = {FormatRule(*rules, 1, g), FormatRule(*rules, 2, g)};
  EXPECT_EQ(tied, (std::set<std::string>{
                      "{citrus fruit,fruit/vegetable juice,other vegetables,soda} => {root vegetables}",
                      "{oil,other vegetables,tropical fruit,whole milk,yogurt} => {root vegetables}"}));
  EXPECT_NEAR(rules->lift[1], 8.340400, 1e-6);
  EXPECT_EQ(FormatRule(*rules, 3, g), "{citrus fruit,fruit/vegetable juice,grapes} => {tropical fruit}");
  EXPECT_NEAR(rules->lift[3], 8.063879, 1e-6);
  EXPECT_EQ(rules->count[4], 13);
  EXPECT_NEAR(rules->lift[4], 7.951182, 1e-6);
}

TEST(AssociationRulesTest, MaxLengthThreeKeepsTwentyNineRules) {
  Result<RuleTable> rules = MineRules(Groceries(), {0.001, 0.8, 1, 3});
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules->size(), 29u);
}

TEST(AssociationRulesTest, EmptyLhsRuleWhenAnItemIsInAlmostEveryBasket) {
  Result<Baskets> baskets = ParseBaskets("bread,milk\nbread\nbread,jam\nmilk\n");
  ASSERT_TRUE(baskets.ok());
  Result<RuleTable> rules = MineRules(*baskets, {0.25, 0.7});
  ASSERT_TRUE(rules.ok());
  std::set<std::string> printed;
  for (size_t k = 0; k < rules->size(); ++k) printed.insert(FormatRule(*rules, k, *baskets));
  EXPECT_EQ(printed, (std::set<std::string>{"{} => {bread}", "{jam} => {bread}"}));
  EXPECT_EQ(FormatRulesCsv(*rules, *baskets).substr(0, 38), "lhs,rhs,support,confidence,lift,count\n");
}

TEST(AssociationRulesTest, BadParametersAndEmptyInputFail) {
  Result<Baskets> baskets = ParseBaskets("a,b\n");
  ASSERT_TRUE(baskets.ok());
  EXPECT_EQ(MineRules(*baskets, {0.0, 0.8}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MineRules(*baskets, {0.1, 1.5}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MineRules(*baskets, {0.1, 0.8, 3, 2}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MineRules(*ParseBaskets(""), {0.1, 0.8}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBaskets("a,,b\n").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::analytics
