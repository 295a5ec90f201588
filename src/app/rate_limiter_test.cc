#include "app/rate_limiter.h"

#include <gtest/gtest.h>

namespace crm::app {
namespace {

const Timestamp kStart = Timestamp::FromSeconds(1'800'000'000);

TEST(RateLimiterTest, AllowsTheMaximumThenTellsHowLongToWait) {
  RateLimiter limiter(3, 60);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("device:1", kStart.PlusSeconds(i)), 0);
  EXPECT_EQ(limiter.Acquire("device:1", kStart.PlusSeconds(10)), 50);  // the first leaves the window at 60
  EXPECT_EQ(limiter.Acquire("device:2", kStart.PlusSeconds(10)), 0);   // keys are apart
  EXPECT_EQ(limiter.Acquire("device:1", kStart.PlusSeconds(60)), 0);
  EXPECT_EQ(limiter.RetryAfter("device:1", kStart.PlusSeconds(60)), 1);
}

TEST(RateLimiterTest, RefusedAttemptsDoNotExtendTheWait) {
  RateLimiter limiter(2, 100);
  EXPECT_EQ(limiter.Acquire("k", kStart), 0);
  EXPECT_EQ(limiter.Acquire("k", kStart), 0);
  for (int i = 1; i < 50; ++i) EXPECT_GT(limiter.Acquire("k", kStart.PlusSeconds(i)), 0);
  EXPECT_EQ(limiter.Acquire("k", kStart.PlusSeconds(100)), 0);
}

TEST(RateLimiterTest, RecordCountsWhateverTheLimit) {
  RateLimiter limiter(2, 900);
  for (int i = 0; i < 5; ++i) limiter.Record("e:kim@example.com", kStart);
  EXPECT_EQ(limiter.RetryAfter("e:kim@example.com", kStart.PlusSeconds(300)), 600);
  EXPECT_EQ(limiter.RetryAfter("e:nobody@example.com", kStart), 0);
}

}  // namespace
}  // namespace crm::app
