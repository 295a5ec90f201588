#include "app/password_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <unordered_set>

namespace crm::app {
namespace internal {
extern const char kCommonPasswords[];  // generated from data/common_passwords.txt
}  // namespace internal

namespace {

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

const std::unordered_set<std::string>& CommonPasswords() {
  static const std::unordered_set<std::string> passwords = [] {
    std::unordered_set<std::string> set;
    std::string_view text(internal::kCommonPasswords);
    while (!text.empty()) {
      const size_t end = std::min(text.find('\n'), text.size());
      std::string_view line = text.substr(0, end);
      text.remove_prefix(std::min(end + 1, text.size()));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.starts_with("#!comment:")) continue;
      set.insert(Lower(line));
    }
    return set;
  }();
  return passwords;
}

bool IsDigitOrSymbol(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

size_t CountCharacters(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace

bool IsCommonPassword(std::string_view password) {
  const std::string lower = Lower(password);
  const auto& common = CommonPasswords();
  if (common.contains(lower)) return true;
  std::string_view core = lower;
  while (!core.empty() && IsDigitOrSymbol(core.front())) core.remove_prefix(1);
  while (!core.empty() && IsDigitOrSymbol(core.back())) core.remove_suffix(1);
  return !core.empty() && common.contains(std::string(core));
}

Status CheckPasswordPolicy(std::string_view password) {
  if (CountCharacters(password) < kMinPasswordCharacters) {
    return InvalidArgument(fmt::format("password needs at least {} characters", kMinPasswordCharacters), "password");
  }
  if (password.size() > kMaxPasswordBytes) return InvalidArgument("password is too long", "password");
  if (password.find_first_not_of(password.front()) == std::string_view::npos) {
    return InvalidArgument("password is one character repeated", "password");
  }
  if (IsCommonPassword(password)) {
    return InvalidArgument("password is too common (it is on the list of passwords most seen in leaks)", "password");
  }
  return Status::Ok();
}

}  // namespace crm::app
