#include "domain/message.h"

#include <utility>

#include <fmt/format.h>

namespace crm::domain {
namespace {

template <typename Enum, size_t N>
const char* EnumName(Enum value, const std::pair<Enum, const char*> (&names)[N]) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> ParseEnum(std::string_view text, const std::pair<Enum, const char*> (&names)[N]) {
  for (const auto& [candidate, name] : names) {
    if (text == name) return candidate;
  }
  return std::nullopt;
}

constexpr std::pair<Channel, const char*> kChannels[] = {
    {Channel::kSms, "sms"},           {Channel::kLms, "lms"},
    {Channel::kMms, "mms"},           {Channel::kAlimTalk, "alimtalk"},
    {Channel::kBrandMessage, "brand_message"}, {Channel::kEmail, "email"},
};
constexpr std::pair<Purpose, const char*> kPurposes[] = {
    {Purpose::kInformational, "informational"},
    {Purpose::kAdvertising, "advertising"},
};
constexpr std::pair<MessageStatus, const char*> kStatuses[] = {
    {MessageStatus::kQueued, "queued"},       {MessageStatus::kSending, "sending"},
    {MessageStatus::kSent, "sent"},           {MessageStatus::kDelivered, "delivered"},
    {MessageStatus::kFailed, "failed"},       {MessageStatus::kCancelled, "cancelled"},
    {MessageStatus::kSuppressed, "suppressed"},
};

}  // namespace

bool IsFinal(MessageStatus status) {
  return status == MessageStatus::kDelivered || status == MessageStatus::kFailed ||
         status == MessageStatus::kCancelled || status == MessageStatus::kSuppressed;
}

const char* ToString(Channel channel) { return EnumName(channel, kChannels); }
std::optional<Channel> ParseChannel(std::string_view text) { return ParseEnum(text, kChannels); }
const char* ToString(Purpose purpose) { return EnumName(purpose, kPurposes); }
std::optional<Purpose> ParsePurpose(std::string_view text) { return ParseEnum(text, kPurposes); }
const char* ToString(MessageStatus status) { return EnumName(status, kStatuses); }
std::optional<MessageStatus> ParseMessageStatus(std::string_view text) { return ParseEnum(text, kStatuses); }

std::string ProviderIdempotencyKey(const OutboxMessage& message) {
  // An AlimTalk message resent as SMS/LMS is a new message for the provider: it gets its own key.
  bool fell_back = !message.template_code.empty() && message.channel != Channel::kAlimTalk;
  return fmt::format("{}-{}{}", message.business_id.value(), message.idempotency_key, fell_back ? "~sms" : "");
}

std::optional<std::pair<BusinessId, std::string>> ParseProviderIdempotencyKey(std::string_view key) {
  size_t dash = key.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash > 18 || dash + 1 == key.size()) return std::nullopt;
  int64_t business = 0;
  for (char c : key.substr(0, dash)) {
    if (c < '0' || c > '9') return std::nullopt;
    business = business * 10 + (c - '0');
  }
  std::string_view rest = key.substr(dash + 1);
  if (rest.ends_with("~sms")) rest.remove_suffix(4);
  return std::make_pair(BusinessId(business), std::string(rest));
}

}  // namespace crm::domain
