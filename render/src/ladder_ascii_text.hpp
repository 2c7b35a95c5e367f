#pragma once
// Text helpers of the ASCII ladder: folding long text to a width, and the
// pure-ASCII spelling of the few non-ASCII characters sipflow itself writes.

#include <string>
#include <string_view>
#include <vector>

namespace sipflow::render::detail {

/// `s` (terminal-safe UTF-8) folded into lines of at most `width` display
/// cells, broken at spaces where possible and inside a word only when the
/// word alone is wider; nothing is dropped. Width 0: one line, as is.
std::vector<std::string> wrap_text(std::string_view s, std::size_t width);

/// `s` cut to at most `cells` display cells at a character boundary, ending in
/// "…" when cut: for user agents in column headers and legends, whose full
/// text stays in the SVG tooltip and the JSON.
std::string shorten(std::string_view s, std::size_t cells);
/// How much of a user agent headers and legends show.
inline constexpr std::size_t kMaxAgentCells = 60;

/// `s` with sipflow's own non-ASCII punctuation spelled in ASCII: "→" as
/// "->", "·" as "-", "…" as "...", "×" as "x". Other bytes are kept.
std::string ascii_punctuation(std::string_view s);

}  // namespace sipflow::render::detail
