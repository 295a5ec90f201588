// HashSet64: a set of 64-bit hashes in one open-addressed array (linear probing), for the
// duplicate-row check of an import, which inserts one hash per row of files of millions of rows.
// A node-based std::unordered_set spends most of that time allocating, rehashing and freeing
// nodes; this spends 16 bytes or less per hash and no allocation per insert. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crm::importing {

class HashSet64 {
 public:
  // Adds `value`; true when it was not there before.
  bool Insert(uint64_t value) {
    if (value == kEmpty) {
      const bool added = !has_empty_value_;
      has_empty_value_ = true;
      return added;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    if (!Place(slots_, value)) return false;
    ++size_;
    return true;
  }
  size_t size() const { return size_ + (has_empty_value_ ? 1 : 0); }

 private:
  static constexpr uint64_t kEmpty = 0;

  // The slot index to start probing at: the value mixed (splitmix64's finaliser), as FNV hashes
  // are weak in their low bits.
  static size_t Start(uint64_t value, size_t mask) {
    value ^= value >> 30;
    value *= 0xbf58476d1ce4e5b9ULL;
    value ^= value >> 27;
    value *= 0x94d049bb133111ebULL;
    value ^= value >> 31;
    return static_cast<size_t>(value) & mask;
  }

  // Puts `value` into `slots` (a power of two in size, not full); false when it was there.
  static bool Place(std::vector<uint64_t>& slots, uint64_t value) {
    const size_t mask = slots.size() - 1;
    for (size_t index = Start(value, mask);; index = (index + 1) & mask) {
      if (slots[index] == value) return false;
      if (slots[index] == kEmpty) {
        slots[index] = value;
        return true;
      }
    }
  }

  void Grow() {
    std::vector<uint64_t> larger(slots_.empty() ? 1024 : slots_.size() * 2, kEmpty);
    for (uint64_t value : slots_) {
      if (value != kEmpty) Place(larger, value);
    }
    slots_.swap(larger);
  }

  std::vector<uint64_t> slots_;
  size_t size_ = 0;  // values in slots_
  bool has_empty_value_ = false;
};

}  // namespace crm::importing
