#include "messaging/dispatcher.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::messaging {
namespace {

using domain::Channel;
using domain::MessageStatus;
using domain::OutboxMessage;
using store::MessageOutcome;

constexpr int64_t kGateRetrySeconds = 5;

// A token bucket per provider: `rate` tokens a second, holding at most one second's worth.
class TokenBucket {
 public:
  TokenBucket(double rate, Timestamp now) : rate_(std::max(rate, 0.1)), tokens_(std::max(rate, 1.0)), last_(now) {}

  // Microseconds to wait before `count` tokens are there (0: take them now).
  int64_t WaitFor(int count, Timestamp now) {
    Refill(now);
    double missing = count - tokens_;
    if (missing <= 0) return 0;
    return static_cast<int64_t>(missing / rate_ * 1e6) + 1;
  }
  void Take(int count, Timestamp now) {
    Refill(now);
    tokens_ -= count;
  }
  double capacity() const { return std::max(rate_, 1.0); }

 private:
  void Refill(Timestamp now) {
    double elapsed = static_cast<double>(now.micros() - last_.micros()) / 1e6;
    if (elapsed > 0) tokens_ = std::min(capacity(), tokens_ + elapsed * rate_);
    last_ = std::max(last_, now);
  }
  double rate_;
  double tokens_;
  Timestamp last_;
};

uint64_t SeedOf(const std::string& key) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (char c : key) hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  return hash;
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

}  // namespace

struct Dispatcher::State {
  store::Database& database;
  ProviderDirectory& providers;
  SendGate& gate;
  const Clock& clock;
  DispatcherSettings settings;
  std::string token_prefix;
  int64_t pass = 0;
  std::map<Provider*, TokenBucket> buckets;
  Timestamp last_report_poll;

  MessageOutcome Outcome(const OutboxMessage& m, const std::string& token, MessageStatus status) {
    MessageOutcome outcome;
    outcome.id = m.id;
    outcome.claim_token = token;
    outcome.status = status;
    outcome.at = clock.Now();
    return outcome;
  }

  void Wait(int64_t micros) {
    if (micros <= 0) return;
    if (settings.wait_for_tokens) {
      settings.wait_for_tokens(std::chrono::microseconds(micros));
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(micros));
    }
  }

  TokenBucket& BucketFor(Provider* provider) {
    auto it = buckets.find(provider);
    if (it == buckets.end()) it = buckets.emplace(provider, TokenBucket(provider->messages_per_second(), clock.Now())).first;
    return it->second;
  }

  // The outcome of one provider answer for one message.
  MessageOutcome Judge(const OutboxMessage& m, const std::string& token, const SendResult& result, DispatchCounts& counts) {
    MessageOutcome outcome = Outcome(m, token, MessageStatus::kSent);
    outcome.provider_status_code = result.provider_code;
    if (result.status.ok()) {
      outcome.provider_message_id = result.provider_message_id;
      ++counts.sent;
      return outcome;
    }
    outcome.detail = result.status.message();
    if (result.action == ProviderAction::kFallbackToSms && m.channel == Channel::kAlimTalk && m.fallback_channel) {
      Result<Channel> fits = domain::ClassifyTextMessage(m.body, false);
      outcome.status = MessageStatus::kQueued;
      outcome.next_attempt_at = outcome.at;
      outcome.new_channel = fits.ok() && *fits == Channel::kLms ? Channel::kLms : *m.fallback_channel;
      ++counts.fell_back;
      return outcome;
    }
    if (result.action == ProviderAction::kSuppress) {
      Status recorded = gate.RecordProviderSuppression(m, result.provider_code, outcome.at);
      if (!recorded.ok()) spdlog::warn("outbox: suppression of message {} not recorded: {}", m.id.value(), recorded.message());
      outcome.status = MessageStatus::kSuppressed;
      ++counts.suppressed;
      return outcome;
    }
    domain::RetryDecision retry = domain::DecideRetry(settings.retry, result.status.code(), m.attempts, outcome.at,
                                                      SeedOf(m.idempotency_key));
    if (retry.retry) {
      outcome.status = MessageStatus::kQueued;
      outcome.next_attempt_at = retry.next_attempt_at;
      ++counts.retried;
      return outcome;
    }
    outcome.status = MessageStatus::kFailed;
    ++counts.failed;
    return outcome;
  }

  // Sends `messages` (all for `provider`) in batches at the provider's rate.
  void SendThrough(Provider* provider, const std::vector<const OutboxMessage*>& messages, const std::string& token,
                   std::vector<MessageOutcome>& outcomes, DispatchCounts& counts) {
    TokenBucket& bucket = BucketFor(provider);
    int batch_limit = std::max(1, std::min(provider->max_batch_size(), static_cast<int>(bucket.capacity())));
    for (size_t start = 0; start < messages.size(); start += batch_limit) {
      size_t end = std::min(messages.size(), start + batch_limit);
      int count = static_cast<int>(end - start);
      Wait(bucket.WaitFor(count, clock.Now()));
      bucket.Take(count, clock.Now());
      std::vector<OutboxMessage> batch;
      batch.reserve(count);
      for (size_t i = start; i < end; ++i) batch.push_back(*messages[i]);
      std::vector<SendResult> results = provider->Send(batch);
      if (results.size() != batch.size()) {
        results = std::vector<SendResult>(batch.size(), SendResult{Internal("provider answered for the wrong number of messages")});
      }
      for (size_t i = 0; i < batch.size(); ++i) outcomes.push_back(Judge(batch[i], token, results[i], counts));
    }
  }
};

