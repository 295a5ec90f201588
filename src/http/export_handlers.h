// One customer's complete data as JSON (the right of access), for the API and `dangol export`.
#pragma once

#include "app/export_service.h"
#include "http/request_context.h"

namespace crm::http {

// {"exported_at", "customer": profile, "notes", "orders", "loyalty": {account, ledger,
// tier_changes}, "coupons", "referrals": {referred_by, referred}, "gacha_draw", "consent_history",
// "messages", "access_log"}.
Json CustomerRecordJson(const app::CustomerRecord& record, Timestamp exported_at);

}  // namespace crm::http
