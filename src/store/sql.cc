#include "store/sql.h"

namespace crm::store {

int64_t Row::GetInt(size_t i) const {
  const SqlValue& value = values_.at(i);
  if (const auto* number = std::get_if<int64_t>(&value)) return *number;
  if (const auto* text = std::get_if<std::string>(&value)) return std::stoll(*text);
  return 0;
}

std::string Row::GetText(size_t i) const {
  const SqlValue& value = values_.at(i);
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<int64_t>(&value)) return std::to_string(*number);
  return {};
}

std::optional<int64_t> Row::GetOptionalInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return GetInt(i);
}

}  // namespace crm::store
