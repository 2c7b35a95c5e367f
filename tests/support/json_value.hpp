#pragma once
// A small JSON reader for tests: nested objects and arrays, for checking
// reports such as `sipflow stats --json`. Strict enough to reject what a
// JSON consumer would (trailing commas, bare words, control characters in
// strings); not fast, and not for production code.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipflow::test {

class JsonValue {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  /// Parses one JSON text (surrounding whitespace allowed). Throws
  /// std::runtime_error with the byte offset on malformed input.
  static JsonValue parse(std::string_view text) {
    std::size_t pos = 0;
    JsonValue v = parse_value(text, pos, 0);
    skip_ws(text, pos);
    if (pos != text.size()) fail("trailing characters", pos);
    return v;
  }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_object() const { return type_ == Type::Object; }
  bool is_array() const { return type_ == Type::Array; }

  double number() const {
    expect(Type::Number);
    return number_;
  }
  std::uint64_t u64() const { return static_cast<std::uint64_t>(number()); }
  const std::string& str() const {
    expect(Type::String);
    return string_;
  }
  bool boolean() const {
    expect(Type::Bool);
    return bool_;
  }
  const std::vector<JsonValue>& array() const {
    expect(Type::Array);
    return array_;
  }
  const std::vector<std::pair<std::string, JsonValue>>& members() const {
    expect(Type::Object);
    return object_;
  }
  /// Member `key` of an object; throws when absent.
  const JsonValue& operator[](std::string_view key) const {
    const JsonValue* v = find(key);
    if (v == nullptr) throw std::runtime_error("no member \"" + std::string(key) + "\"");
    return *v;
  }
  /// Member `key`, or nullptr.
  const JsonValue* find(std::string_view key) const {
    expect(Type::Object);
    for (const auto& [k, v] : object_) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  /// The first element of an array whose member `key` is the string `value`.
  const JsonValue* find_in(std::string_view key, std::string_view value) const {
    for (const auto& e : array()) {
      const JsonValue* m = e.find(key);
      if (m != nullptr && m->type() == Type::String && m->str() == value) return &e;
    }
    return nullptr;
  }
  /// The first element of an array whose member `key` is the number `value`.
  const JsonValue* find_in(std::string_view key, double value) const {
    for (const auto& e : array()) {
      const JsonValue* m = e.find(key);
      if (m != nullptr && m->type() == Type::Number && m->number() == value) return &e;
    }
    return nullptr;
  }

 private:
  [[noreturn]] static void fail(const std::string& what, std::size_t pos) {
    throw std::runtime_error("JSON: " + what + " at byte " + std::to_string(pos));
  }
  void expect(Type t) const {
    if (type_ != t) throw std::runtime_error("JSON: value has another type");
  }
  static void skip_ws(std::string_view s, std::size_t& pos) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
      ++pos;
  }
  static bool literal(std::string_view s, std::size_t& pos, std::string_view word) {
    if (s.substr(pos, word.size()) != word) return false;
    pos += word.size();
    return true;
  }

  static JsonValue parse_value(std::string_view s, std::size_t& pos, int depth) {
    if (depth > 64) fail("nesting too deep", pos);
    skip_ws(s, pos);
    if (pos >= s.size()) fail("unexpected end", pos);
    JsonValue v;
    char c = s[pos];
    if (c == '{') {
      v.type_ = Type::Object;
      ++pos;
      skip_ws(s, pos);
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
        return v;
      }
      for (;;) {
        skip_ws(s, pos);
        if (pos >= s.size() || s[pos] != '"') fail("expected a member name", pos);
        std::string key = parse_string(s, pos);
        skip_ws(s, pos);
        if (pos >= s.size() || s[pos] != ':') fail("expected ':'", pos);
        ++pos;
        v.object_.emplace_back(std::move(key), parse_value(s, pos, depth + 1));
        skip_ws(s, pos);
        if (pos < s.size() && s[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < s.size() && s[pos] == '}') {
          ++pos;
          return v;
        }
        fail("expected ',' or '}'", pos);
      }
    }
    if (c == '[') {
      v.type_ = Type::Array;
      ++pos;
      skip_ws(s, pos);
      if (pos < s.size() && s[pos] == ']') {
        ++pos;
        return v;
      }
      for (;;) {
        v.array_.push_back(parse_value(s, pos, depth + 1));
        skip_ws(s, pos);
        if (pos < s.size() && s[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < s.size() && s[pos] == ']') {
          ++pos;
          return v;
        }
        fail("expected ',' or ']'", pos);
      }
    }
    if (c == '"') {
      v.type_ = Type::String;
      v.string_ = parse_string(s, pos);
      return v;
    }
    if (literal(s, pos, "null")) return v;
    if (literal(s, pos, "true")) {
      v.type_ = Type::Bool;
      v.bool_ = true;
      return v;
    }
    if (literal(s, pos, "false")) {
      v.type_ = Type::Bool;
      return v;
    }
    std::size_t start = pos;
    if (pos < s.size() && s[pos] == '-') ++pos;
    while (pos < s.size() && ((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '.' || s[pos] == 'e' ||
                              s[pos] == 'E' || s[pos] == '+' || s[pos] == '-'))
      ++pos;
    if (start == pos) fail("unexpected character", pos);
    v.type_ = Type::Number;
    std::size_t used = 0;
    std::string text(s.substr(start, pos - start));
    v.number_ = std::stod(text, &used);
    if (used != text.size()) fail("bad number", start);
    return v;
  }

  static std::string parse_string(std::string_view s, std::size_t& pos) {
    ++pos;  // opening quote
    std::string out;
    while (pos < s.size() && s[pos] != '"') {
      auto c = static_cast<unsigned char>(s[pos]);
      if (c < 0x20) fail("control character in a string", pos);
      if (c != '\\') {
        out.push_back(s[pos++]);
        continue;
      }
      if (++pos >= s.size()) break;
      char e = s[pos++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          if (pos + 4 > s.size()) fail("short \\u escape", pos);
          unsigned cp =
              static_cast<unsigned>(std::stoul(std::string(s.substr(pos, 4)), nullptr, 16));
          pos += 4;
          // Tests only need the code point back as UTF-8 (surrogates are kept as-is).
          if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default:
          fail("bad escape", pos - 1);
      }
    }
    if (pos >= s.size()) fail("unterminated string", pos);
    ++pos;  // closing quote
    return out;
  }

  Type type_ = Type::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> object_;
};

}  // namespace sipflow::test
