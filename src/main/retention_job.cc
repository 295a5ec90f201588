#include "main/retention_job.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace crm::cli {

RetentionJob::~RetentionJob() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void RetentionJob::Start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      RunIfDue();
      std::unique_lock lock(mutex);
      // Nothing notifies: the wait ends early only when the server stops.
      wake.wait_for(lock, stop, std::chrono::seconds(60), [] { return false; });
    }
  });
}

bool RetentionJob::RunIfDue() {
  const Timestamp now = clock_.Now();
  if (last_run_ && now < last_run_->PlusSeconds(kIntervalSeconds)) return false;
  last_run_ = now;
  auto run = erasures_.RunRetentionForAll(now);
  if (!run.ok()) {
    spdlog::warn("retention job failed: {}", run.status().message());
    return true;
  }
  if (run->erased > 0 || run->failed > 0 || run->access_log_deleted > 0) {
    spdlog::info("retention job: {} inactive customers erased, {} access-log entries past their period deleted, {} "
                 "businesses failed",
                 run->erased, run->access_log_deleted, run->failed);
  }
  return true;
}

}  // namespace crm::cli
