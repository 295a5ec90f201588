// Handlers for analytics: the business's RFM segments, Pareto curve, cohorts, funnel, overdue
// customers, branch and staff figures, lifetime value, "bought together" rules, and one
// customer's figures for the profile. Every answer carries "as_of", "orders" (how many orders
// and refunds it covers) and the parameters it used. Owners and managers only.
#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "http/json_mapping.h"
#include "http/json_reader.h"
#include "http/route.h"

namespace crm::http {

namespace {

constexpr char kTag[] = "analytics";

// "Cannot Lose Them" -> "cannot_lose_them": the key the API and the UI use.
std::string SegmentKey(analytics::RfmSegment segment) {
  std::string key(analytics::RfmSegmentName(segment));
  for (char& c : key) c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

Result<std::optional<analytics::RfmSegment>> ReadSegment(const QueryParams& query) {
  std::optional<std::string> text = query.Get("segment");
  if (!text || text->empty()) return std::optional<analytics::RfmSegment>();
  for (int s = static_cast<int>(analytics::RfmSegment::kChampions); s <= static_cast<int>(analytics::RfmSegment::kLost);
       ++s) {
    if (SegmentKey(static_cast<analytics::RfmSegment>(s)) == *text) {
      return std::optional<analytics::RfmSegment>(static_cast<analytics::RfmSegment>(s));
    }
  }
  return InvalidArgument("unknown segment (champions, loyal_customers, ..., lost)", "segment");
}

Result<int> ReadInt(const QueryParams& query, std::string_view name, int fallback, int max) {
  std::optional<std::string> text = query.Get(name);
  if (!text || text->empty()) return fallback;
  std::optional<int64_t> number = ParsePositiveId(*text);
  if (!number || *number > max) {
    return InvalidArgument("expected an integer from 1 to " + std::to_string(max), std::string(name));
  }
  return static_cast<int>(*number);
}

Result<double> ReadNumber(const QueryParams& query, std::string_view name, double fallback) {
  std::optional<std::string> text = query.Get(name);
  if (!text || text->empty()) return fallback;
  double value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || ptr != end || !std::isfinite(value)) {
    return InvalidArgument("expected a number", std::string(name));
  }
  return value;
}

Json Stamped(const app::AnalyticsStamp& stamp, Json parameters) {
  Json json;
  json["as_of"] = stamp.as_of.ToIso8601();
  json["orders"] = stamp.orders;
  json["parameters"] = std::move(parameters);
  return json;
}

Json SegmentsJson(const std::vector<app::SegmentFigures>& segments) {
  Json items = Json::array();
  for (const app::SegmentFigures& s : segments) {
    items.push_back({{"segment", SegmentKey(s.segment)}, {"customers", s.customers}, {"revenue", s.revenue_minor}});
  }
  return items;
}

Json RfmRowJson(const app::RfmRow& row) {
  return {{"customer_id", row.customer_id},
          {"name", row.name},
          {"recency_days", row.recency_days},
          {"frequency", row.frequency},
          {"monetary", row.monetary_minor},
          {"r", row.r},
          {"f", row.f},
          {"m", row.m},
          {"segment", SegmentKey(row.segment)}};
}

Json FunnelJson(const analytics::PurchaseFunnel& funnel) {
  return {{"first", funnel.first},
          {"second", funnel.second},
          {"third_plus", funnel.third_plus},
          {"first_to_second", funnel.first_to_second},
          {"second_to_third", funnel.second_to_third}};
}

Json RevisitJson(const analytics::RevisitSummary& revisit) {
  return {{"customers", revisit.customers}, {"returning", revisit.returning}, {"rate", revisit.rate}};
}

const char* ModelStatusName(app::ModelStatus status) {
  switch (status) {
    case app::ModelStatus::kReady:
      return "ready";
    case app::ModelStatus::kFitting:
      return "fitting";
    case app::ModelStatus::kInsufficientData:
      return "insufficient_data";
  }
  return "fitting";
}

Json Optional(const std::optional<double>& value) { return value ? Json(*value) : Json(nullptr); }

Result<Response> GetSummary(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::SummaryReport report, context.services.analytics.Summary(context.principal()));
  Json json = Stamped(report.stamp, {{"top_fraction", 0.2}, {"overdue_multiple", 2.0}});
  json["customers"] = report.customers;
  json["sales"] = report.sales;
  json["revenue"] = report.revenue_minor;
  json["revisit"] = RevisitJson(report.revisit);
  json["funnel"] = FunnelJson(report.funnel);
  json["top20_share"] = report.top20_share;
  json["overdue"] = report.overdue;
  json["segments"] = SegmentsJson(report.segments);
  return Response::Of(std::move(json));
}

Result<Response> GetRfm(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto segment, ReadSegment(context.query));
  CRM_ASSIGN_OR_RETURN(int limit, ReadInt(context.query, "limit", 50, 1000));
  CRM_ASSIGN_OR_RETURN(app::RfmReport report, context.services.analytics.Rfm(context.principal(), segment, limit));
  Json json =
      Stamped(report.stamp,
              {{"segment", segment ? Json(SegmentKey(*segment)) : Json(nullptr)}, {"limit", limit}, {"tiles", 5}});
  json["segments"] = SegmentsJson(report.segments);
  json["matching"] = report.matching;
  Json items = Json::array();
  for (const app::RfmRow& row : report.customers) items.push_back(RfmRowJson(row));
  json["customers"] = std::move(items);
  return Response::Of(std::move(json));
}

