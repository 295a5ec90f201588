#include "app/automation_service.h"

#include <map>
#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/campaign_plan.h"
#include "app/loyalty_posting.h"
#include "domain/campaign.h"
#include "domain/korean_text.h"
#include "store/business_repository.h"
#include "store/customer_repository.h"
#include "store/loyalty_repository.h"
#include "store/outbox_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

constexpr int64_t kDaySeconds = 86'400;
// Stands for #{쿠폰코드} where no coupon is issued yet (a dry run, the rules' check before the
// coupon is drawn): as long as a real code, so SMS/LMS and byte limits judge the same text.
constexpr char kSampleCouponCode[] = "ABCDEFGHJKMN";

int32_t LocalDayOf(Timestamp at, int utc_offset_minutes) {
  const int64_t seconds = at.seconds() + int64_t{utc_offset_minutes} * 60;
  return static_cast<int32_t>(seconds >= 0 ? seconds / kDaySeconds : (seconds - kDaySeconds + 1) / kDaySeconds);
}

Timestamp LocalTime(int32_t day, int hour, int utc_offset_minutes) {
  return Timestamp::FromSeconds(int64_t{day} * kDaySeconds + int64_t{hour} * 3600 - int64_t{utc_offset_minutes} * 60);
}

// The campaign the rules of app/campaign_plan.h see for an automation's message.
domain::Campaign AsCampaign(const domain::Automation& a, const std::vector<std::string>& senders) {
  domain::Campaign c;
  c.business_id = a.business_id;
  c.name = a.name;
  c.purpose = a.purpose;
  c.channel = a.channel;
  c.fallback_channel = a.fallback_channel;
  c.subject = a.subject;
  c.body = a.body;
  c.sender_number = senders.empty() ? std::string() : senders.front();
  c.coupon_template_id = a.coupon_template_id;
  c.control_share_permille = a.control_share_permille;
  c.seed = a.seed;
  return c;
}

std::string TaskTitle(const domain::Automation& a, const std::string& masked_name) {
  return masked_name.empty() ? a.task.title : fmt::format("{} · {}", a.task.title, masked_name);
}

// Why a treated customer gets no coupon (and so no message) from the template: `shared` when the
// template holds back everybody, "coupon_limit_reached" when the customer has had the template's
// limit of coupons.
Result<std::optional<std::string>> CouponExclusion(store::Transaction& tx, const domain::CouponTemplate& coupon_template,
                                                   const std::optional<std::string>& shared, CustomerId customer) {
  if (shared) return shared;
  if (coupon_template.per_customer_limit <= 0) return std::optional<std::string>();
  CRM_ASSIGN_OR_RETURN(int64_t count, tx.coupons().CountIssued(coupon_template.business_id, customer, coupon_template.id));
  if (count >= coupon_template.per_customer_limit) return std::optional<std::string>("coupon_limit_reached");
  return std::optional<std::string>();
}

}  // namespace

struct AutomationService::BusinessContext {
  domain::Business business;
  domain::FactsTable facts;
  domain::FactsTable prospects;  // prospect facts: customer_id holds the prospect id
  std::vector<std::string> tier_names;  // index -> name of the tiers promoted to
  domain::SolarBirthdays birthdays;
  ChurnModelState churn_model;  // where the facts' churn probabilities come from
};

struct AutomationService::Decision {
  domain::DueOccurrence due;
  std::optional<std::string> exclusion;
  bool control = false;
  domain::Customer customer;
  TemplateStanding standing;
  std::optional<domain::OutboxMessage> message;
};

// The decisions of one automation on one day, with what the pass needs to write them: the rules'
// context, the automation seen as a campaign, and the coupon template each treated customer gets
// a coupon of.
struct AutomationService::Decided {
  std::vector<Decision> decisions;
  std::optional<PlanContext> plan;
  domain::Campaign campaign;
  std::optional<domain::CouponTemplate> coupon_template;
  Timestamp send_at;
};

AutomationService::AutomationService(store::Database& database, const Clock& clock, AnalyticsService& analytics,
                                     AutomationSettings settings)
    : database_(database), clock_(clock), analytics_(analytics), settings_(settings) {}

