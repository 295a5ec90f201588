// Handlers of automations (definitions, switching, dry run, report, presets) and of staff tasks.
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {

Json TaskJson(const app::TaskView& view);

namespace {

constexpr char kTag[] = "automations";
constexpr char kTaskTag[] = "tasks";
constexpr char kTriggers[] =
    "first_visit, days_after_visit, no_second_visit, birthday, anniversary, overdue, churn_risk, tier_promotion, "
    "points_expiring, referral_reward, prospect_not_converted";
constexpr char kChannels[] = "sms, alimtalk, brand, email";

Json OptionalTime(const std::optional<Timestamp>& at) { return at ? Json(at->ToIso8601()) : Json(nullptr); }

// The contract's channel names: "brand" for Kakao brand messages.
const char* ChannelName(domain::Channel channel) {
  return channel == domain::Channel::kBrandMessage ? "brand" : domain::ToString(channel);
}
std::optional<domain::Channel> ParseAutomationChannel(std::string_view text) {
  if (text == "brand") return domain::Channel::kBrandMessage;
  auto channel = domain::ParseChannel(text);
  if (channel == domain::Channel::kMms) return std::nullopt;
  return channel;
}

Json AutomationJson(const domain::Automation& a) {
  Json json;
  json["id"] = a.id.value();
  json["name"] = a.name;
  Json trigger = {{"kind", domain::ToString(a.trigger.kind)}, {"days", a.trigger.days}};
  if (a.trigger.kind == domain::TriggerKind::kChurnRisk) trigger["threshold"] = a.trigger.threshold;
  if (a.trigger.kind == domain::TriggerKind::kTierPromotion) {
    trigger["tier"] = a.trigger.tier.empty() ? Json(nullptr) : Json(a.trigger.tier);
  }
  json["trigger"] = std::move(trigger);
  json["action"] = domain::ToString(a.action);
  json["send_hour"] = a.send_hour;
  json["channel"] = ChannelName(a.channel);
  json["fallback_channel"] = a.fallback_channel ? Json(ChannelName(*a.fallback_channel)) : Json(nullptr);
  json["purpose"] = domain::ToString(a.purpose);
  json["template"] = {{"body", a.body}, {"subject", a.subject}};
  json["coupon_template_id"] = a.coupon_template_id ? Json(a.coupon_template_id->value()) : Json(nullptr);
  json["frequency_cap_days"] = a.frequency_cap_days;
  json["control_share_permille"] = a.control_share_permille;
  if (a.action == domain::AutomationAction::kTask) {
    Json assignee = a.task.assignee == domain::TaskAssignee::kAuthor ? Json("author")
                    : a.task.assignee == domain::TaskAssignee::kStaff && a.task.staff_id
                        ? Json(a.task.staff_id->value())
                        : Json("none");
    json["task"] = {{"title", a.task.title}, {"assignee", std::move(assignee)}, {"kind", domain::ToString(a.task.kind)}};
  } else {
    json["task"] = nullptr;
  }
  json["state"] = domain::ToString(a.state);
  json["preset"] = a.preset.empty() ? Json(nullptr) : Json(a.preset);
  json["created_at"] = a.created_at.ToIso8601();
  json["activated_at"] = OptionalTime(a.activated_at);
  json["last_run_at"] = OptionalTime(a.last_run_at);
  return json;
}

Status ReadTrigger(const nlohmann::json& object, domain::Trigger* trigger) {
  FieldReader reader(object, "trigger.");
  trigger->kind = reader.Enumerated<domain::TriggerKind>("kind", domain::ParseTriggerKind, kTriggers,
                                                         Presence::kRequired)
                      .value_or(domain::TriggerKind::kFirstVisit);
  trigger->days = static_cast<int>(reader.Integer("days", 0, 365).value_or(0));
  if (const nlohmann::json* threshold = reader.Raw("threshold")) {
    if (!threshold->is_number()) return InvalidArgument("must be a number between 0 and 1", "trigger.threshold");
    trigger->threshold = threshold->get<double>();
  }
  trigger->tier = reader.String("tier").value_or("");
  return reader.status();
}

Status ReadTask(const nlohmann::json& object, domain::TaskSpec* task) {
  FieldReader reader(object, "task.");
  task->title = reader.String("title", Presence::kRequired).value_or("");
  task->kind = reader.Enumerated<domain::TaskKind>("kind", domain::ParseTaskKind, "call, counter, follow_up")
                   .value_or(domain::TaskKind::kCall);
  if (const nlohmann::json* assignee = reader.Raw("assignee")) {
    if (assignee->is_string() && *assignee == "author") {
      task->assignee = domain::TaskAssignee::kAuthor;
    } else if (assignee->is_string() && *assignee == "none") {
      task->assignee = domain::TaskAssignee::kNone;
    } else if (assignee->is_number_integer() && assignee->get<int64_t>() > 0) {
      task->assignee = domain::TaskAssignee::kStaff;
      task->staff_id = StaffId(assignee->get<int64_t>());
    } else {
      return InvalidArgument("expected \"author\", \"none\" or a staff id", "task.assignee");
    }
  }
  return reader.status();
}

Result<domain::Automation> ParseAutomation(const nlohmann::json& body) {
  FieldReader reader(body);
  domain::Automation a;
  a.name = reader.String("name", Presence::kRequired).value_or("");
  if (const nlohmann::json* trigger = reader.Object("trigger", Presence::kRequired)) {
    CRM_RETURN_IF_ERROR(ReadTrigger(*trigger, &a.trigger));
  }
  a.action = reader.Enumerated<domain::AutomationAction>("action", domain::ParseAutomationAction, "message, task")
                 .value_or(domain::AutomationAction::kMessage);
  a.send_hour = static_cast<int>(reader.Integer("send_hour", 0, 23).value_or(11));
  a.channel = reader.Enumerated<domain::Channel>("channel", ParseAutomationChannel, kChannels)
                  .value_or(domain::Channel::kSms);
  a.fallback_channel = reader.Enumerated<domain::Channel>("fallback_channel", ParseAutomationChannel, "sms");
  a.purpose = reader.Enumerated<domain::Purpose>("purpose", domain::ParsePurpose, "advertising, informational")
                  .value_or(domain::Purpose::kInformational);
  if (const nlohmann::json* message = reader.Object("template")) {
    FieldReader inner(*message, "template.");
    a.body = inner.String("body").value_or("");
    a.subject = inner.String("subject").value_or("");
    if (!inner.ok()) return inner.status();
  }
  if (auto id = reader.Id("coupon_template_id")) a.coupon_template_id = CouponTemplateId(*id);
  a.frequency_cap_days = static_cast<int>(reader.Integer("frequency_cap_days", 0, 365).value_or(30));
  a.control_share_permille = static_cast<int>(reader.Integer("control_share_permille", 0, 900).value_or(100));
  if (a.action == domain::AutomationAction::kTask) {
    if (const nlohmann::json* task = reader.Object("task", Presence::kRequired)) {
      CRM_RETURN_IF_ERROR(ReadTask(*task, &a.task));
    }
  }
  a.state = reader.Enumerated<domain::AutomationState>("state", domain::ParseAutomationState, "active, paused")
                .value_or(domain::AutomationState::kPaused);
  if (!reader.ok()) return reader.status();
  return a;
}

Result<Response> ListAutomations(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto automations, context.services.automations.List(context.principal()));
  Json items = Json::array();
  for (const domain::Automation& a : automations) items.push_back(AutomationJson(a));
  return Response::Of(Json{{"automations", std::move(items)}});
}

Result<Response> CreateAutomation(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Automation draft, ParseAutomation(context.body));
  CRM_ASSIGN_OR_RETURN(auto created, context.services.automations.Create(context.principal(), std::move(draft)));
  return Response::Of(AutomationJson(created), 201);
}