Dispatcher::Dispatcher(store::Database& database, ProviderDirectory& providers, SendGate& gate, const Clock& clock,
                       DispatcherSettings settings)
    : state_(std::make_unique<State>(State{database, providers, gate, clock, std::move(settings), "", 0, {}, {}})) {
  CRM_CHECK(sodium_init() >= 0);
  state_->token_prefix = fmt::format("{}-{}", state_->settings.worker_name, RandomHex(6));
  state_->last_report_poll = clock.Now();
}

Dispatcher::~Dispatcher() = default;

Result<DispatchCounts> Dispatcher::RunOnce() {
  State& s = *state_;
  DispatchCounts counts;
  Timestamp now = s.clock.Now();
  std::string token = fmt::format("{}-{}", s.token_prefix, ++s.pass);
  CRM_ASSIGN_OR_RETURN(std::vector<OutboxMessage> claimed,
                       store::WriteValue<std::vector<OutboxMessage>>(s.database, [&](store::Transaction& tx) {
                         return store::OutboxRepository(tx.connection())
                             .ClaimDue(now, now.PlusSeconds(s.settings.lease_seconds), token, s.settings.claim_batch_size);
                       }));
  counts.claimed = static_cast<int64_t>(claimed.size());
  if (claimed.empty()) return counts;

  std::vector<MessageOutcome> outcomes;
  outcomes.reserve(claimed.size());
  Result<std::vector<GateVerdict>> verdicts = s.gate.Check(claimed, now);
  if (!verdicts.ok() || verdicts->size() != claimed.size()) {
    // Nothing is sent unchecked: the batch goes back and is claimed again shortly.
    std::string why = verdicts.ok() ? "gate answered for the wrong number of messages" : verdicts.status().message();
    spdlog::warn("outbox: send gate failed, {} messages put back: {}", claimed.size(), why);
    for (const OutboxMessage& m : claimed) {
      MessageOutcome outcome = s.Outcome(m, token, MessageStatus::kQueued);
      outcome.next_attempt_at = now.PlusSeconds(kGateRetrySeconds);
      outcome.detail = "send gate unavailable";
      outcomes.push_back(std::move(outcome));
    }
  } else {
    std::map<Provider*, std::vector<const OutboxMessage*>> by_provider;
    for (size_t i = 0; i < claimed.size(); ++i) {
      const OutboxMessage& m = claimed[i];
      const GateVerdict& verdict = (*verdicts)[i];
      if (verdict.kind == GateVerdict::Kind::kSuppress) {
        MessageOutcome outcome = s.Outcome(m, token, MessageStatus::kSuppressed);
        outcome.detail = domain::ToString(verdict.reason);
        outcomes.push_back(std::move(outcome));
        ++counts.suppressed;
      } else if (verdict.kind == GateVerdict::Kind::kHold) {
        MessageOutcome outcome = s.Outcome(m, token, MessageStatus::kQueued);
        outcome.next_attempt_at = std::max(verdict.hold_until, now.PlusSeconds(1));
        outcome.detail = domain::ToString(verdict.reason);
        outcomes.push_back(std::move(outcome));
        ++counts.held;
      } else if (Provider* provider = s.providers.Find(m.business_id, m.channel); provider != nullptr) {
        by_provider[provider].push_back(&m);
      } else {
        MessageOutcome outcome = s.Outcome(m, token, MessageStatus::kFailed);
        outcome.detail = fmt::format("no provider for {}", domain::ToString(m.channel));
        outcome.provider_status_code = "no_provider";
        outcomes.push_back(std::move(outcome));
        ++counts.failed;
      }
    }
    for (auto& [provider, messages] : by_provider) s.SendThrough(provider, messages, token, outcomes, counts);
  }
  CRM_RETURN_IF_ERROR(s.database.Write([&](store::Transaction& tx) {
    return store::OutboxRepository(tx.connection()).RecordOutcomes(outcomes).status();
  }));
  return counts;
}

