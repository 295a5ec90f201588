// Campaigns through the app services on a real SQLite file with a manual clock: queueing with the
// control group and coupons, and the send gate re-checking consent and night hours at send time.
#include "app/campaign_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "app/consent_gate.h"
#include "app/services.h"
#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

// 2026-03-02 02:00 UTC = 11:00 in Seoul.
const Timestamp kMorning = Timestamp::FromSeconds(1'772'416'800);
constexpr int64_t kHour = 3'600LL * 1'000'000;

class CampaignServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-campaign-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    auto business = services_->businesses.CreateBusiness("cafe", "카페");  // UTC+9 by default
    ASSERT_TRUE(business.ok());
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    domain::MessagingSettings settings;
    settings.opt_out_number = "0801234567";
    settings.contact = "025551234";
    settings.control_share_permille = 0;
    ASSERT_TRUE(services_->campaigns.SaveSettings(owner_, settings).ok());
    ASSERT_TRUE(services_->campaigns.AddSenderNumber(owner_, "02-1234-5678", "본점").ok());
  }

  void TearDown() override {
    services_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  CustomerId Customer(const std::string& phone, std::vector<domain::ConsentChannel> consents) {
    domain::CustomerDraft draft;
    draft.name = "김단골";
    draft.phone = phone;
    for (auto channel : consents) draft.consents.push_back({channel, true, clock_.Now(), "counter"});
    auto created = services_->customers.Create(owner_, draft);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : CustomerId();
  }

  domain::Campaign Draft(const std::vector<CustomerId>& ids) {
    domain::Campaign c;
    c.name = "봄";
    c.purpose = domain::Purpose::kAdvertising;
    c.channel = domain::Channel::kSms;
    c.audience_kind = domain::AudienceKind::kCustomerIds;
    for (CustomerId id : ids) c.audience_value += std::to_string(id.value()) + ",";
    c.body = "#{이름}님 아메리카노 1+1";
    c.sender_number = "0212345678";
    c.control_share_permille = 0;
    return c;
  }

  std::vector<domain::OutboxMessage> Messages(CustomerId customer) {
    auto messages = store::ReadValue<std::vector<domain::OutboxMessage>>(*db_, [&](store::Transaction& tx) {
      return store::OutboxRepository(tx.connection()).ListForCustomer(owner_.business_id, customer, 10);
    });
    EXPECT_TRUE(messages.ok()) << messages.status().ToString();
    return messages.ok() ? *messages : std::vector<domain::OutboxMessage>{};
  }

  ManualClock clock_{kMorning};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_;
};

TEST_F(CampaignServiceTest, AWithdrawalAfterQueueingSuppressesTheMessageAtSendTime) {
  const CustomerId stays = Customer("010-1111-2222", {domain::ConsentChannel::kSms});
  const CustomerId leaves = Customer("010-3333-4444", {domain::ConsentChannel::kSms});
  auto campaign = services_->campaigns.Create(owner_, Draft({stays, leaves}));
  ASSERT_TRUE(campaign.ok()) << campaign.status().ToString();
  auto queued = services_->campaigns.Schedule(owner_, campaign->id, std::nullopt);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(queued->treated_count, 2);
  clock_.AdvanceSeconds(60);
  ASSERT_TRUE(services_->consents.RecordOptOut(owner_, leaves, {}).ok());

  ConsentSendGate gate(*db_);
  std::vector<domain::OutboxMessage> batch{Messages(stays).at(0), Messages(leaves).at(0)};
  EXPECT_TRUE(batch[0].body.starts_with("(광고)"));
  auto verdicts = gate.Check(batch, clock_.Now());
  ASSERT_TRUE(verdicts.ok()) << verdicts.status().ToString();
  EXPECT_EQ(verdicts->at(0).kind, messaging::GateVerdict::Kind::kSend);
  EXPECT_EQ(verdicts->at(1).kind, messaging::GateVerdict::Kind::kSuppress);
  EXPECT_EQ(verdicts->at(1).reason, domain::ExclusionReason::kNoConsent);

  // At 23:00 in Seoul the advertisement waits for 08:00 unless the customer consented to nights.
  const Timestamp night = Timestamp::FromMicros(kMorning.micros() + 12 * kHour);
  auto later = gate.Check(std::vector<domain::OutboxMessage>{batch[0]}, night);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->at(0).kind, messaging::GateVerdict::Kind::kHold);
  EXPECT_EQ(later->at(0).reason, domain::ExclusionReason::kNightWithoutConsent);
  EXPECT_EQ(later->at(0).hold_until, Timestamp::FromMicros(kMorning.micros() + 21 * kHour));

  // A test send to a staff phone has no customer and passes.
  domain::OutboxMessage test = batch[0];
  test.customer_id = CustomerId();
  EXPECT_EQ(gate.Check(std::vector<domain::OutboxMessage>{test}, night)->at(0).kind,
            messaging::GateVerdict::Kind::kSend);
}

