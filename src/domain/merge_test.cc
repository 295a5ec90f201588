#include "domain/merge.h"

#include <gtest/gtest.h>

namespace crm::domain {
namespace {

const Timestamp kEarly = Timestamp::FromSeconds(1'700'000'000);
const Timestamp kLate = Timestamp::FromSeconds(1'700'086'400);

Customer Profile(int64_t id, std::string name, std::string phone) {
  Customer customer;
  customer.id = CustomerId(id);
  customer.business_id = BusinessId(1);
  customer.name = std::move(name);
  customer.phone_e164 = std::move(phone);
  return customer;
}

TEST(MergeConsentsTest, AWithdrawalWinsOverALaterGrant) {
  const std::vector<Consent> survivor{{ConsentChannel::kSms, false, kEarly, "kiosk"},
                                      {ConsentChannel::kEmail, true, kEarly, "web"}};
  const std::vector<Consent> other{{ConsentChannel::kSms, true, kLate, "counter"},
                                   {ConsentChannel::kEmail, true, kLate, "import"},
                                   {ConsentChannel::kKakao, false, kLate, "kiosk"}};
  const std::vector<Consent> merged = MergeConsents(survivor, other);
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0], (Consent{ConsentChannel::kSms, false, kEarly, "kiosk"}));
  EXPECT_EQ(merged[1], (Consent{ConsentChannel::kKakao, false, kLate, "kiosk"}));
  EXPECT_EQ(merged[2], (Consent{ConsentChannel::kEmail, true, kLate, "import"}));
  // The same the other way round: the order of the two profiles does not matter.
  EXPECT_EQ(MergeConsents(other, survivor)[0].granted, false);
}

TEST(ResolveChoicesTest, DefaultsKeepTheSurvivorAndFillItsGaps) {
  Customer survivor = Profile(1, "김철수", "");
  Customer other = Profile(2, "김 철수", "+821012345678");
  other.email = "kim@example.com";
  auto choices = ResolveChoices(survivor, other, {});
  ASSERT_TRUE(choices.ok());
  const Customer merged = MergedProfile(survivor, other, *choices);
  EXPECT_EQ(merged.name, "김철수");
  EXPECT_EQ(merged.phone_e164, "+821012345678");
  EXPECT_EQ(merged.email, "kim@example.com");
  EXPECT_EQ(merged.id, CustomerId(1));
}

TEST(ResolveChoicesTest, ExplicitChoicesWinAndBothIsOnlyForLists) {
  Customer survivor = Profile(1, "김철수", "+821011112222");
  survivor.tags = {"vip"};
  Customer other = Profile(2, "Kim Cheolsu", "+821033334444");
  other.tags = {"online", "vip"};
  auto choices = ResolveChoices(survivor, other, {{MergeField::kName, MergeSide::kOther}});
  ASSERT_TRUE(choices.ok());
  const Customer merged = MergedProfile(survivor, other, *choices);
  EXPECT_EQ(merged.name, "Kim Cheolsu");
  EXPECT_EQ(merged.phone_e164, "+821011112222");
  EXPECT_EQ(merged.tags, (std::vector<std::string>{"vip", "online"}));

  auto bad = ResolveChoices(survivor, other, {{MergeField::kPhone, MergeSide::kBoth}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "keep.phone");
}

TEST(MergedProfileTest, NeverRefersToItself) {
  Customer survivor = Profile(1, "가", "");
  survivor.referrer_id = CustomerId(2);
  Customer other = Profile(2, "나", "");
  other.referrer_id = CustomerId(1);
  for (MergeSide side : {MergeSide::kThis, MergeSide::kOther}) {
    const Customer merged = MergedProfile(survivor, other, {{MergeField::kReferrer, side}});
    EXPECT_FALSE(merged.referrer_id.has_value());
  }
}

TEST(DifferingFieldsTest, ListsTheFieldsThatDiffer) {
  Customer survivor = Profile(1, "김철수", "+821011112222");
  Customer other = Profile(2, "김철수", "+821033334444");
  other.tags = {"a"};
  EXPECT_EQ(DifferingFields(survivor, other), (std::vector<MergeField>{MergeField::kPhone, MergeField::kTags}));
  EXPECT_EQ(ParseMergeField("referrer_id"), MergeField::kReferrer);
  EXPECT_EQ(ParseMergeSide("other"), MergeSide::kOther);
  EXPECT_FALSE(ParseMergeSide("mine").has_value());
}

}  // namespace
}  // namespace crm::domain
