// Services: every app service of one running Dangol, built once by main/ over one Database and
// one Clock and handed to http/ and the CLI.
#pragma once

#include <memory>

#include "app/auth_service.h"
#include "app/business_service.h"
#include "app/customer_service.h"
#include "app/idempotency_service.h"
#include "app/import_service.h"
#include "app/kiosk_service.h"
#include "app/loyalty_service.h"
#include "app/order_service.h"
#include "app/undo_service.h"

namespace crm::app {

struct Services {
  Services(store::Database& database, const Clock& clock)
      : clock(clock),
        auth(database, clock),
        businesses(database, clock),
        customers(database, clock),
        orders(database, clock),
        loyalty(database, clock),
        idempotency(database, clock),
        imports(database, clock),
        undo(database, clock),
        kiosk(database, clock, customers, loyalty) {}

  const Clock& clock;
  AuthService auth;
  BusinessService businesses;
  CustomerService customers;
  OrderService orders;
  LoyaltyService loyalty;
  IdempotencyService idempotency;
  ImportService imports;
  UndoService undo;
  KioskService kiosk;
};

}  // namespace crm::app
