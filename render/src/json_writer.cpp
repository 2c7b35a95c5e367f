#include "sipflow/render/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>

#include "sipflow/render/escape.hpp"

namespace sipflow::render {

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
  if ((empty_ & bit) == 0) out_.push_back(',');
  empty_ &= ~bit;
}

void JsonWriter::open(char bracket) {
  separate();
  if (depth_ == kMaxDepth) throw std::logic_error("JsonWriter: containers nested too deep");
  out_.push_back(bracket);
  empty_ |= std::uint64_t{1} << depth_;
  ++depth_;
}

void JsonWriter::close(char bracket) {
  out_.push_back(bracket);
  if (depth_ > 0) --depth_;
}

JsonWriter& JsonWriter::begin_object() {
  open('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  close('}');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  close(']');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  append_json_string(out_, k);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  separate();
  append_json_string(out_, s);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out_.append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t n) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out_.append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(double d, int decimals) {
  separate();
  if (!std::isfinite(d)) {
    out_ += "null";
    return *this;
  }
  // Correctly rounded like printf("%.*f"); a huge number falls back to fmt.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, decimals);
  if (r.ec == std::errc{}) {
    out_.append(buf, r.ptr);
  } else {
    fmt::format_to(std::back_inserter(out_), "{:.{}f}", d, decimals);
  }
  return *this;
}

JsonWriter& JsonWriter::value(Timestamp t) {
  separate();
  fmt::format_to(std::back_inserter(out_), "{}", t);
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

}  // namespace sipflow::render
