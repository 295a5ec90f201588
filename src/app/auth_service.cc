#include "app/auth_service.h"

#include <sodium.h>

#include <algorithm>

#include "domain/korean_text.h"
#include "store/auth_repository.h"
#include "store/business_repository.h"
#include "store/kiosk_repository.h"
#include "store/staff_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

// Initialises libsodium once; sodium_init is safe to call repeatedly and from several threads.
void EnsureSodium() {
  static const bool initialised = sodium_init() >= 0;
  CRM_CHECK(initialised);
}

std::string ToLower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

Principal PrincipalOf(const domain::Staff& staff) {
  Principal principal;
  principal.business_id = staff.business_id;
  principal.staff_id = staff.id;
  principal.role = staff.role;
  principal.branch_ids = staff.branch_ids;
  return principal;
}

}  // namespace

AuthService::AuthService(store::Database& database, const Clock& clock, AuthSettings settings)
    : database_(database),
      clock_(clock),
      settings_(settings),
      failed_logins_(settings.max_failed_logins, settings.failed_login_window_seconds) {
  EnsureSodium();
}

Result<std::string> AuthService::HashPassword(const std::string& password) {
  EnsureSodium();
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Internal("out of memory while hashing a password");
  }
  return std::string(hash);
}

bool AuthService::VerifyPassword(const std::string& hash, const std::string& password) {
  EnsureSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string AuthService::NewSecret() {
  EnsureSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

std::string AuthService::HashSecret(const std::string& secret) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::optional<AuthService::CachedCredential> AuthService::FromCache(const std::string& hash, Timestamp now) {
  std::lock_guard lock(cache_mutex_);
  auto found = credentials_.find(hash);
  if (found == credentials_.end()) return std::nullopt;
  const CachedCredential& cached = found->second;
  if (now > cached.checked_at.PlusSeconds(settings_.credential_cache_seconds) || cached.expires_at <= now) {
    credentials_.erase(found);
    return std::nullopt;
  }
  return cached;
}

void AuthService::ToCache(const std::string& hash, CachedCredential credential) {
  std::lock_guard lock(cache_mutex_);
  if (credentials_.size() > 100'000) credentials_.clear();  // bounded memory
  credentials_[hash] = std::move(credential);
}

int64_t AuthService::LoginRetryAfterSeconds(const std::string& raw_email, const std::string& ip) {
  const Timestamp now = clock_.Now();
  return std::max(failed_logins_.RetryAfter("e:" + ToLower(raw_email), now), failed_logins_.RetryAfter("ip:" + ip, now));
}

Result<LoginResult> AuthService::Login(const std::string& raw_email, const std::string& password,
                                       const std::string& business_slug, const std::string& ip) {
  const Timestamp now = clock_.Now();
  const std::string email = ToLower(raw_email);
  if (email.empty()) return InvalidArgument("email is required", "email");
  if (email.size() > 254 || !domain::NormalizeText(email).ok()) return InvalidArgument("is not an e-mail address", "email");
  if (password.empty()) return InvalidArgument("password is required", "password");
  const std::string email_key = "e:" + email;
  const std::string ip_key = "ip:" + ip;
  if (failed_logins_.RetryAfter(email_key, now) > 0 || failed_logins_.RetryAfter(ip_key, now) > 0) {
    return ResourceExhausted("too many failed logins; try again later");
  }
  CRM_ASSIGN_OR_RETURN(auto candidates, store::ReadValue<std::vector<domain::Staff>>(
                                            database_, [&](store::Transaction& tx) {
                                              return tx.staff().FindByEmail(email);
                                            }));
  std::vector<domain::Staff> matching;
  for (auto& staff : candidates) {
    if (!staff.active) continue;
    if (!business_slug.empty()) {
      auto business = store::ReadValue<domain::Business>(
          database_, [&](store::Transaction& tx) { return tx.businesses().Get(staff.business_id); });
      if (!business.ok() || business->slug != business_slug) continue;
    }
    matching.push_back(std::move(staff));
  }
  if (matching.size() > 1) {
    return InvalidArgument("this e-mail has accounts in several businesses; name the business", "business");
  }
  // Verify against a dummy hash when there is no account, so the answer takes the same time.
  static const std::string kDummyHash = HashPassword("dangol-dummy-password").value();
  const bool verified = VerifyPassword(matching.empty() ? kDummyHash : matching[0].password_hash, password);
  if (matching.empty() || !verified) {
    failed_logins_.Record(email_key, now);
    failed_logins_.Record(ip_key, now);
    return Unauthenticated("wrong e-mail or password");
  }
  LoginResult result;
  result.staff = std::move(matching[0]);
  result.session_token = NewSecret();
  result.csrf_token = NewSecret();
  result.expires_at = now.PlusSeconds(settings_.session_seconds);
  domain::Session session;
  session.business_id = result.staff.business_id;
  session.staff_id = result.staff.id;
  session.token_hash = HashSecret(result.session_token);
  session.csrf_token = result.csrf_token;
  session.created_at = now;
  session.expires_at = result.expires_at;
  CRM_RETURN_IF_ERROR(database_.Write([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(result.business, tx.businesses().Get(session.business_id));
    return tx.auth().CreateSession(session).status();
  }));
  return result;
}

Status AuthService::Logout(const std::string& session_token) {
  const std::string hash = HashSecret(session_token);
  {
    std::lock_guard lock(cache_mutex_);
    credentials_.erase(hash);
  }
  return database_.Write([&](store::Transaction& tx) { return tx.auth().DeleteSession(hash); });
}

Result<std::pair<Principal, std::string>> AuthService::AuthenticateSession(const std::string& session_token) {
  if (session_token.empty()) return Unauthenticated("not logged in");
  const std::string hash = HashSecret(session_token);
  const Timestamp now = clock_.Now();
  if (auto cached = FromCache(hash, now); cached && !cached->csrf_token.empty()) {
    return std::make_pair(cached->principal, cached->csrf_token);
  }
  std::pair<Principal, std::string> out;
  Timestamp expires_at;
  Status status = database_.Read([&](store::Transaction& tx) -> Status {
    auto session = tx.auth().FindSession(hash);
    if (!session.ok()) return Unauthenticated("session expired or unknown");
    if (session->expires_at <= now) return Unauthenticated("session expired");
    auto staff = tx.staff().Get(session->business_id, session->staff_id);
    if (!staff.ok() || !staff->active) return Unauthenticated("account is no longer active");
    out.first = PrincipalOf(*staff);
    out.second = session->csrf_token;
    expires_at = session->expires_at;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  ToCache(hash, CachedCredential{out.first, out.second, now, expires_at});
  return out;
}

Result<Principal> AuthService::AuthenticateToken(const std::string& token) {
  if (token.empty()) return Unauthenticated("empty token");
  const std::string hash = HashSecret(token);
  // Kiosk credentials are looked up every time (never cached), so that disabling a device takes
  // effect at its next request.
  if (token.starts_with(kKioskTokenPrefix)) {
    auto device = store::ReadValue<std::optional<domain::KioskDevice>>(
        database_, [&](store::Transaction& tx) { return tx.kiosk().FindDevice(hash); });
    if (!device.ok() || !*device || (*device)->disabled_at) return Unauthenticated("unknown or disabled kiosk device");
    Principal principal;
    principal.business_id = (*device)->business_id;
    principal.role = domain::Role::kStaff;
    principal.kiosk_device_id = (*device)->id;
    return principal;
  }
  const Timestamp now = clock_.Now();
  if (auto cached = FromCache(hash, now); cached && cached->csrf_token.empty()) return cached->principal;
  auto found = store::ReadValue<domain::ApiToken>(database_,
                                                 [&](store::Transaction& tx) { return tx.auth().FindToken(hash); });
  if (!found.ok() || found->revoked_at) return Unauthenticated("unknown or revoked token");
  if (!found->last_used_at || *found->last_used_at < now.PlusSeconds(-settings_.token_use_resolution_seconds)) {
    // Best effort: a failed write of the last use does not refuse the request.
    (void)database_.Write([&](store::Transaction& tx) { return tx.auth().TouchToken(found->id, now); });
  }
  Principal principal;
  principal.business_id = found->business_id;
  principal.token_id = found->id;
  principal.role = found->role;
  ToCache(hash, CachedCredential{principal, "", now, Timestamp::FromMicros(INT64_MAX)});
  return principal;
}

Result<CreatedToken> AuthService::CreateToken(BusinessId business, domain::Role role, const std::string& name,
                                             std::optional<StaffId> created_by) {
  const std::string secret = "dgl_" + NewSecret();
  domain::ApiToken token;
  token.business_id = business;
  token.name = name.empty() ? std::string("api token") : name;
  token.role = role;
  token.token_hash = HashSecret(secret);
  token.created_at = clock_.Now();
  token.created_by = created_by;
  CRM_ASSIGN_OR_RETURN(domain::ApiToken stored, store::WriteValue<domain::ApiToken>(database_, [&](store::Transaction& tx) {
                         return tx.auth().CreateToken(token);
                       }));
  return CreatedToken{stored.id, secret};
}

Result<std::vector<domain::ApiToken>> AuthService::ListTokens(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  return store::ReadValue<std::vector<domain::ApiToken>>(
      database_, [&](store::Transaction& tx) { return tx.auth().ListTokens(principal.business_id); });
}

Status AuthService::RevokeToken(const Principal& principal, TokenId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kOwner));
  CRM_RETURN_IF_ERROR(database_.Write(
      [&](store::Transaction& tx) { return tx.auth().RevokeToken(principal.business_id, id, clock_.Now()); }));
  std::lock_guard lock(cache_mutex_);
  std::erase_if(credentials_, [&](const auto& entry) { return entry.second.principal.token_id == id; });
  return Status::Ok();
}

void AuthService::Forget(const std::vector<std::string>& hashes) {
  std::lock_guard lock(cache_mutex_);
  for (const std::string& hash : hashes) credentials_.erase(hash);
}

}  // namespace crm::app
