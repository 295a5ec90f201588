// AuthService: staff login with Argon2id passwords, cookie sessions with a CSRF token, API tokens
// for POS and scripts, and the rate limit on failed logins. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/principal.h"
#include "app/rate_limiter.h"
#include "common/time.h"
#include "store/database.h"

namespace crm::app {

// The start of a kiosk device's credential ("kio_..."); API tokens start with "dgl_".
inline constexpr char kKioskTokenPrefix[] = "kio_";

struct AuthSettings {
  int64_t session_seconds = 12 * 3600;
  int max_failed_logins = 5;             // per e-mail and per address, within the window
  int64_t failed_login_window_seconds = 900;
  // How long a checked token or session is trusted without asking the database again. Logouts,
  // revocations and staff changes made through this server take effect at once; made on another
  // server or the command line, within this time.
  int64_t credential_cache_seconds = 10;
  // A token's last use is written at most this often.
  int64_t token_use_resolution_seconds = 60;
};

struct CreatedToken {
  TokenId id;
  std::string secret;  // "dgl_..."; only its hash is stored
};

struct LoginResult {
  std::string session_token;  // the cookie value; only its hash is stored
  std::string csrf_token;
  Timestamp expires_at;
  domain::Staff staff;
  domain::Business business;
};

class AuthService {
 public:
  AuthService(store::Database& database, const Clock& clock, AuthSettings settings = {});

  // Argon2id (libsodium's interactive limits) in libsodium's string form. kInternal if out of memory.
  static Result<std::string> HashPassword(const std::string& password);
  static bool VerifyPassword(const std::string& hash, const std::string& password);
  // A random URL-safe secret of 32 bytes, and the hex SHA-256 under which such secrets are stored.
  static std::string NewSecret();
  static std::string HashSecret(const std::string& secret);

  // Checks e-mail and password. kUnauthenticated for a wrong pair (the same answer whether or not
  // the e-mail exists), kResourceExhausted after too many failures from the e-mail or address,
  // kInvalidArgument ("business") when the e-mail has accounts in several businesses and no slug
  // was given.
  Result<LoginResult> Login(const std::string& email, const std::string& password, const std::string& business_slug,
                            const std::string& ip);
  // After Login's kResourceExhausted: the seconds until the e-mail and the address may try again.
  int64_t LoginRetryAfterSeconds(const std::string& email, const std::string& ip);
  Status Logout(const std::string& session_token);
  // The principal of a live session and its CSRF token; kUnauthenticated when unknown or expired.
  Result<std::pair<Principal, std::string>> AuthenticateSession(const std::string& session_token);
  // kUnauthenticated when the token is unknown or revoked. A kiosk device's credential (it starts
  // with kKioskTokenPrefix) gives a principal with kiosk_device_id set, unless the device is
  // disabled.
  Result<Principal> AuthenticateToken(const std::string& token);

  // Creates an API token for the business and returns its id and secret (shown once). `created_by`
  // is the staff member who asked for it (none on the command line): disabling them revokes it.
  Result<CreatedToken> CreateToken(BusinessId business, domain::Role role, const std::string& name,
                                  std::optional<StaffId> created_by = std::nullopt);
  // The business's API tokens, revoked ones included, oldest first. Owners (and the CLI, with an
  // owner principal); kPermissionDenied otherwise.
  Result<std::vector<domain::ApiToken>> ListTokens(const Principal& principal);
  // Revokes a token; it fails at its next use. kNotFound when the business has no such live token.
  Status RevokeToken(const Principal& principal, TokenId id);

  // Drops the checked credentials with these secret hashes from the cache, so that sessions and
  // tokens ended in the database fail at their next request on this server.
  void Forget(const std::vector<std::string>& hashes);

 private:
  struct CachedCredential {
    Principal principal;
    std::string csrf_token;  // sessions only
    Timestamp checked_at;
    Timestamp expires_at;    // sessions: the session's own expiry
  };
  std::optional<CachedCredential> FromCache(const std::string& hash, Timestamp now);
  void ToCache(const std::string& hash, CachedCredential credential);

  store::Database& database_;
  const Clock& clock_;
  AuthSettings settings_;
  // Failed logins by "e:<email>" and by "ip:<client address>".
  RateLimiter failed_logins_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, CachedCredential> credentials_;  // by secret hash
};

}  // namespace crm::app
