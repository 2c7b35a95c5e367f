#pragma once
// Reading fields of the flat JSON objects sipflow prints, for tests only.

#include <optional>
#include <string>
#include <string_view>

namespace sipflow::test {

/// The value of top-level `key` in one JSON object line: strings unescaped
/// (basic escapes only), numbers and literals as written; nullopt if absent.
inline std::optional<std::string> json_field(std::string_view line, std::string_view key) {
  std::string needle = "\"" + std::string(key) + "\":";
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    if (c != '"') continue;
    if (depth == 1 && line.substr(i, needle.size()) == needle) {
      std::size_t v = i + needle.size();
      if (v < line.size() && line[v] == '"') {
        std::string out;
        for (std::size_t j = v + 1; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) {
            ++j;
            out.push_back(line[j] == 'n' ? '\n' : line[j] == 't' ? '\t' : line[j]);
          } else {
            out.push_back(line[j]);
          }
        }
        return out;
      }
      std::size_t e = v;
      int nest = 0;
      while (e < line.size() && !((line[e] == ',' || line[e] == '}') && nest == 0)) {
        if (line[e] == '[' || line[e] == '{') ++nest;
        if (line[e] == ']' || line[e] == '}') --nest;
        ++e;
      }
      return std::string(line.substr(v, e - v));
    }
    in_string = true;
  }
  return std::nullopt;
}

}  // namespace sipflow::test
