// Helpers shared by the provider adapters. Internal to messaging/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "messaging/provider.h"

namespace crm::messaging {

// The digits of `text` ("02-123-4567" gives "021234567").
std::string Digits(std::string_view text);
// The national form of an E.164 Korean number ("+821012345678" gives "01012345678"); other text
// keeps its digits.
std::string NationalNumber(std::string_view e164);
// Hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);
// `count` results that all carry `status` (a failed request).
std::vector<SendResult> AllFailed(size_t count, const Status& status, const std::string& provider_code = {});

}  // namespace crm::messaging
