#include "app/kiosk_service.h"

#include <fmt/format.h>

#include <utility>

#include "app/auth_service.h"
#include "domain/phone.h"
#include "store/customer_repository.h"
#include "store/kiosk_repository.h"
#include "store/transaction.h"

namespace crm::app {

KioskService::KioskService(store::Database& database, const Clock& clock, CustomerService& customers,
                           LoyaltyService& loyalty)
    : database_(database), clock_(clock), customers_(customers), loyalty_(loyalty) {}

Result<EnabledKioskDevice> KioskService::EnableDevice(const Principal& principal, const std::string& name) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (name.empty() || name.size() > 100) return InvalidArgument("must be 1 to 100 bytes", "name");
  EnabledKioskDevice enabled;
  enabled.secret = std::string(kKioskTokenPrefix) + AuthService::NewSecret();
  enabled.device.business_id = principal.business_id;
  enabled.device.name = name;
  enabled.device.token_hash = AuthService::HashSecret(enabled.secret);
  enabled.device.created_by = principal.staff_id;
  enabled.device.created_at = clock_.Now();
  CRM_ASSIGN_OR_RETURN(enabled.device.id, store::WriteValue<KioskDeviceId>(database_, [&](store::Transaction& tx) {
                         return tx.kiosk().CreateDevice(enabled.device);
                       }));
  return enabled;
}

Result<std::vector<domain::KioskDevice>> KioskService::Devices(const Principal& principal) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  return store::ReadValue<std::vector<domain::KioskDevice>>(
      database_, [&](store::Transaction& tx) { return tx.kiosk().ListDevices(principal.business_id); });
}

Status KioskService::DisableDevice(const Principal& principal, KioskDeviceId id) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  return database_.Write(
      [&](store::Transaction& tx) { return tx.kiosk().DisableDevice(principal.business_id, id, now); });
}

int64_t KioskService::LookupRetryAfterSeconds(const Principal& principal) {
  if (!principal.kiosk_device_id) return 0;
  return lookups_.RetryAfter(fmt::format("kiosk:{}", principal.kiosk_device_id->value()), clock_.Now());
}

Result<KioskStanding> KioskService::Lookup(const Principal& principal, const std::string& phone) {
  if (principal.kiosk_device_id &&
      lookups_.Acquire(fmt::format("kiosk:{}", principal.kiosk_device_id->value()), clock_.Now()) > 0) {
    return ResourceExhausted("too many lookups from this kiosk; try again shortly");
  }
  return StandingAfterRegistration(principal, phone);
}

Result<KioskStanding> KioskService::StandingAfterRegistration(const Principal& principal, const std::string& phone) {
  CRM_ASSIGN_OR_RETURN(domain::PhoneNumber number, domain::ParsePhone(phone));
  CRM_ASSIGN_OR_RETURN(auto found, store::ReadValue<std::optional<CustomerId>>(database_, [&](store::Transaction& tx) {
                         return tx.customers().FindByPhone(principal.business_id, number.e164);
                       }));
  KioskStanding standing;
  if (!found) return standing;
  standing.customer_id = *found;
  CRM_ASSIGN_OR_RETURN(AccountView view, loyalty_.Account(principal, *found));
  if (view.program) standing.account = std::move(view);
  return standing;
}

Result<domain::Customer> KioskService::Register(const Principal& principal, KioskRegistration registration) {
  const Timestamp now = clock_.Now();
  for (domain::Agreement& agreement : registration.agreements) {
    agreement.accepted_at = now;
    agreement.source = "kiosk";
  }
  CRM_RETURN_IF_ERROR(domain::CheckRequiredAgreements(registration.agreements));
  domain::CustomerDraft draft;
  draft.phone = registration.phone;
  draft.source = domain::SourceChannel::kKiosk;
  draft.agreements = std::move(registration.agreements);
  for (domain::Consent& consent : registration.consents) {
    consent.at = now;
    consent.source = "kiosk";
  }
  draft.consents = std::move(registration.consents);
  return customers_.Create(principal, draft);
}

}  // namespace crm::app
