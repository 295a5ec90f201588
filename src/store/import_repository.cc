#include "store/import_repository.h"

namespace crm::store {
namespace {

constexpr Statement kBusinessCurrency{"import.business_currency", "SELECT currency FROM businesses WHERE id = $1"};
constexpr Statement kSetBusinessCurrency{"import.set_business_currency",
                                         "UPDATE businesses SET currency = $2 WHERE id = $1 RETURNING id"};
constexpr Statement kInsertRun{
    "import.insert_run",
    "INSERT INTO import_runs (business_id, kind, mode, file_hash, source, rows_read, rows_rejected, rows_skipped, "
    "customers_created, customers_updated, orders_created, orders_existing, started_at, finished_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id"};
constexpr Statement kGetRun{
    "import.get_run",
    "SELECT id, business_id, kind, mode, file_hash, source, rows_read, rows_rejected, rows_skipped, "
    "customers_created, customers_updated, orders_created, orders_existing, started_at, finished_at FROM import_runs "
    "WHERE business_id = $1 AND id = $2"};
constexpr Statement kFindRunByHash{
    "import.find_run_by_hash",
    "SELECT id, business_id, kind, mode, file_hash, source, rows_read, rows_rejected, rows_skipped, "
    "customers_created, customers_updated, orders_created, orders_existing, started_at, finished_at FROM import_runs "
    "WHERE business_id = $1 AND kind = $2 AND file_hash = $3 ORDER BY id DESC LIMIT 1"};
constexpr Statement kSaveMapping{
    "import.save_mapping",
    "INSERT INTO import_mappings (business_id, kind, header_key, fields, updated_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (business_id, kind, header_key) DO UPDATE SET fields = excluded.fields, "
    "updated_at = excluded.updated_at"};
constexpr Statement kFindMapping{
    "import.find_mapping",
    "SELECT fields FROM import_mappings WHERE business_id = $1 AND kind = $2 AND header_key = $3"};
constexpr Statement kLinkCustomer{
    "import.link_customer",
    "INSERT INTO customer_external_ids (business_id, source, external_id, customer_id) VALUES ($1, $2, $3, $4)"};
constexpr Statement kFindCustomer{
    "import.find_customer",
    "SELECT customer_id FROM customer_external_ids WHERE business_id = $1 AND source = $2 AND external_id = $3"};
constexpr Statement kFindCustomerByEmail{
    "import.find_customer_by_email",
    "SELECT id FROM customers WHERE business_id = $1 AND email = $2 AND email <> '' ORDER BY id LIMIT 1"};

constexpr Statement kAddOpening{
    "import.add_opening",
    "INSERT INTO customer_opening_balances (business_id, customer_id, source, visit_count, total_spend, "
    "first_visit_at, last_visit_at, points, tier, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (business_id, customer_id, source) DO NOTHING RETURNING 1"};
constexpr Statement kAddWriteOff{
    "import.add_write_off",
    "INSERT INTO stock_write_offs (business_id, branch_id, source, external_id, line_key, product, product_code, "
    "quantity, written_off_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (business_id, source, line_key) DO NOTHING RETURNING 1"};
constexpr Statement kAddPhoneShare{
    "import.add_phone_share",
    "INSERT INTO customer_phone_shares (business_id, customer_id, holder_id, phone_e164, relation, alias, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (business_id, customer_id, phone_e164, alias) DO NOTHING"};
constexpr Statement kPhoneShares{
    "import.phone_shares",
    "SELECT customer_id, holder_id, phone_e164, relation, alias, created_at FROM customer_phone_shares "
    "WHERE business_id = $1 AND phone_e164 = $2 ORDER BY created_at, customer_id, alias"};
constexpr Statement kSharesOf{
    "import.shares_of",
    "SELECT customer_id, holder_id, phone_e164, relation, alias, created_at FROM customer_phone_shares "
    "WHERE business_id = $1 AND (customer_id = $2 OR holder_id = $2) ORDER BY created_at, customer_id, alias"};
constexpr Statement kSetAttribute{
    "import.set_attribute",
    "INSERT INTO customer_attributes (business_id, customer_id, key, value, source, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (business_id, customer_id, key) DO UPDATE SET "
    "value = excluded.value, source = excluded.source, updated_at = excluded.updated_at"};
constexpr Statement kAttributes{
    "import.attributes",
    "SELECT key, value, source, updated_at FROM customer_attributes WHERE business_id = $1 AND customer_id = $2 "
    "ORDER BY key"};
constexpr Statement kOpenings{
    "import.openings",
    "SELECT customer_id, source, visit_count, total_spend, first_visit_at, last_visit_at, points, tier, created_at "
    "FROM customer_opening_balances WHERE business_id = $1 AND customer_id = $2 ORDER BY created_at, source"};

SqlValue OptionalTime(const std::optional<Timestamp>& time) { return time ? Int(time->micros()) : Null(); }

std::optional<Timestamp> ReadOptionalTime(const Row& row, size_t column) {
  const std::optional<int64_t> micros = row.GetOptionalInt(column);
  if (!micros) return std::nullopt;
  return Timestamp::FromMicros(*micros);
}

ImportRun ReadRun(const Row& row) {
  ImportRun run;
  run.id = row.GetInt(0);
  run.business_id = BusinessId(row.GetInt(1));
  run.kind = static_cast<int>(row.GetInt(2));
  run.mode = static_cast<int>(row.GetInt(3));
  run.file_hash = row.GetText(4);
  run.source = row.GetText(5);
  run.rows_read = row.GetInt(6);
  run.rows_rejected = row.GetInt(7);
  run.rows_skipped = row.GetInt(8);
  run.customers_created = row.GetInt(9);
  run.customers_updated = row.GetInt(10);
  run.orders_created = row.GetInt(11);
  run.orders_existing = row.GetInt(12);
  run.started_at = Timestamp::FromMicros(row.GetInt(13));
  run.finished_at = Timestamp::FromMicros(row.GetInt(14));
  return run;
}

}  // namespace

Result<int64_t> ImportRepository::InsertRun(const ImportRun& run) {
  CRM_ASSIGN_OR_RETURN(
      auto rows, connection_.Query(kInsertRun, {Int(run.business_id.value()), Int(run.kind), Int(run.mode),
                                                Text(run.file_hash), Text(run.source), Int(run.rows_read),
                                                Int(run.rows_rejected), Int(run.rows_skipped),
                                                Int(run.customers_created), Int(run.customers_updated),
                                                Int(run.orders_created), Int(run.orders_existing),
                                                Int(run.started_at.micros()), Int(run.finished_at.micros())}));
  return rows.at(0).GetInt(0);
}

Result<ImportRun> ImportRepository::GetRun(BusinessId business, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kGetRun, {Int(business.value()), Int(id)}));
  if (rows.empty()) return NotFound("import run not found");
  return ReadRun(rows[0]);
}

