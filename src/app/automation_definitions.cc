// AutomationService: storing, changing and switching automations, and the presets.
#include <sodium.h>

#include <algorithm>

#include <fmt/format.h>

#include "app/automation_service.h"
#include "app/campaign_plan.h"
#include "store/loyalty_repository.h"
#include "store/transaction.h"

namespace crm::app {
namespace {

int64_t RandomSeed() {
  int64_t seed = 0;
  randombytes_buf(&seed, sizeof seed);
  return seed & 0x7fffffffffffffffLL;
}

using domain::AutomationAction;
using domain::Channel;
using domain::Purpose;
using domain::TriggerKind;

domain::Automation Message(const char* preset, const char* name, TriggerKind kind, int days, int hour, Purpose purpose,
                           const char* body) {
  domain::Automation a;
  a.preset = preset;
  a.name = name;
  a.trigger.kind = kind;
  a.trigger.days = days;
  a.send_hour = hour;
  a.channel = Channel::kSms;
  a.purpose = purpose;
  a.body = body;
  a.frequency_cap_days = 30;
  a.control_share_permille = 100;
  return a;
}

domain::Automation Task(const char* preset, const char* name, TriggerKind kind, int days, const char* title) {
  domain::Automation a;
  a.preset = preset;
  a.name = name;
  a.trigger.kind = kind;
  a.trigger.days = days;
  a.action = AutomationAction::kTask;
  a.send_hour = 10;
  a.task.title = title;
  a.task.kind = domain::TaskKind::kCall;
  a.control_share_permille = 0;
  return a;
}

// Informational where the message serves the transaction or the membership (a thank-you without
// an offer, a birthday greeting with a membership benefit named in the terms, points about to
// expire); advertising, with "(광고)" and the opt-out added by the composer, where it invites a
// purchase with an offer.
std::vector<AutomationPreset> MakePresets() {
  std::vector<AutomationPreset> presets;
  presets.push_back(
      {"cafe",
       "카페",
       {Message("cafe", "첫 방문 감사", TriggerKind::kFirstVisit, 0, 11, Purpose::kInformational,
                "#{이름}님, 첫 방문 감사합니다. 스탬프가 적립되었어요. 다음에 또 뵐게요!"),
        Message("cafe", "생일 축하", TriggerKind::kBirthday, 0, 11, Purpose::kInformational,
                "#{이름}님, 생일 축하드립니다! 오늘 하루 행복하세요."),
        Message("cafe", "두 번째 방문 초대", TriggerKind::kNoSecondVisit, 14, 11, Purpose::kAdvertising,
                "#{이름}님, 지난번 방문 감사했어요. 이번 주 다시 들러주시면 음료 사이즈업을 해드려요."),
        Message("cafe", "포인트 소멸 안내", TriggerKind::kPointsExpiring, 14, 11, Purpose::kInformational,
                "#{이름}님, 적립하신 포인트 일부가 2주 후 소멸될 예정입니다.")}});
  presets.push_back(
      {"restaurant",
       "식당",
       {Message("restaurant", "방문 감사", TriggerKind::kDaysAfterVisit, 1, 11, Purpose::kInformational,
                "#{이름}님, 어제 방문해 주셔서 감사합니다. 맛있게 드셨길 바랍니다."),
        Message("restaurant", "생일 축하", TriggerKind::kBirthday, 7, 11, Purpose::kInformational,
                "#{이름}님, 다가오는 생일을 미리 축하드립니다!"),
        Message("restaurant", "다시 오세요", TriggerKind::kOverdue, 0, 11, Purpose::kAdvertising,
                "#{이름}님, 오랜만이에요. 이번 달 방문하시면 음료 한 잔을 드립니다."),
        Task("restaurant", "단골 안부 전화", TriggerKind::kChurnRisk, 0, "전화: 안부 묻기")}});
  presets.push_back(
      {"salon",
       "미용실",
       {Message("salon", "첫 방문 감사", TriggerKind::kFirstVisit, 0, 11, Purpose::kInformational,
                "#{이름}님, 첫 방문 감사합니다. 스타일이 마음에 드셨길 바라요."),
        Message("salon", "재예약 안내", TriggerKind::kDaysAfterVisit, 21, 11, Purpose::kInformational,
                "#{이름}님, 시술 후 3주가 지났어요. 다음 방문 예약이 필요하시면 연락 주세요."),
        Message("salon", "생일 축하", TriggerKind::kBirthday, 0, 11, Purpose::kInformational,
                "#{이름}님, 생일 축하드립니다!"),
        Task("salon", "고객 안부 전화", TriggerKind::kOverdue, 30, "전화: 재방문 안내")}});
  presets[1].automations[3].trigger.threshold = 0.7;
  return presets;
}

}  // namespace

const std::vector<AutomationPreset>& AutomationService::Presets() {
  static const std::vector<AutomationPreset> presets = MakePresets();
  return presets;
}

Result<std::vector<domain::Automation>> AutomationService::List(const Principal& principal) {
  return ReadValue<std::vector<domain::Automation>>(database_, [&](store::Transaction& tx) {
    return store::AutomationRepository(tx.connection()).List(principal.business_id);
  });
}

Result<domain::Automation> AutomationService::Get(const Principal& principal, AutomationId id) {
  return ReadValue<domain::Automation>(database_, [&](store::Transaction& tx) {
    return store::AutomationRepository(tx.connection()).Get(principal.business_id, id);
  });
}

Status AutomationService::CheckDraft(const Principal& principal, const domain::Automation& draft) {
  CRM_RETURN_IF_ERROR(domain::ValidateAutomation(draft));
  return database_.Read([&](store::Transaction& tx) -> Status {
    if (draft.coupon_template_id) {
      auto found = tx.coupons().GetTemplate(principal.business_id, *draft.coupon_template_id);
      if (!found.ok()) {
        if (found.status().code() != StatusCode::kNotFound) return found.status();
        return InvalidArgument("no such coupon template", "coupon_template_id");
      }
    }
    if (draft.action != domain::AutomationAction::kMessage) return Status::Ok();
    // The message as a sample customer would get it: a template that cannot render or a body that
    // breaks a rule is refused now. Sender registration and the 080 number are the business's
    // settings, which may come later: the dry run names them when they are missing.
    CRM_ASSIGN_OR_RETURN(PlanContext context, LoadPlanContext(tx, principal.business_id, clock_.Now()));
    domain::Campaign campaign;
    campaign.business_id = principal.business_id;
    campaign.purpose = draft.purpose;
    campaign.channel = draft.channel;
    campaign.subject = draft.subject;
    campaign.body = draft.body;
    if (!context.sender.registered_sender_numbers.empty()) {
      campaign.sender_number = context.sender.registered_sender_numbers.front();
    }
    domain::Customer sample;
    sample.name = "김단골";
    sample.phone_e164 = "+821000000000";
    sample.email = "sample@example.com";
    auto composition = Compose(context, campaign, sample, "SAMPLE");
    if (!composition.ok()) {
      return InvalidArgument(composition.status().message(), "template.body").WithReason(composition.status().reason());
    }
    for (const domain::RuleViolation& v : composition->violations) {
      if (v.rule == "MSG-06" || v.rule == "MSG-07") continue;
      return InvalidArgument(fmt::format("{} ({})", v.message, v.rule), "template.body").WithReason(v.code);
    }
    return Status::Ok();
  });
}

Result<domain::Automation> AutomationService::Create(const Principal& principal, domain::Automation draft) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  draft.business_id = principal.business_id;
  CRM_RETURN_IF_ERROR(CheckDraft(principal, draft));
  const Timestamp now = clock_.Now();
  if (draft.seed == 0) draft.seed = RandomSeed();
  draft.created_at = draft.updated_at = now;
  draft.activated_at = draft.state == domain::AutomationState::kActive ? std::optional<Timestamp>(now) : std::nullopt;
  draft.last_run_at.reset();
  return WriteValue<domain::Automation>(database_, [&](store::Transaction& tx) {
    return store::AutomationRepository(tx.connection()).Create(draft);
  });
}

