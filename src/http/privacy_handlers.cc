// Handlers for the privacy rights the store owes its customers: erasing a customer (PIPA-03,
// managers and owners, with a reason) and the retention period with its dry run. The services
// check the roles.
#include <string>

#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "privacy";

Result<Response> EraseCustomer(RequestContext& context) {
  FieldReader reader(context.body);
  std::optional<std::string> reason = reader.String("reason", Presence::kRequired);
  if (!reader.ok()) return reader.status();
  CRM_ASSIGN_OR_RETURN(app::ErasureResult result,
                       context.services.erasures.Erase(context.principal(), context.PathId<CustomerId>("id"),
                                                       reason.value_or("")));
  return Response::Of(Json{{"id", result.customer.value()},
                           {"erased_at", result.erased_at.ToIso8601()},
                           {"rows_deleted", result.counts.rows_deleted},
                           {"rows_blanked", result.counts.rows_blanked},
                           {"messages", result.counts.messages}});
}

Json RetentionJson(const app::RetentionSetting& setting) {
  return Json{{"months", setting.months}, {"access_log_days", setting.access_log_days}};
}

Result<Response> GetRetention(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::RetentionSetting setting, context.services.erasures.GetRetention(context.principal()));
  return Response::Of(RetentionJson(setting));
}

Result<Response> PutRetention(RequestContext& context) {
  using app::ErasureService;
  FieldReader reader(context.body);
  std::optional<int64_t> months = reader.Integer("months", 0, ErasureService::kMaxRetentionMonths, Presence::kOptional);
  std::optional<int64_t> days = reader.Integer("access_log_days", ErasureService::kMinAccessLogDays,
                                               ErasureService::kMaxAccessLogDays, Presence::kOptional);
  if (!reader.ok()) return reader.status();
  if (!months && !days) return InvalidArgument("give months, access_log_days or both", "months");
  CRM_ASSIGN_OR_RETURN(app::RetentionSetting setting,
                       context.services.erasures.SetRetention(context.principal(), months, days));
  return Response::Of(RetentionJson(setting));
}

Result<Response> RetentionDryRun(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::RetentionPreview preview, context.services.erasures.PreviewRetention(context.principal()));
  return Response::Of(Json{{"months", preview.months},
                           {"cutoff", preview.months == 0 ? Json(nullptr) : Json(preview.cutoff.ToIso8601())},
                           {"count", preview.count},
                           {"samples", preview.samples}});
}

}  // namespace

std::vector<Route> PrivacyRoutes() {
  return {
      {{.method = Method::kPost,
        .pattern = "/api/v1/customers/{id}/erase",
        .summary = "Erase a customer's personal data for good (manager, with a reason); orders stay anonymous",
        .tag = kTag,
        .request_schema = "ErasureInput",
        .response_schema = "Erasure"},
       EraseCustomer},
      {{.method = Method::kGet,
        .pattern = "/api/v1/privacy/retention",
        .summary = "Months after the last visit an inactive customer is kept (0: off), and days the access log is "
                   "kept",
        .tag = kTag,
        .response_schema = "Retention"},
       GetRetention},
      {{.method = Method::kPut,
        .pattern = "/api/v1/privacy/retention",
        .summary = "Set the retention periods (owner); a field left out stays",
        .tag = kTag,
        .request_schema = "RetentionInput",
        .response_schema = "Retention"},
       PutRetention},
      {{.method = Method::kGet,
        .pattern = "/api/v1/privacy/retention/dry-run",
        .summary = "How many customers the daily retention job would erase now, with masked samples",
        .tag = kTag,
        .response_schema = "RetentionDryRun"},
       RetentionDryRun},
  };
}

}  // namespace crm::http
