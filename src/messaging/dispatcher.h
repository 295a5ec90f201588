// The outbox dispatcher: claims due messages, asks the SendGate about each right before sending,
// sends through the business's provider for the channel at that provider's rate, retries transient
// failures with backoff, dead-letters permanent ones with the provider's code, falls back from
// AlimTalk to SMS/LMS where Kakao could not deliver, applies delivery reports, and records every
// status change (MSG-08). Exactly-once toward the customer rests on the claim/lease protocol of
// store/outbox_repository.h and the provider idempotency key (MSG-09).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "domain/message_rules.h"
#include "messaging/provider.h"
#include "messaging/send_gate.h"
#include "store/database.h"

namespace crm::messaging {

struct DispatcherSettings {
  int claim_batch_size = 500;      // messages claimed per transaction
  int64_t lease_seconds = 120;     // a claim not finished by then is taken again
  int64_t idle_wait_millis = 250;  // wait when nothing is due
  int64_t report_poll_seconds = 30;
  domain::RetryPolicy retry;
  std::string worker_name = "dispatcher";  // part of claim tokens, for logs
  // How the dispatcher waits for rate-limit tokens. Empty: sleep. Tests with a ManualClock pass a
  // function that advances the clock instead.
  std::function<void(std::chrono::microseconds)> wait_for_tokens;
};

// Counts of one pass, for logs, tests and benchmarks.
struct DispatchCounts {
  int64_t claimed = 0;
  int64_t sent = 0;
  int64_t retried = 0;
  int64_t failed = 0;
  int64_t suppressed = 0;
  int64_t held = 0;
  int64_t fell_back = 0;
};

// Thread-compatible: one thread runs a Dispatcher (Run, or RunOnce in tests). Several dispatchers,
// in one process or many, may share a database.
class Dispatcher {
 public:
  // The references must outlive the dispatcher. `clock` also drives the rate limiter's buckets.
  Dispatcher(store::Database& database, ProviderDirectory& providers, SendGate& gate, const Clock& clock,
             DispatcherSettings settings);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // One claim-and-send pass over at most claim_batch_size due messages, waiting for each provider's
  // rate-limit tokens through settings.wait_for_tokens. Fails only when the database fails.
  Result<DispatchCounts> RunOnce();

  // Fetches delivery reports from every provider and applies them. Returns how many applied.
  Result<int64_t> PollReports();

  // Runs passes until `stop` is requested, waiting idle_wait_millis when nothing is due and
  // polling reports every report_poll_seconds. Database errors are logged and retried after a wait.
  void Run(std::stop_token stop);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace crm::messaging
