// The kiosk: a tablet turned to the guests. What a guest accepts there (the terms and the privacy
// notice, each in a given version) and the device itself, with the rule that the required notices
// cannot be skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "common/time.h"

namespace crm {
using KioskDeviceId = Id<struct KioskDeviceTag>;
}

namespace crm::domain {

// Persisted in customer_agreements.item: the values never change.
enum class AgreementItem { kTerms = 1, kPrivacy = 2 };

// "terms", "privacy".
std::string_view AgreementItemName(AgreementItem item);
std::optional<AgreementItem> ParseAgreementItem(std::string_view name);

// The version of each notice's text that the kiosk shows now. A new text gets a new version, and a
// guest who accepted an older one is asked again.
inline constexpr std::string_view kTermsVersion = "2026-01";
inline constexpr std::string_view kPrivacyVersion = "2026-01";
std::string_view CurrentVersion(AgreementItem item);

struct Agreement {
  AgreementItem item = AgreementItem::kTerms;
  std::string version;
  Timestamp accepted_at;
  std::string source;  // "kiosk", "counter", "import"
};

// OK when `agreements` accept the current version of every required notice (both are required);
// kInvalidArgument naming the missing item ("agreements.privacy", reason
// "required_consent_missing") or the outdated one (reason "notice_version_outdated") otherwise.
Status CheckRequiredAgreements(const std::vector<Agreement>& agreements);

struct KioskDevice {
  KioskDeviceId id;
  BusinessId business_id;
  std::string name;
  std::string token_hash;
  std::optional<StaffId> created_by;
  Timestamp created_at;
  std::optional<Timestamp> disabled_at;
};

}  // namespace crm::domain
