// AutomationScheduler: runs AutomationService::RunDue once a minute on its own thread, with the
// time of the injected clock (so `dangol serve --clock-start` moves it with the server), until
// destroyed: the destructor asks the thread to stop, which wakes it at once, and joins it after
// the pass in progress. Tests call RunDue directly instead. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "app/automation_service.h"
#include "common/time.h"

namespace crm::app {

class AutomationScheduler {
 public:
  AutomationScheduler(AutomationService& automations, const Clock& clock,
                      std::chrono::milliseconds interval = std::chrono::seconds(60));
  ~AutomationScheduler();
  AutomationScheduler(const AutomationScheduler&) = delete;
  AutomationScheduler& operator=(const AutomationScheduler&) = delete;

 private:
  void Loop(std::stop_token stop);

  AutomationService& automations_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable_any wakeup_;
  std::jthread thread_;  // last: started once the members above exist
};

}  // namespace crm::app
