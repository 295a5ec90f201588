// The server key that seals provider credentials at rest (common/secret_box.h). It never enters
// the database, so a copy of the database or of a backup holds the credentials only sealed. Where
// `dangol serve` gets it, first found wins:
//   1. DANGOL_SECRET_KEY: 64 hex characters (for PostgreSQL deployments and containers);
//   2. --secret-key-file PATH: read, or created with a fresh random key (mode 0600) when absent;
//   3. with SQLite and neither given: the file beside the database, "<database file>.key", created
//      the same way on first start.
// With PostgreSQL and neither given the server has no key: provider credentials cannot be stored
// (the routes answer 412 no_server_key) and the outbox uses the environment's providers only.
#pragma once

#include <optional>
#include <string>

#include "common/secret_box.h"
#include "common/status.h"

namespace crm::cli {

// The key, or nullopt when none is configured (PostgreSQL without one). kInvalidArgument naming
// DANGOL_SECRET_KEY or --secret-key-file for a malformed key; kUnavailable when the file cannot be
// read or written; kFailedPrecondition when the file is readable by others than its owner.
Result<std::optional<SecretBox>> LoadServerKey(const std::string& db_url, const std::string& key_file);

}  // namespace crm::cli