Result<std::optional<ImportRun>> ImportRepository::FindRunByHash(BusinessId business, int kind,
                                                                  const std::string& file_hash) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindRunByHash, {Int(business.value()), Int(kind), Text(file_hash)}));
  if (rows.empty()) return std::optional<ImportRun>();
  return std::optional<ImportRun>(ReadRun(rows[0]));
}

Status ImportRepository::SaveMapping(BusinessId business, int kind, const std::string& header_key,
                                     const std::string& fields, Timestamp at) {
  return connection_.Execute(kSaveMapping,
                             {Int(business.value()), Int(kind), Text(header_key), Text(fields), Int(at.micros())});
}

Result<std::optional<std::string>> ImportRepository::FindMapping(BusinessId business, int kind,
                                                                 const std::string& header_key) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindMapping, {Int(business.value()), Int(kind), Text(header_key)}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows[0].GetText(0));
}

Status ImportRepository::LinkCustomer(BusinessId business, const std::string& source, const std::string& external_id,
                                      CustomerId customer) {
  Status status = connection_.Execute(
      kLinkCustomer, {Int(business.value()), Text(source), Text(external_id), Int(customer.value())});
  if (status.code() == StatusCode::kFailedPrecondition) return NotFound("customer not found");
  return status;
}

Result<std::optional<CustomerId>> ImportRepository::FindCustomer(BusinessId business, const std::string& source,
                                                                 const std::string& external_id) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindCustomer, {Int(business.value()), Text(source), Text(external_id)}));
  if (rows.empty()) return std::optional<CustomerId>();
  return std::optional<CustomerId>(CustomerId(rows[0].GetInt(0)));
}

Result<std::string> ImportRepository::BusinessCurrency(BusinessId business) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kBusinessCurrency, {Int(business.value())}));
  if (rows.empty()) return NotFound("business not found");
  return rows[0].GetText(0);
}

Status ImportRepository::SetBusinessCurrency(BusinessId business, const std::string& currency) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSetBusinessCurrency, {Int(business.value()), Text(currency)}));
  if (rows.empty()) return NotFound("business not found");
  return Status::Ok();
}

