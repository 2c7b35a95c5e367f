#pragma once
// JsonWriter: a tiny streaming JSON builder that appends to a std::string.
// Commas and escaping are handled here so no caller formats JSON by hand.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipflow::render {

class JsonWriter {
 public:
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
  std::string& out_;
  std::vector<bool> first_{};  // per open container: no member written yet
  bool after_key_ = false;
};

}  // namespace sipflow::render
