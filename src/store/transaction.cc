#include "store/transaction.h"

#include <optional>

#include "store/access_log_repository.h"
#include "store/auth_repository.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/kiosk_repository.h"
#include "store/loyalty_repository.h"
#include "store/note_repository.h"
#include "store/order_repository.h"
#include "store/staff_repository.h"
#include "store/undo_repository.h"

namespace crm::store {

// Repositories are made on first use: most transactions touch two or three of them.
struct Transaction::Repositories {
  std::optional<BusinessRepository> businesses;
  std::optional<BranchRepository> branches;
  std::optional<StaffRepository> staff;
  std::optional<AuthRepository> auth;
  std::optional<CustomerRepository> customers;
  std::optional<NoteRepository> notes;
  std::optional<ProspectRepository> prospects;
  std::optional<OrderRepository> orders;
  std::optional<AccessLogRepository> access_log;
  std::optional<LoyaltyRepository> loyalty;
  std::optional<CouponRepository> coupons;
  std::optional<IdempotencyRepository> idempotency;
  std::optional<UndoRepository> undo;
  std::optional<KioskRepository> kiosk;
};

Transaction::Transaction(SqlConnection& connection)
    : connection_(connection), repositories_(std::make_unique<Repositories>()) {}
Transaction::~Transaction() = default;

template <typename T>
static T& Lazy(std::optional<T>& slot, SqlConnection& connection) {
  if (!slot) slot.emplace(connection);
  return *slot;
}

BusinessRepository& Transaction::businesses() { return Lazy(repositories_->businesses, connection_); }
BranchRepository& Transaction::branches() { return Lazy(repositories_->branches, connection_); }
StaffRepository& Transaction::staff() { return Lazy(repositories_->staff, connection_); }
AuthRepository& Transaction::auth() { return Lazy(repositories_->auth, connection_); }
CustomerRepository& Transaction::customers() { return Lazy(repositories_->customers, connection_); }
NoteRepository& Transaction::notes() { return Lazy(repositories_->notes, connection_); }
ProspectRepository& Transaction::prospects() { return Lazy(repositories_->prospects, connection_); }
OrderRepository& Transaction::orders() { return Lazy(repositories_->orders, connection_); }
AccessLogRepository& Transaction::access_log() { return Lazy(repositories_->access_log, connection_); }
LoyaltyRepository& Transaction::loyalty() { return Lazy(repositories_->loyalty, connection_); }
CouponRepository& Transaction::coupons() { return Lazy(repositories_->coupons, connection_); }
IdempotencyRepository& Transaction::idempotency() { return Lazy(repositories_->idempotency, connection_); }
UndoRepository& Transaction::undo() { return Lazy(repositories_->undo, connection_); }
KioskRepository& Transaction::kiosk() { return Lazy(repositories_->kiosk, connection_); }

}  // namespace crm::store
