#include "store/auth_repository.h"

namespace crm::store {
namespace {

constexpr Statement kInsertSession{
    "session.insert",
    "INSERT INTO sessions (business_id, staff_id, token_hash, csrf_token, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"};
constexpr Statement kSelectSession{
    "session.find",
    "SELECT id, business_id, staff_id, token_hash, csrf_token, created_at, expires_at FROM sessions "
    "WHERE token_hash = $1"};
constexpr Statement kDeleteSession{"session.delete", "DELETE FROM sessions WHERE token_hash = $1"};
constexpr Statement kDeleteStaffSessions{
    "session.delete_of_staff", "DELETE FROM sessions WHERE business_id = $1 AND staff_id = $2 RETURNING token_hash"};
constexpr Statement kInsertToken{
    "token.insert",
    "INSERT INTO api_tokens (business_id, name, role, token_hash, created_at, created_by) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"};
constexpr Statement kSelectToken{
    "token.find",
    "SELECT id, business_id, name, role, token_hash, created_at, revoked_at, created_by, last_used_at "
    "FROM api_tokens WHERE token_hash = $1"};
constexpr Statement kListTokens{
    "token.list",
    "SELECT id, business_id, name, role, token_hash, created_at, revoked_at, created_by, last_used_at "
    "FROM api_tokens WHERE business_id = $1 ORDER BY id"};
constexpr Statement kRevokeStaffTokens{
    "token.revoke_of_staff",
    "UPDATE api_tokens SET revoked_at = $3 WHERE business_id = $1 AND created_by = $2 AND revoked_at IS NULL "
    "RETURNING token_hash"};
constexpr Statement kTouchToken{"token.touch", "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"};
constexpr Statement kRevokeToken{
    "token.revoke",
    "UPDATE api_tokens SET revoked_at = $3 WHERE business_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id"};

domain::ApiToken TokenFromRow(const Row& row) {
  domain::ApiToken token;
  token.id = TokenId(row.GetInt(0));
  token.business_id = BusinessId(row.GetInt(1));
  token.name = row.GetText(2);
  token.role = static_cast<domain::Role>(row.GetInt(3));
  token.token_hash = row.GetText(4);
  token.created_at = Timestamp::FromMicros(row.GetInt(5));
  if (auto revoked = row.GetOptionalInt(6)) token.revoked_at = Timestamp::FromMicros(*revoked);
  if (auto creator = row.GetOptionalInt(7)) token.created_by = StaffId(*creator);
  if (auto used = row.GetOptionalInt(8)) token.last_used_at = Timestamp::FromMicros(*used);
  return token;
}

}  // namespace

Result<domain::Session> AuthRepository::CreateSession(domain::Session session) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kInsertSession, {Int(session.business_id.value()), Int(session.staff_id.value()),
                                                          Text(session.token_hash), Text(session.csrf_token),
                                                          Int(session.created_at.micros()),
                                                          Int(session.expires_at.micros())}));
  session.id = rows.at(0).GetInt(0);
  return session;
}

Result<domain::Session> AuthRepository::FindSession(const std::string& token_hash) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectSession, {Text(token_hash)}));
  if (rows.empty()) return NotFound("session not found");
  const Row& row = rows[0];
  domain::Session session;
  session.id = row.GetInt(0);
  session.business_id = BusinessId(row.GetInt(1));
  session.staff_id = StaffId(row.GetInt(2));
  session.token_hash = row.GetText(3);
  session.csrf_token = row.GetText(4);
  session.created_at = Timestamp::FromMicros(row.GetInt(5));
  session.expires_at = Timestamp::FromMicros(row.GetInt(6));
  return session;
}

Status AuthRepository::DeleteSession(const std::string& token_hash) {
  return connection_.Execute(kDeleteSession, {Text(token_hash)});
}

Result<std::vector<std::string>> AuthRepository::DeleteSessionsOfStaff(BusinessId business, StaffId staff) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kDeleteStaffSessions, {Int(business.value()), Int(staff.value())}));
  std::vector<std::string> hashes;
  for (const Row& row : rows) hashes.push_back(row.GetText(0));
  return hashes;
}

Result<std::vector<std::string>> AuthRepository::RevokeTokensOfStaff(BusinessId business, StaffId staff, Timestamp at) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRevokeStaffTokens, {Int(business.value()), Int(staff.value()),
                                                                         Int(at.micros())}));
  std::vector<std::string> hashes;
  for (const Row& row : rows) hashes.push_back(row.GetText(0));
  return hashes;
}

Status AuthRepository::TouchToken(TokenId id, Timestamp at) {
  return connection_.Execute(kTouchToken, {Int(id.value()), Int(at.micros())});
}

Result<domain::ApiToken> AuthRepository::CreateToken(domain::ApiToken token) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kInsertToken, {Int(token.business_id.value()), Text(token.name),
                                                                    Int(static_cast<int>(token.role)),
                                                                    Text(token.token_hash),
                                                                    Int(token.created_at.micros()),
                                                                    token.created_by ? Int(token.created_by->value())
                                                                                     : Null()}));
  token.id = TokenId(rows.at(0).GetInt(0));
  return token;
}

Result<domain::ApiToken> AuthRepository::FindToken(const std::string& token_hash) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSelectToken, {Text(token_hash)}));
  if (rows.empty()) return NotFound("token not found");
  return TokenFromRow(rows[0]);
}

Result<std::vector<domain::ApiToken>> AuthRepository::ListTokens(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListTokens, {Int(business.value())}));
  std::vector<domain::ApiToken> tokens;
  for (const Row& row : rows) tokens.push_back(TokenFromRow(row));
  return tokens;
}

Status AuthRepository::RevokeToken(BusinessId business, TokenId id, Timestamp at) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kRevokeToken, {Int(business.value()), Int(id.value()), Int(at.micros())}));
  if (rows.empty()) return NotFound("token not found");
  return Status::Ok();
}

}  // namespace crm::store
