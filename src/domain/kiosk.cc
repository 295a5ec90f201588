#include "domain/kiosk.h"

#include <algorithm>

namespace crm::domain {

std::string_view AgreementItemName(AgreementItem item) { return item == AgreementItem::kTerms ? "terms" : "privacy"; }

std::optional<AgreementItem> ParseAgreementItem(std::string_view name) {
  if (name == "terms") return AgreementItem::kTerms;
  if (name == "privacy") return AgreementItem::kPrivacy;
  return std::nullopt;
}

std::string_view CurrentVersion(AgreementItem item) {
  return item == AgreementItem::kTerms ? kTermsVersion : kPrivacyVersion;
}

Status CheckRequiredAgreements(const std::vector<Agreement>& agreements) {
  for (AgreementItem item : {AgreementItem::kTerms, AgreementItem::kPrivacy}) {
    const std::string field = "agreements." + std::string(AgreementItemName(item));
    const bool any = std::any_of(agreements.begin(), agreements.end(),
                                 [&](const Agreement& agreement) { return agreement.item == item; });
    if (!any) return InvalidArgument("must be accepted to register", field).WithReason("required_consent_missing");
    const bool current = std::any_of(agreements.begin(), agreements.end(), [&](const Agreement& agreement) {
      return agreement.item == item && agreement.version == CurrentVersion(item);
    });
    if (!current) {
      return InvalidArgument("must accept version " + std::string(CurrentVersion(item)), field)
          .WithReason("notice_version_outdated");
    }
  }
  return Status::Ok();
}

}  // namespace crm::domain