Result<Response> GetPareto(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(double top, ReadNumber(context.query, "top", 0.2));
  CRM_ASSIGN_OR_RETURN(int points, ReadInt(context.query, "points", 100, 1000));
  CRM_ASSIGN_OR_RETURN(app::ParetoReport report, context.services.analytics.Pareto(context.principal(), top, points));
  Json json = Stamped(report.stamp, {{"top", top}, {"points", points}});
  json["customers"] = report.pareto.customers;
  json["top_customers"] = report.pareto.top_customers;
  json["top_revenue"] = report.pareto.top_revenue_minor;
  json["total_revenue"] = report.pareto.total_revenue_minor;
  json["top_share"] = report.pareto.top_share;
  json["curve"] = report.pareto.curve;
  return Response::Of(std::move(json));
}

Result<Response> GetCohorts(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::CohortReport report, context.services.analytics.Cohorts(context.principal()));
  Json json = Stamped(report.stamp, {{"period", "month"}});
  Json cohorts = Json::array();
  for (size_t c = 0; c < report.cohorts.active.size(); ++c) {
    cohorts.push_back({{"cohort", report.cohorts.CohortLabel(c)},
                       {"customers", report.cohorts.active[c].empty() ? 0 : report.cohorts.active[c][0]},
                       {"active", report.cohorts.active[c]}});
  }
  json["cohorts"] = std::move(cohorts);
  return Response::Of(std::move(json));
}

Result<Response> GetFunnel(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::FunnelReport report, context.services.analytics.Funnel(context.principal()));
  Json json = Stamped(report.stamp, Json::object());
  json["funnel"] = FunnelJson(report.funnel);
  json["revisit"] = RevisitJson(report.revisit);
  return Response::Of(std::move(json));
}

Result<Response> GetOverdue(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(double multiple, ReadNumber(context.query, "multiple", 2.0));
  CRM_ASSIGN_OR_RETURN(int limit, ReadInt(context.query, "limit", 50, 1000));
  CRM_ASSIGN_OR_RETURN(app::OverdueReport report,
                       context.services.analytics.Overdue(context.principal(), multiple, limit));
  Json json = Stamped(report.stamp, {{"multiple", multiple}, {"limit", limit}});
  json["overdue"] = report.overdue;
  Json items = Json::array();
  for (const app::OverdueRow& row : report.customers) {
    items.push_back({{"customer_id", row.rhythm.customer_id},
                     {"name", row.name},
                     {"visit_days", row.rhythm.visit_days},
                     {"median_gap_days", row.rhythm.median_gap_days},
                     {"days_since_last", row.rhythm.days_since_last},
                     {"monetary", row.monetary_minor}});
  }
  json["customers"] = std::move(items);
  return Response::Of(std::move(json));
}

