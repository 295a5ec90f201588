// The outbox in the store contract suite: the same tests on SQLite and, when a server is available,
// PostgreSQL (see store_contract_test.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "store/business_repository.h"
#include "store/database.h"
#include "store/outbox_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

using domain::Channel;
using domain::MessageStatus;
using domain::OutboxMessage;

const Timestamp kNow = Timestamp::FromSeconds(1'800'000'000);

class OutboxStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-outbox", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    business_ = NewBusiness();
    other_ = NewBusiness();
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  BusinessId NewBusiness() {
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug = "o" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
                    std::to_string(std::rand() % 1000000);
    business.name = "단골커피";
    business.created_at = kNow;
    auto created = WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BusinessId();
  }

  OutboxMessage Message(BusinessId business, const std::string& key, CustomerId customer = CustomerId(7)) {
    OutboxMessage m;
    m.business_id = business;
    m.campaign_id = CampaignId(11);
    m.customer_id = customer;
    m.channel = Channel::kSms;
    m.purpose = domain::Purpose::kAdvertising;
    m.recipient = "+821012345678";
    m.sender = "0212345678";
    m.body = "(광고)단골커피 라떼 1+1 [무료수신거부]0801234567";
    m.idempotency_key = key;
    m.next_attempt_at = kNow;
    return m;
  }

  Status Enqueue(const std::vector<OutboxMessage>& messages, Timestamp now = kNow) {
    return db_->Write([&](Transaction& tx) { return OutboxRepository(tx.connection()).Enqueue(messages, now); });
  }

  // Claims the test business's messages only: PostgreSQL runs share one database.
  std::vector<OutboxMessage> Claim(Timestamp now, const std::string& token, int limit = 1000, int64_t lease = 60) {
    auto claimed = WriteValue<std::vector<OutboxMessage>>(*db_, [&](Transaction& tx) {
      return OutboxRepository(tx.connection()).ClaimDue(now, now.PlusSeconds(lease), token, limit, business_);
    });
    EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
    return claimed.ok() ? *claimed : std::vector<OutboxMessage>{};
  }

  int64_t Record(const std::vector<MessageOutcome>& outcomes) {
    auto applied = WriteValue<int64_t>(*db_, [&](Transaction& tx) {
      return OutboxRepository(tx.connection()).RecordOutcomes(outcomes);
    });
    EXPECT_TRUE(applied.ok()) << applied.status().ToString();
    return applied.ok() ? *applied : -1;
  }

  OutboxMessage Get(BusinessId business, MessageId id) {
    auto got = ReadValue<OutboxMessage>(*db_, [&](Transaction& tx) { return OutboxRepository(tx.connection()).Get(business, id); });
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : OutboxMessage{};
  }

  std::unique_ptr<Database> db_;
  std::string dir_;
  BusinessId business_;
  BusinessId other_;
};

TEST_P(OutboxStoreContractTest, EnqueuedMessageIsClaimedOnceWhenDue) {
  OutboxMessage later = Message(business_, "later");
  later.next_attempt_at = kNow.PlusSeconds(3600);
  ASSERT_TRUE(Enqueue({Message(business_, "now"), later}).ok());

  std::vector<OutboxMessage> claimed = Claim(kNow, "worker-a", 1000, 7200);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].idempotency_key, "now");
  EXPECT_EQ(claimed[0].status, MessageStatus::kSending);
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_EQ(claimed[0].body, "(광고)단골커피 라떼 1+1 [무료수신거부]0801234567");
  EXPECT_EQ(claimed[0].campaign_id, CampaignId(11));
  EXPECT_FALSE(claimed[0].automation_id.has_value());
  // Leased: not claimed again before the lease ends.
  EXPECT_TRUE(Claim(kNow.PlusSeconds(30), "worker-b").empty());
  // The later one becomes due in its time.
  std::vector<OutboxMessage> due_later = Claim(kNow.PlusSeconds(3600), "worker-b", 1000, 7200);
  ASSERT_EQ(due_later.size(), 1u);
  EXPECT_EQ(due_later[0].idempotency_key, "later");
}