Result<AutomationService::BusinessContext> AutomationService::LoadContext(BusinessId business, Timestamp now,
                                                                          int32_t today) {
  BusinessContext context;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(context.business, tx.businesses().Get(business));
    return Status::Ok();
  }));
  const int offset = context.business.utc_offset_minutes;
  const int32_t window_start = today - settings_.lookback_days - 1;
  CRM_RETURN_IF_ERROR(analytics_.AutomationFacts(business, now, window_start - 366, &context.facts, &context.churn_model));
  std::unordered_map<int64_t, size_t> index;
  index.reserve(context.facts.rows.size());
  for (size_t i = 0; i < context.facts.rows.size(); ++i) index.emplace(context.facts.rows[i].customer_id, i);
  auto row = [&](CustomerId id) -> domain::CustomerFacts& {
    auto [it, inserted] = index.emplace(id.value(), context.facts.rows.size());
    if (inserted) {
      domain::CustomerFacts f;
      f.customer_id = id.value();
      context.facts.rows.push_back(f);
    }
    return context.facts.rows[it->second];
  };
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
           store::AutomationRepository repository(tx.connection());
           CRM_ASSIGN_OR_RETURN(auto birthdays, repository.Birthdays(business));
           for (const store::BirthdayRow& b : birthdays) {
             domain::CustomerFacts& f = row(b.customer_id);
             f.birthday_month = static_cast<int8_t>(b.birthday.date.month);
             f.birthday_day = static_cast<int8_t>(b.birthday.date.day);
             f.lunar_birthday = b.birthday.calendar == domain::CalendarType::kLunar;
             f.leap_month = b.birthday.leap_month;
           }
           CRM_ASSIGN_OR_RETURN(auto anniversaries, repository.Anniversaries(business));
           // Grouped by customer (the statement orders them), so each customer's are contiguous.
           for (const store::AnniversaryRow& a : anniversaries) {
             domain::CustomerFacts& f = row(a.customer_id);
             if (f.anniversaries_end != context.facts.anniversaries.size()) {
               f.anniversaries_begin = f.anniversaries_end = static_cast<uint32_t>(context.facts.anniversaries.size());
             }
             context.facts.anniversaries.push_back(
                 {static_cast<int8_t>(a.date.month), static_cast<int8_t>(a.date.day)});
             f.anniversaries_end = static_cast<uint32_t>(context.facts.anniversaries.size());
           }
           const Timestamp since = LocalTime(window_start, 0, offset);
           const Timestamp until = LocalTime(today + 1, 0, offset);
           CRM_ASSIGN_OR_RETURN(auto promotions, repository.TierPromotions(business, since, until));
           for (const store::CustomerEvent& e : promotions) {
             domain::CustomerFacts& f = row(e.customer_id);
             f.tier_promoted_day = LocalDayOf(e.at, offset);
             auto name = std::find(context.tier_names.begin(), context.tier_names.end(), e.tier_name);
             f.tier_index = static_cast<int32_t>(name - context.tier_names.begin());
             if (name == context.tier_names.end()) context.tier_names.push_back(e.tier_name);
           }
           CRM_ASSIGN_OR_RETURN(auto referrals, repository.ReferralRewards(business, since, until));
           for (const store::CustomerEvent& e : referrals) row(e.customer_id).referral_reward_day = LocalDayOf(e.at, offset);
           CRM_ASSIGN_OR_RETURN(auto expiring,
                                repository.PointsExpiring(business, since, LocalTime(today + 367, 0, offset)));
           for (const store::CustomerEvent& e : expiring) row(e.customer_id).points_expiring_day = LocalDayOf(e.at, offset);
           CRM_ASSIGN_OR_RETURN(auto prospects,
                                repository.OpenProspects(business, LocalTime(window_start - 366, 0, offset), until));
           for (const store::ProspectRow& p : prospects) {
             domain::CustomerFacts f;
             f.customer_id = p.id.value();
             f.prospect_created_day = LocalDayOf(p.created_at, offset);
             f.author_staff_id = p.staff_id.value();
             context.prospects.rows.push_back(f);
           }
           return Status::Ok();
         }));
  return context;
}

