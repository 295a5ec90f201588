// `dangol serve --outbox`: the outbox dispatcher on its own thread beside the HTTP server, with the
// providers named by environment variables (credentials stay out of the process list):
//   DANGOL_SOLAPI_API_KEY, DANGOL_SOLAPI_API_SECRET [, DANGOL_SOLAPI_URL, DANGOL_SOLAPI_PF_ID,
//     DANGOL_SOLAPI_RATE]                       SMS, LMS, MMS, AlimTalk and brand messages
//   DANGOL_NHN_APP_KEY, DANGOL_NHN_SECRET_KEY [, DANGOL_NHN_SMS_URL, DANGOL_NHN_RATE]
//                                               SMS, LMS and MMS when Solapi is not set
//   DANGOL_SMTP_URL, DANGOL_SMTP_FROM [, DANGOL_SMTP_FROM_NAME, DANGOL_SMTP_USERNAME,
//     DANGOL_SMTP_PASSWORD, DANGOL_SMTP_REQUIRE_TLS=0]  e-mail
// A business that stored its own provider settings (PUT /api/v1/messaging/providers, sealed with the
// server key) sends through them; the environment's providers serve every other business.
#pragma once

#include <memory>
#include <thread>

#include "common/status.h"
#include "common/time.h"
#include "app/provider_credentials.h"
#include "store/database.h"

namespace crm::cli {

struct OutboxOptions {
  int64_t lease_seconds = 120;
  int64_t report_poll_seconds = 30;
};

// A running dispatcher; stops (and joins its thread) when destroyed.
class OutboxRunner {
 public:
  virtual ~OutboxRunner() = default;
};

// Builds the providers from the environment and starts the dispatcher thread; `credentials` (not
// owned, outliving the runner) gives each business's own providers. Fails with kInvalidArgument
// naming the variable when a provider is incomplete, or when none is configured and the server has
// no key for businesses' own settings.
Result<std::unique_ptr<OutboxRunner>> StartOutbox(store::Database& database, const Clock& clock,
                                                  const OutboxOptions& options,
                                                  app::ProviderCredentialService& credentials);

}  // namespace crm::cli
