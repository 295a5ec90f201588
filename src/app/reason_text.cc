#include "app/reason_text.h"

#include <fmt/format.h>

#include "domain/korean_text.h"

namespace crm::app {

Result<std::string> CleanReason(const std::string& text) {
  auto normalized = domain::NormalizeText(text);
  if (!normalized.ok()) return InvalidArgument("must be valid UTF-8 text", "reason");
  std::string reason = std::move(normalized).value();
  const auto first = reason.find_first_not_of(" \t");
  if (first == std::string::npos) return InvalidArgument("is required", "reason");
  reason = reason.substr(first, reason.find_last_not_of(" \t") - first + 1);
  if (reason.size() > kMaxReasonBytes) {
    return InvalidArgument(fmt::format("must be at most {} bytes", kMaxReasonBytes), "reason");
  }
  if (domain::HasControlCharacter(reason)) return InvalidArgument("must not hold control characters", "reason");
  return reason;
}

}  // namespace crm::app