TEST_P(OutboxStoreContractTest, ExpiredLeaseIsClaimedAgainAndTheStaleClaimCannotRecord) {
  ASSERT_TRUE(Enqueue({Message(business_, "k1")}).ok());
  std::vector<OutboxMessage> first = Claim(kNow, "crashed", 1000, 60);
  ASSERT_EQ(first.size(), 1u);
  std::vector<OutboxMessage> second = Claim(kNow.PlusSeconds(61), "restarted");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, first[0].id);
  EXPECT_EQ(second[0].attempts, 2);
  EXPECT_EQ(second[0].idempotency_key, "k1");  // the same key goes to the provider again

  MessageOutcome stale{first[0].id, "crashed", MessageStatus::kFailed, {}, "", "3059", "stale", kNow.PlusSeconds(62)};
  EXPECT_EQ(Record({stale}), 0);
  MessageOutcome sent{second[0].id, "restarted", MessageStatus::kSent, {}, "P-1", "2000", "", kNow.PlusSeconds(62)};
  EXPECT_EQ(Record({sent}), 1);
  OutboxMessage stored = Get(business_, first[0].id);
  EXPECT_EQ(stored.status, MessageStatus::kSent);
  EXPECT_EQ(stored.provider_message_id, "P-1");
  EXPECT_EQ(stored.sent_at, kNow.PlusSeconds(62));
}

TEST_P(OutboxStoreContractTest, DuplicateKeyFailsAndKeepsNothingOfTheTransaction) {
  ASSERT_TRUE(Enqueue({Message(business_, "dup")}).ok());
  Status status = Enqueue({Message(business_, "fresh"), Message(business_, "dup")});
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(status.field(), "idempotency_key");
  auto fresh = ReadValue<OutboxMessage>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).GetByIdempotencyKey(business_, "fresh");
  });
  EXPECT_EQ(fresh.status().code(), StatusCode::kNotFound);
  // Keys are per business.
  EXPECT_TRUE(Enqueue({Message(other_, "dup")}).ok());
}

TEST_P(OutboxStoreContractTest, TextWithQuotesEscapesAndControlCharactersRoundTripsInABatch) {
  std::vector<OutboxMessage> batch;
  for (int i = 0; i < 7; ++i) {
    OutboxMessage m = Message(business_, "text-" + std::to_string(i));
    m.subject = "\"제목\" \\ 끝";
    m.body = "(광고) 단골\n줄 \"둘\"\t탭 \\역슬래시 \x01 {json} [배열] " + std::to_string(i);
    m.html_body = "<p class=\"x\">안녕</p>\r\n";
    m.fallback_channel = i % 2 == 0 ? std::optional<domain::Channel>(domain::Channel::kLms) : std::nullopt;
    batch.push_back(std::move(m));
  }
  ASSERT_TRUE(Enqueue(batch).ok());
  auto messages = ReadValue<std::vector<OutboxMessage>>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).ListForCustomer(business_, CustomerId(7), 20);
  });
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), batch.size());
  for (const OutboxMessage& stored : *messages) {
    const int i = std::stoi(stored.idempotency_key.substr(5));
    EXPECT_EQ(stored.subject, batch[i].subject);
    EXPECT_EQ(stored.body, batch[i].body);
    EXPECT_EQ(stored.html_body, batch[i].html_body);
    EXPECT_EQ(stored.fallback_channel, batch[i].fallback_channel);
    EXPECT_EQ(stored.recipient, batch[i].recipient);
    EXPECT_EQ(stored.status, domain::MessageStatus::kQueued);
  }
}

TEST_P(OutboxStoreContractTest, EmptyKeyOrRecipientIsRefused) {
  EXPECT_EQ(Enqueue({Message(business_, "")}).field(), "idempotency_key");
  OutboxMessage no_recipient = Message(business_, "x");
  no_recipient.recipient.clear();
  EXPECT_EQ(Enqueue({no_recipient}).field(), "recipient");
}