Result<AutomationService::Decided> AutomationService::Decide(store::Transaction& tx, BusinessContext& context,
                                                             const domain::Automation& a, int32_t today,
                                                             Timestamp now, bool for_dry_run) {
  store::AutomationRepository repository(tx.connection());
  const int32_t since = today - std::max(settings_.lookback_days, a.frequency_cap_days) - 1;
  CRM_ASSIGN_OR_RETURN(auto fired_rows, repository.FiredSince(a.business_id, a.id, since));
  domain::FiredOccurrences fired;
  for (const store::OccurrenceRecord& r : fired_rows) {
    const int64_t subject = r.prospect_id ? r.prospect_id->value() : r.customer_id.value();
    fired.Add(subject, r.occurrence, r.fired_day, r.group == domain::OccurrenceGroup::kTreated);
  }
  domain::EvaluationOptions options;
  options.today = today;
  options.lookback_days = settings_.lookback_days;
  if (a.trigger.kind == domain::TriggerKind::kTierPromotion && !a.trigger.tier.empty()) {
    auto name = std::find(context.tier_names.begin(), context.tier_names.end(), a.trigger.tier);
    options.tier_index = static_cast<int32_t>(name - context.tier_names.begin());  // past the end: nobody
  }
  const bool prospects = a.trigger.kind == domain::TriggerKind::kProspectNotConverted;
  domain::Evaluation evaluation =
      domain::Evaluate(a, prospects ? context.prospects : context.facts, fired, options, context.birthdays);

  Decided out;
  std::vector<Decision>& decisions = out.decisions;
  if (for_dry_run) {
    for (auto& skipped : evaluation.skipped) {
      Decision d;
      d.due = std::move(skipped.due);
      d.exclusion = domain::ToString(skipped.reason);
      decisions.push_back(std::move(d));
    }
  }
  const int offset = context.business.utc_offset_minutes;
  Timestamp send_at = std::max(now, LocalTime(today, a.send_hour, offset));
  if (a.action == domain::AutomationAction::kMessage &&
      (a.purpose == domain::Purpose::kAdvertising || a.channel == domain::Channel::kBrandMessage)) {
    send_at = domain::NextSendWindow(send_at, a.channel, offset);
  }
  std::optional<PlanContext> plan;
  if (a.action == domain::AutomationAction::kMessage && !evaluation.due.empty()) {
    CRM_ASSIGN_OR_RETURN(plan, LoadPlanContext(tx, a.business_id, send_at));
  }
  const domain::Campaign campaign =
      AsCampaign(a, plan ? plan->sender.registered_sender_numbers : std::vector<std::string>{});
  // A coupon for each treated customer: a template switched off or whose dates have ended holds
  // the messages back (they are due again while in the look-back) rather than sending no coupon.
  std::optional<std::string> coupon_exclusion;
  if (plan && !prospects && a.coupon_template_id) {
    CRM_ASSIGN_OR_RETURN(out.coupon_template, tx.coupons().GetTemplate(a.business_id, *a.coupon_template_id));
    if (!out.coupon_template->active) {
      coupon_exclusion = "coupon_template_inactive";
    } else if (!domain::CouponExpiry(*out.coupon_template, send_at, offset).ok()) {
      coupon_exclusion = "coupon_template_ended";
    }
  }
  // The customers a message may go to, decided in bulk as a campaign's audience is.
  std::map<int64_t, RecipientDecision> decided;
  if (plan && !prospects && a.action != domain::AutomationAction::kTask) {
    std::vector<CustomerId> ids;
    ids.reserve(evaluation.due.size());
    for (const auto& due : evaluation.due) ids.push_back(CustomerId(due.customer_id));
    CRM_ASSIGN_OR_RETURN(std::vector<RecipientDecision> all, DecideAll(tx, *plan, campaign, ids));
    for (auto& one : all) {
      const int64_t id = one.customer.id.value();
      decided.emplace(id, std::move(one));
    }
  }
  for (auto& due : evaluation.due) {
    Decision d;
    d.due = std::move(due);
    if (prospects || a.action == domain::AutomationAction::kTask) {
      d.control = domain::InControlGroup(a.seed, CustomerId(d.due.customer_id), a.control_share_permille);
      if (!prospects) {
        auto customer = tx.customers().Get(a.business_id, CustomerId(d.due.customer_id));
        if (!customer.ok()) {
          if (customer.status().code() != StatusCode::kNotFound) return customer.status();
          d.exclusion = "not_found";
        } else {
          d.customer = std::move(customer).value();
        }
      }
      decisions.push_back(std::move(d));
      continue;
    }
    const auto found = decided.find(d.due.customer_id);
    if (found == decided.end()) {
      d.exclusion = "not_found";
    } else if (found->second.exclusion) {
      d.exclusion = domain::ToString(*found->second.exclusion);
      d.customer = found->second.customer;
    } else {
      d.control = found->second.control;
      d.customer = found->second.customer;
      d.standing = found->second.standing;
      if (!d.control && out.coupon_template) {
        CRM_ASSIGN_OR_RETURN(d.exclusion, CouponExclusion(tx, *out.coupon_template, coupon_exclusion, d.customer.id));
      }
      if (!d.control && !d.exclusion) {
        const std::string code = out.coupon_template ? kSampleCouponCode : "";
        auto message = ComposeFor(*plan, campaign, d.customer, code, d.standing);
        if (!message.ok()) {
          d.exclusion = message.status().reason().empty() ? "not_composable" : message.status().reason();
        } else {
          message->automation_id = a.id;
          message->next_attempt_at = send_at;
          message->idempotency_key = fmt::format("automation-{}-{}-{}", a.id.value(), d.due.customer_id, d.due.occurrence);
          d.message = std::move(message).value();
        }
      }
    }
    decisions.push_back(std::move(d));
  }
  out.plan = std::move(plan);
  out.campaign = campaign;
  out.send_at = send_at;
  return out;
}