Result<Response> GetAutomation(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto automation,
                       context.services.automations.Get(context.principal(), context.PathId<AutomationId>("id")));
  return Response::Of(AutomationJson(automation));
}

Result<Response> UpdateAutomation(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::Automation draft, ParseAutomation(context.body));
  CRM_ASSIGN_OR_RETURN(auto updated, context.services.automations.Update(
                                         context.principal(), context.PathId<AutomationId>("id"), std::move(draft)));
  return Response::Of(AutomationJson(updated));
}

Result<Response> Activate(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto a, context.services.automations.SetState(
                                   context.principal(), context.PathId<AutomationId>("id"),
                                   domain::AutomationState::kActive));
  return Response::Of(AutomationJson(a));
}

Result<Response> Pause(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto a, context.services.automations.SetState(
                                   context.principal(), context.PathId<AutomationId>("id"),
                                   domain::AutomationState::kPaused));
  return Response::Of(AutomationJson(a));
}

Json LineJson(const app::DryRunLine& line, bool excluded) {
  Json json = {{"customer_id", line.customer_id.value()}, {"name", line.name}, {"occurrence", line.occurrence}};
  if (excluded) {
    json["reason"] = line.reason;
  } else {
    json["send_at"] = line.send_at.ToIso8601();
    json["channel"] = ChannelName(line.channel);
  }
  return json;
}

