// EnclosingWrite: lets one write transaction take in every Read and Write its thread makes on the
// same Database while it lives, so that a request's whole work commits together with its
// idempotency record (app::IdempotencyService::RunOnce). The calls run inside the enclosing
// transaction, each in a savepoint (a failing one is undone alone), and nothing of them is
// durable before the enclosing write commits. Code that must act only on a commit (notifying
// in-memory observers) goes through AfterCommit. Also FinishWrite, what the drivers run at the end
// of every write's work.
#pragma once

#include <functional>
#include <vector>

#include "common/status.h"
#include "store/database.h"
#include "store/transaction.h"

namespace crm::store {

// Create it inside the work of Database::Write, on the thread that runs the work; scopes nest.
// Not thread-safe: it belongs to its thread.
class EnclosingWrite {
 public:
  // `after_commit` collects the actions AfterCommit queues; the caller runs them once the
  // enclosing Write returned OK and drops them otherwise (a retried transaction queues again).
  EnclosingWrite(const Database& database, Transaction& tx, std::vector<std::function<void()>>& after_commit);
  ~EnclosingWrite();
  EnclosingWrite(const EnclosingWrite&) = delete;
  EnclosingWrite& operator=(const EnclosingWrite&) = delete;

  // The enclosing transaction of this thread on `database`, or nullptr. The drivers' Read and
  // Write check it first.
  static Transaction* Current(const Database& database);
  // Runs `work` on `tx` in a savepoint: when it fails, what it did is undone, its status is
  // returned and the enclosing transaction goes on.
  static Status RunNested(Transaction& tx, const std::function<Status(Transaction&)>& work);
  // Queues `action` for after the commit when this thread is inside an EnclosingWrite on
  // `database`; returns false (leaving `action` alone) otherwise.
  static bool Defer(const Database& database, std::function<void()>& action);

 private:
  const Database& database_;
  Transaction& tx_;
  std::vector<std::function<void()>>& after_commit_;
  EnclosingWrite* previous_;
};

// Runs `action` now, or, inside an EnclosingWrite on `database`, once the enclosing transaction
// has committed (never, if it does not).
void AfterCommit(const Database& database, std::function<void()> action);

// What every write does after its work succeeded, just before the commit (or the release of its
// savepoint in a group): numbers the orders it inserted (OrderRepository::SequenceNewOrders).
// The drivers call it; OK or the failure that rolls the write back.
Status FinishWrite(Transaction& tx);

}  // namespace crm::store