Json UnitsJson(const app::UnitReport& report, bool staff) {
  Json items = Json::array();
  for (const app::UnitReportRow& row : report.rows) {
    Json item = {{"id", row.figures.id},
                 {"name", row.name},
                 {"sales", row.figures.sales},
                 {"refunds", row.figures.refunds},
                 {"revenue", row.figures.revenue_minor},
                 {"customers", row.figures.customers},
                 {"new_customers", row.figures.new_customers},
                 {"returning_customers", row.figures.returning_customers}};
    if (staff) {
      item["daily_prospect_goal"] = row.daily_prospect_goal;
      item["prospects_today"] = row.prospects_today;
    }
    items.push_back(std::move(item));
  }
  return items;
}

Result<Response> GetBranches(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::UnitReport report, context.services.analytics.Branches(context.principal()));
  Json json = Stamped(report.stamp, Json::object());
  json["items"] = UnitsJson(report, false);
  return Response::Of(std::move(json));
}

Result<Response> GetStaff(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(app::UnitReport report, context.services.analytics.Staff(context.principal()));
  Json json = Stamped(report.stamp, Json::object());
  json["items"] = UnitsJson(report, true);
  return Response::Of(std::move(json));
}

const char* FitStateName(app::FitState state) {
  switch (state) {
    case app::FitState::kFitting:
      return "fitting";
    case app::FitState::kConverged:
      return "converged";
    case app::FitState::kNotConverged:
      return "not_converged";
    case app::FitState::kSkipped:
      return "skipped";
  }
  return "fitting";
}

Json OutcomeJson(const app::FitOutcome& outcome) {
  Json json = {{"state", FitStateName(outcome.state)}, {"seconds", outcome.seconds}};
  json["reason"] = outcome.reason.empty() ? Json(nullptr) : Json(outcome.reason);
  return json;
}

