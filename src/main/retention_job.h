// `dangol serve`'s daily retention job: once a day (by the server's clock) it erases, in every
// business that set a retention period, the customers inactive past it (app::ErasureService::
// RunRetentionForAll) and logs the counts, never who. It runs on its own thread, woken every
// minute to look at the clock, and stops with the server.
#pragma once

#include <optional>
#include <thread>

#include "app/erasure_service.h"
#include "common/time.h"

namespace crm::cli {

class RetentionJob {
 public:
  static constexpr int64_t kIntervalSeconds = 86'400;

  // `erasures` and `clock` must outlive this object.
  RetentionJob(app::ErasureService& erasures, const Clock& clock) : erasures_(erasures), clock_(clock) {}
  // Stops the thread (a run in progress finishes its current customer's transaction first).
  ~RetentionJob();
  RetentionJob(const RetentionJob&) = delete;
  RetentionJob& operator=(const RetentionJob&) = delete;

  void Start();
  // Runs the job when it never ran or a day has passed on the clock since its last run; returns
  // whether it ran. Called by the thread; tests call it with a manual clock.
  bool RunIfDue();

 private:
  app::ErasureService& erasures_;
  const Clock& clock_;
  std::optional<Timestamp> last_run_;
  std::jthread thread_;
};

}  // namespace crm::cli
