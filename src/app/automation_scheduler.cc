#include "app/automation_scheduler.h"

#include <spdlog/spdlog.h>

namespace crm::app {

AutomationScheduler::AutomationScheduler(AutomationService& automations, const Clock& clock,
                                         std::chrono::milliseconds interval)
    : automations_(automations), clock_(clock), interval_(interval),
      thread_([this](std::stop_token stop) { Loop(stop); }) {}

AutomationScheduler::~AutomationScheduler() {
  thread_.request_stop();
  wakeup_.notify_all();
}

void AutomationScheduler::Loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto summary = automations_.RunDue(clock_.Now());
    if (!summary.ok()) {
      spdlog::warn("automation pass failed: {}", summary.status().ToString());
    } else if (summary->automations > 0) {
      spdlog::info("automation pass: {} automations in {} businesses, {} messages, {} tasks, {} control, {} excluded",
                   summary->automations, summary->businesses, summary->messages, summary->tasks, summary->control,
                   summary->excluded);
    }
    std::unique_lock<std::mutex> lock(mutex_);
    wakeup_.wait_for(lock, stop, interval_, [] { return false; });
  }
}

}  // namespace crm::app
