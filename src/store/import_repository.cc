#include "store/import_repository.h"

namespace crm::store {
namespace {

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

Result<std::optional<CustomerId>> ImportRepository::FindCustomerByEmail(BusinessId business, const std::string& email) {
  CRM_ASSIGN_OR_RETURN(auto rows, connection_.Query(kFindCustomerByEmail, {Int(business.value()), Text(email)}));
  if (rows.empty()) return std::optional<CustomerId>();
  return std::optional<CustomerId>(CustomerId(rows[0].GetInt(0)));
}

}  // namespace crm::store
