#pragma once
// Capped tables for Stats: keys (strings or IP addresses) to dense indices
// and a row of counters each. When a table holds `cap` keys, every new key
// shares the one "other" row, so a hostile capture cannot grow it.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "sipflow/capture/endpoint.hpp"

namespace sipflow::flows::detail {

/// Index of the shared "other" row.
inline constexpr std::uint32_t kOther = 0xFFFFFFFFu;

struct StringViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// Where a key landed.
struct Slot {
  std::uint32_t index = kOther;
  bool inserted = false;  ///< first time this key was seen: fill the row's labels
};

/// `Key` → row index, at most `cap` keys. `Key` is std::string (looked up by
/// string_view, no allocation unless new) or IpAddress.
template <class Key, class Row>
class CappedTable {
 public:
  explicit CappedTable(std::size_t cap) : cap_(cap) {}

  /// The slot of `key`; kOther once the table is full (and `key` is new).
  template <class K>
  Slot find_or_add(const K& key) {
    auto it = map_.find(key);
    if (it != map_.end()) return {it->second, false};
    if (map_.size() >= cap_) {
      other_used_ = true;
      return {kOther, false};
    }
    auto index = static_cast<std::uint32_t>(rows_.size());
    auto [pos, ok] = map_.emplace(Key(key), index);
    keys_.push_back(&pos->first);  // map nodes never move: the pointer stays valid
    rows_.emplace_back();
    return {index, true};
  }

  Row& row(std::uint32_t index) { return index == kOther ? other_ : rows_[index]; }
  const Row& row(std::uint32_t index) const { return index == kOther ? other_ : rows_[index]; }
  const Key& key(std::uint32_t index) const { return *keys_[index]; }
  std::size_t size() const noexcept { return rows_.size(); }
  bool other_used() const noexcept { return other_used_; }

 private:
  using Map =
      std::conditional_t<std::is_same_v<Key, std::string>,
                         std::unordered_map<Key, std::uint32_t, StringViewHash, std::equal_to<>>,
                         std::unordered_map<Key, std::uint32_t>>;
  std::size_t cap_;
  Map map_;
  std::vector<const Key*> keys_;
  std::vector<Row> rows_;
  Row other_{};
  bool other_used_ = false;
};

}  // namespace sipflow::flows::detail