Result<domain::Automation> AutomationService::Update(const Principal& principal, AutomationId id,
                                                     domain::Automation draft) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  draft.business_id = principal.business_id;
  CRM_RETURN_IF_ERROR(CheckDraft(principal, draft));
  const Timestamp now = clock_.Now();
  return WriteValue<domain::Automation>(database_, [&](store::Transaction& tx) -> Result<domain::Automation> {
    store::AutomationRepository repository(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::Automation stored, repository.GetForUpdate(principal.business_id, id));
    draft.id = stored.id;
    draft.seed = stored.seed;
    draft.state = stored.state;
    draft.preset = stored.preset;
    draft.created_at = stored.created_at;
    draft.activated_at = stored.activated_at;
    draft.updated_at = now;
    return repository.Update(draft);
  });
}

Result<domain::Automation> AutomationService::SetState(const Principal& principal, AutomationId id,
                                                       domain::AutomationState state) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const Timestamp now = clock_.Now();
  return WriteValue<domain::Automation>(database_, [&](store::Transaction& tx) -> Result<domain::Automation> {
    store::AutomationRepository repository(tx.connection());
    CRM_ASSIGN_OR_RETURN(domain::Automation stored, repository.GetForUpdate(principal.business_id, id));
    if (stored.state == state) return stored;
    stored.state = state;
    if (state == domain::AutomationState::kActive) stored.activated_at = now;
    stored.updated_at = now;
    return repository.Update(stored);
  });
}

