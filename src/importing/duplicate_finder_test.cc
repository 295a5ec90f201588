#include "importing/duplicate_finder.h"

#include <gtest/gtest.h>

namespace crm::importing {
namespace {

TEST(DuplicateFinderTest, FindsPairsByEachKeyWithReasonsAndScores) {
  DuplicateFinder finder;
  finder.Add({1, "김철수", "+821012345678", "kim@example.com", Date{1990, 3, 1}});
  finder.Add({2, "김 철수", "+821099995678", "", std::nullopt});        // same name (spaces) and last 4
  finder.Add({3, "Kim Minji", "", "KIM@example.com", std::nullopt});   // e-mail is compared as stored
  finder.Add({4, "kim minji", "", "minji@example.com", Date{1995, 5, 5}});
  finder.Add({5, "KIM MINJI", "", "", Date{1995, 5, 5}});               // Latin case: same name and birthday
  finder.Add({6, "이철수", "", "kim@example.com", std::nullopt});        // same e-mail as 1
  const std::vector<DuplicateCandidate> candidates = finder.Candidates();
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].first, 1);
  EXPECT_EQ(candidates[0].second, 6);
  EXPECT_EQ(candidates[0].reasons, std::vector<DuplicateReason>{DuplicateReason::kSameEmail});
  EXPECT_NEAR(candidates[0].score, 0.9, 1e-9);
  EXPECT_EQ(candidates[1].first, 4);
  EXPECT_EQ(candidates[1].second, 5);
  EXPECT_EQ(candidates[1].reasons, std::vector<DuplicateReason>{DuplicateReason::kSameNameAndBirthday});
  EXPECT_EQ(candidates[2].first, 1);
  EXPECT_EQ(candidates[2].second, 2);
  EXPECT_EQ(candidates[2].reasons, std::vector<DuplicateReason>{DuplicateReason::kSameNameAndLast4});
}

TEST(DuplicateFinderTest, SeveralReasonsRaiseTheScore) {
  DuplicateFinder finder;
  finder.Add({1, "박민수", "+821055556666", "park@example.com", Date{1990, 1, 1}});
  finder.Add({2, "박민수", "+821077776666", "park@example.com", Date{1990, 1, 1}});
  const auto candidates = finder.Candidates();
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].reasons.size(), 3u);
  EXPECT_NEAR(candidates[0].score, 1 - 0.1 * 0.2 * 0.3, 1e-9);
}

TEST(DuplicateFinderTest, TreatsRyuYuRiYiAsTheSameFamilyName) {
  EXPECT_EQ(DuplicateNameKey("류현진"), DuplicateNameKey("유현진"));
  EXPECT_EQ(DuplicateNameKey("리수진"), DuplicateNameKey("이수진"));
  EXPECT_NE(DuplicateNameKey("김현진"), DuplicateNameKey("유현진"));
}

TEST(DuplicateFinderTest, NameAloneIsNotEnoughAndHugeGroupsAreSkipped) {
  DuplicateFinder finder;
  finder.Add({1, "김민준", "", "", std::nullopt});
  finder.Add({2, "김민준", "", "", std::nullopt});
  for (int64_t id = 10; id < 80; ++id) finder.Add({id, "", "", "shop@example.com", std::nullopt});
  EXPECT_TRUE(finder.Candidates(50).empty());
  EXPECT_EQ(finder.Candidates(100).size(), 70u * 69 / 2);
}

}  // namespace
}  // namespace crm::importing
