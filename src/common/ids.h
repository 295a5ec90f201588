// Strong identifier types. Every row in Dangol has a 64-bit id; the type says whose it is, so a
// CustomerId can never be passed where a BranchId is expected.
#pragma once

#include <cstdint>
#include <functional>

namespace crm {

template <typename Tag>
class Id {
 public:
  constexpr Id() = default;
  constexpr explicit Id(int64_t value) : value_(value) {}
  constexpr int64_t value() const { return value_; }
  constexpr bool valid() const { return value_ > 0; }
  constexpr auto operator<=>(const Id&) const = default;

 private:
  int64_t value_ = 0;
};

using BusinessId = Id<struct BusinessTag>;
using BranchId = Id<struct BranchTag>;
using StaffId = Id<struct StaffTag>;
using CustomerId = Id<struct CustomerTag>;
using OrderId = Id<struct OrderTag>;
using NoteId = Id<struct NoteTag>;
using PreferenceId = Id<struct PreferenceTag>;
using ProspectId = Id<struct ProspectTag>;
using TokenId = Id<struct TokenTag>;
using SegmentId = Id<struct SegmentTag>;

}  // namespace crm

template <typename Tag>
struct std::hash<crm::Id<Tag>> {
  size_t operator()(const crm::Id<Tag>& id) const { return std::hash<int64_t>()(id.value()); }
};