Result<int64_t> Dispatcher::PollReports() {
  State& s = *state_;
  int64_t applied = 0;
  for (Provider* provider : s.providers.All()) {
    Result<std::vector<DeliveryReport>> reports = provider->FetchReports();
    if (!reports.ok()) {
      spdlog::warn("outbox: delivery reports of {} unavailable: {}", provider->name(), reports.status().message());
      continue;
    }
    std::vector<store::DeliveryUpdate> updates;
    std::vector<std::pair<BusinessId, std::string>> suppressions;
    for (const DeliveryReport& report : *reports) {
      auto key = domain::ParseProviderIdempotencyKey(report.provider_key);
      if (!key) continue;
      updates.push_back({key->first, key->second, report.delivered ? MessageStatus::kDelivered : MessageStatus::kFailed,
                         report.provider_code, report.delivered ? "" : "provider reported failure", report.at,
                         report.provider_message_id});
      if (report.action == ProviderAction::kSuppress) suppressions.push_back(*key);
    }
    CRM_ASSIGN_OR_RETURN(int64_t count, store::WriteValue<int64_t>(s.database, [&](store::Transaction& tx) {
                           return store::OutboxRepository(tx.connection()).ApplyDeliveryReports(updates);
                         }));
    applied += count;
    for (const auto& [business, key] : suppressions) {
      auto message = store::ReadValue<OutboxMessage>(s.database, [&](store::Transaction& tx) {
        return store::OutboxRepository(tx.connection()).GetByIdempotencyKey(business, key);
      });
      if (message.ok()) {
        Status recorded = s.gate.RecordProviderSuppression(*message, "080", s.clock.Now());
        if (!recorded.ok()) spdlog::warn("outbox: suppression of message {} not recorded", message->id.value());
      }
    }
  }
  return applied;
}

void Dispatcher::Run(std::stop_token stop) {
  State& s = *state_;
  std::mutex mutex;
  std::condition_variable_any wake;
  auto pause = [&](int64_t millis) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, std::chrono::milliseconds(millis), [] { return false; });
  };
  while (!stop.stop_requested()) {
    Result<DispatchCounts> counts = RunOnce();
    if (!counts.ok()) {
      spdlog::warn("outbox: dispatch pass failed: {}", counts.status().message());
      pause(1000);
    } else if (counts->claimed == 0) {
      pause(s.settings.idle_wait_millis);
    }
    Timestamp now = s.clock.Now();
    if (now.micros() - s.last_report_poll.micros() >= s.settings.report_poll_seconds * 1'000'000) {
      s.last_report_poll = now;
      Result<int64_t> applied = PollReports();
      if (!applied.ok()) spdlog::warn("outbox: applying delivery reports failed: {}", applied.status().message());
    }
  }
}

}  // namespace crm::messaging