TEST_F(CampaignServiceTest, TheControlGroupIsSeededAndGetsNeitherMessageNorCoupon) {
  std::vector<CustomerId> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(Customer(fmt::format("010-5555-{:04d}", i), {domain::ConsentChannel::kSms}));
  domain::CouponTemplate coupon_template;
  coupon_template.name = "아메리카노";
  coupon_template.kind = domain::CouponKind::kAmountOff;
  coupon_template.value = 3000;
  auto created_template = services_->loyalty.CreateTemplate(owner_, coupon_template);
  ASSERT_TRUE(created_template.ok()) << created_template.status().ToString();
  domain::Campaign draft = Draft(ids);
  draft.control_share_permille = 250;
  draft.seed = 99;
  draft.coupon_template_id = created_template->id;
  draft.body = "#{이름}님 쿠폰 #{쿠폰코드}";
  auto campaign = services_->campaigns.Create(owner_, draft);
  ASSERT_TRUE(campaign.ok()) << campaign.status().ToString();
  auto queued = services_->campaigns.Schedule(owner_, campaign->id, std::nullopt);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  int control = 0;
  for (CustomerId id : ids) {
    const bool in_control = domain::InControlGroup(99, id, 250);
    control += in_control ? 1 : 0;
    auto coupons = services_->loyalty.Coupons(owner_, id);
    ASSERT_TRUE(coupons.ok());
    EXPECT_EQ(Messages(id).size(), in_control ? 0u : 1u);
    EXPECT_EQ(coupons->size(), in_control ? 0u : 1u);
    if (!in_control) EXPECT_NE(Messages(id)[0].body.find(coupons->at(0).code), std::string::npos);
  }
  EXPECT_EQ(queued->control_count, control);
  EXPECT_EQ(queued->treated_count, 40 - control);
  EXPECT_GT(control, 0);
  auto again = services_->campaigns.Schedule(owner_, campaign->id, std::nullopt);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(CampaignServiceTest, LoyaltyVariablesAreRenderedPerRecipientInPreviewAndQueue) {
  auto program = services_->loyalty.SetProgram(owner_, *domain::ProgramPreset("visit-ranks"));
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  auto branch = services_->businesses.CreateBranch(owner_, "본점");
  ASSERT_TRUE(branch.ok()) << branch.status().ToString();
  const CustomerId newcomer = Customer("010-7000-0001", {domain::ConsentChannel::kSms});
  const CustomerId regular = Customer("010-7000-0002", {domain::ConsentChannel::kSms});
  // Six visits on six days: 계장 from the fifth, 과장 at the tenth.
  for (int day = 0; day < 6; ++day) {
    domain::Order sale;
    sale.branch_id = branch->id;
    sale.customer_id = regular;
    sale.lines = {{"아메리카노", "커피", 1, Money(4500)}};
    auto posted = services_->orders.PostSale(owner_, sale);
    ASSERT_TRUE(posted.ok()) << posted.status().ToString();
    clock_.AdvanceSeconds(86'400);
  }
  clock_.Set(Timestamp::FromMicros(kMorning.micros() + 7 * 24 * kHour));
  domain::Campaign draft = Draft({newcomer, regular});
  draft.purpose = domain::Purpose::kInformational;
  draft.body = "#{이름}님 #{등급} 등급, 포인트 #{포인트}, #{다음보상}";
  auto preview = services_->campaigns.Preview(owner_, draft);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  ASSERT_EQ(preview->samples.size(), 2u);
  std::map<CustomerId, std::string> sample_bodies;
  for (const SampleRecipient& sample : preview->samples) sample_bodies[sample.customer_id] = sample.body;
  // The preview carries masked names; each keeps the customer's own figures.
  EXPECT_EQ(sample_bodies[newcomer], "김*골님 손님 등급, 포인트 0, 1번 더 방문하면 주임");
  EXPECT_EQ(sample_bodies[regular], "김*골님 계장 등급, 포인트 0, 4번 더 방문하면 과장");
  EXPECT_EQ(preview->message.body.find("김단골"), std::string::npos) << preview->message.body;
  EXPECT_NE(preview->message.body.find("김*골님"), std::string::npos) << preview->message.body;

  auto campaign = services_->campaigns.Create(owner_, draft);
  ASSERT_TRUE(campaign.ok()) << campaign.status().ToString();
  auto queued = services_->campaigns.Schedule(owner_, campaign->id, std::nullopt);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(Messages(newcomer).at(0).body, "김단골님 손님 등급, 포인트 0, 1번 더 방문하면 주임");
  EXPECT_EQ(Messages(regular).at(0).body, "김단골님 계장 등급, 포인트 0, 4번 더 방문하면 과장");
}

TEST_F(CampaignServiceTest, StaleAndRepeatedIdsInTheAudienceAreReadOnce) {
  const CustomerId one = Customer("010-7100-0001", {domain::ConsentChannel::kSms});
  domain::Campaign draft = Draft({one, one, CustomerId(one.value() + 1000)});
  auto preview = services_->campaigns.Preview(owner_, draft);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  EXPECT_EQ(preview->audience, 1);
  EXPECT_EQ(preview->treated, 1);
}

}  // namespace
}  // namespace crm::app