TEST_P(OutboxStoreContractTest, HistoryKeepsEveryStatusWithProviderCodes) {
  ASSERT_TRUE(Enqueue({Message(business_, "h")}).ok());
  OutboxMessage claimed = Claim(kNow, "w").at(0);
  MessageOutcome retry{claimed.id, "w", MessageStatus::kQueued, kNow.PlusSeconds(10), "", "429", "rate limited",
                       kNow.PlusSeconds(1)};
  ASSERT_EQ(Record({retry}), 1);
  EXPECT_TRUE(Claim(kNow.PlusSeconds(5), "w2").empty());
  OutboxMessage again = Claim(kNow.PlusSeconds(10), "w2").at(0);
  EXPECT_EQ(again.attempts, 2);
  ASSERT_EQ(Record({{again.id, "w2", MessageStatus::kSent, {}, "P-9", "2000", "", kNow.PlusSeconds(11)}}), 1);
  DeliveryUpdate report{business_, "h", MessageStatus::kDelivered, "4000", "", kNow.PlusSeconds(20)};
  auto applied = WriteValue<int64_t>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).ApplyDeliveryReports(std::span(&report, 1));
  });
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 1);
  // A repeated report changes nothing.
  applied = WriteValue<int64_t>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).ApplyDeliveryReports(std::span(&report, 1));
  });
  EXPECT_EQ(*applied, 0);

  auto events = ReadValue<std::vector<domain::MessageEvent>>(
      *db_, [&](Transaction& tx) { return OutboxRepository(tx.connection()).ListEvents(business_, claimed.id); });
  ASSERT_TRUE(events.ok());
  std::vector<MessageStatus> statuses;
  for (const auto& e : *events) statuses.push_back(e.status);
  EXPECT_EQ(statuses, (std::vector<MessageStatus>{MessageStatus::kQueued, MessageStatus::kSending,
                                                  MessageStatus::kQueued, MessageStatus::kSending,
                                                  MessageStatus::kSent, MessageStatus::kDelivered}));
  EXPECT_EQ((*events)[2].provider_status_code, "429");
  EXPECT_EQ((*events)[4].attempt, 2);
  EXPECT_EQ((*events)[5].provider_status_code, "4000");
  OutboxMessage stored = Get(business_, claimed.id);
  EXPECT_EQ(stored.status, MessageStatus::kDelivered);
  EXPECT_EQ(stored.delivered_at, kNow.PlusSeconds(20));
  EXPECT_EQ(stored.provider_message_id, "P-9");  // a report does not overwrite the id
}

TEST_P(OutboxStoreContractTest, ReportForAMessageStillSendingCompletesIt) {
  // The sender died after the provider accepted the message: the report brings the provider's id.
  ASSERT_TRUE(Enqueue({Message(business_, "orphan")}).ok());
  OutboxMessage claimed = Claim(kNow, "dead").at(0);
  DeliveryUpdate report{business_, "orphan", MessageStatus::kDelivered, "4000", "", kNow.PlusSeconds(3), "P-42"};
  auto applied = WriteValue<int64_t>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).ApplyDeliveryReports(std::span(&report, 1));
  });
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 1);
  OutboxMessage stored = Get(business_, claimed.id);
  EXPECT_EQ(stored.status, MessageStatus::kDelivered);
  EXPECT_EQ(stored.provider_message_id, "P-42");
  EXPECT_EQ(stored.sent_at, kNow.PlusSeconds(3));
  // Its lease running out brings nothing back: it is final.
  EXPECT_TRUE(Claim(kNow.PlusSeconds(600), "w").empty());
  // Another business sees nothing of it.
  auto foreign = ReadValue<std::vector<domain::MessageEvent>>(
      *db_, [&](Transaction& tx) { return OutboxRepository(tx.connection()).ListEvents(other_, claimed.id); });
  EXPECT_EQ(foreign.status().code(), StatusCode::kNotFound);
}

TEST_P(OutboxStoreContractTest, FallbackRequeuesOnTheNewChannel) {
  OutboxMessage alimtalk = Message(business_, "a");
  alimtalk.channel = Channel::kAlimTalk;
  alimtalk.purpose = domain::Purpose::kInformational;
  alimtalk.template_code = "POINT";
  alimtalk.fallback_channel = Channel::kSms;
  ASSERT_TRUE(Enqueue({alimtalk}).ok());
  OutboxMessage claimed = Claim(kNow, "w").at(0);
  EXPECT_EQ(claimed.fallback_channel, Channel::kSms);
  MessageOutcome fallback{claimed.id, "w", MessageStatus::kQueued, kNow, "", "3104", "not a KakaoTalk user", kNow};
  fallback.new_channel = Channel::kSms;
  ASSERT_EQ(Record({fallback}), 1);
  OutboxMessage again = Claim(kNow, "w2").at(0);
  EXPECT_EQ(again.channel, Channel::kSms);
  EXPECT_EQ(again.template_code, "POINT");
}

