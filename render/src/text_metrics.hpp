#pragma once
// Approximate text widths for laying out SVG without a font engine.
//
// The advance widths are DejaVu Sans / DejaVu Sans Mono's (measured in
// Chromium), the widest of the common fallbacks of the system-ui and
// monospace stacks; Segoe UI, San Francisco, Roboto, Noto Sans and
// Liberation Sans all set the same text narrower. So these are upper bounds:
// a box sized with them never clips its text.

#include <string_view>

namespace sipflow::render::detail {

enum class Face { Sans, SansBold, Mono };

/// Width in px of `s` (UTF-8, from a packet or ours) set in `face` at `size`
/// px. Characters outside ASCII count as wide glyphs; East Asian wide
/// characters as a full em (two cells in Mono).
double text_width(std::string_view s, Face face, double size);

}  // namespace sipflow::render::detail