Result<bool> ImportRepository::AddOpening(BusinessId business, const OpeningBalance& balance) {
  auto rows = connection_.Query(
      kAddOpening, {Int(business.value()), Int(balance.customer_id.value()), Text(balance.source),
                    Int(balance.visit_count), Int(balance.total_spend), OptionalTime(balance.first_visit_at),
                    OptionalTime(balance.last_visit_at), Int(balance.points), Text(balance.tier),
                    Int(balance.created_at.micros())});
  if (!rows.ok() && rows.status().code() == StatusCode::kFailedPrecondition) return NotFound("customer not found");
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

namespace {

std::vector<PhoneShare> ReadShares(const std::vector<Row>& rows) {
  std::vector<PhoneShare> shares;
  for (const Row& row : rows) {
    shares.push_back(PhoneShare{CustomerId(row.GetInt(0)), CustomerId(row.GetInt(1)), row.GetText(2),
                                static_cast<PhoneShareKind>(row.GetInt(3)), row.GetText(4),
                                Timestamp::FromMicros(row.GetInt(5))});
  }
  return shares;
}

}  // namespace

Status ImportRepository::AddPhoneShare(BusinessId business, const PhoneShare& share) {
  Status status = connection_.Execute(
      kAddPhoneShare, {Int(business.value()), Int(share.customer_id.value()), Int(share.holder_id.value()),
                       Text(share.phone_e164), Int(static_cast<int64_t>(share.kind)), Text(share.alias),
                       Int(share.created_at.micros())});
  if (status.code() == StatusCode::kFailedPrecondition) return NotFound("customer not found");
  return status;
}

Result<std::vector<PhoneShare>> ImportRepository::PhoneShares(BusinessId business, const std::string& phone_e164) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kPhoneShares, {Int(business.value()), Text(phone_e164)}));
  return ReadShares(rows);
}

Result<std::vector<PhoneShare>> ImportRepository::SharesOf(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kSharesOf, {Int(business.value()), Int(customer.value())}));
  return ReadShares(rows);
}

Status ImportRepository::SetAttribute(BusinessId business, CustomerId customer, const CustomerAttribute& attribute) {
  Status status = connection_.Execute(
      kSetAttribute, {Int(business.value()), Int(customer.value()), Text(attribute.key), Text(attribute.value),
                      Text(attribute.source), Int(attribute.updated_at.micros())});
  if (status.code() == StatusCode::kFailedPrecondition) return NotFound("customer not found");
  return status;
}

Result<std::vector<CustomerAttribute>> ImportRepository::Attributes(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kAttributes, {Int(business.value()), Int(customer.value())}));
  std::vector<CustomerAttribute> attributes;
  for (const Row& row : rows) {
    attributes.push_back(
        CustomerAttribute{row.GetText(0), row.GetText(1), row.GetText(2), Timestamp::FromMicros(row.GetInt(3))});
  }
  return attributes;
}

Result<bool> ImportRepository::AddWriteOff(BusinessId business, const StockWriteOff& write_off) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kAddWriteOff, {Int(business.value()), Int(write_off.branch_id.value()),
                                                                   Text(write_off.source), Text(write_off.external_id),
                                                                   Text(write_off.line_key), Text(write_off.product),
                                                                   Text(write_off.product_code), Int(write_off.quantity),
                                                                   Int(write_off.written_off_at.micros()),
                                                                   Int(write_off.created_at.micros())}));
  return !rows.empty();
}

Result<std::vector<OpeningBalance>> ImportRepository::Openings(BusinessId business, CustomerId customer) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kOpenings, {Int(business.value()), Int(customer.value())}));
  std::vector<OpeningBalance> balances;
  for (const Row& row : rows) {
    OpeningBalance balance;
    balance.customer_id = CustomerId(row.GetInt(0));
    balance.source = row.GetText(1);
    balance.visit_count = row.GetInt(2);
    balance.total_spend = row.GetInt(3);
    balance.first_visit_at = ReadOptionalTime(row, 4);
    balance.last_visit_at = ReadOptionalTime(row, 5);
    balance.points = row.GetInt(6);
    balance.tier = row.GetText(7);
    balance.created_at = Timestamp::FromMicros(row.GetInt(8));
    balances.push_back(std::move(balance));
  }
  return balances;
}

Result<std::optional<CustomerId>> ImportRepository::FindCustomerByEmail(BusinessId business, const std::string& email) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindCustomerByEmail, {Int(business.value()), Text(email)}));
  if (rows.empty()) return std::optional<CustomerId>();
  return std::optional<CustomerId>(CustomerId(rows[0].GetInt(0)));
}

}  // namespace crm::store
