// AutomationService: automations from definition to the daily pass, and the staff tasks they make.
// The pass (RunDue, called each minute by AutomationScheduler and by tests at a chosen time) takes
// each business with an active automation whose local send hour has come and that has not run
// that local day; it builds the per-customer facts once per business from the in-memory order
// aggregates (AnalyticsService) and a few bulk reads (birthdays, anniversaries, tier promotions,
// referral rewards, expiring points, open prospects), evaluates every automation
// (domain::Evaluate), checks each due customer with the campaigns' rules (consent, suppression,
// night hours, the business's advertising cap: app::Decide) and the control group, and writes, in
// one transaction per batch, the occurrence rows (unique: nothing fires twice) with the outbox
// messages (idempotency key automation-{id}-{customer}-{occurrence}) or staff tasks. After
// downtime a pass catches up the occurrences due in the last `lookback_days` days; older ones are
// stale and skipped. On PostgreSQL each batch holds the business's advisory lock, so of several
// servers one evaluates a business at a time. Changes need a manager or owner (kPermissionDenied
// for staff); staff may read. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/analytics_service.h"
#include "app/principal.h"
#include "common/time.h"
#include "domain/automation.h"
#include "domain/campaign.h"
#include "domain/message_rules.h"
#include "store/automation_repository.h"
#include "store/database.h"

namespace crm::app {

struct AutomationSettings {
  int lookback_days = 3;  // catch-up window after downtime
  int batch_size = 200;   // due customers per write transaction
};

// One line of a dry run: who would get what, or why not.
struct DryRunLine {
  CustomerId customer_id;
  std::string name;  // masked
  std::string occurrence;
  Timestamp send_at;
  domain::Channel channel = domain::Channel::kSms;
  std::string reason;  // for the excluded: "no_consent", "control_group", "frequency_cap", "already_sent", ...
};

struct DryRun {
  Date date;
  std::vector<DryRunLine> would_send;  // at most 100 listed
  std::vector<DryRunLine> excluded;    // at most 100 listed
  int64_t would_send_count = 0;
  std::map<std::string, int64_t> excluded_counts;
  // For churn_risk: whether a fitted model gave the churn probabilities (without one, nobody is
  // at risk and the dry run says why).
  std::optional<ChurnModelState> churn_model;
};

// What a pass did.
struct RunSummary {
  int64_t businesses = 0;
  int64_t automations = 0;
  int64_t messages = 0;
  int64_t tasks = 0;
  int64_t control = 0;
  int64_t excluded = 0;
  int64_t busy = 0;  // businesses another server was evaluating
};

// The 1st -> 2nd -> 3rd visit funnel of the customers whose first visit fell in a range: how many,
// and how many came a second and a third time within the report window of their first visit.
struct VisitFunnel {
  int64_t first = 0;
  int64_t second = 0;
  int64_t third = 0;
};

// GET /automations/{id}/report. Treated and control are the customer occurrences (control ones
// are recorded without a message); each counts the visits and revenue in the window after it
// fired. The differences and incremental revenue are the campaign report's (domain::ComputeUplift).
struct AutomationReport {
  domain::Automation automation;
  int window_days = 14;
  Timestamp as_of;
  int64_t sent = 0;          // messages the provider accepted
  int64_t message_cost = 0;  // won, at the business's prices
  domain::OutcomeSample treated;
  domain::OutcomeSample control;
  domain::Uplift uplift;
  // First visits in the window_days before activated_at, and in the window_days from it (visits
  // counted until now). Both empty when the automation was never switched on.
  VisitFunnel funnel_before;
  VisitFunnel funnel_after;
  std::optional<ChurnModelState> churn_model;  // for churn_risk, as in DryRun
};

struct AutomationPreset {
  std::string key;   // "cafe"
  std::string name;  // "카페"
  std::vector<domain::Automation> automations;
};

// What applying a preset did: the automations it created and those the business had already.
struct PresetApplied {
  std::vector<domain::Automation> added;
  std::vector<domain::Automation> already_present;
};

class AutomationService {
 public:
  AutomationService(store::Database& database, const Clock& clock, AnalyticsService& analytics,
                    AutomationSettings settings = {});

  Result<std::vector<domain::Automation>> List(const Principal& principal);
  // kNotFound when not the business's.
  Result<domain::Automation> Get(const Principal& principal, AutomationId id);
  // Stores a new automation (paused unless `draft.state` is active). kInvalidArgument naming the
  // field (domain::ValidateAutomation; "coupon_template_id" for a template not the business's;
  // "template.body" naming the rule a composed message breaks).
  Result<domain::Automation> Create(const Principal& principal, domain::Automation draft);
  // Replaces the definition, keeping id, seed, state and times. As Create, and kNotFound.
  Result<domain::Automation> Update(const Principal& principal, AutomationId id, domain::Automation draft);
  Result<domain::Automation> SetState(const Principal& principal, AutomationId id, domain::AutomationState state);
  // Who would receive it on local date `date` (default: today) and why the others due would not.
  Result<DryRun> DryRunFor(const Principal& principal, AutomationId id, std::optional<Date> date);

  // The daily pass of every business whose time has come at `now`. Fails only when the store does.
  Result<RunSummary> RunDue(Timestamp now);
  // The pass of one business at `now` (its active automations whose local send hour has come and
  // that have not run this local day).
  Result<RunSummary> RunBusiness(BusinessId business, Timestamp now);

  // The presets (café, restaurant, salon), with Korean copy legal as it stands.
  static const std::vector<AutomationPreset>& Presets();
  // Creates a preset's automations, active, except those the business has already (from the same
  // preset, with the same trigger and action, however changed since), which are listed as
  // already present. kNotFound for an unknown key; kFailedPrecondition (reason
  // "preset_already_applied") when every one of them is there already.
  Result<PresetApplied> ApplyPreset(const Principal& principal, const std::string& key);

  // Needs a manager; kInvalidArgument "window_days" outside 1..90; kNotFound.
  Result<AutomationReport> Report(const Principal& principal, AutomationId id, int window_days);

 private:
  struct BusinessContext;
  struct Decision;
  struct Decided;
  Result<BusinessContext> LoadContext(BusinessId business, Timestamp now, int32_t today);
  Result<Decided> Decide(store::Transaction& tx, BusinessContext& context,
                                       const domain::Automation& automation, int32_t today, Timestamp now,
                                       bool for_dry_run);
  Status CheckDraft(const Principal& principal, const domain::Automation& draft);
  // Issues the treated customer's coupon of the automation's template (CouponSource::kAutomation)
  // and puts its code into their message; returns the coupon's id.
  Result<int64_t> IssueAutomationCoupon(store::Transaction& tx, const Decided& decided, Decision& decision,
                                        Timestamp now);
  Result<RunSummary> RunAutomation(BusinessContext& context, const domain::Automation& automation, int32_t today,
                                   Timestamp now);

  store::Database& database_;
  const Clock& clock_;
  AnalyticsService& analytics_;
  const AutomationSettings settings_;
};

}  // namespace crm::app