TEST_P(OutboxStoreContractTest, CancelAndCountsByStatus) {
  std::vector<OutboxMessage> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Message(business_, "c" + std::to_string(i)));
  ASSERT_TRUE(Enqueue(batch).ok());
  std::vector<OutboxMessage> claimed = Claim(kNow, "w", 2);
  ASSERT_EQ(claimed.size(), 2u);
  ASSERT_EQ(Record({{claimed[0].id, "w", MessageStatus::kSent, {}, "P", "2000", "", kNow}}), 1);
  auto cancelled = WriteValue<int64_t>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).CancelQueued(business_, CampaignId(11), kNow);
  });
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(*cancelled, 3);
  auto counts = ReadValue<std::map<MessageStatus, int64_t>>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).CountByStatus(business_, CampaignId(11));
  });
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (std::map<MessageStatus, int64_t>{
                         {MessageStatus::kSending, 1}, {MessageStatus::kSent, 1}, {MessageStatus::kCancelled, 3}}));
  EXPECT_TRUE(Claim(kNow.PlusSeconds(1), "w3").empty());
}

TEST_P(OutboxStoreContractTest, CustomerListingPagesNewestFirstAndCountsRecentAdvertising) {
  std::vector<OutboxMessage> batch;
  for (int i = 0; i < 4; ++i) batch.push_back(Message(business_, "l" + std::to_string(i), CustomerId(21)));
  batch.push_back(Message(business_, "other-customer", CustomerId(22)));
  ASSERT_TRUE(Enqueue(batch).ok());
  auto page = ReadValue<std::vector<OutboxMessage>>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).ListForCustomer(business_, CustomerId(21), 3);
  });
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].idempotency_key, "l3");
  auto rest = ReadValue<std::vector<OutboxMessage>>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).ListForCustomer(business_, CustomerId(21), 3, page->back().id);
  });
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].idempotency_key, "l0");

  std::vector<OutboxMessage> claimed = Claim(kNow, "w");
  std::vector<MessageOutcome> outcomes;
  for (const OutboxMessage& m : claimed) {
    outcomes.push_back({m.id, "w", MessageStatus::kSent, {}, "P", "2000", "", kNow.PlusSeconds(m.idempotency_key == "l0" ? -100 : 5)});
  }
  ASSERT_EQ(Record(outcomes), 5);
  std::vector<CustomerId> customers{CustomerId(21), CustomerId(22), CustomerId(23)};
  auto counts = ReadValue<std::map<CustomerId, int>>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).CountRecentAdvertising(business_, customers, kNow);
  });
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (std::map<CustomerId, int>{{CustomerId(21), 3}, {CustomerId(22), 1}}));
}

TEST_P(OutboxStoreContractTest, ErasureBlanksPersonalDataAndCancelsQueued) {
  ASSERT_TRUE(Enqueue({Message(business_, "e1", CustomerId(31)), Message(business_, "e2", CustomerId(31))}).ok());
  OutboxMessage sent = Claim(kNow, "w", 1).at(0);
  auto erased = WriteValue<int64_t>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).EraseCustomer(business_, CustomerId(31), kNow);
  });
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(*erased, 2);
  auto messages = ReadValue<std::vector<OutboxMessage>>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).ListForCustomer(business_, CustomerId(31), 10);
  });
  for (const OutboxMessage& m : *messages) {
    EXPECT_EQ(m.recipient, "");
    EXPECT_EQ(m.body, "");
    EXPECT_EQ(m.status, m.id == sent.id ? MessageStatus::kSending : MessageStatus::kCancelled);
  }
}

TEST_P(OutboxStoreContractTest, BulkEnqueueOfOddSizesKeepsEveryRow) {
  std::vector<OutboxMessage> batch;
  for (int i = 0; i < 1234; ++i) batch.push_back(Message(business_, "b" + std::to_string(i), CustomerId(1000 + i)));
  ASSERT_TRUE(Enqueue(batch).ok());
  std::set<std::string> keys;
  for (const OutboxMessage& m : Claim(kNow, "w", 5000)) keys.insert(m.idempotency_key);
  EXPECT_EQ(keys.size(), 1234u);
  EXPECT_TRUE(keys.contains("b0") && keys.contains("b1233"));
}

