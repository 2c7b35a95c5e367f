#pragma once
// Result<T>: a value or an Error, for everything that reads untrusted bytes.
// g++ 12 has no std::expected; this is the small subset sipflow needs.

#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

namespace sipflow {

/// Why some bytes were rejected. `code` is a stable snake_case name (a string
/// literal with static storage, safe to keep); `offset` is the byte offset in
/// the input where the problem was found.
struct Error {
  std::string_view code;
  std::uint32_t offset = 0;

  friend bool operator==(const Error&, const Error&) = default;
};

/// Either a T or an Error. Never throws on bad input; accessing the wrong
/// alternative is a bug and aborts via std::get.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(error) {}         // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The value, or `fallback` when this holds an error.
  T value_or(T fallback) const& { return ok() ? value() : fallback; }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that produces nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace sipflow
