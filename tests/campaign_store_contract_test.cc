// The store contract of campaigns: messaging settings and sender numbers, the consent history the
// triggers keep, the suppression list, campaigns with their recipients, the frequency-cap counts
// and the outcomes the uplift report reads, on SQLite and (when DANGOL_TEST_POSTGRES_URL names a
// server) PostgreSQL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "store/audience_repository.h"
#include "store/business_repository.h"
#include "store/campaign_repository.h"
#include "store/consent_repository.h"
#include "store/customer_repository.h"
#include "store/database.h"
#include "store/loyalty_repository.h"
#include "store/order_repository.h"
#include "store/test_database.h"
#include "store/transaction.h"

namespace crm::store {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'700'000'000);
constexpr int64_t kDay = 86'400LL * 1'000'000;

class CampaignStoreContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string url;
    ASSERT_NO_FATAL_FAILURE(TestDatabaseUrl(GetParam(), "dangol-campaign-store", &dir_, &url));
    if (IsSkipped()) return;
    auto db = Database::Open(url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    business_ = NewBusiness();
    other_ = NewBusiness();
    auto branch = WriteValue<domain::Branch>(*db_, [&](Transaction& tx) {
      return tx.branches().Create({BranchId(), business_, "본점", kNow});
    });
    ASSERT_TRUE(branch.ok()) << branch.status().ToString();
    branch_ = branch->id;
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  BusinessId NewBusiness() {
    static std::atomic<int> counter{0};
    domain::Business business;
    business.slug =
        "c" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(std::rand() % 100000);
    business.name = "캠페인";
    business.created_at = kNow;
    auto created =
        WriteValue<domain::Business>(*db_, [&](Transaction& tx) { return tx.businesses().Create(business); });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : BusinessId();
  }

  CustomerId NewCustomer(BusinessId business, std::vector<domain::Consent> consents = {}) {
    domain::Customer draft;
    draft.business_id = business;
    draft.name = "김단골";
    draft.created_at = draft.updated_at = kNow;
    draft.consents = std::move(consents);
    auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(draft); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : CustomerId();
  }

  void Sale(CustomerId customer, Timestamp at, int64_t total, domain::OrderKind kind = domain::OrderKind::kSale) {
    domain::Order order;
    order.business_id = business_;
    order.branch_id = branch_;
    order.customer_id = customer;
    order.kind = kind;
    order.ordered_at = order.created_at = at;
    order.total = Money(total);
    auto id = WriteValue<OrderId>(*db_, [&](Transaction& tx) { return tx.orders().Insert(order); });
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  }

  domain::Campaign Draft(BusinessId business, domain::Purpose purpose) {
    domain::Campaign c;
    c.business_id = business;
    c.name = "봄 프로모션";
    c.purpose = purpose;
    c.audience_kind = domain::AudienceKind::kCustomerIds;
    c.audience_value = "1,2";
    c.body = "(광고) #{이름}님 봄맞이 10% 할인";
    c.seed = 42;
    c.scheduled_at = kNow;
    c.created_at = c.updated_at = kNow;
    return c;
  }

  std::string dir_;
  std::unique_ptr<Database> db_;
  BusinessId business_, other_;
  BranchId branch_;
};

TEST_P(CampaignStoreContractTest, SettingsDefaultUntilSavedAndSenderNumbersAreUniquePerBusiness) {
  if (IsSkipped()) GTEST_SKIP();
  auto settings = ReadValue<domain::MessagingSettings>(
      *db_, [&](Transaction& tx) { return ConsentRepository(tx.connection()).Settings(business_); });
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->frequency_cap_count, 2);
  EXPECT_EQ(settings->control_share_permille, 100);
  settings->frequency_cap_count = 3;
  settings->opt_out_number = "0801234567";
  settings->provider_credentials = "sealed";
  settings->updated_at = kNow;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return ConsentRepository(tx.connection()).SaveSettings(*settings); })
                  .ok());
  auto saved = ReadValue<domain::MessagingSettings>(
      *db_, [&](Transaction& tx) { return ConsentRepository(tx.connection()).Settings(business_); });
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->frequency_cap_count, 3);
  EXPECT_EQ(saved->opt_out_number, "0801234567");
  EXPECT_EQ(saved->provider_credentials, "sealed");

  auto add = [&](BusinessId business, const std::string& number) {
    return WriteValue<domain::SenderNumber>(*db_, [&](Transaction& tx) {
      return ConsentRepository(tx.connection()).AddSenderNumber({0, business, number, "본점", kNow});
    });
  };
  ASSERT_TRUE(add(business_, "0212345678").ok());
  auto again = add(business_, "0212345678");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().field(), "number");
  EXPECT_TRUE(add(other_, "0212345678").ok());
  auto numbers = ReadValue<std::vector<domain::SenderNumber>>(
      *db_, [&](Transaction& tx) { return ConsentRepository(tx.connection()).SenderNumbers(business_); });
  ASSERT_TRUE(numbers.ok());
  ASSERT_EQ(numbers->size(), 1u);
  auto removed = db_->Write(
      [&](Transaction& tx) { return ConsentRepository(tx.connection()).RemoveSenderNumber(other_, numbers->at(0).id); });
  EXPECT_EQ(removed.code(), StatusCode::kNotFound);
}