// For churn_risk: whether the churn probabilities come from a fitted model, and why not.
Json ChurnModelJson(const std::optional<app::ChurnModelState>& model) {
  if (!model) return nullptr;
  const char* status = model->status == app::ModelStatus::kReady     ? "ready"
                       : model->status == app::ModelStatus::kFitting ? "fitting"
                                                                     : "insufficient_data";
  Json json{{"status", status}, {"as_of", model->stamp ? Json(model->stamp->as_of.ToIso8601()) : Json(nullptr)}};
  if (!model->message.empty()) json["message"] = model->message;
  return json;
}

Result<Response> DryRunAutomation(RequestContext& context) {
  std::optional<Date> date;
  if (auto text = context.query.Get("date")) {
    auto parsed = Date::Parse(*text);
    if (!parsed.ok()) return InvalidArgument("date must be YYYY-MM-DD", "date");
    date = *parsed;
  }
  CRM_ASSIGN_OR_RETURN(app::DryRun run, context.services.automations.DryRunFor(
                                            context.principal(), context.PathId<AutomationId>("id"), date));
  Json would_send = Json::array();
  for (const auto& line : run.would_send) would_send.push_back(LineJson(line, false));
  Json excluded = Json::array();
  for (const auto& line : run.excluded) excluded.push_back(LineJson(line, true));
  Json counts_excluded = Json::object();
  for (const auto& [reason, count] : run.excluded_counts) counts_excluded[reason] = count;
  return Response::Of(Json{{"date", run.date.ToString()},
                           {"would_send", std::move(would_send)},
                           {"excluded", std::move(excluded)},
                           {"counts", {{"would_send", run.would_send_count}, {"excluded", std::move(counts_excluded)}}},
                           {"churn_model", ChurnModelJson(run.churn_model)}});
}

// A difference of the report, as AUTOMATION report names it: value with its 95 % interval; null
// when a group is empty.
Json ReportDifferenceJson(const domain::Difference& d) {
  if (!d.defined) return nullptr;
  return {{"value", d.difference}, {"low", d.low}, {"high", d.high}, {"treated", d.treated}, {"control", d.control}};
}

Json ReportGroupJson(const domain::OutcomeSample& g) {
  return {{"customers", g.customers}, {"buyers", g.buyers}, {"visits", g.visits}, {"revenue", g.revenue},
          {"redemptions", g.redemptions}};
}

Json FunnelJson(const app::VisitFunnel& f) {
  return {{"first", f.first}, {"second", f.second}, {"third", f.third}};
}

Result<Response> AutomationReport(RequestContext& context) {
  int window_days = 14;
  if (auto text = context.query.Get("window_days")) {
    try {
      size_t used = 0;
      window_days = std::stoi(*text, &used);
      if (used != text->size()) return InvalidArgument("window_days is a number of days", "window_days");
    } catch (const std::exception&) {
      return InvalidArgument("window_days is a number of days", "window_days");
    }
  }
  CRM_ASSIGN_OR_RETURN(app::AutomationReport report, context.services.automations.Report(
                                                         context.principal(), context.PathId<AutomationId>("id"),
                                                         window_days));
  Json body;
  body["automation_id"] = report.automation.id.value();
  body["window_days"] = report.window_days;
  body["sent"] = report.sent;
  body["treated"] = ReportGroupJson(report.treated);
  body["control"] = ReportGroupJson(report.control);
  body["difference"] = {{"buyers_share", ReportDifferenceJson(report.uplift.buyer_share)},
                        {"visits_per_customer", ReportDifferenceJson(report.uplift.visits_per_customer)},
                        {"revenue_per_customer", ReportDifferenceJson(report.uplift.revenue_per_customer)}};
  body["incremental_revenue"] = report.uplift.incremental_revenue;
  body["message_cost"] = report.message_cost;
  body["net"] = report.uplift.net;
  body["funnel"] = {{"before", FunnelJson(report.funnel_before)},
                    {"after", FunnelJson(report.funnel_after)},
                    {"switched_on_at", OptionalTime(report.automation.activated_at)}};
  body["churn_model"] = ChurnModelJson(report.churn_model);
  body["as_of"] = report.as_of.ToIso8601();
  return Response::Of(std::move(body));
}