Result<int64_t> AutomationService::IssueAutomationCoupon(store::Transaction& tx, const Decided& decided,
                                                       Decision& decision, Timestamp now) {
  const domain::CouponTemplate& coupon_template = *decided.coupon_template;
  CRM_ASSIGN_OR_RETURN(Timestamp expires, domain::CouponExpiry(coupon_template, decided.send_at,
                                                               decided.plan->business.utc_offset_minutes));
  domain::Coupon coupon = domain::CouponFromTemplate(coupon_template, decision.customer.id,
                                                     domain::CouponSource::kAutomation, now, expires, std::nullopt);
  CRM_ASSIGN_OR_RETURN(domain::Coupon issued, IssueCouponIn(tx, std::move(coupon)));
  // The message as decided, with the customer's own code where the sample stood.
  CRM_ASSIGN_OR_RETURN(domain::OutboxMessage message,
                       ComposeFor(*decided.plan, decided.campaign, decision.customer, issued.code, decision.standing));
  message.automation_id = decision.message->automation_id;
  message.next_attempt_at = decision.message->next_attempt_at;
  message.idempotency_key = decision.message->idempotency_key;
  decision.message = std::move(message);
  return issued.id.value();
}

Result<RunSummary> AutomationService::RunAutomation(BusinessContext& context, const domain::Automation& a,
                                                    int32_t today, Timestamp now) {
  RunSummary summary;
  summary.automations = 1;
  const bool prospects = a.trigger.kind == domain::TriggerKind::kProspectNotConverted;
  // Decided and written in one transaction per batch: the rules are read where the rows are
  // written, and a crash loses at most an uncommitted batch, which the next pass redoes.
  bool more = true;
  std::vector<std::string> done_keys;
  while (more) {
    more = false;
    RunSummary batch;
    Status written = database_.Write([&](store::Transaction& tx) -> Status {
      batch = {};
      store::AutomationRepository repository(tx.connection());
      CRM_ASSIGN_OR_RETURN(bool locked, repository.TryLockBusiness(a.business_id));
      if (!locked) {
        batch.busy = 1;
        return Status::Ok();
      }
      CRM_ASSIGN_OR_RETURN(Decided decided, Decide(tx, context, a, today, now, false));
      std::vector<Decision>& decisions = decided.decisions;
      std::vector<domain::OutboxMessage> messages;
      int64_t written_rows = 0;
      for (Decision& d : decisions) {
        if (written_rows >= settings_.batch_size) {
          more = true;
          break;
        }
        if (d.exclusion) {
          ++batch.excluded;
          continue;
        }
        store::OccurrenceRecord record;
        record.automation_id = a.id;
        if (prospects) {
          record.prospect_id = ProspectId(d.due.customer_id);
        } else {
          record.customer_id = CustomerId(d.due.customer_id);
        }
        record.occurrence = d.due.occurrence;
        record.group = d.control ? domain::OccurrenceGroup::kControl : domain::OccurrenceGroup::kTreated;
        record.due_day = d.due.due_day;
        record.fired_day = today;
        record.fired_at = now;
        CRM_ASSIGN_OR_RETURN(bool inserted, repository.InsertOccurrence(a.business_id, record));
        if (!inserted) continue;
        ++written_rows;
        if (d.control) {
          ++batch.control;
          continue;
        }
        if (a.action == domain::AutomationAction::kMessage) {
          if (d.message && decided.coupon_template) {
            CRM_ASSIGN_OR_RETURN(record.coupon_id, IssueAutomationCoupon(tx, decided, d, now));
            CRM_RETURN_IF_ERROR(repository.AttachToOccurrence(a.business_id, record));
          }
          if (d.message) messages.push_back(std::move(*d.message));
          ++batch.messages;
          continue;
        }
        domain::StaffTask task;
        task.business_id = a.business_id;
        if (prospects) {
          task.prospect_id = ProspectId(d.due.customer_id);
          task.source = domain::TaskSource::kProspect;
          task.source_id = d.due.customer_id;
          task.kind = domain::TaskKind::kFollowUp;
          task.title = a.task.title;
        } else {
          task.customer_id = CustomerId(d.due.customer_id);
          task.source = domain::TaskSource::kAutomation;
          task.source_id = a.id.value();
          task.kind = a.task.kind;
          task.title = TaskTitle(a, domain::MaskName(d.customer.name));
        }
        if (a.task.assignee == domain::TaskAssignee::kStaff) task.assignee_staff_id = a.task.staff_id;
        if (a.task.assignee == domain::TaskAssignee::kAuthor && d.due.author_staff_id > 0) {
          task.assignee_staff_id = StaffId(d.due.author_staff_id);
        }
        task.due_date = CivilFromDays(today);
        task.created_at = now;
        CRM_ASSIGN_OR_RETURN(task, store::TaskRepository(tx.connection()).Create(std::move(task)));
        record.task_id = task.id;
        CRM_RETURN_IF_ERROR(repository.AttachToOccurrence(a.business_id, record));
        ++batch.tasks;
      }
      if (!messages.empty()) CRM_RETURN_IF_ERROR(store::OutboxRepository(tx.connection()).Enqueue(messages, now));
      if (!more) CRM_RETURN_IF_ERROR(repository.MarkRun(a.business_id, a.id, now, today));
      return Status::Ok();
    });
    CRM_RETURN_IF_ERROR(written);
    summary.messages += batch.messages;
    summary.tasks += batch.tasks;
    summary.control += batch.control;
    summary.excluded += batch.excluded;
    summary.busy += batch.busy;
    if (batch.busy) break;
  }
  return summary;
}