namespace {

// An automation of the business stands for a preset's item when it came from the same preset
// with the same trigger and action (each preset has one item per trigger and action), whatever
// it has been renamed or changed to since.
bool SameItem(const domain::Automation& stored, const std::string& preset, const domain::Automation& item) {
  return stored.preset == preset && stored.trigger.kind == item.trigger.kind && stored.action == item.action;
}

}  // namespace

Result<PresetApplied> AutomationService::ApplyPreset(const Principal& principal, const std::string& key) {
  CRM_RETURN_IF_ERROR(principal.Require(domain::Role::kManager));
  const AutomationPreset* preset = nullptr;
  for (const AutomationPreset& p : Presets()) {
    if (p.key == key) preset = &p;
  }
  if (preset == nullptr) return NotFound("no such preset");
  for (const domain::Automation& a : preset->automations) {
    domain::Automation draft = a;
    draft.business_id = principal.business_id;
    CRM_RETURN_IF_ERROR(CheckDraft(principal, draft));
  }
  const Timestamp now = clock_.Now();
  return WriteValue<PresetApplied>(database_, [&](store::Transaction& tx) -> Result<PresetApplied> {
    store::AutomationRepository repository(tx.connection());
    CRM_ASSIGN_OR_RETURN(auto existing, repository.List(principal.business_id));
    PresetApplied applied;
    for (domain::Automation draft : preset->automations) {
      auto present = std::find_if(existing.begin(), existing.end(), [&](const domain::Automation& stored) {
        return SameItem(stored, preset->key, draft);
      });
      if (present != existing.end()) {
        applied.already_present.push_back(*present);
        continue;
      }
      draft.business_id = principal.business_id;
      draft.seed = RandomSeed();
      draft.state = domain::AutomationState::kActive;
      draft.created_at = draft.updated_at = now;
      draft.activated_at = now;
      CRM_ASSIGN_OR_RETURN(domain::Automation stored, repository.Create(std::move(draft)));
      applied.added.push_back(std::move(stored));
    }
    if (applied.added.empty()) {
      return FailedPrecondition("every automation of this preset is there already").WithReason("preset_already_applied");
    }
    return applied;
  });
}

}  // namespace crm::app