Result<Response> ListPresets(RequestContext& context) {
  (void)context;
  Json presets = Json::array();
  for (const app::AutomationPreset& preset : app::AutomationService::Presets()) {
    Json automations = Json::array();
    for (const domain::Automation& a : preset.automations) {
      Json json = AutomationJson(a);
      for (const char* key : {"id", "state", "created_at", "activated_at", "last_run_at", "preset"}) json.erase(key);
      automations.push_back(std::move(json));
    }
    presets.push_back({{"key", preset.key}, {"name", preset.name}, {"automations", std::move(automations)}});
  }
  return Response::Of(Json{{"presets", std::move(presets)}});
}

Result<Response> ApplyPreset(RequestContext& context, const std::string& key) {
  CRM_ASSIGN_OR_RETURN(app::PresetApplied applied, context.services.automations.ApplyPreset(context.principal(), key));
  Json added = Json::array();
  for (const domain::Automation& a : applied.added) added.push_back(AutomationJson(a));
  Json present = Json::array();
  for (const domain::Automation& a : applied.already_present) present.push_back(AutomationJson(a));
  return Response::Of(Json{{"automations", std::move(added)}, {"already_present", std::move(present)}}, 201);
}

// ---------------------------------------------------------------------------------------------
// Tasks

Result<Response> ListTasks(RequestContext& context) {
  app::TaskQuery query;
  if (auto status = context.query.Get("status")) {
    query.status = domain::ParseTaskStatus(*status);
    if (!query.status) return InvalidArgument("expected one of open, done, skipped", "status");
  }
  if (auto assignee = context.query.Get("assignee")) {
    if (*assignee != "me" && *assignee != "all") return InvalidArgument("expected me or all", "assignee");
    query.all = *assignee == "all";
  }
  CRM_ASSIGN_OR_RETURN(auto customer, ReadIdParam(context.query, "customer_id"));
  if (customer) query.customer_id = CustomerId(*customer);
  CRM_ASSIGN_OR_RETURN(auto tasks, context.services.tasks.List(context.principal(), query));
  Json items = Json::array();
  for (const app::TaskView& view : tasks) items.push_back(TaskJson(view));
  return Response::Of(Json{{"tasks", std::move(items)}});
}

Result<Response> CreateTask(RequestContext& context) {
  FieldReader reader(context.body);
  const auto customer = reader.Id("customer_id", Presence::kRequired);
  auto title = reader.String("title", Presence::kRequired);
  auto due = reader.String("due_date", Presence::kRequired);
  const auto assignee = reader.Id("assignee_staff_id");
  if (!reader.ok()) return reader.status();
  auto due_date = Date::Parse(*due);
  if (!due_date.ok()) return InvalidArgument("due_date must be YYYY-MM-DD", "due_date");
  CRM_ASSIGN_OR_RETURN(auto task, context.services.tasks.Create(
                                      context.principal(), CustomerId(*customer), std::move(*title), *due_date,
                                      assignee ? std::optional<StaffId>(StaffId(*assignee)) : std::nullopt));
  return Response::Of(TaskJson(task), 201);
}

Result<Response> CloseTask(RequestContext& context, domain::TaskStatus status) {
  std::string note;
  if (context.body.is_object()) {
    FieldReader reader(context.body);
    note = reader.String("note").value_or("");
    if (!reader.ok()) return reader.status();
  }
  CRM_ASSIGN_OR_RETURN(auto task, context.services.tasks.Close(context.principal(), context.PathId<TaskId>("id"),
                                                               status, note));
  return Response::Of(TaskJson(task));
}

}  // namespace

Json TaskJson(const app::TaskView& view) {
  const domain::StaffTask& t = view.task;
  return {{"id", t.id.value()},
          {"customer_id", t.customer_id ? Json(t.customer_id->value()) : Json(nullptr)},
          {"customer_name", view.customer_name},
          {"prospect_id", t.prospect_id ? Json(t.prospect_id->value()) : Json(nullptr)},
          {"title", t.title},
          {"kind", domain::ToString(t.kind)},
          {"due_date", t.due_date.ToString()},
          {"assignee_staff_id", t.assignee_staff_id ? Json(t.assignee_staff_id->value()) : Json(nullptr)},
          {"source", domain::ToString(t.source)},
          {"source_id", t.source_id ? Json(*t.source_id) : Json(nullptr)},
          {"status", domain::ToString(t.status)},
          {"note", t.note},
          {"created_at", t.created_at.ToIso8601()},
          {"closed_at", OptionalTime(t.closed_at)},
          {"closed_by", t.closed_by ? Json(t.closed_by->value()) : Json(nullptr)}};
}