TEST_P(CampaignStoreContractTest, EveryConsentDecisionIsKeptInTheHistoryOnlyOnce) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId customer = NewCustomer(business_, {{domain::ConsentChannel::kSms, true, kNow, "kiosk"}});
  auto decide = [&](domain::Consent consent) {
    return db_->Write([&](Transaction& tx) -> Status {
      return ConsentRepository(tx.connection()).RecordConsent(business_, customer, consent);
    });
  };
  const Timestamp later = Timestamp::FromMicros(kNow.micros() + kDay);
  ASSERT_TRUE(decide({domain::ConsentChannel::kSms, false, later, "opt_out_page"}).ok());
  ASSERT_TRUE(decide({domain::ConsentChannel::kSms, false, later, "opt_out_page"}).ok());  // the same again
  auto history = ReadValue<std::vector<ConsentEvent>>(
      *db_, [&](Transaction& tx) { return ConsentRepository(tx.connection()).History(business_, customer); });
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_TRUE(history->at(0).consent.granted);
  EXPECT_EQ(history->at(0).consent.source, "kiosk");
  EXPECT_FALSE(history->at(1).consent.granted);
  EXPECT_EQ(history->at(1).consent.at, later);
  EXPECT_EQ(history->at(1).consent.source, "opt_out_page");
  auto elsewhere = ReadValue<std::vector<ConsentEvent>>(
      *db_, [&](Transaction& tx) { return ConsentRepository(tx.connection()).History(other_, customer); });
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_TRUE(elsewhere->empty());
}

TEST_P(CampaignStoreContractTest, SuppressionKeepsTheFirstReasonAndStaysInItsBusiness) {
  if (IsSkipped()) GTEST_SKIP();
  auto suppress = [&](BusinessId business, domain::SuppressionReason reason) {
    return WriteValue<bool>(*db_, [&](Transaction& tx) {
      return ConsentRepository(tx.connection()).Suppress(business, {"+821012345678", reason, "080", kNow});
    });
  };
  EXPECT_TRUE(*suppress(business_, domain::SuppressionReason::kOptOut080));
  EXPECT_FALSE(*suppress(business_, domain::SuppressionReason::kBounce));
  auto found = ReadValue<std::optional<Suppression>>(*db_, [&](Transaction& tx) {
    return ConsentRepository(tx.connection()).FindSuppression(business_, "+821012345678");
  });
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->reason, domain::SuppressionReason::kOptOut080);
  auto other = ReadValue<std::optional<Suppression>>(*db_, [&](Transaction& tx) {
    return ConsentRepository(tx.connection()).FindSuppression(other_, "+821012345678");
  });
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
  EXPECT_TRUE(db_->Write([&](Transaction& tx) {
                   return ConsentRepository(tx.connection()).Unsuppress(business_, "+821012345678");
                 }).ok());
  EXPECT_EQ(db_->Write([&](Transaction& tx) {
                 return ConsentRepository(tx.connection()).Unsuppress(business_, "+821012345678");
               }).code(),
            StatusCode::kNotFound);
}

