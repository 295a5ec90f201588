// Fingerprint: a 64-bit FNV-1a hash of text, used to recognise a file already imported, a header
// already mapped and an exact duplicate row. Not cryptographic: it guards against accidents, not
// against someone crafting collisions. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crm::importing {

class Fingerprint {
 public:
  void Add(std::string_view bytes);
  // Adds the fields with a separator that cannot occur in text, so ("ab","c") ≠ ("a","bc").
  void AddFields(const std::vector<std::string>& fields);
  uint64_t value() const { return hash_; }
  // 16 lower-case hex digits.
  std::string Hex() const;

 private:
  uint64_t hash_ = 14695981039346656037ULL;
};

}  // namespace crm::importing
