// DuplicateFinder: candidate pairs of customer profiles that may be the same person arriving
// through different channels (PRODUCT.md §1): the same phone, the same e-mail, the same name and
// birthday, or names equal after normalisation (NFC/NFD, spaces, Latin case, and the family names
// 류/유, 리/이, 림/임 taken as one) with the same last 4 phone digits. Each pair carries a score in
// (0, 1] and its reasons; the user reviews them. Names alone are never enough: 김, 이 and 박 cover
// 44.6 % of people. Profiles are indexed by key, so the work is linear in their number; a key
// shared by more than `max_group` profiles (a shop's own phone typed for everyone) is skipped.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace crm::importing {

struct IdentityRecord {
  int64_t id = 0;
  std::string name;        // NFC
  std::string phone_e164;  // empty when unknown
  std::string email;       // lower case; empty when unknown
  std::optional<Date> birthday;
};

// Reported by name (DuplicateReasonName); the numbers are not persisted.
enum class DuplicateReason { kSamePhone = 1, kSameEmail = 2, kSameNameAndBirthday = 3, kSameNameAndLast4 = 4 };
const char* DuplicateReasonName(DuplicateReason reason);  // "same_phone", ...

struct DuplicateCandidate {
  int64_t first = 0;   // the lower id
  int64_t second = 0;  // the higher id
  double score = 0;    // 1 − Π(1 − weight of each reason)
  std::vector<DuplicateReason> reasons;
};

class DuplicateFinder {
 public:
  void Add(const IdentityRecord& record);
  // Every pair sharing at least one key, highest score first (then by ids).
  std::vector<DuplicateCandidate> Candidates(size_t max_group = 50) const;

 private:
  std::unordered_map<std::string, std::vector<int64_t>> groups_[4];
};

// The name key the finder compares: NameSearchKey plus 류→유, 리→이, 림→임 at the start.
std::string DuplicateNameKey(std::string_view nfc_name);

}  // namespace crm::importing
