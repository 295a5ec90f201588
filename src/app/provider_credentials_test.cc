// Provider credentials as business settings on a real SQLite file: sealed at rest, never read
// back, owner only, and refused without a server key or under another one.
#include "app/provider_credentials.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "app/business_provider_directory.h"
#include "app/services.h"
#include "store/consent_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

const Timestamp kNow = Timestamp::FromSeconds(1'772'416'800);

class ProviderCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-providers-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    services_ = std::make_unique<Services>(*db_, clock_);
    auto business = services_->businesses.CreateBusiness("cafe", "카페");
    ASSERT_TRUE(business.ok());
    owner_.business_id = business->id;
    owner_.role = domain::Role::kOwner;
    auto box = SecretBox::FromHex(SecretBox::GenerateKeyHex());
    ASSERT_TRUE(box.ok());
    services_->providers.SetSecretBox(*box);
  }
  void TearDown() override {
    services_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static BusinessProviderSettings Solapi(const std::string& key, const std::string& secret) {
    BusinessProviderSettings s;
    s.solapi.emplace();
    s.solapi->api_key = key;
    s.solapi->api_secret = secret;
    s.solapi->base_url = "http://127.0.0.1:9";
    return s;
  }

  std::string StoredText() {
    auto settings = store::ReadValue<domain::MessagingSettings>(*db_, [&](store::Transaction& tx) {
      return store::ConsentRepository(tx.connection()).Settings(owner_.business_id);
    });
    EXPECT_TRUE(settings.ok());
    return settings.ok() ? settings->provider + "|" + settings->provider_credentials : "";
  }

  ManualClock clock_{kNow};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Services> services_;
  Principal owner_;
};

TEST(ProviderSettingsFormatTest, EncodingRoundTripsEveryFieldWithEscapes) {
  BusinessProviderSettings s;
  s.solapi.emplace();
  s.solapi->api_key = "KEY=1";
  s.solapi->api_secret = "line\\one\nline two";
  s.solapi->messages_per_second = 250;
  s.smtp.emplace();
  s.smtp->url = "smtp://mail.example:587";
  s.smtp->password = "p\rw";
  s.smtp->require_tls = false;
  auto decoded = DecodeProviderSettings(EncodeProviderSettings(s));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_TRUE(decoded->solapi && decoded->smtp);
  EXPECT_FALSE(decoded->nhn);
  EXPECT_EQ(decoded->solapi->api_key, "KEY=1");
  EXPECT_EQ(decoded->solapi->api_secret, "line\\one\nline two");
  EXPECT_EQ(decoded->solapi->messages_per_second, 250);
  EXPECT_EQ(decoded->smtp->password, "p\rw");
  EXPECT_FALSE(decoded->smtp->require_tls);
  EXPECT_EQ(DecodeProviderSettings("something else").status().code(), StatusCode::kDataLoss);
}

TEST(ProviderSettingsFormatTest, KeyIdsAreMasked) {
  EXPECT_EQ(MaskKeyId("NCSABCDEFGHWXYZ"), "NCSA****WXYZ");
  EXPECT_EQ(MaskKeyId("short"), "*****");
  EXPECT_EQ(MaskKeyId(""), "");
}

TEST_F(ProviderCredentialsTest, StoredSealedShownMaskedAndOpenedForTheDispatcher) {
  auto saved = services_->providers.Save(owner_, Solapi("NCSABCDEFGHWXYZ", "top-secret-value"));
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  ASSERT_EQ(saved->providers.size(), 1u);
  EXPECT_EQ(saved->providers[0].key_id, "NCSA****WXYZ");
  const std::string stored = StoredText();
  EXPECT_TRUE(stored.starts_with("solapi|v1:")) << stored;
  EXPECT_EQ(stored.find("top-secret-value"), std::string::npos);
  EXPECT_EQ(stored.find("NCSABCDEFGHWXYZ"), std::string::npos);

  auto view = services_->providers.Describe(owner_);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->server_key);
  EXPECT_EQ(view->providers.at(0).base_url, "http://127.0.0.1:9");
  auto loaded = services_->providers.Load(owner_.business_id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->solapi->api_secret, "top-secret-value");

  // Another provider is added beside it; removing one keeps the other.
  BusinessProviderSettings smtp;
  smtp.smtp.emplace();
  smtp.smtp->url = "smtp://127.0.0.1:25";
  smtp.smtp->from_address = "news@cafe.example";
  smtp.smtp->require_tls = false;
  ASSERT_TRUE(services_->providers.Save(owner_, smtp).ok());
  auto removed = services_->providers.Remove(owner_, messaging::ProviderKind::kSolapi);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  ASSERT_EQ(removed->providers.size(), 1u);
  EXPECT_EQ(removed->providers[0].kind, messaging::ProviderKind::kSmtp);
  EXPECT_EQ(services_->providers.Remove(owner_, messaging::ProviderKind::kSolapi).status().code(),
            StatusCode::kNotFound);
}

TEST_F(ProviderCredentialsTest, OnlyTheOwnerAndOnlyWithAServerKeyAndCompleteSettings) {
  Principal manager = owner_;
  manager.role = domain::Role::kManager;
  EXPECT_EQ(services_->providers.Save(manager, Solapi("k", "s")).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(services_->providers.Describe(manager).status().code(), StatusCode::kPermissionDenied);
  auto missing = services_->providers.Save(owner_, Solapi("", "s"));
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(services_->providers.Save(owner_, BusinessProviderSettings{}).status().field(), "kind");

  services_->providers.SetSecretBox(std::nullopt);
  auto keyless = services_->providers.Save(owner_, Solapi("key-id-1234", "s"));
  EXPECT_EQ(keyless.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(keyless.status().reason(), "no_server_key");
}

TEST_F(ProviderCredentialsTest, SettingsSealedUnderAnotherKeyAreDataLossAndTheDirectoryFallsBack) {
  ASSERT_TRUE(services_->providers.Save(owner_, Solapi("NCSABCDEFGHWXYZ", "secret")).ok());
  messaging::StaticProviderDirectory fallback;
  BusinessProviderDirectory directory(services_->providers, fallback, clock_, 30);
  messaging::Provider* own = directory.Find(owner_.business_id, domain::Channel::kSms);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(directory.Find(owner_.business_id, domain::Channel::kEmail), nullptr);  // fallback has none
  EXPECT_EQ(directory.Find(owner_.business_id, domain::Channel::kLms), own);
  EXPECT_EQ(directory.All().size(), 1u);

  auto other = SecretBox::FromHex(SecretBox::GenerateKeyHex());
  ASSERT_TRUE(other.ok());
  services_->providers.SetSecretBox(*other);
  EXPECT_EQ(services_->providers.Load(owner_.business_id).status().code(), StatusCode::kDataLoss);
  // Within the refresh time the built adapter is kept; after it, the business falls back.
  EXPECT_EQ(directory.Find(owner_.business_id, domain::Channel::kSms), own);
  clock_.AdvanceSeconds(31);
  EXPECT_EQ(directory.Find(owner_.business_id, domain::Channel::kSms), nullptr);
}

}  // namespace
}  // namespace crm::app
