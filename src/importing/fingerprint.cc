#include "importing/fingerprint.h"

#include <fmt/format.h>

namespace crm::importing {

void Fingerprint::Add(std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash_ ^= c;
    hash_ *= 1099511628211ULL;
  }
}

void Fingerprint::AddFields(const std::vector<std::string>& fields) {
  for (const std::string& field : fields) {
    Add(field);
    Add(std::string_view("\0\x1F", 2));
  }
}

std::string Fingerprint::Hex() const { return fmt::format("{:016x}", hash_); }

}  // namespace crm::importing