TEST_P(CampaignStoreContractTest, CampaignsRoundTripAndStayInTheirBusiness) {
  if (IsSkipped()) GTEST_SKIP();
  domain::Campaign draft = Draft(business_, domain::Purpose::kAdvertising);
  draft.fallback_channel = domain::Channel::kSms;
  draft.channel = domain::Channel::kAlimTalk;
  auto created = WriteValue<domain::Campaign>(
      *db_, [&](Transaction& tx) { return CampaignRepository(tx.connection()).Create(draft); });
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  created->status = domain::CampaignStatus::kQueued;
  created->treated_count = 9;
  created->queued_at = kNow;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) { return CampaignRepository(tx.connection()).Update(*created); }).ok());
  auto read = ReadValue<domain::Campaign>(
      *db_, [&](Transaction& tx) { return CampaignRepository(tx.connection()).Get(business_, created->id); });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->name, draft.name);
  EXPECT_EQ(read->body, draft.body);
  EXPECT_EQ(read->fallback_channel, domain::Channel::kSms);
  EXPECT_EQ(read->status, domain::CampaignStatus::kQueued);
  EXPECT_EQ(read->treated_count, 9);
  EXPECT_EQ(read->queued_at, kNow);
  EXPECT_EQ(read->scheduled_at, kNow);
  auto foreign = ReadValue<domain::Campaign>(
      *db_, [&](Transaction& tx) { return CampaignRepository(tx.connection()).Get(other_, created->id); });
  EXPECT_EQ(foreign.status().code(), StatusCode::kNotFound);
}

