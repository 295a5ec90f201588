#include "app/rate_limiter.h"

#include <algorithm>

namespace crm::app {
namespace {
constexpr size_t kMaxKeys = 100'000;
constexpr int64_t kMicrosPerSecond = 1'000'000;
}  // namespace

int64_t RateLimiter::RetryAfterLocked(std::vector<Timestamp>& times, Timestamp now) const {
  const Timestamp horizon = now.PlusSeconds(-window_seconds_);
  times.erase(std::remove_if(times.begin(), times.end(), [&](Timestamp t) { return t <= horizon; }), times.end());
  if (static_cast<int>(times.size()) < max_events_) return 0;
  // The limit lifts when the event that keeps the count at the maximum leaves the window.
  const Timestamp lifts = times[times.size() - static_cast<size_t>(max_events_)].PlusSeconds(window_seconds_);
  const int64_t micros = lifts.micros() - now.micros();
  return std::max<int64_t>(1, (micros + kMicrosPerSecond - 1) / kMicrosPerSecond);
}

int64_t RateLimiter::Acquire(const std::string& key, Timestamp now) {
  std::lock_guard lock(mutex_);
  if (events_.size() >= kMaxKeys && !events_.contains(key)) events_.clear();
  std::vector<Timestamp>& times = events_[key];
  if (const int64_t wait = RetryAfterLocked(times, now); wait > 0) return wait;
  times.push_back(now);
  return 0;
}

void RateLimiter::Record(const std::string& key, Timestamp now) {
  std::lock_guard lock(mutex_);
  if (events_.size() >= kMaxKeys && !events_.contains(key)) events_.clear();
  std::vector<Timestamp>& times = events_[key];
  (void)RetryAfterLocked(times, now);  // drops what left the window
  times.push_back(now);
}

int64_t RateLimiter::RetryAfter(const std::string& key, Timestamp now) {
  std::lock_guard lock(mutex_);
  auto found = events_.find(key);
  if (found == events_.end()) return 0;
  return RetryAfterLocked(found->second, now);
}

}  // namespace crm::app