Result<Response> GetClv(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(int limit, ReadInt(context.query, "limit", 50, 1000));
  CRM_ASSIGN_OR_RETURN(app::ClvReport report, context.services.analytics.Clv(context.principal(), limit));
  Json json = Stamped(report.stamp, {{"horizon_months", 12},
                                     {"monthly_discount_rate", 0.01},
                                     {"days_per_month", 30},
                                     {"period_days", 7},
                                     {"limit", limit}});
  json["status"] = ModelStatusName(report.status);
  json["message"] = report.message;
  if (!report.fit) {
    json["model"] = nullptr;
    json["fits"] = nullptr;
    json["model_check"] = nullptr;
    json["model_check_reason"] = report.message;
    return Response::Of(std::move(json));
  }
  const app::ModelFit& fit = *report.fit;
  json["fits"] = {{"bgnbd", OutcomeJson(fit.purchases_outcome)},
                  {"gamma_gamma", OutcomeJson(fit.spend_outcome)},
                  {"model_check", OutcomeJson(fit.check_outcome)},
                  {"pareto_nbd", OutcomeJson(fit.pareto_nbd_outcome)}};
  const analytics::BgNbdParameters& p = fit.purchases.parameters;
  Json model;
  model["as_of"] = fit.stamp.as_of.ToIso8601();
  model["orders"] = fit.stamp.orders;
  model["customers"] = fit.customer_id.size();
  model["bgnbd"] = {{"r", p.r},
                    {"alpha", p.alpha},
                    {"a", p.a},
                    {"b", p.b},
                    {"log_likelihood", fit.purchases.log_likelihood},
                    {"converged", fit.purchases.converged}};
  if (fit.spend) {
    model["gamma_gamma"] = {{"p", fit.spend->parameters.p},
                            {"q", fit.spend->parameters.q},
                            {"gamma", fit.spend->parameters.gamma},
                            {"log_likelihood", fit.spend->log_likelihood},
                            {"customers", fit.spend->customers}};
  } else {
    model["gamma_gamma"] = nullptr;
  }
  if (fit.pareto_nbd) {
    const analytics::ParetoNbdParameters& q = fit.pareto_nbd->parameters;
    model["pareto_nbd"] = {{"r", q.r},
                           {"alpha", q.alpha},
                           {"s", q.s},
                           {"beta", q.beta},
                           {"log_likelihood", fit.pareto_nbd->log_likelihood},
                           {"converged", fit.pareto_nbd->converged},
                           {"expected_visits_90d", fit.pareto_nbd_expected_visits_90d}};
    model["pareto_nbd_reason"] = nullptr;
  } else {
    model["pareto_nbd"] = nullptr;
    model["pareto_nbd_reason"] = fit.pareto_nbd_outcome.state == app::FitState::kFitting
                                     ? std::string("being fitted")
                                     : fit.pareto_nbd_outcome.reason;
  }
  double expected_visits = 0, expected_value = 0, clv = 0;
  for (size_t i = 0; i < fit.customer_id.size(); ++i) {
    expected_visits += fit.expected_visits_90d[i];
    expected_value += fit.expected_value_90d[i];
    clv += fit.clv_12m[i];
  }
  model["expected_visits_90d"] = expected_visits;
  model["expected_value_90d"] = expected_value;
  model["clv_12m"] = clv;
  json["model"] = std::move(model);
  if (fit.check) {
    const analytics::HoldoutReport& check = *fit.check;
    Json cumulative = Json::array();
    for (size_t k = 0; k < check.cumulative_actual.size(); ++k) {
      cumulative.push_back({{"week", k + 1},
                            {"actual", check.cumulative_actual[k]},
                            {"predicted", check.cumulative_predicted[k]}});
    }
    json["model_check"] = {
        {"calibration_end", CivilFromDays(fit.check_calibration_end_day).ToString()},
        {"first_day", CivilFromDays(fit.check_first_day).ToString()},
        {"calibration_weeks", static_cast<double>(fit.check_calibration_end_day - fit.check_first_day + 1) / 7.0},
        {"holdout_weeks", check.holdout_length},
        {"customers", check.customers},
        {"actual_total", check.actual_total},
        {"predicted_total", check.predicted_total},
        {"correlation", check.correlation},
        {"zero_class", {{"actual", check.actual_zero}, {"predicted", check.predicted_zero}}},
        {"cumulative", std::move(cumulative)}};
    json["model_check_reason"] = nullptr;
  } else {
    json["model_check"] = nullptr;
    json["model_check_reason"] = fit.check_reason;
  }
  Json histogram = Json::array();
  for (size_t k = 0; k < report.histogram_counts.size(); ++k) {
    histogram.push_back({{"from", report.histogram_edges[k]},
                         {"to", report.histogram_edges[k + 1]},
                         {"customers", report.histogram_counts[k]}});
  }
  json["histogram"] = std::move(histogram);
  Json top = Json::array();
  for (size_t k = 0; k < report.top_rows.size(); ++k) {
    const size_t i = report.top_rows[k];
    top.push_back({{"customer_id", report.top_customers[k].first},
                   {"name", report.top_customers[k].second},
                   {"probability_alive", fit.probability_alive[i]},
                   {"expected_visits_90d", fit.expected_visits_90d[i]},
                   {"expected_value_90d", fit.expected_value_90d[i]},
                   {"clv_12m", fit.clv_12m[i]}});
  }
  json["customers"] = std::move(top);
  return Response::Of(std::move(json));
}

