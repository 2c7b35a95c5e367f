#include "sipflow/render/escape.hpp"

#include <array>
#include <cstdint>

namespace sipflow::render {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Bytes a JSON string holds as they are (0x20..0x7E but " and \): the fast
// path. DEL (0x7F) is a control character and takes the escaping path.
constexpr std::array<bool, 256> make_json_plain() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7F; ++c)
    t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return t;
}
constexpr std::array<bool, 256> kJsonPlain = make_json_plain();
constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one UTF-8 sequence at s[i]; returns the code point and its length,
// or kInvalid and length 1 for a byte that does not start a valid sequence
// (overlongs, surrogates and code points above U+10FFFF included).
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& len) {
  auto b0 = static_cast<unsigned char>(s[i]);
  len = 1;
  if (b0 < 0x80) return b0;
  std::size_t n;
  char32_t cp;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07u;
  } else {
    return kInvalid;
  }
  if (i + n > s.size()) return kInvalid;
  for (std::size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return kInvalid;
    cp = cp << 6 | (b & 0x3Fu);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
  len = n;
  return cp;
}

void append_hex_byte(std::string& out, unsigned char b) {
  out += "\\x";
  out.push_back(kHex[b >> 4]);
  out.push_back(kHex[b & 15]);
}

void append_utf8(std::string& out, char32_t cp) {
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

// Characters that reorder or hide text when displayed (CVE-2021-42574 style).
bool is_bidi_control(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

bool is_wide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
         (cp >= 0x20000 && cp <= 0x3FFFD);
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    if (kJsonPlain[static_cast<unsigned char>(s[i])]) {  // fast path: a run of plain ASCII
      std::size_t j = i + 1;
      while (j < s.size() && kJsonPlain[static_cast<unsigned char>(s[j])])
        ++j;
      out.append(s.data() + i, j - i);
      i = j;
      continue;
    }
    std::size_t len;
    char32_t cp = decode_utf8(s, i, len);
    i += len;
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (cp == kInvalid) {
      out += "\\ufffd";
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || is_bidi_control(cp) ||
               cp == 0x2028 || cp == 0x2029) {
      char buf[7] = {
          '\\',          'u', kHex[(cp >> 12) & 15], kHex[(cp >> 8) & 15], kHex[(cp >> 4) & 15],
          kHex[cp & 15], 0};
      out += buf;
    } else {
      append_utf8(out, cp);
    }
  }
  out.push_back('"');
}

void append_terminal_safe(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    std::size_t len;
    char32_t cp = decode_utf8(s, i, len);
    if (cp == kInvalid) {
      append_hex_byte(out, c);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == 0x1B) {
      out += "\\e";
    } else if (cp < 0x20 || cp == 0x7F) {
      append_hex_byte(out, static_cast<unsigned char>(cp));
    } else if ((cp >= 0x80 && cp < 0xA0) || is_bidi_control(cp)) {
      out += "\\u{";
      bool started = false;
      for (int shift = 20; shift >= 0; shift -= 4) {
        auto nib = (cp >> shift) & 15;
        if (nib || started || shift == 0) {
          out.push_back(kHex[nib]);
          started = true;
        }
      }
      out.push_back('}');
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
}

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_terminal_safe(out, s);
  return out;
}

void append_xml_text(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len;
    char32_t cp = decode_utf8(s, i, len);
    i += len;
    switch (cp) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += "&quot;";
        continue;
      case '\'':
        out += "&#39;";
        continue;
      default:
        break;
    }
    // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    bool allowed = cp == 0x9 || cp == 0xA || cp == 0xD ||
                   (cp >= 0x20 && cp <= 0xD7FF && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0)) ||
                   (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (cp == kInvalid || !allowed || is_bidi_control(cp)) {
      out += "\xEF\xBF\xBD";  // U+FFFD
    } else {
      append_utf8(out, cp);
    }
  }
}

void append_csv_field(std::string& out, std::string_view s) {
  std::string safe;
  append_terminal_safe(safe, s);  // no raw control bytes in a CSV cell either
  auto starts_formula = [](char c) { return c == '=' || c == '+' || c == '-' || c == '@'; };
  bool formula = !safe.empty() && starts_formula(safe[0]);
  bool quote = formula || safe.find_first_of(",;\"") != std::string::npos;
  if (quote) out.push_back('"');
  if (formula) out.push_back('\'');
  for (std::size_t i = 0; i < safe.size(); ++i) {
    char c = safe[i];
    if (c == '"') out.push_back('"');
    out.push_back(c);
    // Spreadsheets in many locales split on ';' (Excel takes the system's
    // list separator) and ignore the quotes of a field that does not start
    // the cell: what follows a ';' can start a cell, so it is neutralised too.
    if (c == ';' && i + 1 < safe.size() && starts_formula(safe[i + 1])) out.push_back('\'');
  }
  if (quote) out.push_back('"');
}

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len;
    char32_t cp = decode_utf8(s, i, len);
    i += len;
    // Count what append_terminal_safe() shows, escapes included: a width
    // taken from the raw character would misalign every column after it.
    if (cp == kInvalid) {
      w += 4;  // shown as \xNN
    } else if (cp == '\t' || cp == '\r' || cp == '\n' || cp == 0x1B) {
      w += 2;  // \t \r \n \e
    } else if (cp < 0x20 || cp == 0x7F) {
      w += 4;  // \xNN
    } else if ((cp >= 0x80 && cp < 0xA0) || is_bidi_control(cp)) {
      std::size_t digits = 1;
      while (cp >> (4 * digits))
        ++digits;
      w += 4 + digits;  // \u{NNNN}
    } else if (cp >= 0x300 && cp <= 0x36F) {
      // combining marks take no column
    } else {
      w += is_wide(cp) ? 2u : 1u;
    }
  }
  return w;
}

}  // namespace sipflow::render