TEST_P(CampaignStoreContractTest, AdvertisingCountsAndOutcomesComeFromRecipientsAndOrders) {
  if (IsSkipped()) GTEST_SKIP();
  const CustomerId treated = NewCustomer(business_);
  const CustomerId control = NewCustomer(business_);
  const CustomerId excluded = NewCustomer(business_);
  auto ad = WriteValue<domain::Campaign>(*db_, [&](Transaction& tx) {
    return CampaignRepository(tx.connection()).Create(Draft(business_, domain::Purpose::kAdvertising));
  });
  auto info = WriteValue<domain::Campaign>(*db_, [&](Transaction& tx) {
    return CampaignRepository(tx.connection()).Create(Draft(business_, domain::Purpose::kInformational));
  });
  ASSERT_TRUE(ad.ok() && info.ok());
  ASSERT_TRUE(db_->Write([&](Transaction& tx) -> Status {
                   CampaignRepository campaigns(tx.connection());
                   using domain::RecipientGroup;
                   CRM_RETURN_IF_ERROR(campaigns.InsertRecipient(
                       business_, ad->id, {treated, RecipientGroup::kTreated, {}, domain::Channel::kSms, {}, kNow}));
                   CRM_RETURN_IF_ERROR(campaigns.InsertRecipient(business_, ad->id,
                                                                 {control, RecipientGroup::kControl, {}, {}, {}, kNow}));
                   CRM_RETURN_IF_ERROR(campaigns.InsertRecipient(
                       business_, ad->id,
                       {excluded, RecipientGroup::kExcluded, domain::ExclusionReason::kNoConsent, {}, {}, kNow}));
                   return campaigns.InsertRecipient(
                       business_, info->id, {treated, RecipientGroup::kTreated, {}, domain::Channel::kSms, {}, kNow});
                 }).ok());
  auto count = ReadValue<int64_t>(*db_, [&](Transaction& tx) {
    return CampaignRepository(tx.connection()).CountAdvertisingSince(business_, treated, kNow);
  });
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 1);  // the informational message does not count
  auto later = ReadValue<int64_t>(*db_, [&](Transaction& tx) {
    return CampaignRepository(tx.connection()).CountAdvertisingSince(business_, treated, Timestamp::FromMicros(kNow.micros() + 1));
  });
  EXPECT_EQ(*later, 0);

  Sale(treated, Timestamp::FromMicros(kNow.micros() + kDay), 10'000);
  Sale(treated, Timestamp::FromMicros(kNow.micros() + 2 * kDay), 5'000);
  Sale(treated, Timestamp::FromMicros(kNow.micros() + 3 * kDay), -5'000, domain::OrderKind::kRefund);
  Sale(treated, Timestamp::FromMicros(kNow.micros() + 20 * kDay), 99'000);  // after the window
  Sale(control, Timestamp::FromMicros(kNow.micros() - kDay), 7'000);        // before it
  Sale(excluded, Timestamp::FromMicros(kNow.micros() + kDay), 3'000);
  auto outcomes = ReadValue<std::vector<RecipientOutcome>>(*db_, [&](Transaction& tx) {
    return CampaignRepository(tx.connection())
        .Outcomes(business_, ad->id, kNow, Timestamp::FromMicros(kNow.micros() + 14 * kDay));
  });
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  ASSERT_EQ(outcomes->size(), 2u);
  const auto& t = outcomes->at(0).customer_id == treated ? outcomes->at(0) : outcomes->at(1);
  const auto& c = outcomes->at(0).customer_id == treated ? outcomes->at(1) : outcomes->at(0);
  EXPECT_EQ(t.group, domain::RecipientGroup::kTreated);
  EXPECT_EQ(t.visits, 2);
  EXPECT_EQ(t.revenue, 10'000);
  EXPECT_EQ(c.group, domain::RecipientGroup::kControl);
  EXPECT_EQ(c.visits, 0);
  EXPECT_EQ(c.revenue, 0);

  auto entries = ReadValue<std::vector<CustomerCampaignEntry>>(
      *db_, [&](Transaction& tx) { return CampaignRepository(tx.connection()).ForCustomer(business_, treated); });
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 2u);
}

TEST_P(CampaignStoreContractTest, AudienceIsReadInBulkWithConsentsSuppressionsNoticesAndLoyalty) {
  if (IsSkipped()) GTEST_SKIP();
  auto insert = [&](BusinessId business, const std::string& phone, const std::string& email,
                    std::vector<domain::Consent> consents) {
    domain::Customer draft;
    draft.business_id = business;
    draft.name = "이단골";
    draft.phone_e164 = phone;
    draft.email = email;
    draft.created_at = draft.updated_at = kNow;
    draft.consents = std::move(consents);
    auto id = WriteValue<CustomerId>(*db_, [&](Transaction& tx) { return tx.customers().Insert(draft); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : CustomerId();
  };
  const CustomerId listed = insert(business_, "+821011112222", "lee@example.com",
                                   {{domain::ConsentChannel::kSms, true, kNow, "counter"},
                                    {domain::ConsentChannel::kEmail, false, kNow, "kiosk"}});
  const CustomerId plain = insert(business_, "+821033334444", "", {});
  const CustomerId elsewhere = insert(other_, "+821055556666", "", {});
  Sale(listed, Timestamp::FromMicros(kNow.micros() + kDay), 12'000);
  ASSERT_TRUE(db_->Write([&](Transaction& tx) -> Status {
                   ConsentRepository consents(tx.connection());
                   CRM_RETURN_IF_ERROR(consents
                                           .Suppress(business_, {"+821011112222", domain::SuppressionReason::kOptOut080,
                                                                 "080", kNow})
                                           .status());
                   CRM_RETURN_IF_ERROR(consents.Suppress(other_, {"lee@example.com", domain::SuppressionReason::kBounce,
                                                                  "smtp", kNow})
                                           .status());
                   PendingNotice notice{listed, domain::ConsentChannel::kSms, true, kNow};
                   CRM_RETURN_IF_ERROR(
                       consents.RecordNotice(business_, NoticeKind::kReconfirmation, notice, Timestamp::FromMicros(kNow.micros() + 2 * kDay)).status());
                   domain::LoyaltyAccount account;
                   account.customer_id = listed;
                   account.balance = 1'200;
                   account.tier.index = 2;
                   account.referral_code = "AUD1";
                   account.updated_at = kNow;
                   CRM_RETURN_IF_ERROR(tx.loyalty().CreateAccount(business_, account));
                   for (int64_t units : {2, 1}) {
                     domain::LoyaltyCount count;
                     count.business_id = business_;
                     count.customer_id = listed;
                     count.tier_units = units;
                     count.reward_units = units;
                     count.counts_at = count.created_at = kNow;
                     CRM_RETURN_IF_ERROR(tx.loyalty().AppendCount(count).status());
                   }
                   return Status::Ok();
                 })
                  .ok());

  const std::vector<CustomerId> ids{plain, listed, listed, elsewhere, CustomerId(listed.value() + 100'000)};
  auto members = ReadValue<std::vector<AudienceMember>>(
      *db_, [&](Transaction& tx) { return AudienceRepository(tx.connection()).Load(business_, ids); });
  ASSERT_TRUE(members.ok()) << members.status().ToString();
  ASSERT_EQ(members->size(), 2u);  // repeated, foreign and unknown ids left out
  const AudienceMember& first = members->at(0);
  EXPECT_EQ(first.customer.id, plain);
  EXPECT_TRUE(first.customer.consents.empty());
  EXPECT_FALSE(first.phone_suppression.has_value());
  EXPECT_EQ(first.balance, 0);
  EXPECT_EQ(first.reward_progress, 0);
  const AudienceMember& second = members->at(1);
  EXPECT_EQ(second.customer.id, listed);
  EXPECT_EQ(second.customer.name, "이단골");
  EXPECT_EQ(second.customer.phone_e164, "+821011112222");
  EXPECT_EQ(second.customer.email, "lee@example.com");
  EXPECT_EQ(second.customer.stats.visit_count, 0);  // stats are the order service's, not the store's
  ASSERT_EQ(second.customer.consents.size(), 2u);
  EXPECT_EQ(second.phone_suppression, domain::SuppressionReason::kOptOut080);
  EXPECT_FALSE(second.email_suppression.has_value());  // the bounce is the other business's
  ASSERT_EQ(second.reconfirmed_at.count(domain::ConsentChannel::kSms), 1u);
  EXPECT_EQ(second.reconfirmed_at.at(domain::ConsentChannel::kSms), Timestamp::FromMicros(kNow.micros() + 2 * kDay));
  EXPECT_EQ(second.balance, 1'200);
  EXPECT_EQ(second.tier_index, 2);
  EXPECT_EQ(second.reward_progress, 3);

  // More ids than one statement carries (1,000 a chunk) are read in chunks, in order.
  std::vector<CustomerId> many;
  for (int i = 0; i < 2'500; ++i) many.push_back(CustomerId(listed.value() + 200'000 + i));
  many.push_back(listed);
  many.push_back(plain);
  auto chunked = ReadValue<std::vector<AudienceMember>>(
      *db_, [&](Transaction& tx) { return AudienceRepository(tx.connection()).Load(business_, many); });
  ASSERT_TRUE(chunked.ok()) << chunked.status().ToString();
  ASSERT_EQ(chunked->size(), 2u);
  EXPECT_EQ(chunked->at(0).customer.id, listed);
  EXPECT_EQ(chunked->at(1).customer.id, plain);
}

INSTANTIATE_TEST_SUITE_P(Backends, CampaignStoreContractTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

}  // namespace
}  // namespace crm::store
