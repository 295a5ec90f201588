// KioskRepository: kiosk devices (found by their credential's hash) and the notices customers
// accepted (customer_agreements).
#pragma once

#include <optional>
#include <vector>

#include "domain/kiosk.h"
#include "store/sql.h"

namespace crm::store {

class KioskRepository {
 public:
  explicit KioskRepository(SqlConnection& connection) : connection_(connection) {}

  Result<KioskDeviceId> CreateDevice(const domain::KioskDevice& device);
  // The device with this credential hash, or nullopt.
  Result<std::optional<domain::KioskDevice>> FindDevice(const std::string& token_hash);
  // The business's devices, newest first.
  Result<std::vector<domain::KioskDevice>> ListDevices(BusinessId business);
  // kNotFound when the device is not the business's; disabling twice keeps the first time.
  Status DisableDevice(BusinessId business, KioskDeviceId id, Timestamp at);

  // Records an accepted notice; accepting the same version again keeps the first time.
  Status AddAgreement(BusinessId business, CustomerId customer, const domain::Agreement& agreement);
  // The customer's accepted notices, oldest first.
  Result<std::vector<domain::Agreement>> Agreements(BusinessId business, CustomerId customer);

 private:
  SqlConnection& connection_;
};

}  // namespace crm::store