Result<Response> GetRules(RequestContext& context) {
  analytics::RuleParameters parameters;
  CRM_ASSIGN_OR_RETURN(parameters.min_support, ReadNumber(context.query, "min_support", 0.01));
  CRM_ASSIGN_OR_RETURN(parameters.min_confidence, ReadNumber(context.query, "min_confidence", 0.5));
  CRM_ASSIGN_OR_RETURN(parameters.min_length, ReadInt(context.query, "min_length", 2, 10));
  CRM_ASSIGN_OR_RETURN(int limit, ReadInt(context.query, "limit", 100, 1000));
  CRM_ASSIGN_OR_RETURN(app::RulesReport report,
                       context.services.analytics.Rules(context.principal(), parameters, limit));
  Json json = Stamped(report.stamp, {{"min_support", parameters.min_support},
                                     {"min_confidence", parameters.min_confidence},
                                     {"min_length", parameters.min_length},
                                     {"max_length", parameters.max_length},
                                     {"limit", limit}});
  json["transactions"] = report.transactions;
  json["total_rules"] = report.total_rules;
  Json items = Json::array();
  const analytics::RuleTable& rules = report.rules;
  for (size_t k = 0; k < rules.size(); ++k) {
    Json lhs = Json::array();
    for (uint32_t i = rules.lhs_begin[k]; i < rules.lhs_begin[k + 1]; ++i) {
      lhs.push_back(report.item_labels[rules.lhs_items[i]]);
    }
    items.push_back({{"lhs", std::move(lhs)},
                     {"rhs", report.item_labels[rules.rhs[k]]},
                     {"support", rules.support[k]},
                     {"confidence", rules.confidence[k]},
                     {"lift", rules.lift[k]},
                     {"count", rules.count[k]}});
  }
  json["rules"] = std::move(items);
  return Response::Of(std::move(json));
}

Result<Response> GetSuggestions(RequestContext& context) {
  const CustomerId customer = context.PathId<CustomerId>("id");
  CRM_ASSIGN_OR_RETURN(app::SuggestionsReport report,
                       context.services.analytics.Suggestions(context.principal(), customer));
  Json items = Json::array();
  for (const app::Suggestion& s : report.items) {
    items.push_back({{"product", s.product},
                     {"because", s.because},
                     {"confidence", s.confidence},
                     {"lift", s.lift},
                     {"support_count", s.support_count}});
  }
  // The fixed thresholds of AnalyticsService::Suggestions.
  Json json = Stamped(report.stamp, {{"min_support_count", 3},
                                     {"min_support", 0.005},
                                     {"min_confidence", 0.3},
                                     {"min_lift", 1.0},
                                     {"max_because", 2},
                                     {"recent_orders", 50},
                                     {"limit", 3}});
  json["items"] = std::move(items);
  return Response::Of(std::move(json));
}

Result<Response> GetCustomerAnalytics(RequestContext& context) {
  const CustomerId customer = context.PathId<CustomerId>("id");
  CRM_ASSIGN_OR_RETURN(app::CustomerAnalytics result,
                       context.services.analytics.ForCustomer(context.principal(), customer));
  Json json = Stamped(result.stamp, {{"overdue_multiple", 2.0}, {"horizon_days", 90}, {"tiles", 5}});
  json["customer_id"] = customer.value();
  json["rfm"] = result.rfm ? RfmRowJson(*result.rfm) : Json(nullptr);
  if (result.rfm) json["rfm"].erase("name");
  json["segment"] = result.rfm ? Json(SegmentKey(result.rfm->segment)) : Json(nullptr);
  if (result.rhythm) {
    json["rhythm"] = {{"visit_days", result.rhythm->visit_days},
                      {"median_gap_days", result.rhythm->median_gap_days},
                      {"days_since_last", result.rhythm->days_since_last},
                      {"overdue", result.rhythm->overdue}};
  } else {
    json["rhythm"] = nullptr;
  }
  json["model_status"] = ModelStatusName(result.model_status);
  json["model_as_of"] = result.model_stamp ? Json(result.model_stamp->as_of.ToIso8601()) : Json(nullptr);
  json["probability_alive"] = Optional(result.probability_alive);
  json["churn_risk"] = result.probability_alive ? Json(1.0 - *result.probability_alive) : Json(nullptr);
  json["expected_visits_90d"] = Optional(result.expected_visits_90d);
  json["expected_value_90d"] = Optional(result.expected_value_90d);
  json["clv_12m"] = Optional(result.clv_12m);
  return Response::Of(std::move(json));
}

