#pragma once
// JsonWriter: a tiny streaming JSON builder that appends to a std::string.
// Commas and escaping are handled here so no caller formats JSON by hand.

#include <cstdint>
#include <string>
#include <string_view>

#include "sipflow/capture/timestamp.hpp"

namespace sipflow::render {

/// Containers nest at most kMaxDepth deep (a bug otherwise: std::logic_error).
class JsonWriter {
 public:
  static constexpr unsigned kMaxDepth = 64;

  /// Appends to `out`, which must outlive the writer.
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// Starts a member of the current object; follow it with one value.
  JsonWriter& key(std::string_view k);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(unsigned n) { return value(static_cast<std::uint64_t>(n)); }
  JsonWriter& value(bool b);
  /// A number with `decimals` digits after the point (NaN/inf become null).
  JsonWriter& value(double d, int decimals);
  /// Epoch seconds with microseconds, as Timestamp formats ("1700000000.123456").
  JsonWriter& value(Timestamp t);
  JsonWriter& null();
  /// Inserts already-valid JSON text as one value.
  JsonWriter& raw(std::string_view json);

  /// key + value in one call.
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  JsonWriter& field(std::string_view k, double d, int decimals) {
    key(k);
    return value(d, decimals);
  }

 private:
  void separate();
  void open(char bracket);
  void close(char bracket);
  std::string& out_;
  std::uint64_t empty_ = 0;  // bit d: the open container at depth d has no member yet
  unsigned depth_ = 0;       // containers open
  bool after_key_ = false;
};

}  // namespace sipflow::render
