// The OpenAPI schemas of automations and staff tasks (http/automation_handlers.cc).
#include "http/openapi.h"

#include <string>
#include <utility>
#include <vector>

#include "http/openapi_schema.h"
namespace crm::http {

using namespace schema;  // NOLINT(google-build-using-namespace): the schema vocabulary

namespace {

const std::vector<std::string> kChannels{"sms", "alimtalk", "brand", "email"};

}  // namespace

void AddAutomationSchemas(Json& schemas) {
  const Json trigger = Object(
      {{"kind", Enum({"first_visit", "days_after_visit", "no_second_visit", "birthday", "anniversary", "overdue",
                      "churn_risk", "tier_promotion", "points_expiring", "referral_reward",
                      "prospect_not_converted"})},
       {"days", Integer()},
       {"threshold", Number()},
       {"tier", Nullable(String())}},
      {"kind"});
  std::vector<std::pair<std::string, Json>> input = {
      {"name", String()},
      {"trigger", trigger},
      {"action", Enum({"message", "task"})},
      {"send_hour", Integer()},
      {"channel", Enum(kChannels)},
      {"fallback_channel", Nullable(Enum({"sms"}))},
      {"purpose", Enum({"advertising", "informational"})},
      {"template", Object({{"body", String()}, {"subject", String()}})},
      {"coupon_template_id", Nullable(Integer())},
      {"frequency_cap_days", Integer()},
      {"control_share_permille", Integer()},
      {"task", Nullable(Object({{"title", String()},
                                {"assignee", Json{{"oneOf", Json::array({Enum({"author", "none"}), Integer()})}}},
                                {"kind", Enum({"call", "counter", "follow_up"})}}))},
      {"state", Enum({"active", "paused"})}};
  schemas["AutomationInput"] = Object(input, {"name", "trigger"});
  std::vector<std::pair<std::string, Json>> automation = input;
  automation.push_back({"id", Integer()});
  automation.push_back({"preset", Nullable(String())});
  automation.push_back({"created_at", TimeSchema()});
  automation.push_back({"activated_at", Nullable(TimeSchema())});
  automation.push_back({"last_run_at", Nullable(TimeSchema())});
  schemas["Automation"] = Object(automation);
  schemas["AutomationList"] = Object({{"automations", ArrayOf(Ref("Automation"))}}, {"automations"});
  schemas["PresetApplied"] = Object({{"automations", ArrayOf(Ref("Automation"))},
                                     {"already_present", ArrayOf(Ref("Automation"))}},
                                    {"automations", "already_present"});
  schemas["AutomationPresets"] = Object(
      {{"presets", ArrayOf(Object({{"key", Enum({"cafe", "restaurant", "salon"})},
                                   {"name", String()},
                                   {"automations", ArrayOf(Ref("AutomationInput"))}}))}});
  // churn_risk only (null otherwise): whether a fitted model gave the churn probabilities.
  const Json churn_model = Nullable(Object({{"status", Enum({"ready", "fitting", "insufficient_data"})},
                                            {"as_of", Nullable(TimeSchema())},
                                            {"message", String()}}));
  schemas["AutomationDryRun"] = Object(
      {{"date", Json{{"type", "string"}, {"format", "date"}}},
       {"would_send", ArrayOf(Object({{"customer_id", Integer()}, {"name", String()}, {"occurrence", String()},
                                      {"send_at", TimeSchema()}, {"channel", Enum(kChannels)}}))},
       {"excluded", ArrayOf(Object({{"customer_id", Integer()}, {"name", String()}, {"occurrence", String()},
                                    {"reason", String()}}))},
       {"counts", Object({{"would_send", Integer()}, {"excluded", CountsByName()}})},
       {"churn_model", churn_model}});
  const Json difference = Nullable(Object({{"value", Number()}, {"low", Number()}, {"high", Number()},
                                            {"treated", Number()}, {"control", Number()}}));
  const Json group = Object({{"customers", Integer()}, {"buyers", Integer()}, {"visits", Integer()},
                             {"revenue", Integer()}, {"redemptions", Integer()}});
  const Json funnel = Object({{"first", Integer()}, {"second", Integer()}, {"third", Integer()}});
  schemas["AutomationReport"] = Object(
      {{"automation_id", Integer()},
       {"window_days", Integer()},
       {"sent", Integer()},
       {"treated", group},
       {"control", group},
       {"difference", Object({{"buyers_share", difference},
                              {"visits_per_customer", difference},
                              {"revenue_per_customer", difference}})},
       {"incremental_revenue", Integer()},
       {"message_cost", Integer()},
       {"net", Integer()},
       {"funnel", Object({{"before", funnel}, {"after", funnel}, {"switched_on_at", Nullable(TimeSchema())}})},
       {"churn_model", churn_model},
       {"as_of", TimeSchema()}});
  const Json task_status = Enum({"open", "done", "skipped"});
  schemas["Task"] = Object({{"id", Integer()},
                            {"customer_id", Nullable(Integer())},
                            {"customer_name", String()},
                            {"prospect_id", Nullable(Integer())},
                            {"title", String()},
                            {"kind", Enum({"call", "counter", "follow_up"})},
                            {"due_date", Json{{"type", "string"}, {"format", "date"}}},
                            {"assignee_staff_id", Nullable(Integer())},
                            {"source", Enum({"automation", "prospect", "manual"})},
                            {"source_id", Nullable(Integer())},
                            {"status", task_status},
                            {"note", String()},
                            {"created_at", TimeSchema()},
                            {"closed_at", Nullable(TimeSchema())},
                            {"closed_by", Nullable(Integer())}});
  schemas["TaskList"] = Object({{"tasks", ArrayOf(Ref("Task"))}}, {"tasks"});
  schemas["TaskInput"] = Object({{"customer_id", Integer()},
                                 {"title", String()},
                                 {"due_date", Json{{"type", "string"}, {"format", "date"}}},
                                 {"assignee_staff_id", Nullable(Integer())}},
                                {"customer_id", "title", "due_date"});
}

}  // namespace crm::http