Result<RunSummary> AutomationService::RunBusiness(BusinessId business, Timestamp now) {
  RunSummary summary;
  std::vector<std::pair<domain::Automation, std::optional<int32_t>>> automations;
  domain::Business info;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(info, tx.businesses().Get(business));
    store::AutomationRepository repository(tx.connection());
    CRM_ASSIGN_OR_RETURN(auto all, repository.List(business));
    for (domain::Automation& a : all) {
      if (a.state != domain::AutomationState::kActive) continue;
      CRM_ASSIGN_OR_RETURN(auto last_day, repository.LastRunDay(business, a.id));
      automations.emplace_back(std::move(a), last_day);
    }
    return Status::Ok();
  }));
  const int32_t today = LocalDayOf(now, info.utc_offset_minutes);
  std::optional<BusinessContext> context;
  for (const auto& [automation, last_day] : automations) {
    if (last_day && *last_day >= today) continue;
    if (now < LocalTime(today, automation.send_hour, info.utc_offset_minutes)) continue;
    if (!context) {
      CRM_ASSIGN_OR_RETURN(context, LoadContext(business, now, today));
      summary.businesses = 1;
    }
    // Churn risk waits for the first model fit (the day is not marked run, so the next tick after
    // the fit takes it); a business whose models cannot be fitted has nobody at risk that day.
    if (automation.trigger.kind == domain::TriggerKind::kChurnRisk &&
        context->churn_model.status == ModelStatus::kFitting) {
      continue;
    }
    CRM_ASSIGN_OR_RETURN(RunSummary one, RunAutomation(*context, automation, today, now));
    summary.automations += one.automations;
    summary.messages += one.messages;
    summary.tasks += one.tasks;
    summary.control += one.control;
    summary.excluded += one.excluded;
    summary.busy += one.busy;
    if (one.busy) break;  // another server has the business
  }
  return summary;
}

