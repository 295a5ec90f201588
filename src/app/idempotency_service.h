// IdempotencyService: what http/ needs to honour the Idempotency-Key header of a write — the
// stored record of a key, running a keyed request so that the claim of its key, every write it
// makes and its saved answer commit in one transaction, and the hash that tells a retry (same
// request) from a reuse of the key (another request, a 409). A key belongs to the principal that
// used it first (OwnerOf). Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "app/principal.h"
#include "common/time.h"
#include "store/database.h"
#include "store/loyalty_repository.h"

namespace crm::app {

// The answer of a keyed request as it is saved for replays: the HTTP status and the body with
// every secret removed (empty for no body).
struct SavedAnswer {
  int status = 0;
  std::string body;
};

class IdempotencyService {
 public:
  IdempotencyService(store::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

  Result<std::optional<store::IdempotencyRecord>> Find(BusinessId business, const std::string& key);

  // Runs `work` — the whole handling of a request, which reaches the database only through the
  // services — inside one write transaction that first claims `key` for the principal and last
  // saves the answer `work` returns: the claim, the writes and the answer commit together, or
  // nothing does. Services' actions that wait for a commit (store::AfterCommit) run after it.
  // `work` may run more than once on PostgreSQL (a serialization failure is retried whole).
  // kAlreadyExists ("Idempotency-Key") when the key was claimed before or concurrently — callers
  // read the record with Find — or when `work` failed with it; `work`'s own failure otherwise.
  Status RunOnce(const Principal& principal, const std::string& key, const std::string& request_hash,
                 const std::function<Result<SavedAnswer>()>& work);

  // Who a key belongs to: "token:<id>", "staff:<id>" or "kiosk:<id>".
  static std::string OwnerOf(const Principal& principal);
  // A hex BLAKE2b digest of the request's method, path and body; http/ passes the body as
  // canonical JSON, so that key order and spacing do not make another request.
  static std::string HashRequest(std::string_view method, std::string_view path, std::string_view body);
  // OK for 1 to 200 printable ASCII characters; kInvalidArgument ("Idempotency-Key") otherwise.
  static Status ValidateKey(std::string_view key);

 private:
  store::Database& database_;
  const Clock& clock_;
};

}  // namespace crm::app
