// Signed opt-out links (korea.md ADV-03): /u/{token} where the token names the business and the
// customer and carries an HMAC-SHA256 of both under the business's opt-out key, so that the public
// page needs no login and a token cannot be forged or pointed at another customer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/ids.h"
#include "common/status.h"

namespace crm::app {

struct OptOutSubject {
  BusinessId business_id;
  CustomerId customer_id;
};

// A fresh random key, 64 hex characters.
std::string NewOptOutKey();
// "{business}.{customer}.{32 hex characters of the HMAC}".
std::string OptOutToken(std::string_view key_hex, BusinessId business, CustomerId customer);
// The business and customer a token names, without checking its HMAC (the caller loads the
// business's key and calls VerifyOptOutToken). kInvalidArgument "token" when malformed.
Result<OptOutSubject> ParseOptOutToken(std::string_view token);
// True when the token's HMAC is right for the key (compared in constant time).
bool VerifyOptOutToken(std::string_view key_hex, std::string_view token);
// The link put in messages: base URL (without a trailing slash) + "/u/" + token.
std::string OptOutUrl(std::string_view base_url, std::string_view token);

}  // namespace crm::app
