#include "messaging/dispatcher.h"

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "store/business_repository.h"
#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::messaging {
namespace {

using domain::Channel;
using domain::MessageStatus;
using domain::OutboxMessage;

const Timestamp kStart = Timestamp::FromSeconds(1'800'000'000);

// An in-memory stand-in for a provider account: de-duplicates by provider key as the real ones do,
// and answers with scripted failures.
class ScriptedProvider final : public Provider {
 public:
  std::string_view name() const override { return "scripted"; }
  bool Supports(Channel) const override { return true; }
  int max_batch_size() const override { return 100; }
  double messages_per_second() const override { return rate; }

  std::vector<SendResult> Send(std::span<const OutboxMessage> batch) override {
    std::vector<SendResult> results;
    for (const OutboxMessage& m : batch) {
      std::string key = domain::ProviderIdempotencyKey(m);
      ++calls[key];
      auto scripted = script.find(key);
      if (scripted != script.end() && !scripted->second.empty()) {
        SendResult failure = scripted->second.front();
        scripted->second.erase(scripted->second.begin());
        results.push_back(failure);
        continue;
      }
      auto [it, fresh] = accepted.emplace(key, "P" + std::to_string(accepted.size() + 1));
      if (fresh) received.push_back(m);
      results.push_back({Status::Ok(), it->second, "2000", ProviderAction::kNone});
    }
    return results;
  }
  Result<std::vector<DeliveryReport>> FetchReports() override {
    std::vector<DeliveryReport> out = std::move(reports);
    reports.clear();
    return out;
  }

  double rate = 10'000;
  std::map<std::string, std::vector<SendResult>> script;  // key -> failures to answer first
  std::map<std::string, std::string> accepted;            // key -> provider message id
  std::map<std::string, int> calls;
  std::vector<OutboxMessage> received;
  std::vector<DeliveryReport> reports;
};

class ScriptedGate final : public SendGate {
 public:
  Result<std::vector<GateVerdict>> Check(std::span<const OutboxMessage> messages, Timestamp) override {
    if (unavailable) return Unavailable("database away");
    std::vector<GateVerdict> verdicts;
    for (const OutboxMessage& m : messages) {
      auto it = verdict_by_customer.find(m.customer_id.value());
      verdicts.push_back(it == verdict_by_customer.end() ? GateVerdict::Send() : it->second);
    }
    return verdicts;
  }
  Status RecordProviderSuppression(const OutboxMessage& m, const std::string& code, Timestamp) override {
    suppressed.emplace_back(m.customer_id.value(), code);
    return Status::Ok();
  }
  bool unavailable = false;
  std::map<int64_t, GateVerdict> verdict_by_customer;
  std::vector<std::pair<int64_t, std::string>> suppressed;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/tmp/dangol-dispatch-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    domain::Business business;
    business.slug = "dispatch";
    business.name = "단골커피";
    business.created_at = kStart;
    auto created = store::WriteValue<domain::Business>(
        *db_, [&](store::Transaction& tx) { return tx.businesses().Create(business); });
    ASSERT_TRUE(created.ok());
    business_ = created->id;
    directory_.Set(Channel::kSms, &provider_);
    directory_.Set(Channel::kLms, &provider_);
    directory_.Set(Channel::kAlimTalk, &provider_);
    settings_.retry = domain::RetryPolicy{.max_attempts = 3, .base_delay_seconds = 10, .max_delay_seconds = 60};
    settings_.wait_for_tokens = [this](std::chrono::microseconds wait) {
      waited_ += wait.count();
      clock_.Set(Timestamp::FromMicros(clock_.Now().micros() + wait.count()));
    };
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  OutboxMessage Message(const std::string& key, int64_t customer = 1) {
    OutboxMessage m;
    m.business_id = business_;
    m.customer_id = CustomerId(customer);
    m.channel = Channel::kSms;
    m.recipient = "+821012345678";
    m.sender = "0212345678";
    m.body = "포인트 100P 적립";
    m.idempotency_key = key;
    return m;
  }
  void Enqueue(const std::vector<OutboxMessage>& messages) {
    ASSERT_TRUE(db_->Write([&](store::Transaction& tx) {
                     return store::OutboxRepository(tx.connection()).Enqueue(messages, clock_.Now());
                   }).ok());
  }
  OutboxMessage Stored(const std::string& key) {
    auto m = store::ReadValue<OutboxMessage>(*db_, [&](store::Transaction& tx) {
      return store::OutboxRepository(tx.connection()).GetByIdempotencyKey(business_, key);
    });
    EXPECT_TRUE(m.ok());
    return m.ok() ? *m : OutboxMessage{};
  }
  std::vector<MessageStatus> History(const std::string& key) {
    MessageId id = Stored(key).id;
    auto events = store::ReadValue<std::vector<domain::MessageEvent>>(*db_, [&](store::Transaction& tx) {
      return store::OutboxRepository(tx.connection()).ListEvents(business_, id);
    });
    std::vector<MessageStatus> statuses;
    for (const auto& e : *events) statuses.push_back(e.status);
    return statuses;
  }
  Dispatcher MakeDispatcher() { return Dispatcher(*db_, directory_, gate_, clock_, settings_); }

  std::string dir_;
  std::unique_ptr<store::Database> db_;
  BusinessId business_;
  ManualClock clock_{kStart};
  ScriptedProvider provider_;
  ScriptedGate gate_;
  StaticProviderDirectory directory_;
  DispatcherSettings settings_;
  int64_t waited_ = 0;
};

TEST_F(DispatcherTest, SendsDueMessagesAndRecordsTheirHistory) {
  Enqueue({Message("a"), Message("b")});
  Dispatcher dispatcher = MakeDispatcher();
  auto counts = dispatcher.RunOnce();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->sent, 2);
  EXPECT_EQ(Stored("a").status, MessageStatus::kSent);
  EXPECT_FALSE(Stored("a").provider_message_id.empty());
  EXPECT_EQ(History("a"), (std::vector<MessageStatus>{MessageStatus::kQueued, MessageStatus::kSending, MessageStatus::kSent}));
  EXPECT_EQ(dispatcher.RunOnce()->claimed, 0);

  provider_.reports.push_back({domain::ProviderIdempotencyKey(Stored("a")), "P1", true, "4000", ProviderAction::kNone, clock_.Now()});
  EXPECT_EQ(*dispatcher.PollReports(), 1);
  EXPECT_EQ(Stored("a").status, MessageStatus::kDelivered);
}

TEST_F(DispatcherTest, TransientFailuresRetryWithBackoffThenDeadLetter) {
  Enqueue({Message("flaky"), Message("down")});
  std::string flaky = std::to_string(business_.value()) + "-flaky";
  std::string down = std::to_string(business_.value()) + "-down";
  provider_.script[flaky] = {{Unavailable("503"), "", "503"}};
  provider_.script[down] = std::vector<SendResult>(5, SendResult{ResourceExhausted("429"), "", "429"});
  Dispatcher dispatcher = MakeDispatcher();
  EXPECT_EQ(dispatcher.RunOnce()->retried, 2);
  EXPECT_EQ(Stored("flaky").status, MessageStatus::kQueued);
  EXPECT_EQ(dispatcher.RunOnce()->claimed, 0);  // backing off
  clock_.AdvanceSeconds(10);
  auto second = dispatcher.RunOnce();
  EXPECT_EQ(second->sent, 1);
  EXPECT_EQ(second->retried, 1);
  clock_.AdvanceSeconds(20);
  EXPECT_EQ(dispatcher.RunOnce()->failed, 1);  // the third attempt was the last
  OutboxMessage dead = Stored("down");
  EXPECT_EQ(dead.status, MessageStatus::kFailed);
  EXPECT_EQ(dead.provider_status_code, "429");
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(provider_.calls[down], 3);
}

TEST_F(DispatcherTest, PermanentErrorDeadLettersWithTheProviderCode) {
  Enqueue({Message("bad-sender")});
  provider_.script[std::to_string(business_.value()) + "-bad-sender"] = {
      {FailedPrecondition("unregistered sender"), "", "1062", ProviderAction::kConfigurationError}};
  Dispatcher dispatcher = MakeDispatcher();
  EXPECT_EQ(dispatcher.RunOnce()->failed, 1);
  EXPECT_EQ(Stored("bad-sender").status, MessageStatus::kFailed);
  EXPECT_EQ(Stored("bad-sender").provider_status_code, "1062");
}

TEST_F(DispatcherTest, GateSuppressesAndHoldsRightBeforeSending) {
  Enqueue({Message("withdrawn", 2), Message("night", 3), Message("fine", 4)});
  gate_.verdict_by_customer[2] = GateVerdict::Suppress(domain::ExclusionReason::kWithdrawn);
  gate_.verdict_by_customer[3] = GateVerdict::Hold(domain::ExclusionReason::kNightWithoutConsent, kStart.PlusSeconds(3600));
  Dispatcher dispatcher = MakeDispatcher();
  auto counts = dispatcher.RunOnce();
  EXPECT_EQ(counts->suppressed, 1);
  EXPECT_EQ(counts->held, 1);
  EXPECT_EQ(counts->sent, 1);
  EXPECT_EQ(Stored("withdrawn").status, MessageStatus::kSuppressed);
  EXPECT_EQ(Stored("withdrawn").last_error, "withdrawn");
  EXPECT_EQ(Stored("night").status, MessageStatus::kQueued);
  EXPECT_EQ(Stored("night").next_attempt_at, kStart.PlusSeconds(3600));
  EXPECT_EQ(provider_.received.size(), 1u);
}

TEST_F(DispatcherTest, UnavailableGateSendsNothingAndPutsTheBatchBack) {
  Enqueue({Message("x")});
  gate_.unavailable = true;
  Dispatcher dispatcher = MakeDispatcher();
  EXPECT_EQ(dispatcher.RunOnce()->sent, 0);
  EXPECT_TRUE(provider_.received.empty());
  EXPECT_EQ(Stored("x").status, MessageStatus::kQueued);
  gate_.unavailable = false;
  clock_.AdvanceSeconds(5);
  EXPECT_EQ(dispatcher.RunOnce()->sent, 1);
}

TEST_F(DispatcherTest, AlimTalkFallsBackToSmsWithItsOwnKey) {
  OutboxMessage alimtalk = Message("notice");
  alimtalk.channel = Channel::kAlimTalk;
  alimtalk.template_code = "POINT";
  alimtalk.fallback_channel = Channel::kSms;
  Enqueue({alimtalk});
  provider_.script[std::to_string(business_.value()) + "-notice"] = {
      {FailedPrecondition("not a KakaoTalk user"), "", "3104", ProviderAction::kFallbackToSms}};
  Dispatcher dispatcher = MakeDispatcher();
  EXPECT_EQ(dispatcher.RunOnce()->fell_back, 1);
  EXPECT_EQ(dispatcher.RunOnce()->sent, 1);
  ASSERT_EQ(provider_.received.size(), 1u);
  EXPECT_EQ(provider_.received[0].channel, Channel::kSms);
  EXPECT_EQ(domain::ProviderIdempotencyKey(provider_.received[0]), std::to_string(business_.value()) + "-notice~sms");
  EXPECT_EQ(Stored("notice").status, MessageStatus::kSent);
}

TEST_F(DispatcherTest, ProviderOptOutCodeSuppressesAndTellsTheGate) {
  Enqueue({Message("optout", 9)});
  provider_.script[std::to_string(business_.value()) + "-optout"] = {
      {FailedPrecondition("080 opt-out"), "", "1061", ProviderAction::kSuppress}};
  Dispatcher dispatcher = MakeDispatcher();
  EXPECT_EQ(dispatcher.RunOnce()->suppressed, 1);
  EXPECT_EQ(gate_.suppressed, (std::vector<std::pair<int64_t, std::string>>{{9, "1061"}}));
}

TEST_F(DispatcherTest, CrashAfterSendResendsWithTheSameKeyAndTheProviderDropsIt) {
  Enqueue({Message("once")});
  // A dispatcher claims and sends, then dies before recording: the row stays in sending.
  auto claimed = store::WriteValue<std::vector<OutboxMessage>>(*db_, [&](store::Transaction& tx) {
    return store::OutboxRepository(tx.connection()).ClaimDue(clock_.Now(), clock_.Now().PlusSeconds(120), "dead", 10);
  });
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(provider_.Send(*claimed)[0].status.ok());
  Dispatcher dispatcher = MakeDispatcher();
  EXPECT_EQ(dispatcher.RunOnce()->claimed, 0);  // still leased
  clock_.AdvanceSeconds(121);
  EXPECT_EQ(dispatcher.RunOnce()->sent, 1);
  std::string key = std::to_string(business_.value()) + "-once";
  EXPECT_EQ(provider_.calls[key], 2);
  EXPECT_EQ(provider_.received.size(), 1u);
  EXPECT_EQ(Stored("once").provider_message_id, provider_.accepted[key]);
  EXPECT_EQ(Stored("once").attempts, 2);
}

TEST_F(DispatcherTest, RateLimitSpacesBatchesByTheProvidersRate) {
  provider_.rate = 10;
  std::vector<OutboxMessage> batch;
  for (int i = 0; i < 35; ++i) batch.push_back(Message("r" + std::to_string(i)));
  Enqueue(batch);
  Dispatcher dispatcher = MakeDispatcher();
  EXPECT_EQ(dispatcher.RunOnce()->sent, 35);
  // 10 at once, then 25 more at 10 a second.
  EXPECT_GE(waited_, 2'500'000);
  EXPECT_LE(waited_, 2'600'000);
}

TEST_F(DispatcherTest, MessageWithoutProviderFails) {
  OutboxMessage email = Message("mail");
  email.channel = Channel::kEmail;
  email.recipient = "kim@example.com";
  Enqueue({email});
  Dispatcher dispatcher = MakeDispatcher();
  EXPECT_EQ(dispatcher.RunOnce()->failed, 1);
  EXPECT_EQ(Stored("mail").provider_status_code, "no_provider");
}

TEST_F(DispatcherTest, RunStopsWhenAsked) {
  Enqueue({Message("threaded")});
  settings_.idle_wait_millis = 5;
  settings_.wait_for_tokens = nullptr;
  Dispatcher dispatcher = MakeDispatcher();
  std::jthread thread([&](std::stop_token stop) { dispatcher.Run(stop); });
  thread.request_stop();
  thread.join();
  // Whether or not a pass ran before the stop, nothing is left half-done: queued or sent.
  MessageStatus status = Stored("threaded").status;
  EXPECT_TRUE(status == MessageStatus::kQueued || status == MessageStatus::kSent);
}

}  // namespace
}  // namespace crm::messaging
