// Login sessions and API tokens. Only hashes of the secrets are stored.
#pragma once

#include <string>
#include <vector>

#include "domain/business.h"
#include "store/sql.h"

namespace crm::store {

class AuthRepository {
 public:
  explicit AuthRepository(SqlConnection& connection) : connection_(connection) {}
  Result<domain::Session> CreateSession(domain::Session session);
  // kNotFound when no session has this hash (expiry is the caller's check).
  Result<domain::Session> FindSession(const std::string& token_hash);
  Status DeleteSession(const std::string& token_hash);
  // Ends every session of a staff member; returns the hashes of those ended.
  Result<std::vector<std::string>> DeleteSessionsOfStaff(BusinessId business, StaffId staff);
  Result<domain::ApiToken> CreateToken(domain::ApiToken token);
  // kNotFound when no token has this hash; revoked tokens are returned with revoked_at set.
  Result<domain::ApiToken> FindToken(const std::string& token_hash);
  Result<std::vector<domain::ApiToken>> ListTokens(BusinessId business);
  // kNotFound when the business has no such token.
  Status RevokeToken(BusinessId business, TokenId id, Timestamp at);
  // Revokes the live tokens a staff member created; returns their hashes.
  Result<std::vector<std::string>> RevokeTokensOfStaff(BusinessId business, StaffId staff, Timestamp at);
  // Records that the token was used at `at`.
  Status TouchToken(TokenId id, Timestamp at);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
