#pragma once
// Character classes of the SIP grammar (RFC 3261 §25.1) as one 256-entry
// table, so the hot path never calls locale functions or regexes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipflow::decode {

enum CharClass : std::uint8_t {
  kToken = 1 << 0,  ///< token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  kSpace = 1 << 1,  ///< SP / HTAB
  kDigit = 1 << 2,
  kHex = 1 << 3,
  kAlpha = 1 << 4,
  kCtl = 1 << 5,  ///< control characters other than HTAB
};

constexpr std::array<std::uint8_t, 256> make_char_table() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = 0;
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (alpha) v |= kAlpha;
    if (digit) v |= kDigit;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= kHex;
    if (alpha || digit) v |= kToken;
    if (c == ' ' || c == '\t') v |= kSpace;
    if ((c < 0x20 && c != '\t') || c == 0x7F) v |= kCtl;
    t[static_cast<std::size_t>(c)] = v;
  }
  for (char c : std::string_view("-.!%*_+`'~"))
    t[static_cast<unsigned char>(c)] |= kToken;
  return t;
}

inline constexpr std::array<std::uint8_t, 256> kChars = make_char_table();

constexpr bool is(char c, CharClass cls) noexcept {
  return (kChars[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
/// ASCII case-insensitive equality (SIP names, schemes, parameters).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}
constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
/// True when every character is a token character and `s` is not empty.
constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is(c, kToken)) return false;
  }
  return true;
}
/// Strips SP, HTAB, CR and LF from both ends.
constexpr std::string_view trim(std::string_view s) noexcept {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && ws(s.back()))
    s.remove_suffix(1);
  return s;
}

/// The longest prefix of `s` of at most `n` bytes that does not end inside
/// a UTF-8 sequence: it backs off over continuation bytes (10xxxxxx), at most
/// three, so a cut never makes a valid character invalid. Borrowed from `s`.
constexpr std::string_view utf8_prefix(std::string_view s, std::size_t n) noexcept {
  if (n >= s.size()) return s;
  for (std::size_t back = 0; back < 3 && n > 0; ++back) {
    if ((static_cast<unsigned char>(s[n]) & 0xC0) != 0x80) break;
    --n;
  }
  return s.substr(0, n);
}

}  // namespace sipflow::decode
