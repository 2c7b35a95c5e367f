#pragma once
// ExactBuffer: test input in a heap block of exactly its size, so that
// AddressSanitizer reports a read of even one byte past the end.

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace sipflow::test {

class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view s)
      : size_(s.size()), data_(new char[s.size() ? s.size() : 1]) {
    if (!s.empty()) std::memcpy(data_.get(), s.data(), s.size());
  }
  std::string_view view() const { return {data_.get(), size_}; }
  std::span<const std::uint8_t> bytes() const {
    return {reinterpret_cast<const std::uint8_t*>(data_.get()), size_};
  }

 private:
  std::size_t size_;
  std::unique_ptr<char[]> data_;
};

/// Replaces every "\n" not preceded by "\r" with "\r\n" (test messages are
/// written with LF for readability; SIP wants CRLF).
inline std::string crlf(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out.push_back('\r');
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace sipflow::test
