#include "app/idempotency_service.h"

#include <sodium.h>

#include <fmt/format.h>

#include <vector>

#include "store/enclosing_write.h"
#include "store/transaction.h"

namespace crm::app {

Result<std::optional<store::IdempotencyRecord>> IdempotencyService::Find(BusinessId business, const std::string& key) {
  return store::ReadValue<std::optional<store::IdempotencyRecord>>(
      database_, [&](store::Transaction& tx) { return tx.idempotency().Find(business, key); });
}

Status IdempotencyService::RunOnce(const Principal& principal, const std::string& key,
                                   const std::string& request_hash,
                                   const std::function<Result<SavedAnswer>()>& work) {
  const Timestamp now = clock_.Now();
  const BusinessId business = principal.business_id;
  const std::string owner = OwnerOf(principal);
  std::vector<std::function<void()>> after_commit;
  Status status = database_.Write([&](store::Transaction& tx) -> Status {
    after_commit.clear();  // a retried transaction queues its actions again
    CRM_RETURN_IF_ERROR(tx.idempotency().Claim(business, key, request_hash, owner, now));
    store::EnclosingWrite enclosing(database_, tx, after_commit);
    CRM_ASSIGN_OR_RETURN(SavedAnswer answer, work());
    return tx.idempotency().Complete(business, key, request_hash, owner, answer.status, answer.body, now);
  });
  if (!status.ok()) return status;
  for (std::function<void()>& action : after_commit) action();
  return Status::Ok();
}

std::string IdempotencyService::OwnerOf(const Principal& principal) {
  if (principal.kiosk_device_id) return fmt::format("kiosk:{}", principal.kiosk_device_id->value());
  if (principal.token_id) return fmt::format("token:{}", principal.token_id->value());
  if (principal.staff_id) return fmt::format("staff:{}", principal.staff_id->value());
  return "business";
}

std::string IdempotencyService::HashRequest(std::string_view method, std::string_view path, std::string_view body) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  const unsigned char separator = '\n';
  for (std::string_view part : {method, path, body}) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()), part.size());
    crypto_generichash_update(&state, &separator, 1);
  }
  unsigned char digest[32];
  crypto_generichash_final(&state, digest, sizeof digest);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Status IdempotencyService::ValidateKey(std::string_view key) {
  if (key.empty() || key.size() > 200) return InvalidArgument("must be 1 to 200 characters", "Idempotency-Key");
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return InvalidArgument("must be printable ASCII without spaces", "Idempotency-Key");
  }
  return Status::Ok();
}

}  // namespace crm::app