// ---- Saved segments ----

std::optional<analytics::RfmSegment> ParseSegmentKey(std::string_view text) {
  for (int s = static_cast<int>(analytics::RfmSegment::kChampions); s <= static_cast<int>(analytics::RfmSegment::kLost);
       ++s) {
    if (SegmentKey(static_cast<analytics::RfmSegment>(s)) == text) return static_cast<analytics::RfmSegment>(s);
  }
  return std::nullopt;
}

// {"name": ..., "filter": {...}}; every filter field optional.
Result<domain::SavedSegment> ParseSegment(const nlohmann::json& body) {
  FieldReader reader(body);
  domain::SavedSegment segment;
  segment.name = reader.String("name", Presence::kRequired).value_or("");
  if (!reader.ok()) return reader.status();
  const nlohmann::json* filter_json = reader.Object("filter");
  if (!reader.ok()) return reader.status();
  if (filter_json == nullptr) return segment;
  FieldReader f(*filter_json, "filter.");
  domain::SegmentFilter& filter = segment.filter;
  if (auto rfm = f.Enumerated<analytics::RfmSegment>("rfm_segment", ParseSegmentKey,
                                                     "champions, loyal_customers, ..., lost")) {
    filter.rfm_segment = static_cast<int>(*rfm);
  }
  filter.stage = f.Enumerated<domain::LifecycleStage>("stage", domain::ParseLifecycleStage,
                                                      "prospect, new, regular, loyal, lapsed");
  filter.tag = f.String("tag").value_or("");
  filter.consent =
      f.Enumerated<domain::ConsentChannel>("consent", domain::ParseConsentChannel, "sms, kakao, email, night");
  if (auto tier = f.Integer("min_tier_index", 0, 100)) filter.min_tier_index = static_cast<int>(*tier);
  constexpr int64_t kMax = 1'000'000'000'000;
  filter.min_visits = f.Integer("min_visits", 0, kMax);
  filter.min_spend = f.Integer("min_spend", 0, kMax);
  filter.visited_within_days = f.Integer("visited_within_days", 0, kMax);
  filter.not_visited_for_days = f.Integer("not_visited_for_days", 0, kMax);
  filter.overdue_only = f.Bool("overdue_only").value_or(false);
  if (!f.ok()) return f.status();
  return segment;
}

Json SegmentJson(const domain::SavedSegment& segment) {
  const domain::SegmentFilter& f = segment.filter;
  auto optional = [](const auto& value) { return value ? Json(*value) : Json(nullptr); };
  Json filter;
  filter["rfm_segment"] =
      f.rfm_segment ? Json(SegmentKey(static_cast<analytics::RfmSegment>(*f.rfm_segment))) : Json(nullptr);
  filter["stage"] = f.stage ? Json(domain::ToString(*f.stage)) : Json(nullptr);
  filter["tag"] = f.tag.empty() ? Json(nullptr) : Json(f.tag);
  filter["consent"] = f.consent ? Json(domain::ToString(*f.consent)) : Json(nullptr);
  filter["min_tier_index"] = optional(f.min_tier_index);
  filter["min_visits"] = optional(f.min_visits);
  filter["min_spend"] = optional(f.min_spend);
  filter["visited_within_days"] = optional(f.visited_within_days);
  filter["not_visited_for_days"] = optional(f.not_visited_for_days);
  filter["overdue_only"] = f.overdue_only;
  return {{"id", segment.id.value()},
          {"name", segment.name},
          {"filter", std::move(filter)},
          {"created_at", segment.created_at.ToIso8601()},
          {"updated_at", segment.updated_at.ToIso8601()}};
}

