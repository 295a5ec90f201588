// The e-mail adapter over libcurl's SMTP: one multipart/alternative message (text and HTML) per
// recipient, with "List-Unsubscribe: <url>" and "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
// (RFC 8058) for the one-click opt-out of advertising e-mail (ADV-03), and the provider idempotency
// key as the Message-ID so that a re-sent message is recognisable. SMTP has no delivery reports.
#pragma once

#include <memory>
#include <string>

#include "domain/message.h"
#include "messaging/provider.h"
#include "messaging/provider_settings.h"

namespace crm::messaging {

// The full RFC 5322 text of `message` as sent, for tests: headers, then the multipart body.
std::string BuildEmail(const SmtpSettings& settings, const domain::OutboxMessage& message, Timestamp date);

// Fails with kInvalidArgument (field named) when the URL or From address is missing.
Result<std::unique_ptr<Provider>> MakeSmtpProvider(const SmtpSettings& settings, const Clock& clock);

}  // namespace crm::messaging
