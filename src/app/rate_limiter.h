// RateLimiter: at most `max_events` events per key within a sliding window of `window_seconds`,
// for login failures and kiosk lookups. Memory is bounded: past 100,000 keys the oldest
// information is dropped (a flood of distinct keys cannot exhaust memory; it can only forget).
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace crm::app {

class RateLimiter {
 public:
  RateLimiter(int max_events, int64_t window_seconds) : max_events_(max_events), window_seconds_(window_seconds) {}

  // Records an event for `key` at `now` if the limit allows it, and returns 0; otherwise records
  // nothing and returns the seconds until the next event would be allowed (at least 1).
  int64_t Acquire(const std::string& key, Timestamp now);
  // Records an event for `key` at `now` whatever the count.
  void Record(const std::string& key, Timestamp now);
  // 0 when the next event for `key` would be allowed at `now`, else the seconds until it would.
  int64_t RetryAfter(const std::string& key, Timestamp now);

 private:
  int64_t RetryAfterLocked(std::vector<Timestamp>& times, Timestamp now) const;

  const int max_events_;
  const int64_t window_seconds_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Timestamp>> events_;
};

}  // namespace crm::app
