#include "ladder_ascii_text.hpp"

#include "sipflow/render/escape.hpp"

namespace sipflow::render::detail {
namespace {

std::size_t sequence_length(unsigned char b) {
  if (b >= 0xF0) return 4;
  if (b >= 0xE0) return 3;
  if (b >= 0xC0) return 2;
  return 1;
}

// Splits `word` (no spaces) into pieces of at most `width` cells, at character boundaries.
void break_word(std::string_view word, std::size_t width, std::vector<std::string>& out) {
  std::string piece;
  std::size_t used = 0;
  for (std::size_t i = 0; i < word.size();) {
    std::size_t len =
        std::min(sequence_length(static_cast<unsigned char>(word[i])), word.size() - i);
    std::string_view ch = word.substr(i, len);
    std::size_t w = display_width(ch);
    if (used + w > width && !piece.empty()) {
      out.push_back(std::move(piece));
      piece.clear();
      used = 0;
    }
    piece += ch;
    used += w;
    i += len;
  }
  if (!piece.empty()) out.push_back(std::move(piece));
}

}  // namespace

std::vector<std::string> wrap_text(std::string_view s, std::size_t width) {
  if (width == 0 || display_width(s) <= width) return {std::string(s)};
  std::vector<std::string> out;
  std::string line;
  std::size_t used = 0;
  while (!s.empty()) {
    std::size_t sp = s.find(' ');
    std::string_view word = s.substr(0, sp);
    s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
    std::size_t w = display_width(word);
    if (!line.empty() && used + 1 + w <= width) {
      line += ' ';
      line += word;
      used += 1 + w;
      continue;
    }
    if (!line.empty()) out.push_back(std::move(line));
    line.clear();
    used = 0;
    if (w <= width) {
      line = std::string(word);
      used = w;
      continue;
    }
    std::vector<std::string> pieces;
    break_word(word, width, pieces);
    for (std::size_t k = 0; k + 1 < pieces.size(); ++k)
      out.push_back(std::move(pieces[k]));
    line = pieces.empty() ? std::string{} : std::move(pieces.back());
    used = display_width(line);
  }
  if (!line.empty() || out.empty()) out.push_back(std::move(line));
  for (auto& l : out) {  // a break at a run of spaces leaves some at the end
    while (l.size() > 1 && l.back() == ' ')
      l.pop_back();
  }
  return out;
}

std::string shorten(std::string_view s, std::size_t cells) {
  if (display_width(s) <= cells) return std::string(s);
  std::vector<std::string> pieces;
  break_word(s, cells > 1 ? cells - 1 : 1, pieces);
  return pieces.empty() ? std::string{} : pieces.front() + "\u2026";
}

std::string ascii_punctuation(std::string_view s) {
  struct Spelling {
    std::string_view from, to;
  };
  static constexpr Spelling kSpellings[] = {
      {"\u2192", "->"}, {"\u00b7", "-"}, {"\u2026", "..."}, {"\u00d7", "x"}};
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    for (const auto& sp : kSpellings) {
      if (s.substr(i, sp.from.size()) == sp.from) {
        out += sp.to;
        i += sp.from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

}  // namespace sipflow::render::detail
