#pragma once
// FlatMap: an open-addressing hash map (linear probing, backward-shift
// deletion) for the per-connection tables of the stream trackers.
//
// Slots live in one vector, so a lookup touches one or two cache lines and
// never allocates; the table only allocates when it grows. Values should be
// small (an index into a separate vector of connection states): they move on
// growth.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace sipflow::capture::detail {

/// Map from `Key` (a value type with operator==) to `Value`, hashed by
/// `Hash`. Not thread-safe. Pointers returned by find() and insert() are
/// valid until the next insert() or erase().
template <class Key, class Value, class Hash>
class FlatMap {
 public:
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  /// The value stored for `key`, or nullptr.
  Value* find(const Key& key) noexcept {
    if (size_ == 0) return nullptr;
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = Hash{}(key)&mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }

  /// Inserts `value` for `key` unless the key is present. Returns the stored
  /// value and whether it was inserted.
  std::pair<Value*, bool> insert(const Key& key, Value value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();  // load factor <= 0.75
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = Hash{}(key)&mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used) {
        s.used = true;
        s.key = key;
        s.value = std::move(value);
        ++size_;
        return {&s.value, true};
      }
      if (s.key == key) return {&s.value, false};
    }
  }

  /// Removes `key`; returns whether it was present.
  bool erase(const Key& key) noexcept {
    if (size_ == 0) return false;
    std::size_t mask = slots_.size() - 1;
    std::size_t i = Hash{}(key)&mask;
    for (;; i = (i + 1) & mask) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) break;
    }
    // Backward-shift: move later members of the probe run into the hole so
    // that lookups never need tombstones.
    for (std::size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
      Slot& next = slots_[j];
      if (!next.used) break;
      std::size_t home = Hash{}(next.key) & mask;
      // `next` may move to `i` only if `i` lies cyclically in [home, j).
      bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        slots_[i].key = next.key;
        slots_[i].value = std::move(next.value);
        i = j;
      }
    }
    slots_[i].used = false;
    slots_[i].value = Value{};
    --size_;
    return true;
  }

  /// Calls `f(key, value)` for every entry, in table order.
  template <class F>
  void for_each(F&& f) {
    for (auto& s : slots_) {
      if (s.used) f(static_cast<const Key&>(s.key), s.value);
    }
  }

  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    size_ = 0;
    for (auto& s : old) {
      if (s.used) insert(s.key, std::move(s.value));
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace sipflow::capture::detail
