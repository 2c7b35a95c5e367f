#include "text_metrics.hpp"

#include "sipflow/render/escape.hpp"

namespace sipflow::render::detail {
namespace {

// Advance widths in em of ' ' (0x20) .. '~' (0x7E), DejaVu Sans Book and
// DejaVu Sans at weight 600 (synthesised from Bold), as Chromium measures them.
constexpr float kSans[95] = {
    .318f, .401f, .460f, .838f, .636f, .950f, .780f, .275f, .390f, .390f, .500f, .838f,
    .318f, .361f, .318f, .337f, .636f, .636f, .636f, .636f, .636f, .636f, .636f, .636f,
    .636f, .636f, .337f, .337f, .838f, .838f, .838f, .531f, 1.00f, .684f, .686f, .698f,
    .770f, .632f, .575f, .775f, .752f, .295f, .295f, .656f, .557f, .863f, .748f, .787f,
    .603f, .787f, .695f, .635f, .611f, .732f, .684f, .989f, .685f, .611f, .685f, .390f,
    .337f, .390f, .838f, .500f, .500f, .613f, .635f, .550f, .635f, .615f, .352f, .635f,
    .634f, .278f, .278f, .579f, .278f, .974f, .634f, .612f, .635f, .635f, .411f, .521f,
    .392f, .634f, .592f, .818f, .592f, .592f, .525f, .636f, .337f, .636f, .838f};
constexpr float kSansBold[95] = {
    .348f, .456f, .521f, .838f, .696f, 1.00f, .872f, .306f, .457f, .457f, .523f, .838f,
    .380f, .415f, .380f, .365f, .696f, .696f, .696f, .696f, .696f, .696f, .696f, .696f,
    .696f, .696f, .400f, .400f, .838f, .838f, .838f, .580f, 1.00f, .774f, .762f, .734f,
    .830f, .683f, .683f, .821f, .837f, .372f, .372f, .775f, .637f, .995f, .837f, .850f,
    .733f, .850f, .770f, .720f, .682f, .812f, .774f, 1.10f, .771f, .724f, .725f, .457f,
    .365f, .457f, .838f, .500f, .500f, .675f, .716f, .593f, .716f, .678f, .435f, .716f,
    .712f, .343f, .343f, .665f, .343f, 1.04f, .712f, .687f, .716f, .716f, .493f, .595f,
    .478f, .712f, .652f, .924f, .645f, .652f, .582f, .712f, .365f, .712f, .838f};
constexpr double kMono = 0.602;
constexpr double kOtherNarrow = 0.85;  // → × … é: no DejaVu glyph outside ASCII is wider
constexpr double kOtherWide = 1.0;     // CJK ideographs, full-width forms, emoji

std::size_t sequence_length(unsigned char b) {
  if (b >= 0xF0) return 4;
  if (b >= 0xE0) return 3;
  if (b >= 0xC0) return 2;
  return 1;
}

}  // namespace

double text_width(std::string_view s, Face face, double size) {
  double em = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      em += face == Face::Mono       ? kMono
            : face == Face::SansBold ? double{kSansBold[b - 0x20]}
                                     : double{kSans[b - 0x20]};
      ++i;
      continue;
    }
    std::size_t len = std::min(sequence_length(b), s.size() - i);
    std::size_t cells = display_width(s.substr(i, len));
    if (cells > 2) len = 1;  // invalid or a control: per byte, never less than drawn
    bool wide = cells == 2;
    if (face == Face::Mono) {
      em += wide ? 2 * kMono : kMono;
    } else {
      em += wide ? kOtherWide : kOtherNarrow;
    }
    i += len;
  }
  return em * size;
}

}  // namespace sipflow::render::detail
