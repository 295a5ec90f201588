#include "domain/customer.h"

#include <string_view>

namespace crm::domain {

LifecycleStage ComputeStage(const VisitStats& stats, Timestamp as_of, const StageRules& rules) {
  if (stats.visit_count <= 0 || !stats.last_visit_at) return LifecycleStage::kProspect;
  if (as_of.seconds() - stats.last_visit_at->seconds() > rules.lapsed_after_days * 86400) {
    return LifecycleStage::kLapsed;
  }
  if (stats.visits_last_year >= rules.loyal_visits_per_year) return LifecycleStage::kLoyal;
  if (stats.visits_last_year >= rules.regular_visits_per_year) return LifecycleStage::kRegular;
  return LifecycleStage::kNew;
}

namespace {
template <typename Enum, size_t N>
std::optional<Enum> ParseEnum(std::string_view text, const std::pair<Enum, const char*> (&names)[N]) {
  for (const auto& [value, name] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}
template <typename Enum, size_t N>
const char* EnumName(Enum value, const std::pair<Enum, const char*> (&names)[N]) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

constexpr std::pair<LifecycleStage, const char*> kStages[] = {
    {LifecycleStage::kProspect, "prospect"}, {LifecycleStage::kNew, "new"},
    {LifecycleStage::kRegular, "regular"},   {LifecycleStage::kLoyal, "loyal"},
    {LifecycleStage::kLapsed, "lapsed"}};
constexpr std::pair<PreferenceKind, const char*> kPreferenceKinds[] = {{PreferenceKind::kLike, "like"},
                                                                       {PreferenceKind::kDislike, "dislike"},
                                                                       {PreferenceKind::kAllergy, "allergy"},
                                                                       {PreferenceKind::kNever, "never"}};
constexpr std::pair<ConsentChannel, const char*> kConsentChannels[] = {{ConsentChannel::kSms, "sms"},
                                                                       {ConsentChannel::kKakao, "kakao"},
                                                                       {ConsentChannel::kEmail, "email"},
                                                                       {ConsentChannel::kNight, "night"}};
constexpr std::pair<SourceChannel, const char*> kSources[] = {
    {SourceChannel::kCounter, "counter"},   {SourceChannel::kKiosk, "kiosk"},   {SourceChannel::kOnline, "online"},
    {SourceChannel::kReferral, "referral"}, {SourceChannel::kImport, "import"}, {SourceChannel::kPartner, "partner"},
    {SourceChannel::kOther, "other"}};
constexpr std::pair<Gender, const char*> kGenders[] = {{Gender::kUnspecified, "unspecified"},
                                                       {Gender::kFemale, "female"},
                                                       {Gender::kMale, "male"},
                                                       {Gender::kOther, "other"}};
}  // namespace

const char* ToString(LifecycleStage stage) { return EnumName(stage, kStages); }
const char* ToString(PreferenceKind kind) { return EnumName(kind, kPreferenceKinds); }
const char* ToString(ConsentChannel channel) { return EnumName(channel, kConsentChannels); }
const char* ToString(SourceChannel channel) { return EnumName(channel, kSources); }
const char* ToString(Gender gender) { return EnumName(gender, kGenders); }
std::optional<PreferenceKind> ParsePreferenceKind(std::string_view text) { return ParseEnum(text, kPreferenceKinds); }
std::optional<ConsentChannel> ParseConsentChannel(std::string_view text) { return ParseEnum(text, kConsentChannels); }
std::optional<SourceChannel> ParseSourceChannel(std::string_view text) { return ParseEnum(text, kSources); }
std::optional<Gender> ParseGender(std::string_view text) { return ParseEnum(text, kGenders); }
std::optional<LifecycleStage> ParseLifecycleStage(std::string_view text) { return ParseEnum(text, kStages); }

}  // namespace crm::domain
