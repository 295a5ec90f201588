// KioskService: the tablet turned to the guests. Managers enable and disable kiosk devices; a
// device (with its own credential, no staff session) looks a guest up by a full phone number to
// show only that guest's own standing, and registers a new guest with the notices they accepted
// (terms and privacy are required and stored with their versions) and their marketing choices.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/customer_service.h"
#include "app/loyalty_service.h"
#include "app/principal.h"
#include "app/rate_limiter.h"
#include "domain/kiosk.h"
#include "store/database.h"

namespace crm::app {

struct EnabledKioskDevice {
  domain::KioskDevice device;
  std::string secret;  // the credential, shown once
};

// What the kiosk may show a guest about themselves.
struct KioskStanding {
  std::optional<CustomerId> customer_id;  // unset: no customer has this number
  std::optional<AccountView> account;     // unset: unknown guest, or no program
};

struct KioskRegistration {
  std::string phone;
  std::vector<domain::Agreement> agreements;  // accepted_at and source are set by the service
  std::vector<domain::Consent> consents;      // marketing channels, accepted or declined
};

inline constexpr int kKioskLookupsPerMinute = 20;

class KioskService {
 public:
  KioskService(store::Database& database, const Clock& clock, CustomerService& customers, LoyaltyService& loyalty);

  // Manager or owner (kPermissionDenied). kInvalidArgument ("name") for an empty or long name.
  Result<EnabledKioskDevice> EnableDevice(const Principal& principal, const std::string& name);
  Result<std::vector<domain::KioskDevice>> Devices(const Principal& principal);
  // Manager or owner; kNotFound for another business's device. The device is refused from its
  // next request on.
  Status DisableDevice(const Principal& principal, KioskDeviceId id);

  // The guest with this full phone number (kInvalidArgument "phone" for anything else, so that
  // no partial number lists anyone), and their own standing. A kiosk device may look up
  // kKioskLookupsPerMinute numbers a minute (kResourceExhausted past that), so that its credential
  // cannot enumerate members and balances.
  Result<KioskStanding> Lookup(const Principal& principal, const std::string& phone);
  // The standing of the guest just registered with `phone`: Lookup without the device's limit, so
  // that a registration is always answered with its result.
  Result<KioskStanding> StandingAfterRegistration(const Principal& principal, const std::string& phone);
  // After Lookup's kResourceExhausted: the seconds until the device may look up again.
  int64_t LookupRetryAfterSeconds(const Principal& principal);
  // Registers a guest: kInvalidArgument naming the notice ("agreements.terms") when a required
  // one is missing or not the current version; kAlreadyExists ("phone") for a known number.
  Result<domain::Customer> Register(const Principal& principal, KioskRegistration registration);

 private:
  store::Database& database_;
  const Clock& clock_;
  CustomerService& customers_;
  LoyaltyService& loyalty_;
  RateLimiter lookups_{kKioskLookupsPerMinute, 60};  // by kiosk device
};

}  // namespace crm::app