std::vector<Route> AutomationRoutes() {
  const std::string base = "/api/v1/automations";
  std::vector<Route> routes = {
      {{.method = Method::kGet, .pattern = base, .summary = "The business's automations", .tag = kTag,
        .response_schema = "AutomationList"},
       ListAutomations},
      {{.method = Method::kPost, .pattern = base,
        .summary = "Create an automation (paused unless state is active); 400 names the field or the rule",
        .tag = kTag, .request_schema = "AutomationInput", .response_schema = "Automation", .success_status = 201},
       CreateAutomation},
      {{.method = Method::kGet, .pattern = base + "/presets",
        .summary = "The presets (café, restaurant, salon) with their automations", .tag = kTag,
        .response_schema = "AutomationPresets"},
       ListPresets},
      {{.method = Method::kGet, .pattern = base + "/{id}", .summary = "One automation", .tag = kTag,
        .response_schema = "Automation"},
       GetAutomation},
      {{.method = Method::kPut, .pattern = base + "/{id}", .summary = "Replace an automation's definition",
        .tag = kTag, .request_schema = "AutomationInput", .response_schema = "Automation"},
       UpdateAutomation},
      {{.method = Method::kPost, .pattern = base + "/{id}/activate", .summary = "Switch an automation on",
        .tag = kTag, .response_schema = "Automation"},
       Activate},
      {{.method = Method::kPost, .pattern = base + "/{id}/pause", .summary = "Switch an automation off", .tag = kTag,
        .response_schema = "Automation"},
       Pause},
      {{.method = Method::kGet, .pattern = base + "/{id}/dry-run",
        .summary = "Who would receive it on a date (?date=YYYY-MM-DD, default today) and why the others due would "
                   "not",
        .tag = kTag, .response_schema = "AutomationDryRun"},
       DryRunAutomation},
      {{.method = Method::kGet, .pattern = base + "/{id}/report",
        .summary = "Treated against control in the window after each occurrence, the message cost and the first-visit "
                   "funnel before and after it was switched on",
        .tag = kTag,
        .query = {{.name = "window_days", .description = "1..90, default 14", .type = "integer"}},
        .response_schema = "AutomationReport"},
       AutomationReport},
      {{.method = Method::kGet, .pattern = "/api/v1/tasks",
        .summary = "Staff tasks (?status=open|done|skipped, ?assignee=me|all, ?customer_id=)", .tag = kTaskTag,
        .response_schema = "TaskList"},
       ListTasks},
      {{.method = Method::kPost, .pattern = "/api/v1/tasks", .summary = "Create a task for a customer",
        .tag = kTaskTag, .request_schema = "TaskInput", .response_schema = "Task", .success_status = 201},
       CreateTask},
      {{.method = Method::kPost, .pattern = "/api/v1/tasks/{id}/done", .summary = "Close a task as done",
        .tag = kTaskTag, .response_schema = "Task"},
       [](RequestContext& context) { return CloseTask(context, domain::TaskStatus::kDone); }},
      {{.method = Method::kPost, .pattern = "/api/v1/tasks/{id}/skip",
        .summary = "Close a task as skipped, with an optional note", .tag = kTaskTag, .response_schema = "Task"},
       [](RequestContext& context) { return CloseTask(context, domain::TaskStatus::kSkipped); }},
  };
  // The router's path parameters are ids: one route per preset key.
  for (const app::AutomationPreset& preset : app::AutomationService::Presets()) {
    const std::string key = preset.key;
    routes.push_back({{.method = Method::kPost, .pattern = base + "/presets/" + key,
                       .summary = "Switch the " + key +
                                  " preset's automations on, skipping those the business has already "
                                  "(listed in already_present); 409 preset_already_applied when all are there",
                       .tag = kTag, .response_schema = "PresetApplied", .success_status = 201},
                      [key](RequestContext& context) { return ApplyPreset(context, key); }});
  }
  return routes;
}

}  // namespace crm::http
