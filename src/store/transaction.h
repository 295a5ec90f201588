// Transaction: the repositories available inside one Database::Read or Database::Write call, all
// sharing the transaction's connection. Not thread-safe; it lives for one call.
#pragma once

#include <memory>

#include "store/sql.h"

namespace crm::store {

class AccessLogRepository;
class AuthRepository;
class BranchRepository;
class BusinessRepository;
class CouponRepository;
class CustomerRepository;
class IdempotencyRepository;
class KioskRepository;
class LoyaltyRepository;
class NoteRepository;
class OrderRepository;
class ProspectRepository;
class StaffRepository;
class UndoRepository;

class Transaction {
 public:
  explicit Transaction(SqlConnection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  SqlConnection& connection() { return connection_; }

  BusinessRepository& businesses();
  BranchRepository& branches();
  StaffRepository& staff();
  AuthRepository& auth();
  CustomerRepository& customers();
  NoteRepository& notes();
  ProspectRepository& prospects();
  OrderRepository& orders();
  AccessLogRepository& access_log();
  LoyaltyRepository& loyalty();
  CouponRepository& coupons();
  IdempotencyRepository& idempotency();
  UndoRepository& undo();
  KioskRepository& kiosk();

 private:
  struct Repositories;
  SqlConnection& connection_;
  std::unique_ptr<Repositories> repositories_;
};

}  // namespace crm::store