Result<Response> CreateSegment(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::SavedSegment segment, ParseSegment(context.body));
  CRM_ASSIGN_OR_RETURN(segment, context.services.segments.Create(context.principal(), std::move(segment)));
  return Response::Of(SegmentJson(segment), 201);
}

Result<Response> ListSegments(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(auto segments, context.services.segments.List(context.principal()));
  Json items = Json::array();
  for (const domain::SavedSegment& segment : segments) items.push_back(SegmentJson(segment));
  return Response::Of(Json{{"items", std::move(items)}});
}

Result<Response> GetSegment(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::SavedSegment segment,
                       context.services.segments.Get(context.principal(), context.PathId<SegmentId>("id")));
  return Response::Of(SegmentJson(segment));
}

Result<Response> UpdateSegment(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(domain::SavedSegment changed, ParseSegment(context.body));
  CRM_ASSIGN_OR_RETURN(domain::SavedSegment segment,
                       context.services.segments.Update(context.principal(), context.PathId<SegmentId>("id"),
                                                        std::move(changed.name), std::move(changed.filter)));
  return Response::Of(SegmentJson(segment));
}

Result<Response> DeleteSegment(RequestContext& context) {
  CRM_RETURN_IF_ERROR(context.services.segments.Delete(context.principal(), context.PathId<SegmentId>("id")));
  return Response::NoContent();
}

Result<Response> SegmentCustomers(RequestContext& context) {
  CRM_ASSIGN_OR_RETURN(PageRequest page, ReadPage(context.query, 100, 500));
  CRM_ASSIGN_OR_RETURN(app::PersonalData personal_data, ReadUnmask(context));
  std::optional<CustomerId> after;
  if (page.cursor) after = CustomerId(*page.cursor);
  CRM_ASSIGN_OR_RETURN(
      app::SegmentMembers members,
      context.services.segments.Members(context.principal(), context.PathId<SegmentId>("id"), after, page.limit));
  Json items = Json::array();
  for (const app::SegmentMember& member : members.members) {
    Json item = CustomerToJson(member.customer, member.stage, CustomerView::kSummary);
    if (personal_data == app::PersonalData::kMasked) MaskPersonalData(item);
    item["rfm_segment"] =
        member.rfm_segment ? Json(SegmentKey(static_cast<analytics::RfmSegment>(*member.rfm_segment))) : Json(nullptr);
    item["overdue"] = member.overdue;
    items.push_back(std::move(item));
  }
  CRM_RETURN_IF_ERROR(context.services.customers.RecordListRead(
      context.principal(), fmt::format("segment {}", context.PathId<SegmentId>("id").value()), members.members.size(),
      personal_data));
  std::optional<int64_t> next;
  if (members.next_cursor) next = members.next_cursor->value();
  Json json = PageJson(std::move(items), next);
  json["as_of"] = members.stamp.as_of.ToIso8601();
  json["orders"] = members.stamp.orders;
  return Response::Of(std::move(json));
}

RouteInfo Info(const char* pattern, const char* summary, std::vector<QueryParamInfo> query = {},
               const char* schema = "AnalyticsResult") {
  return {.method = Method::kGet,
          .pattern = pattern,
          .summary = summary,
          .tag = kTag,
          .query = std::move(query),
          .response_schema = schema};
}

}  // namespace

