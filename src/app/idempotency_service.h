// IdempotencyService: what http/ needs to honour the Idempotency-Key header of a write — the
// stored record of a key, recording a response, and the hash that tells a retry (same request)
// from a reuse of the key (another request, a 409). The write itself claims the key inside its
// own transaction (ClaimIdempotency in loyalty_posting.h). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"
#include "store/database.h"
#include "store/loyalty_repository.h"

namespace crm::app {

class IdempotencyService {
 public:
  IdempotencyService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

  Result<std::optional<store::IdempotencyRecord>> Find(BusinessId business, const std::string& key);
  Status Complete(BusinessId business, const std::string& key, const std::string& request_hash, int status,
                  const std::string& response);

  // A hex BLAKE2b digest of the request's method, path and body.
  static std::string HashRequest(std::string_view method, std::string_view path, std::string_view body);
  // OK for 1 to 200 printable ASCII characters; kInvalidArgument ("Idempotency-Key") otherwise.
  static Status ValidateKey(std::string_view key);

 private:
  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
