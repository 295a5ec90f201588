// AutomationService::Report: what an automation's messages did, treated against control, and the
// first-visit funnel before and after it was switched on.
#include <vector>

#include "app/automation_service.h"
#include "app/campaign_plan.h"
#include "store/automation_repository.h"
#include "store/consent_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kDayMicros = 86'400LL * 1'000'000;

void Add(domain::OutcomeSample& sample, const store::OccurrenceOutcome& outcome) {
  ++sample.customers;
  sample.buyers += outcome.visits > 0 ? 1 : 0;
  sample.visits += outcome.visits;
  sample.revenue += outcome.revenue;
  sample.redemptions += outcome.redeemed ? 1 : 0;
  sample.visits_sum_squares += static_cast<double>(outcome.visits) * static_cast<double>(outcome.visits);
  sample.revenue_sum_squares += static_cast<double>(outcome.revenue) * static_cast<double>(outcome.revenue);
}

// Visits come in order of customer and time: a customer's first one starts the count, the second
// and third count when they fall within `window_micros` of the first.
VisitFunnel Funnel(const std::vector<store::NewCustomerVisit>& visits, int64_t window_micros) {
  VisitFunnel funnel;
  size_t i = 0;
  while (i < visits.size()) {
    const CustomerId customer = visits[i].customer_id;
    const int64_t first = visits[i].at.micros();
    int64_t count = 0;
    for (; i < visits.size() && visits[i].customer_id == customer; ++i) {
      if (visits[i].at.micros() < first + window_micros) ++count;
    }
    ++funnel.first;
    funnel.second += count >= 2 ? 1 : 0;
    funnel.third += count >= 3 ? 1 : 0;
  }
  return funnel;
}

}  // namespace

Result<AutomationReport> AutomationService::Report(const Principal& principal, AutomationId id, int window_days) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  if (window_days < 1 || window_days > 90) return InvalidArgument("window_days must be 1..90", "window_days");
  AutomationReport report;
  report.window_days = window_days;
  report.as_of = clock_.Now();
  const int64_t window = window_days * kDayMicros;
  std::vector<store::OccurrenceOutcome> outcomes;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    store::AutomationRepository automations(tx.connection());
    CRM_ASSIGN_OR_RETURN(report.automation, automations.Get(principal.business_id, id));
    CRM_ASSIGN_OR_RETURN(outcomes, automations.Outcomes(principal.business_id, id, window));
    CRM_ASSIGN_OR_RETURN(auto sent, automations.SentMessages(principal.business_id, id));
    CRM_ASSIGN_OR_RETURN(domain::MessagingSettings settings,
                         store::ConsentRepository(tx.connection()).Settings(principal.business_id));
    for (const auto& [channel, count] : sent) {
      report.sent += count;
      report.message_cost += count * UnitPrice(settings, channel);
    }
    if (!report.automation.activated_at) return Status::Ok();
    const Timestamp on = *report.automation.activated_at;
    const Timestamp before = Timestamp::FromMicros(on.micros() - window);
    const Timestamp after = Timestamp::FromMicros(on.micros() + window);
    CRM_ASSIGN_OR_RETURN(auto visits_before, automations.NewCustomerVisits(principal.business_id, before, on, after));
    const Timestamp visits_until = Timestamp::FromMicros(after.micros() + window);
    CRM_ASSIGN_OR_RETURN(auto visits_after,
                         automations.NewCustomerVisits(principal.business_id, on, after, visits_until));
    report.funnel_before = Funnel(visits_before, window);
    report.funnel_after = Funnel(visits_after, window);
    return Status::Ok();
  }));
  if (report.automation.trigger.kind == domain::TriggerKind::kChurnRisk) {
    CRM_ASSIGN_OR_RETURN(report.churn_model, analytics_.ChurnModel(principal.business_id));
  }
  for (const store::OccurrenceOutcome& outcome : outcomes) {
    Add(outcome.group == domain::OccurrenceGroup::kControl ? report.control : report.treated, outcome);
  }
  report.uplift = domain::ComputeUplift(report.treated, report.control, report.message_cost);
  return report;
}

}  // namespace crm::app