TEST_P(OutboxStoreContractTest, ConcurrentClaimersNeverShareAMessage) {
  std::vector<OutboxMessage> batch;
  for (int i = 0; i < 400; ++i) batch.push_back(Message(business_, "p" + std::to_string(i)));
  ASSERT_TRUE(Enqueue(batch).ok());
  std::vector<std::vector<OutboxMessage>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        auto claimed = WriteValue<std::vector<OutboxMessage>>(*db_, [&](Transaction& tx) {
          return OutboxRepository(tx.connection()).ClaimDue(kNow, kNow.PlusSeconds(600), "t" + std::to_string(t), 25,
                                                            business_);
        });
        if (claimed.ok()) seen[t].insert(seen[t].end(), claimed->begin(), claimed->end());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int64_t> ids;
  size_t total = 0;
  for (const auto& list : seen) {
    for (const OutboxMessage& m : list) ids.insert(m.id.value());
    total += list.size();
  }
  EXPECT_EQ(total, ids.size());
  EXPECT_EQ(ids.size(), 400u);
}

TEST_P(OutboxStoreContractTest, BusinessListFiltersByCampaignAndStatusAndPagesNewestFirst) {
  std::vector<OutboxMessage> messages;
  for (int i = 0; i < 5; ++i) {
    OutboxMessage m = Message(business_, "list-" + std::to_string(i));
    if (i >= 3) m.campaign_id = CampaignId(12);
    messages.push_back(m);
  }
  OutboxMessage notice = Message(business_, "notice");
  notice.campaign_id.reset();
  messages.push_back(notice);
  ASSERT_TRUE(Enqueue(messages).ok());
  ASSERT_TRUE(Enqueue({Message(other_, "list-0")}).ok());
  std::vector<OutboxMessage> claimed = Claim(kNow, "lister", 1);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_EQ(Record({{claimed[0].id, "lister", MessageStatus::kSent, {}, "P-1", "4000", "", kNow}}), 1);

  auto list = [&](std::optional<CampaignId> campaign, std::optional<MessageStatus> status, int limit,
                  std::optional<MessageId> before = {}) {
    auto got = ReadValue<std::vector<OutboxMessage>>(*db_, [&](Transaction& tx) {
      return OutboxRepository(tx.connection()).ListForBusiness(business_, campaign, status, limit, before);
    });
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    std::vector<std::string> keys;
    for (const OutboxMessage& m : got.ok() ? *got : std::vector<OutboxMessage>{}) keys.push_back(m.idempotency_key);
    return keys;
  };
  EXPECT_EQ(list({}, {}, 100), (std::vector<std::string>{"notice", "list-4", "list-3", "list-2", "list-1", "list-0"}));
  EXPECT_EQ(list(CampaignId(12), {}, 100), (std::vector<std::string>{"list-4", "list-3"}));
  EXPECT_EQ(list({}, MessageStatus::kSent, 100), std::vector<std::string>{claimed[0].idempotency_key});
  EXPECT_EQ(list(CampaignId(11), MessageStatus::kQueued, 2).size(), 2u);

  auto first_page = ReadValue<std::vector<OutboxMessage>>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).ListForBusiness(business_, {}, {}, 2);
  });
  ASSERT_TRUE(first_page.ok());
  ASSERT_EQ(first_page->size(), 2u);
  EXPECT_EQ(list({}, {}, 100, first_page->back().id), (std::vector<std::string>{"list-3", "list-2", "list-1", "list-0"}));

  auto counts = ReadValue<std::map<CampaignId, std::map<MessageStatus, int64_t>>>(*db_, [&](Transaction& tx) {
    return OutboxRepository(tx.connection()).CountByCampaign(business_);
  });
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  std::map<CampaignId, std::map<MessageStatus, int64_t>> expected{
      {CampaignId(11), {{MessageStatus::kQueued, 2}, {MessageStatus::kSent, 1}}},
      {CampaignId(12), {{MessageStatus::kQueued, 2}}}};
  EXPECT_EQ(*counts, expected);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
