#pragma once
// Helpers shared by the libFuzzer targets: exactly-sized input copies, a
// check that aborts (so libFuzzer records the input), byte touching, and small
// validators for UTF-8 and JSON used to state the renderers' invariants.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sipflow::fuzz {

/// A heap block of exactly the input's size, so AddressSanitizer reports a
/// read of even one byte past the end (the caller's buffer may be larger).
class ExactCopy {
 public:
  ExactCopy(const void* data, std::size_t size)
      : size_(size), data_(new std::uint8_t[size ? size : 1]) {
    if (size) std::memcpy(data_.get(), data, size);
  }
  explicit ExactCopy(std::string_view s) : ExactCopy(s.data(), s.size()) {}
  std::string_view view() const noexcept {
    return {reinterpret_cast<const char*>(data_.get()), size_};
  }
  std::span<const std::uint8_t> bytes() const noexcept { return {data_.get(), size_}; }

 private:
  std::size_t size_;
  std::unique_ptr<std::uint8_t[]> data_;
};

/// Aborts with a message: libFuzzer saves the input as a crash.
[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "\n*** fuzz invariant violated: %s (%s:%d)\n", what, file, line);
  std::abort();
}
#define SIPFLOW_FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::sipflow::fuzz::fail(#cond, __FILE__, __LINE__))

/// Reads every byte so a dangling or out-of-range view faults under ASan.
inline void touch(std::string_view s) {
  std::uint8_t acc = 0;
  for (char c : s)
    acc = static_cast<std::uint8_t>(acc + static_cast<std::uint8_t>(c));
  asm volatile("" : : "r"(acc) : "memory");  // keep the reads: the sum is "used"
}
inline void touch(std::span<const std::uint8_t> b) {
  touch(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

/// True when `inner` is empty or lies entirely inside `outer` (borrowed views).
inline bool within(std::string_view inner, std::string_view outer) {
  if (inner.empty()) return true;
  auto b = reinterpret_cast<std::uintptr_t>(outer.data());
  auto p = reinterpret_cast<std::uintptr_t>(inner.data());
  return p >= b && p + inner.size() <= b + outer.size();
}

/// Decodes one UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
/// nothing above U+10FFFF). Returns the code point and advances i, or nullopt.
inline std::optional<char32_t> next_utf8(std::string_view s, std::size_t& i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t n = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return std::nullopt;
  char32_t cp = b0 & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
  for (std::size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = cp << 6 | (b & 0x3Fu);
  }
  constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += n;
  return cp;
}

inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (!next_utf8(s, i)) return false;
  }
  return true;
}

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// A strict RFC 8259 reader, only as much as the invariants need.
class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  /// Reads one string literal at the current position into `out` (decoded
  /// to UTF-8). False on any deviation from the grammar or invalid UTF-8.
  bool string(std::string* out = nullptr) {
    if (!eat('"')) return false;
    while (i_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return false;  // unescaped control character
      if (c == '\\') {
        if (++i_ >= s_.size()) return false;
        char e = s_[i_++];
        char32_t cp = 0;
        switch (e) {
          case '"':
            cp = '"';
            break;
          case '\\':
            cp = '\\';
            break;
          case '/':
            cp = '/';
            break;
          case 'b':
            cp = '\b';
            break;
          case 'f':
            cp = '\f';
            break;
          case 'n':
            cp = '\n';
            break;
          case 'r':
            cp = '\r';
            break;
          case 't':
            cp = '\t';
            break;
          case 'u': {
            auto u = hex4();
            if (!u) return false;
            cp = *u;
            if (cp >= 0xD800 && cp <= 0xDBFF) {  // surrogate pair
              if (!eat('\\') || !eat('u')) return false;
              auto lo = hex4();
              if (!lo || *lo < 0xDC00 || *lo > 0xDFFF) return false;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (*lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
              return false;  // lone low surrogate
            }
            break;
          }
          default:
            return false;
        }
        if (out) append_utf8(*out, cp);
        continue;
      }
      std::size_t start = i_;
      if (!next_utf8(s_, i_)) return false;
      if (out) out->append(s_.substr(start, i_ - start));
    }
    return false;  // unterminated
  }

  /// Reads one value of any type (depth-limited).
  bool value(int depth = 0) {
    if (depth > 64) return false;
    ws();
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '"') return string();
    if (c == '{') {
      ++i_;
      ws();
      if (eat('}')) return true;
      for (;;) {
        ws();
        if (!string()) return false;
        ws();
        if (!eat(':')) return false;
        if (!value(depth + 1)) return false;
        ws();
        if (eat('}')) return true;
        if (!eat(',')) return false;
      }
    }
    if (c == '[') {
      ++i_;
      ws();
      if (eat(']')) return true;
      for (;;) {
        if (!value(depth + 1)) return false;
        ws();
        if (eat(']')) return true;
        if (!eat(',')) return false;
      }
    }
    if (literal("true") || literal("false") || literal("null")) return true;
    return number();
  }

  bool at_end() {
    ws();
    return i_ == s_.size();
  }

 private:
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool literal(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool digits() {
    std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9')
      ++i_;
    return i_ > start;
  }
  bool number() {  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE][+-]?[0-9]+)?
    eat('-');
    if (eat('0')) {
      if (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') return false;  // leading zero
    } else if (!digits()) {
      return false;
    }
    if (eat('.') && !digits()) return false;
    if (eat('e') || eat('E')) {
      if (!eat('+')) eat('-');
      if (!digits()) return false;
    }
    return true;
  }
  std::optional<char32_t> hex4() {
    if (i_ + 4 > s_.size()) return std::nullopt;
    char32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<char32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<char32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<char32_t>(c - 'A' + 10);
      else
        return std::nullopt;
    }
    return v;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

/// True when `json` is exactly one JSON document (RFC 8259) and valid UTF-8.
inline bool valid_json_document(std::string_view json) {
  JsonReader r(json);
  return r.value() && r.at_end();
}

}  // namespace sipflow::fuzz