Result<RunSummary> AutomationService::RunDue(Timestamp now) {
  CRM_ASSIGN_OR_RETURN(auto businesses, ReadValue<std::vector<BusinessId>>(database_, [](store::Transaction& tx) {
                         return store::AutomationRepository(tx.connection()).BusinessesWithActive();
                       }));
  RunSummary total;
  for (BusinessId business : businesses) {
    auto one = RunBusiness(business, now);
    if (!one.ok()) {
      // One business's failure does not hold the others back; the next tick tries it again.
      spdlog::warn("automation pass of business {} failed: {}", business.value(), one.status().ToString());
      continue;
    }
    total.businesses += one->businesses;
    total.automations += one->automations;
    total.messages += one->messages;
    total.tasks += one->tasks;
    total.control += one->control;
    total.excluded += one->excluded;
    total.busy += one->busy;
  }
  return total;
}

Result<DryRun> AutomationService::DryRunFor(const Principal& principal, AutomationId id, std::optional<Date> date) {
  CRM_ASSIGN_OR_RETURN(domain::Automation a, Get(principal, id));
  const Timestamp now = clock_.Now();
  CRM_ASSIGN_OR_RETURN(domain::Business business, ReadValue<domain::Business>(database_, [&](store::Transaction& tx) {
                         return tx.businesses().Get(principal.business_id);
                       }));
  const int32_t today = date ? static_cast<int32_t>(DaysFromCivil(date->year, date->month, date->day))
                             : LocalDayOf(now, business.utc_offset_minutes);
  // The pass as it would run at the send hour of that day (or now, when that has gone).
  const Timestamp at = std::max(now, LocalTime(today, a.send_hour, business.utc_offset_minutes));
  CRM_ASSIGN_OR_RETURN(BusinessContext context, LoadContext(principal.business_id, at, today));
  DryRun out;
  out.date = CivilFromDays(today);
  if (a.trigger.kind == domain::TriggerKind::kChurnRisk) out.churn_model = context.churn_model;
  CRM_RETURN_IF_ERROR(database_.Read([&](store::Transaction& tx) -> Status {
    CRM_ASSIGN_OR_RETURN(Decided decided, Decide(tx, context, a, today, at, true));
    for (Decision& d : decided.decisions) {
      DryRunLine line;
      line.customer_id = CustomerId(d.due.customer_id);
      line.name = domain::MaskName(d.customer.name);
      line.occurrence = d.due.occurrence;
      line.channel = d.message ? d.message->channel : a.channel;
      line.send_at = d.message ? d.message->next_attempt_at : at;
      if (d.control && !d.exclusion) d.exclusion = "control_group";
      if (d.exclusion) {
        line.reason = *d.exclusion;
        ++out.excluded_counts[line.reason];
        if (out.excluded.size() < 100) out.excluded.push_back(std::move(line));
        continue;
      }
      ++out.would_send_count;
      if (out.would_send.size() < 100) out.would_send.push_back(std::move(line));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace crm::app
