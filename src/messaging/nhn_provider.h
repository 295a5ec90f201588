// The NHN Cloud adapter (korea.md MSG-04, MSG-05): SMS and LMS through
// POST {sms_base_url}/sms/v3.0/appKeys/{appKey}/sender/sms|mms and AlimTalk through
// POST {alimtalk_base_url}/alimtalk/v2.3/appkeys/{appkey}/messages with SMS fallback in
// resendParameter; the secret key in the X-Secret-Key header. Delivery reports by polling.
#pragma once

#include <memory>

#include "messaging/provider.h"
#include "messaging/provider_settings.h"

namespace crm::messaging {

// Fails with kInvalidArgument (field named) when an app key, secret key or base URL is missing.
Result<std::unique_ptr<Provider>> MakeNhnProvider(const NhnSettings& settings, const Clock& clock);

}  // namespace crm::messaging
