// Services: every app service of one running Dangol, built once by main/ over one Database and
// one Clock and handed to http/ and the CLI.
#pragma once

#include <memory>

#include "app/analytics_service.h"
#include "app/auth_service.h"
#include "app/automation_service.h"
#include "app/business_service.h"
#include "app/campaign_service.h"
#include "app/consent_service.h"
#include "app/customer_service.h"
#include "app/export_service.h"
#include "app/import_jobs.h"
#include "app/import_service.h"
#include "app/idempotency_service.h"
#include "app/kiosk_service.h"
#include "app/loyalty_service.h"
#include "app/merge_service.h"
#include "app/order_service.h"
#include "app/segment_service.h"
#include "app/task_service.h"
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
        merges(database, clock),
        import_jobs(imports, clock),
        exports(database, clock),
        analytics(database, clock),
        segments(database, clock, analytics),
        undo(database, clock),
        kiosk(database, clock, customers, loyalty),
        campaigns(database, clock, analytics, segments, customers),
        consents(database, clock),
        automations(database, clock, analytics),
        tasks(database, clock) {
    orders.SetObserver(&analytics);
    merges.OnCustomersMoved([this](BusinessId business) { analytics.Invalidate(business); });
    businesses.OnCredentialsEnded([this](const std::vector<std::string>& hashes) { auth.Forget(hashes); });
  }

  const Clock& clock;
  AuthService auth;
  BusinessService businesses;
  CustomerService customers;
  OrderService orders;
  LoyaltyService loyalty;
  IdempotencyService idempotency;
  ImportService imports;
  MergeService merges;
  ImportJobs import_jobs;  // after `imports`: destroyed first, waiting for a running import
  ExportService exports;
  AnalyticsService analytics;
  SegmentService segments;
  UndoService undo;
  KioskService kiosk;
  CampaignService campaigns;
  ConsentService consents;
  AutomationService automations;
  TaskService tasks;
};

}  // namespace crm::app
