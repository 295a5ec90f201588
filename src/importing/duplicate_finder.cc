#include "importing/duplicate_finder.h"

#include <algorithm>
#include <map>

#include "domain/korean_text.h"

namespace crm::importing {
namespace {

constexpr DuplicateReason kReasons[4] = {DuplicateReason::kSamePhone, DuplicateReason::kSameEmail,
                                         DuplicateReason::kSameNameAndBirthday, DuplicateReason::kSameNameAndLast4};
// How much each reason alone says: a phone or e-mail is nearly an identity; a name with a
// birthday or with the last 4 digits is strong but not certain.
constexpr double kWeights[4] = {0.95, 0.9, 0.8, 0.7};

}  // namespace

const char* DuplicateReasonName(DuplicateReason reason) {
  switch (reason) {
    case DuplicateReason::kSamePhone: return "same_phone";
    case DuplicateReason::kSameEmail: return "same_email";
    case DuplicateReason::kSameNameAndBirthday: return "same_name_and_birthday";
    case DuplicateReason::kSameNameAndLast4: return "same_name_and_last4";
  }
  return "unknown";
}

std::string DuplicateNameKey(std::string_view nfc_name) {
  std::string key = domain::NameSearchKey(nfc_name);
  for (const auto& [from, to] : {std::pair{"류", "유"}, std::pair{"리", "이"}, std::pair{"림", "임"}}) {
    const std::string_view prefix(from);
    if (key.starts_with(prefix)) {
      key.replace(0, prefix.size(), to);
      break;
    }
  }
  return key;
}

void DuplicateFinder::Add(const IdentityRecord& record) {
  const std::string name = record.name.empty() ? std::string() : DuplicateNameKey(record.name);
  const std::string keys[4] = {
      record.phone_e164,
      record.email,
      name.empty() || !record.birthday ? std::string() : name + "\x1F" + record.birthday->ToString(),
      name.empty() || record.phone_e164.size() < 4 ? std::string()
                                                   : name + "\x1F" + record.phone_e164.substr(record.phone_e164.size() - 4),
  };
  for (int i = 0; i < 4; ++i) {
    if (!keys[i].empty()) groups_[i][keys[i]].push_back(record.id);
  }
}

std::vector<DuplicateCandidate> DuplicateFinder::Candidates(size_t max_group) const {
  std::map<std::pair<int64_t, int64_t>, DuplicateCandidate> pairs;
  for (int i = 0; i < 4; ++i) {
    for (const auto& [key, ids] : groups_[i]) {
      if (ids.size() < 2 || ids.size() > max_group) continue;
      for (size_t a = 0; a < ids.size(); ++a) {
        for (size_t b = a + 1; b < ids.size(); ++b) {
          const int64_t first = std::min(ids[a], ids[b]), second = std::max(ids[a], ids[b]);
          if (first == second) continue;
          DuplicateCandidate& candidate = pairs[{first, second}];
          candidate.first = first;
          candidate.second = second;
          if (std::find(candidate.reasons.begin(), candidate.reasons.end(), kReasons[i]) == candidate.reasons.end()) {
            candidate.reasons.push_back(kReasons[i]);
          }
        }
      }
    }
  }
  std::vector<DuplicateCandidate> candidates;
  for (auto& [ids, candidate] : pairs) {
    double unlikely = 1;
    std::sort(candidate.reasons.begin(), candidate.reasons.end());
    for (DuplicateReason reason : candidate.reasons) unlikely *= 1 - kWeights[static_cast<int>(reason) - 1];
    candidate.score = 1 - unlikely;
    candidates.push_back(std::move(candidate));
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const DuplicateCandidate& a, const DuplicateCandidate& b) { return a.score > b.score; });
  return candidates;
}

}  // namespace crm::importing
