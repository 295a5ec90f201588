#include "domain/merge.h"

#include <algorithm>
#include <map>

namespace crm::domain {
namespace {

struct FieldName {
  MergeField field;
  const char* name;
};
constexpr FieldName kFieldNames[] = {
    {MergeField::kName, "name"},
    {MergeField::kPhone, "phone"},
    {MergeField::kEmail, "email"},
    {MergeField::kBirthday, "birthday"},
    {MergeField::kGender, "gender"},
    {MergeField::kAddress, "address"},
    {MergeField::kSource, "source"},
    {MergeField::kReferrer, "referrer_id"},
    {MergeField::kAnniversaries, "anniversaries"},
    {MergeField::kTags, "tags"},
};

bool HasValue(const Customer& customer, MergeField field) {
  switch (field) {
    case MergeField::kName:
      return !customer.name.empty();
    case MergeField::kPhone:
      return !customer.phone_e164.empty();
    case MergeField::kEmail:
      return !customer.email.empty();
    case MergeField::kBirthday:
      return customer.birthday.has_value();
    case MergeField::kGender:
      return customer.gender != Gender::kUnspecified;
    case MergeField::kAddress:
      return !customer.address.empty();
    case MergeField::kSource:
      return true;
    case MergeField::kReferrer:
      return customer.referrer_id.has_value();
    case MergeField::kAnniversaries:
      return !customer.anniversaries.empty();
    case MergeField::kTags:
      return !customer.tags.empty();
  }
  return false;
}

bool SameValue(const Customer& a, const Customer& b, MergeField field) {
  switch (field) {
    case MergeField::kName:
      return a.name == b.name;
    case MergeField::kPhone:
      return a.phone_e164 == b.phone_e164;
    case MergeField::kEmail:
      return a.email == b.email;
    case MergeField::kBirthday:
      return a.birthday == b.birthday;
    case MergeField::kGender:
      return a.gender == b.gender;
    case MergeField::kAddress:
      return a.address == b.address;
    case MergeField::kSource:
      return a.source == b.source;
    case MergeField::kReferrer:
      return a.referrer_id == b.referrer_id;
    case MergeField::kAnniversaries:
      return a.anniversaries == b.anniversaries;
    case MergeField::kTags: {
      std::vector<std::string> left = a.tags, right = b.tags;
      std::sort(left.begin(), left.end());
      std::sort(right.begin(), right.end());
      return left == right;
    }
  }
  return true;
}

template <typename T>
void AppendMissing(std::vector<T>& into, const std::vector<T>& from) {
  for (const T& item : from) {
    if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
  }
}

}  // namespace

const char* ToString(MergeField field) {
  for (const FieldName& entry : kFieldNames) {
    if (entry.field == field) return entry.name;
  }
  return "unknown";
}

const char* ToString(MergeSide side) {
  switch (side) {
    case MergeSide::kThis:
      return "this";
    case MergeSide::kOther:
      return "other";
    case MergeSide::kBoth:
      return "both";
  }
  return "this";
}

std::optional<MergeField> ParseMergeField(std::string_view text) {
  for (const FieldName& entry : kFieldNames) {
    if (text == entry.name) return entry.field;
  }
  return std::nullopt;
}

std::optional<MergeSide> ParseMergeSide(std::string_view text) {
  for (MergeSide side : {MergeSide::kThis, MergeSide::kOther, MergeSide::kBoth}) {
    if (text == ToString(side)) return side;
  }
  return std::nullopt;
}

const std::vector<MergeField>& AllMergeFields() {
  static const std::vector<MergeField> kFields = [] {
    std::vector<MergeField> fields;
    for (const FieldName& entry : kFieldNames) fields.push_back(entry.field);
    return fields;
  }();
  return kFields;
}

bool IsListField(MergeField field) { return field == MergeField::kAnniversaries || field == MergeField::kTags; }

std::vector<MergeField> DifferingFields(const Customer& survivor, const Customer& other) {
  std::vector<MergeField> fields;
  for (MergeField field : AllMergeFields()) {
    if (!SameValue(survivor, other, field)) fields.push_back(field);
  }
  return fields;
}

Result<std::vector<MergeChoice>> ResolveChoices(const Customer& survivor, const Customer& other,
                                                const std::vector<MergeChoice>& given) {
  std::vector<MergeChoice> choices;
  for (MergeField field : AllMergeFields()) {
    auto explicit_choice =
        std::find_if(given.begin(), given.end(), [&](const MergeChoice& c) { return c.field == field; });
    MergeSide side;
    if (explicit_choice != given.end()) {
      side = explicit_choice->side;
      if (side == MergeSide::kBoth && !IsListField(field)) {
        return InvalidArgument("must be \"this\" or \"other\"", std::string("keep.") + ToString(field));
      }
    } else if (IsListField(field)) {
      side = MergeSide::kBoth;
    } else {
      side = !HasValue(survivor, field) && HasValue(other, field) ? MergeSide::kOther : MergeSide::kThis;
    }
    choices.push_back({field, side});
  }
  return choices;
}

std::vector<Consent> MergeConsents(const std::vector<Consent>& survivor, const std::vector<Consent>& other) {
  std::map<int, Consent> by_channel;
  auto take = [&](const Consent& consent) {
    auto [it, inserted] = by_channel.emplace(static_cast<int>(consent.channel), consent);
    if (inserted) return;
    Consent& kept = it->second;
    if (kept.granted != consent.granted) {
      if (!consent.granted) kept = consent;  // a withdrawal wins over any grant
    } else if (consent.at > kept.at) {
      kept = consent;  // the same decision: the latest one
    }
  };
  for (const Consent& consent : survivor) take(consent);
  for (const Consent& consent : other) take(consent);
  std::vector<Consent> merged;
  for (auto& [channel, consent] : by_channel) merged.push_back(consent);
  return merged;
}

Customer MergedProfile(const Customer& survivor, const Customer& other, const std::vector<MergeChoice>& choices) {
  Customer merged = survivor;
  for (const MergeChoice& choice : choices) {
    const bool take_other = choice.side == MergeSide::kOther;
    switch (choice.field) {
      case MergeField::kName:
        if (take_other) {
          merged.name = other.name;
          merged.family_name = other.family_name;
          merged.given_name = other.given_name;
        }
        break;
      case MergeField::kPhone:
        if (take_other) merged.phone_e164 = other.phone_e164;
        break;
      case MergeField::kEmail:
        if (take_other) merged.email = other.email;
        break;
      case MergeField::kBirthday:
        if (take_other) merged.birthday = other.birthday;
        break;
      case MergeField::kGender:
        if (take_other) merged.gender = other.gender;
        break;
      case MergeField::kAddress:
        if (take_other) merged.address = other.address;
        break;
      case MergeField::kSource:
        if (take_other) merged.source = other.source;
        break;
      case MergeField::kReferrer:
        if (take_other) merged.referrer_id = other.referrer_id;
        break;
      case MergeField::kAnniversaries:
        if (take_other) merged.anniversaries = other.anniversaries;
        if (choice.side == MergeSide::kBoth) AppendMissing(merged.anniversaries, other.anniversaries);
        break;
      case MergeField::kTags:
        if (take_other) merged.tags = other.tags;
        if (choice.side == MergeSide::kBoth) AppendMissing(merged.tags, other.tags);
        break;
    }
  }
  if (merged.referrer_id == survivor.id || merged.referrer_id == other.id) merged.referrer_id.reset();
  merged.consents = MergeConsents(survivor.consents, other.consents);
  merged.preferences.clear();
  return merged;
}

}  // namespace crm::domain
