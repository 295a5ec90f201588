#include "store/kiosk_repository.h"

namespace crm::store {
namespace {

constexpr Statement kInsertDevice{
    "kiosk.insert_device",
    "INSERT INTO kiosk_devices (business_id, name, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5) "
    "RETURNING id"};
constexpr Statement kFindDevice{
    "kiosk.find_device",
    "SELECT id, business_id, name, token_hash, created_by, created_at, disabled_at FROM kiosk_devices "
    "WHERE token_hash = $1"};
constexpr Statement kListDevices{
    "kiosk.list_devices",
    "SELECT id, business_id, name, token_hash, created_by, created_at, disabled_at FROM kiosk_devices "
    "WHERE business_id = $1 ORDER BY id DESC"};
constexpr Statement kDisableDevice{
    "kiosk.disable_device",
    "UPDATE kiosk_devices SET disabled_at = COALESCE(disabled_at, $3) WHERE business_id = $1 AND id = $2 "
    "RETURNING id"};
constexpr Statement kInsertAgreement{
    "kiosk.insert_agreement",
    "INSERT INTO customer_agreements (business_id, customer_id, item, version, accepted_at, source) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (business_id, customer_id, item, version) DO NOTHING"};
constexpr Statement kListAgreements{
    "kiosk.list_agreements",
    "SELECT item, version, accepted_at, source FROM customer_agreements WHERE business_id = $1 AND customer_id = $2 "
    "ORDER BY accepted_at, item"};

domain::KioskDevice DeviceFrom(const Row& row) {
  domain::KioskDevice device;
  device.id = KioskDeviceId(row.GetInt(0));
  device.business_id = BusinessId(row.GetInt(1));
  device.name = row.GetText(2);
  device.token_hash = row.GetText(3);
  if (auto by = row.GetOptionalInt(4)) device.created_by = StaffId(*by);
  device.created_at = Timestamp::FromMicros(row.GetInt(5));
  if (auto at = row.GetOptionalInt(6)) device.disabled_at = Timestamp::FromMicros(*at);
  return device;
}

}  // namespace

Result<KioskDeviceId> KioskRepository::CreateDevice(const domain::KioskDevice& device) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kInsertDevice, {Int(device.business_id.value()), Text(device.name),
                                                                    Text(device.token_hash),
                                                                    device.created_by ? Int(device.created_by->value())
                                                                                      : Null(),
                                                                    Int(device.created_at.micros())}));
  return KioskDeviceId(rows.at(0).GetInt(0));
}

Result<std::optional<domain::KioskDevice>> KioskRepository::FindDevice(const std::string& token_hash) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindDevice, {Text(token_hash)}));
  if (rows.empty()) return std::optional<domain::KioskDevice>();
  return std::optional<domain::KioskDevice>(DeviceFrom(rows[0]));
}

Result<std::vector<domain::KioskDevice>> KioskRepository::ListDevices(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListDevices, {Int(business.value())}));
  std::vector<domain::KioskDevice> devices;
  for (const Row& row : rows) devices.push_back(DeviceFrom(row));
  return devices;
}

Status KioskRepository::DisableDevice(BusinessId business, KioskDeviceId id, Timestamp at) {
  CRM_ASSIGN_OR_RETURN(auto rows,
                       connection_.Query(kDisableDevice, {Int(business.value()), Int(id.value()), Int(at.micros())}));
  if (rows.empty()) return NotFound("kiosk device not found");
  return Status::Ok();
}

Status KioskRepository::AddAgreement(BusinessId business, CustomerId customer, const domain::Agreement& agreement) {
  return connection_.Execute(kInsertAgreement, {Int(business.value()), Int(customer.value()),
                                                Int(static_cast<int64_t>(agreement.item)), Text(agreement.version),
                                                Int(agreement.accepted_at.micros()), Text(agreement.source)});
}

Result<std::vector<domain::Agreement>> KioskRepository::Agreements(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kListAgreements, {Int(business.value()), Int(customer.value())}));
  std::vector<domain::Agreement> agreements;
  for (const Row& row : rows) {
    domain::Agreement agreement;
    agreement.item = static_cast<domain::AgreementItem>(row.GetInt(0));
    agreement.version = row.GetText(1);
    agreement.accepted_at = Timestamp::FromMicros(row.GetInt(2));
    agreement.source = row.GetText(3);
    agreements.push_back(std::move(agreement));
  }
  return agreements;
}

}  // namespace crm::store
