// The Solapi adapter (korea.md MSG-04): POST {base_url}/messages/v4/send-many with an
// "Authorization: HMAC-SHA256 apiKey=..., date=..., salt=..., signature=..." header, the signature
// being the hex HMAC-SHA256 of date + salt under the API secret; delivery reports by polling
// GET {base_url}/messages/v4/list. Status codes map to CRM actions as in MSG-08.
#pragma once

#include <memory>
#include <string>

#include "messaging/provider.h"
#include "messaging/provider_settings.h"

namespace crm::messaging {

// The CRM action and retry class of a Solapi status code (MSG-08): "2000"/"3000"/"4000" are
// progress, 1061/2061 suppress, 1062/2062/1064/2064/3059 are configuration errors, 3104/3107 fall
// back to SMS, 3108 reschedules.
ProviderAction SolapiCodeAction(const std::string& code);

// The Authorization header value for `date` (ISO 8601) and `salt`.
std::string SolapiAuthorization(const SolapiSettings& settings, const std::string& date, const std::string& salt);

// Fails with kInvalidArgument (field named) when the key, secret or base URL is missing.
Result<std::unique_ptr<Provider>> MakeSolapiProvider(const SolapiSettings& settings, const Clock& clock);

}  // namespace crm::messaging
