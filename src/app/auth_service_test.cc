#include "app/auth_service.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "app/business_service.h"
#include "app/services.h"
#include "store/auth_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dangol-auth-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto db = store::Database::Open("sqlite:" + dir_ + "/test.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    BusinessService businesses(*db_, clock_);
    auto business = businesses.CreateBusiness("cafe", "카페");
    ASSERT_TRUE(business.ok());
    business_ = business->id;
    NewStaff owner;
    owner.email = "Owner@Example.com";
    owner.password = "correct horse";  // kept at 13 characters: within the policy
    owner.role = domain::Role::kOwner;
    ASSERT_TRUE(businesses.CreateStaff(business_, owner).ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  ManualClock clock_{Timestamp::FromSeconds(1'700'000'000)};
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  BusinessId business_;
};

TEST_F(AuthServiceTest, LoginIsCaseInsensitiveOnEmailAndStartsASession) {
  AuthService auth(*db_, clock_);
  auto login = auth.Login("owner@example.COM", "correct horse", "", "10.0.0.1");
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_EQ(login->staff.role, domain::Role::kOwner);
  auto session = auth.AuthenticateSession(login->session_token);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->first.business_id, business_);
  EXPECT_EQ(session->second, login->csrf_token);
  EXPECT_EQ(auth.AuthenticateSession("not-a-session").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, WrongPasswordsAreLimitedAndTheLimitPasses) {
  AuthService auth(*db_, clock_);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(auth.Login("owner@example.com", "wrong", "", "10.0.0.2").status().code(), StatusCode::kUnauthenticated);
  }
  // Even the right password is refused while the limit holds.
  EXPECT_EQ(auth.Login("owner@example.com", "correct horse", "", "10.0.0.3").status().code(),
            StatusCode::kResourceExhausted);
  clock_.AdvanceSeconds(901);
  EXPECT_TRUE(auth.Login("owner@example.com", "correct horse", "", "10.0.0.3").ok());
}

TEST_F(AuthServiceTest, SessionsExpireAndLogoutEndsThemAtOnce) {
  AuthService auth(*db_, clock_, AuthSettings{.session_seconds = 60});
  auto login = auth.Login("owner@example.com", "correct horse", "", "10.0.0.4");
  ASSERT_TRUE(login.ok());
  ASSERT_TRUE(auth.AuthenticateSession(login->session_token).ok());
  ASSERT_TRUE(auth.Logout(login->session_token).ok());
  EXPECT_EQ(auth.AuthenticateSession(login->session_token).status().code(), StatusCode::kUnauthenticated);

  auto again = auth.Login("owner@example.com", "correct horse", "", "10.0.0.4");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(auth.AuthenticateSession(again->session_token).ok());
  clock_.AdvanceSeconds(61);
  EXPECT_EQ(auth.AuthenticateSession(again->session_token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, TheLimitTellsWhenToRetry) {
  AuthService auth(*db_, clock_);
  EXPECT_EQ(auth.LoginRetryAfterSeconds("owner@example.com", "10.0.0.9"), 0);
  for (int i = 0; i < 5; ++i) {
    (void)auth.Login("owner@example.com", "wrong", "", "10.0.0.9");
    clock_.AdvanceSeconds(10);
  }
  // The first failure (at 0) leaves the 900 s window at 900; it is now 50.
  EXPECT_EQ(auth.LoginRetryAfterSeconds("OWNER@example.com", "10.0.0.77"), 850);
  EXPECT_EQ(auth.LoginRetryAfterSeconds("someone@example.com", "10.0.0.9"), 850);
  EXPECT_EQ(auth.LoginRetryAfterSeconds("someone@example.com", "10.0.0.77"), 0);
}

// The services as the server wires them: staff changes reach the auth cache.
class StaffChangeTest : public AuthServiceTest {
 protected:
  void SetUp() override {
    AuthServiceTest::SetUp();
    services_ = std::make_unique<Services>(*db_, clock_);
    owner_.business_id = business_;
    owner_.role = domain::Role::kOwner;
    NewStaff staff;
    staff.email = "kim@example.com";
    staff.password = "counter shift morning";
    staff.role = domain::Role::kManager;
    auto created = services_->businesses.CreateStaff(business_, staff);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    staff_id_ = created->id;
  }
  void TearDown() override {
    services_.reset();
    AuthServiceTest::TearDown();
  }
  std::string LogIn() {
    auto login = services_->auth.Login("kim@example.com", "counter shift morning", "", "10.0.1.1");
    EXPECT_TRUE(login.ok()) << login.status().ToString();
    if (!login.ok()) return std::string();
    EXPECT_TRUE(services_->auth.AuthenticateSession(login->session_token).ok());  // cached from here on
    return login->session_token;
  }
  StatusCode SessionCode(const std::string& token) {
    return services_->auth.AuthenticateSession(token).status().code();
  }
  std::unique_ptr<Services> services_;
  Principal owner_;
  StaffId staff_id_;
};

TEST_F(StaffChangeTest, ANewPasswordEndsEverySessionAtOnce) {
  const std::string first = LogIn();
  const std::string second = LogIn();
  StaffChange change;
  change.password = "a different morning";
  ASSERT_TRUE(services_->businesses.UpdateStaff(owner_, staff_id_, change).ok());
  EXPECT_EQ(SessionCode(first), StatusCode::kUnauthenticated);
  EXPECT_EQ(SessionCode(second), StatusCode::kUnauthenticated);
}

TEST_F(StaffChangeTest, ANewRoleEndsTheSessionsAtOnce) {
  const std::string session = LogIn();
  StaffChange change;
  change.role = domain::Role::kStaff;
  ASSERT_TRUE(services_->businesses.UpdateStaff(owner_, staff_id_, change).ok());
  EXPECT_EQ(SessionCode(session), StatusCode::kUnauthenticated);
}

TEST_F(StaffChangeTest, OtherChangesKeepTheSessions) {
  const std::string session = LogIn();
  StaffChange change;
  change.display_name = "김 매니저";
  change.role = domain::Role::kManager;  // the same role
  ASSERT_TRUE(services_->businesses.UpdateStaff(owner_, staff_id_, change).ok());
  EXPECT_TRUE(services_->auth.AuthenticateSession(session).ok());
}

TEST_F(StaffChangeTest, DisablingEndsSessionsAndRevokesTheTokensTheyMade) {
  const std::string session = LogIn();
  auto theirs = services_->auth.CreateToken(business_, domain::Role::kStaff, "their pos", staff_id_);
  auto cli = services_->auth.CreateToken(business_, domain::Role::kStaff, "cli");
  ASSERT_TRUE(theirs.ok() && cli.ok());
  ASSERT_TRUE(services_->auth.AuthenticateToken(theirs->secret).ok());
  StaffChange change;
  change.active = false;
  ASSERT_TRUE(services_->businesses.UpdateStaff(owner_, staff_id_, change).ok());
  EXPECT_EQ(SessionCode(session), StatusCode::kUnauthenticated);
  EXPECT_EQ(services_->auth.AuthenticateToken(theirs->secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(services_->auth.AuthenticateToken(cli->secret).ok());
}

TEST_F(StaffChangeTest, ARevokedTokenFailsAtOnceAndItsLastUseIsKept) {
  auto created = services_->auth.CreateToken(business_, domain::Role::kManager, "pos");
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(services_->auth.AuthenticateToken(created->secret).ok());
  auto listed = services_->auth.ListTokens(owner_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->back().id, created->id);
  EXPECT_EQ(listed->back().last_used_at, clock_.Now());
  Principal manager = owner_;
  manager.role = domain::Role::kManager;
  EXPECT_EQ(services_->auth.ListTokens(manager).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(services_->auth.RevokeToken(manager, created->id).code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(services_->auth.RevokeToken(owner_, created->id).ok());
  EXPECT_EQ(services_->auth.AuthenticateToken(created->secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(services_->auth.RevokeToken(owner_, created->id).code(), StatusCode::kNotFound);
}

TEST_F(AuthServiceTest, RevokedTokensStopWithinTheCacheTime) {
  AuthService auth(*db_, clock_);
  auto created = auth.CreateToken(business_, domain::Role::kStaff, "pos");
  ASSERT_TRUE(created.ok());
  const std::string* token = &created->secret;
  auto principal = auth.AuthenticateToken(*token);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->role, domain::Role::kStaff);
  ASSERT_TRUE(principal->token_id.has_value());
  const TokenId id = *principal->token_id;
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) { return tx.auth().RevokeToken(business_, id, clock_.Now()); }).ok());
  clock_.AdvanceSeconds(11);
  EXPECT_EQ(auth.AuthenticateToken(*token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.AuthenticateToken("dgl_unknown").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, SecretsAreRandomAndOnlyTheirHashIsKept) {
  const std::string first = AuthService::NewSecret();
  EXPECT_NE(first, AuthService::NewSecret());
  EXPECT_EQ(first.size(), 43u);  // 32 bytes, URL-safe base64 without padding
  EXPECT_EQ(AuthService::HashSecret(first).size(), 64u);
  EXPECT_EQ(AuthService::HashSecret(first), AuthService::HashSecret(first));
  auto hash = AuthService::HashPassword("a password");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(AuthService::VerifyPassword(*hash, "a password"));
  EXPECT_FALSE(AuthService::VerifyPassword(*hash, "another"));
}

}  // namespace
}  // namespace crm::app
