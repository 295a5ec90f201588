// Merging two profiles of one person: which fields a merge lets the user choose, the defaults when
// they do not, the profile that results, and how two sets of consents combine (a withdrawal always
// wins over a grant). Pure rules; moving the rows that hang off a profile is the app's and store's.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/customer.h"

namespace crm::domain {

// The profile fields a merge chooses. Persisted in merge records by name (ToString), not number.
enum class MergeField {
  kName = 1,
  kPhone = 2,
  kEmail = 3,
  kBirthday = 4,
  kGender = 5,
  kAddress = 6,
  kSource = 7,
  kReferrer = 8,
  kAnniversaries = 9,
  kTags = 10,
};
// "this": the survivor's value; "other": the merged profile's; "both": the union (lists only).
enum class MergeSide { kThis = 1, kOther = 2, kBoth = 3 };

struct MergeChoice {
  MergeField field = MergeField::kName;
  MergeSide side = MergeSide::kThis;
  bool operator==(const MergeChoice&) const = default;
};

const char* ToString(MergeField field);
const char* ToString(MergeSide side);
std::optional<MergeField> ParseMergeField(std::string_view text);
std::optional<MergeSide> ParseMergeSide(std::string_view text);
// Every field, in a stable order.
const std::vector<MergeField>& AllMergeFields();
bool IsListField(MergeField field);

// The fields whose values differ between the two profiles.
std::vector<MergeField> DifferingFields(const Customer& survivor, const Customer& other);

// One choice for every field: the given ones, and for the rest the survivor's value when it has
// one, else the other's ("both" for tags and anniversaries). kInvalidArgument naming "keep.FIELD"
// for "both" on a field that is not a list.
Result<std::vector<MergeChoice>> ResolveChoices(const Customer& survivor, const Customer& other,
                                                const std::vector<MergeChoice>& given);

// Per channel: a withdrawal from either side wins (the latest withdrawal); otherwise the latest grant.
std::vector<Consent> MergeConsents(const std::vector<Consent>& survivor, const std::vector<Consent>& other);

// The survivor's profile after the merge: ids, stats and timestamps of the survivor, the chosen
// values, merged consents. A referrer that would be one of the two profiles is dropped.
Customer MergedProfile(const Customer& survivor, const Customer& other, const std::vector<MergeChoice>& choices);

}  // namespace crm::domain
