// Exports: customers (with the list's filters) and orders as CSV or XLSX downloads, and one
// customer's complete data as JSON (the right of access).
#include "http/export_handlers.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "http/customer_query.h"
#include "http/json_mapping.h"
#include "http/loyalty_mapping.h"
#include "http/route.h"

namespace crm::http {
namespace {

constexpr char kTag[] = "exports";

enum class Format { kCsv, kXlsx };

Result<Format> ReadFormat(const QueryParams& query) {
  const std::string text = query.Get("format").value_or("");
  if (text.empty() || text == "csv") return Format::kCsv;
  if (text == "xlsx") return Format::kXlsx;
  return InvalidArgument("must be csv or xlsx", "format");
}

Result<bool> ReadFlag(const QueryParams& query, std::string_view name) {
  const std::string text = query.Get(name).value_or("");
  if (text.empty() || text == "false") return false;
  if (text == "true") return true;
  return InvalidArgument("expected true or false", std::string(name));
}

Result<std::optional<Timestamp>> ReadTime(const QueryParams& query, std::string_view name) {
  const std::string text = query.Get(name).value_or("");
  if (text.empty()) return std::optional<Timestamp>();
  Result<Timestamp> time = Timestamp::ParseIso8601(text);
  if (!time.ok()) return InvalidArgument("expected a date (2024-03-01) or an RFC 3339 time", std::string(name));
  return std::optional<Timestamp>(*time);
}

// A file name for today's export: "customers-20240301.csv".
std::string FileName(const RequestContext& context, std::string_view kind, Format format) {
  std::string day = context.services.clock.Now().ToIso8601().substr(0, 10);
  std::erase(day, '-');
  return fmt::format("{}-{}.{}", kind, day, format == Format::kCsv ? "csv" : "xlsx");
}

// Runs `write` into a CSV or XLSX writer and answers the file. XLSX goes through a temporary file
// (libxlsxwriter writes files), removed before answering.
template <typename Write>
Result<Response> AnswerFile(const RequestContext& context, std::string_view kind, Format format, Write write) {
  const std::string name = FileName(context, kind, format);
  if (format == Format::kCsv) {
    std::ostringstream out;
    std::unique_ptr<importing::TableWriter> writer = importing::NewCsvWriter(out);
    CRM_RETURN_IF_ERROR(write(*writer, "csv").status());
    return Response::File(std::move(out).str(), importing::kCsvMediaType, name);
  }
  std::error_code error;
  const std::filesystem::path directory = std::filesystem::temp_directory_path(error);
  if (error) return Unavailable("no temporary directory for the workbook");
  std::string path = (directory / "dangol-export-XXXXXX").string();
  const int descriptor = mkstemp(path.data());
  if (descriptor < 0) return Unavailable("no temporary file for the workbook");
  close(descriptor);
  struct Remove {
    std::string path;
    ~Remove() { std::remove(path.c_str()); }
  } remove{path};
  {
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<importing::TableWriter> writer,
                         importing::NewXlsxWriter(path, std::string(kind)));
    CRM_RETURN_IF_ERROR(write(*writer, "xlsx").status());
  }
  std::ifstream file(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (!file.good() && !file.eof()) return DataLoss("the workbook cannot be read back");
  return Response::File(std::move(bytes), importing::kXlsxMediaType, name);
}

Result<Response> ExportCustomers(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(Format format, ReadFormat(context.query));
  CRM_ASSIGN_OR_RETURN(bool mask, ReadFlag(context.query, "mask"));
  CRM_ASSIGN_OR_RETURN(app::CustomerQuery query, ReadCustomerQuery(context.query));
  const app::Masking masking = mask ? app::Masking::kMasked : app::Masking::kNone;
  return AnswerFile(context, "customers", format, [&](importing::TableWriter& writer, std::string_view name) {
    return context.services.exports.Customers(context.principal(), query, masking, name, writer);
  });
}

Result<Response> ExportSegment(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(Format format, ReadFormat(context.query));
  CRM_ASSIGN_OR_RETURN(bool mask, ReadFlag(context.query, "mask"));
  const app::Masking masking = mask ? app::Masking::kMasked : app::Masking::kNone;
  const SegmentId id = context.PathId<SegmentId>("id");
  return AnswerFile(context, "segment", format, [&](importing::TableWriter& writer, std::string_view name) {
    return context.services.exports.Segment(context.principal(), context.services.segments, id, masking, name,
                                            writer);
  });
}

Result<Response> ExportOrders(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(Format format, ReadFormat(context.query));
  app::OrderExportQuery query;
  CRM_ASSIGN_OR_RETURN(query.from, ReadTime(context.query, "from"));
  CRM_ASSIGN_OR_RETURN(query.to, ReadTime(context.query, "to"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> branch, ReadIdParam(context.query, "branch_id"));
  if (branch) query.branch = BranchId(*branch);
  return AnswerFile(context, "orders", format, [&](importing::TableWriter& writer, std::string_view name) {
    return context.services.exports.Orders(context.principal(), query, name, writer);
  });
}

Result<Response> ExportAccessLog(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(Format format, ReadFormat(context.query));
  CRM_ASSIGN_OR_RETURN(std::optional<Timestamp> from, ReadTime(context.query, "from"));
  CRM_ASSIGN_OR_RETURN(std::optional<Timestamp> to, ReadTime(context.query, "to"));
  if (!from) return InvalidArgument("is required", "from");
  if (!to) return InvalidArgument("is required", "to");
  const app::AccessLogExportQuery query{*from, *to, context.query.Get("reason").value_or("")};
  return AnswerFile(context, "access-log", format, [&](importing::TableWriter& writer, std::string_view name) {
    return context.services.exports.AccessLog(context.principal(), query, name, writer);
  });
}

// A message as the customer's own record: the full recipient, since it is theirs.
Json RecordMessageJson(const domain::OutboxMessage& m) {
  auto time = [](const std::optional<Timestamp>& at) { return at ? Json(at->ToIso8601()) : Json(nullptr); };
  return Json{{"id", m.id.value()},
              {"campaign_id", m.campaign_id ? Json(m.campaign_id->value()) : Json(nullptr)},
              {"channel", domain::ToString(m.channel)},
              {"purpose", domain::ToString(m.purpose)},
              {"status", domain::ToString(m.status)},
              {"recipient", m.recipient},
              {"subject", m.subject},
              {"body", m.body},
              {"created_at", m.created_at.ToIso8601()},
              {"sent_at", time(m.sent_at)},
              {"delivered_at", time(m.delivered_at)}};
}

template <typename T>
Json ArrayOf(const std::vector<T>& values) {
  Json items = Json::array();
  for (const T& value : values) items.push_back(ToJson(value));
  return items;
}

Result<Response> ExportCustomerData(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::CustomerRecord record,
                       context.services.exports.CustomerData(context.principal(), context.PathId<CustomerId>("id")));
  return Response::Of(CustomerRecordJson(record, context.services.clock.Now()));
}

std::vector<QueryParamInfo> CustomerExportParams() {
  std::vector<QueryParamInfo> params = {
      {.name = "format", .description = "csv (default; UTF-8 with a BOM) or xlsx"},
      {.name = "mask", .description = "true: names, phones and e-mails masked, birthdays left out (default false)"}};
  for (QueryParamInfo& param : CustomerQueryParams()) params.push_back(std::move(param));
  return params;
}

}  // namespace

Json CustomerRecordJson(const app::CustomerRecord& record, Timestamp exported_at) {
  Json account = nullptr;
  if (record.account) {
    account =
        Json{{"balance", record.account->balance},
             {"tier_index", record.account->tier.index},
             {"tier_reached_at",
              record.account->tier.reached_at ? Json(record.account->tier.reached_at->ToIso8601()) : Json(nullptr)},
             {"referral_code", record.account->referral_code}};
  }
  Json consents = Json::array();
  for (const store::ConsentEvent& event : record.consent_history) {
    consents.push_back({{"channel", domain::ToString(event.consent.channel)},
                        {"granted", event.consent.granted},
                        {"at", event.consent.at.ToIso8601()},
                        {"source", event.consent.source}});
  }
  Json messages = Json::array();
  for (const domain::OutboxMessage& message : record.messages) messages.push_back(RecordMessageJson(message));
  return Json{
      {"exported_at", exported_at.ToIso8601()},
      {"customer", CustomerToJson(record.customer, record.stage, CustomerView::kProfile)},
      {"notes", ArrayOf(record.notes)},
      {"orders", ArrayOf(record.orders)},
      {"loyalty", Json{{"account", std::move(account)},
                       {"ledger", ArrayOf(record.ledger)},
                       {"tier_changes", ArrayOf(record.tier_changes)}}},
      {"coupons", ArrayOf(record.coupons)},
      {"referrals", Json{{"referred_by", record.referred_by ? ToJson(*record.referred_by) : Json(nullptr)},
                         {"referred", ArrayOf(record.referrals)}}},
      {"gacha_draw", record.gacha_draw ? ToJson(*record.gacha_draw) : Json(nullptr)},
      {"consent_history", std::move(consents)},
      {"messages", std::move(messages)},
      {"access_log", ArrayOf(record.access_log)},
  };
}

std::vector<Route> ExportRoutes() {
  return {
      {{.method = Method::kGet,
        .pattern = "/api/v1/exports/customers",
        .summary = "Customers as CSV or XLSX, with the list's filters (manager or owner; written to the access log)",
        .tag = kTag,
        .query = CustomerExportParams(),
        .raw_response_types = {importing::kCsvMediaType, importing::kXlsxMediaType}},
       ExportCustomers},
      {{.method = Method::kGet,
        .pattern = "/api/v1/segments/{id}/export",
        .summary = "The customers a saved segment selects now, as CSV or XLSX (manager or owner; written to the "
                   "access log)",
        .tag = kTag,
        .query = {{.name = "format", .description = "csv (default; UTF-8 with a BOM) or xlsx"},
                  {.name = "mask",
                   .description = "true: names, phones and e-mails masked, birthdays left out (default false)"}},
        .raw_response_types = {importing::kCsvMediaType, importing::kXlsxMediaType}},
       ExportSegment},
      {{.method = Method::kGet,
        .pattern = "/api/v1/exports/orders",
        .summary = "Orders, one row per line, as CSV or XLSX (manager or owner; written to the access log)",
        .tag = kTag,
        .query = {{.name = "format", .description = "csv (default) or xlsx"},
                  {.name = "from", .description = "ordered at or after this date or time"},
                  {.name = "to", .description = "ordered before this date or time"},
                  {.name = "branch_id", .description = "only this branch", .type = "integer"}},
        .raw_response_types = {importing::kCsvMediaType, importing::kXlsxMediaType}},
       ExportOrders},
      {{.method = Method::kGet,
        .pattern = "/api/v1/customers/{id}/export",
        .summary = "Everything held about one customer as JSON: the right of access (manager or owner; logged)",
        .tag = kTag,
        .response_schema = "CustomerRecord"},
       ExportCustomerData},
      {{.method = Method::kGet,
        .pattern = "/api/v1/access-log/export",
        .summary = "The access log of a time range as CSV or XLSX for an audit (owner, with a reason; the export is "
                   "itself logged)",
        .tag = kTag,
        .query = {{.name = "from", .description = "entries at or after this date or time", .required = true},
                  {.name = "to", .description = "entries before this date or time", .required = true},
                  {.name = "reason", .description = "why the log is exported (PIPA-06)", .required = true},
                  {.name = "format", .description = "csv (default) or xlsx"}},
        .raw_response_types = {importing::kCsvMediaType, importing::kXlsxMediaType}},
       ExportAccessLog},
  };
}

}  // namespace crm::http