std::vector<Route> AnalyticsRoutes() {
  const QueryParamInfo limit{.name = "limit", .description = "rows listed, 1-1000", .type = "integer"};
  return {
      {Info("/api/v1/analytics/summary", "Customers, revenue, revisit rate, funnel, top-20 % share, segments"),
       GetSummary},
      {Info("/api/v1/analytics/rfm", "RFM segment sizes and revenue, and the best customers of a segment",
            {{.name = "segment", .description = "champions, loyal_customers, ..., at_risk, cannot_lose_them, lost"},
             limit}),
       GetRfm},
      {Info("/api/v1/analytics/pareto", "Share of revenue of the best customers, and the whole curve",
            {{.name = "top", .description = "fraction of customers, (0, 1], default 0.2"},
             {.name = "points", .description = "curve steps, 1-1000 (default 100)", .type = "integer"}}),
       GetPareto},
      {Info("/api/v1/analytics/cohorts", "Monthly retention cohorts by month of first visit"), GetCohorts},
      {Info("/api/v1/analytics/funnel", "Customers with 1, 2 and 3+ purchases, and the revisit rate"), GetFunnel},
      {Info("/api/v1/analytics/overdue", "Customers whose time since the last visit exceeds a multiple of their rhythm",
            {{.name = "multiple", .description = "of the median gap, default 2"}, limit}),
       GetOverdue},
      {Info("/api/v1/analytics/branches", "Sales, revenue and customers per branch"), GetBranches},
      {Info("/api/v1/analytics/staff", "Sales, revenue, customers and prospect goals per staff member"), GetStaff},
      {Info("/api/v1/analytics/clv",
            "BG/NBD + Gamma-Gamma lifetime value: parameters, distribution, top customers, a holdout check of the "
            "model, Pareto/NBD beside it, and how each model's fit ended",
            {limit}, "ClvResult"),
       GetClv},
      {Info("/api/v1/analytics/rules", "Products bought together (arules' support, confidence, lift)",
            {{.name = "min_support", .description = "(0, 1], default 0.01"},
             {.name = "min_confidence", .description = "(0, 1], default 0.5"},
             {.name = "min_length", .description = "items in lhs + rhs, default 2", .type = "integer"},
             limit}),
       GetRules},
      {Info("/api/v1/customers/{id}/analytics",
            "A customer's segment, RFM scores, churn risk, expected visits and value over 90 days, rhythm"),
       GetCustomerAnalytics},
      {Info("/api/v1/customers/{id}/suggestions",
            "For the counter (staff too): up to 3 products often added by customers who order what this one "
            "usually orders"),
       GetSuggestions},
      {{.method = Method::kGet,
        .pattern = "/api/v1/segments",
        .summary = "Saved segments (named customer filters)",
        .tag = kTag,
        .response_schema = "SegmentList"},
       ListSegments},
      {{.method = Method::kPost,
        .pattern = "/api/v1/segments",
        .summary = "Save a segment: a name and a filter over profile, stage, consent, tier, RFM segment, rhythm",
        .tag = kTag,
        .request_schema = "SegmentInput",
        .response_schema = "Segment",
        .success_status = 201},
       CreateSegment},
      {{.method = Method::kGet,
        .pattern = "/api/v1/segments/{id}",
        .summary = "One saved segment",
        .tag = kTag,
        .response_schema = "Segment"},
       GetSegment},
      {{.method = Method::kPatch,
        .pattern = "/api/v1/segments/{id}",
        .summary = "Replace a segment's name and filter",
        .tag = kTag,
        .request_schema = "SegmentInput",
        .response_schema = "Segment"},
       UpdateSegment},
      {{.method = Method::kDelete,
        .pattern = "/api/v1/segments/{id}",
        .summary = "Delete a saved segment",
        .tag = kTag,
        .success_status = 204},
       DeleteSegment},
      {{.method = Method::kGet,
        .pattern = "/api/v1/segments/{id}/customers",
        .summary = "The customers a segment selects now, ascending id",
        .tag = kTag,
        .query = {{.name = "cursor", .description = "next_cursor of the previous page"},
                  {.name = "limit", .description = "items per page, 1-500 (default 100)", .type = "integer"},
                  kUnmaskParam},
        .response_schema = "SegmentCustomerPage"},
       SegmentCustomers},
  };
}

}  // namespace crm::http
