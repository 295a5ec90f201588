#include "store/enclosing_write.h"

#include "store/order_repository.h"

namespace crm::store {
namespace {

thread_local EnclosingWrite* current_enclosing_write = nullptr;

}  // namespace

EnclosingWrite::EnclosingWrite(const Database& database, Transaction& tx,
                               std::vector<std::function<void()>>& after_commit)
    : database_(database), tx_(tx), after_commit_(after_commit), previous_(current_enclosing_write) {
  current_enclosing_write = this;
}

EnclosingWrite::~EnclosingWrite() { current_enclosing_write = previous_; }

Transaction* EnclosingWrite::Current(const Database& database) {
  for (EnclosingWrite* scope = current_enclosing_write; scope != nullptr; scope = scope->previous_) {
    if (&scope->database_ == &database) return &scope->tx_;
  }
  return nullptr;
}

Status EnclosingWrite::RunNested(Transaction& tx, const std::function<Status(Transaction&)>& work) {
  // The same savepoint name at every depth: ROLLBACK TO and RELEASE address the innermost one.
  SqlConnection& connection = tx.connection();
  CRM_RETURN_IF_ERROR(connection.ExecuteScript("SAVEPOINT nested"));
  Status status = work(tx);
  if (!status.ok()) CRM_RETURN_IF_ERROR(connection.ExecuteScript("ROLLBACK TO SAVEPOINT nested"));
  CRM_RETURN_IF_ERROR(connection.ExecuteScript("RELEASE SAVEPOINT nested"));
  return status;
}

bool EnclosingWrite::Defer(const Database& database, std::function<void()>& action) {
  for (EnclosingWrite* scope = current_enclosing_write; scope != nullptr; scope = scope->previous_) {
    if (&scope->database_ == &database) {
      scope->after_commit_.push_back(std::move(action));
      return true;
    }
  }
  return false;
}

void AfterCommit(const Database& database, std::function<void()> action) {
  if (!EnclosingWrite::Defer(database, action)) action();
}

Status FinishWrite(Transaction& tx) { return tx.orders().SequenceNewOrders(); }

}  // namespace crm::store
