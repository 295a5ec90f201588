// The customer profile and what hangs off it: preferences, notes, consents, anniversaries, and the
// lifecycle stage derived from visits. Types and pure rules only: no storage, JSON or clock here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/money.h"
#include "common/time.h"
#include "domain/kiosk.h"

namespace crm::domain {

// Persisted: the values never change.
enum class Gender { kUnspecified = 0, kFemale = 1, kMale = 2, kOther = 3 };
enum class CalendarType { kSolar = 1, kLunar = 2 };
enum class LifecycleStage { kProspect = 1, kNew = 2, kRegular = 3, kLoyal = 4, kLapsed = 5 };
enum class PreferenceKind { kLike = 1, kDislike = 2, kAllergy = 3, kNever = 4 };
enum class ConsentChannel { kSms = 1, kKakao = 2, kEmail = 3, kNight = 4 };
enum class SourceChannel { kCounter = 1, kKiosk = 2, kOnline = 3, kReferral = 4, kImport = 5, kPartner = 6, kOther = 7 };

struct Birthday {
  Date date;
  CalendarType calendar = CalendarType::kSolar;
  bool leap_month = false;  // Only meaningful for lunar dates.
  bool operator==(const Birthday&) const = default;
};

struct Anniversary {
  std::string label;  // "결혼기념일"
  Date date;
  bool operator==(const Anniversary&) const = default;
};

// The latest decision of a customer about one channel, with when and where it was given.
struct Consent {
  ConsentChannel channel = ConsentChannel::kSms;
  bool granted = false;
  Timestamp at;
  std::string source;  // "kiosk", "counter", "import", "web"
  bool operator==(const Consent&) const = default;
};

struct Preference {
  PreferenceId id;
  PreferenceKind kind = PreferenceKind::kLike;
  std::string subject;  // "참기름", "garlic", "window seat"
  Timestamp created_at;
  StaffId created_by;
  // Allergy and never are alerts: shown first and impossible to miss.
  bool IsAlert() const { return kind == PreferenceKind::kAllergy || kind == PreferenceKind::kNever; }
};

struct Note {
  NoteId id;
  CustomerId customer_id;
  StaffId author_id;
  BranchId branch_id;
  std::string text;
  bool pinned = false;
  Timestamp created_at;
};

// What the stage rule looks at; kept on the customer row and updated with every order.
struct VisitStats {
  int64_t visit_count = 0;
  // Visits in the 365 days up to and including the last visit.
  int64_t visits_last_year = 0;
  Money total_spend;
  std::optional<Timestamp> first_visit_at;
  std::optional<Timestamp> last_visit_at;
};

struct StageRules {
  int64_t regular_visits_per_year = 2;
  int64_t loyal_visits_per_year = 10;
  int64_t lapsed_after_days = 180;
};

// prospect (no visit) → new (one) → regular (2+ in a year) → loyal (10+ in a year); lapsed when the
// last visit is older than the lapse window at `as_of`.
LifecycleStage ComputeStage(const VisitStats& stats, Timestamp as_of, const StageRules& rules = {});

struct Customer {
  CustomerId id;
  BusinessId business_id;
  std::string name;         // NFC, as the customer writes it; may be empty (phone-only sign-up).
  std::string family_name;  // "남궁" for 남궁민
  std::string given_name;   // "민"
  std::string phone_e164;   // "+821012345678"; empty when unknown
  std::string email;        // lower case; empty when unknown
  std::optional<Birthday> birthday;
  Gender gender = Gender::kUnspecified;
  std::vector<Anniversary> anniversaries;
  std::vector<std::string> tags;
  SourceChannel source = SourceChannel::kCounter;
  std::optional<CustomerId> referrer_id;
  std::string address;
  std::vector<Consent> consents;
  VisitStats stats;
  Timestamp created_at;
  Timestamp updated_at;
  std::vector<Preference> preferences;  // Filled when the whole profile is loaded.
  std::vector<Agreement> agreements;    // The notices accepted; filled with the whole profile.
};

// The editable part of a profile, as a create or a partial update carries it. An unset optional
// means "leave as is" for an update and "empty" for a create.
struct CustomerDraft {
  std::optional<std::string> name;
  std::optional<std::string> phone;  // any accepted format; normalised by the service
  std::optional<std::string> email;
  std::optional<std::optional<Birthday>> birthday;
  std::optional<Gender> gender;
  std::optional<std::vector<Anniversary>> anniversaries;
  std::optional<std::vector<std::string>> tags;
  std::optional<SourceChannel> source;
  std::optional<std::optional<CustomerId>> referrer_id;
  std::optional<std::string> address;
  std::vector<Consent> consents;  // appended decisions; the latest per channel wins
  std::vector<Agreement> agreements;  // terms and privacy notices accepted (kept with the customer)
};

const char* ToString(LifecycleStage stage);
const char* ToString(PreferenceKind kind);
const char* ToString(ConsentChannel channel);
const char* ToString(SourceChannel channel);
const char* ToString(Gender gender);
std::optional<PreferenceKind> ParsePreferenceKind(std::string_view text);
std::optional<ConsentChannel> ParseConsentChannel(std::string_view text);
std::optional<SourceChannel> ParseSourceChannel(std::string_view text);
std::optional<Gender> ParseGender(std::string_view text);
std::optional<LifecycleStage> ParseLifecycleStage(std::string_view text);

}  // namespace crm::domain
