#include "sipflow/render/ladder_ascii.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "sipflow/render/escape.hpp"

namespace sipflow::render {
namespace {

using flows::ArrowKind;
using flows::Ladder;
using flows::LadderRow;

struct Glyphs {
  const char* life;       // lifeline
  const char* line;       // arrow shaft
  const char* dashed;     // shaft of a retransmission or duplicate
  const char* right;      // arrowhead →
  const char* left;       // arrowhead ←
  const char* tee_right;  // sender lifeline, arrow leaving to the right
  const char* tee_left;   // sender lifeline, arrow leaving to the left
  const char* cross;      // shaft crossing another lifeline
};
constexpr Glyphs kUnicode{"│", "─", "╌", "▶", "◀", "├", "┤", "┼"};
constexpr Glyphs kAscii{"|", "-", ".", ">", "<", "|", "|", "+"};

enum Style : std::uint8_t {
  kPlain,
  kDim,
  kBold,
  kRequest,
  kProvisional,
  kSuccess,
  kRedirect,
  kFailure
};

std::string_view sgr(Style s) {
  switch (s) {
    case kPlain:
      return "\x1b[0m";
    case kDim:
      return "\x1b[2m";
    case kBold:
      return "\x1b[1m";
    case kRequest:
      return "\x1b[36m";
    case kProvisional:
      return "\x1b[33m";
    case kSuccess:
      return "\x1b[32m";
    case kRedirect:
      return "\x1b[34m";
    case kFailure:
      return "\x1b[31m";
  }
  return "\x1b[0m";
}

Style style_of(const LadderRow& r) {
  if (r.repeat != flows::Repeat::First) return kDim;
  switch (r.kind) {
    case ArrowKind::Request:
      return kRequest;
    case ArrowKind::Provisional:
      return kProvisional;
    case ArrowKind::Success:
      return kSuccess;
    case ArrowKind::Redirect:
      return kRedirect;
    default:
      return kFailure;
  }
}

// One output line as a row of cells, so text can be placed by column.
class Canvas {
 public:
  explicit Canvas(std::size_t width) : glyphs_(width), styles_(width, kPlain) {}
  void put(std::size_t x, std::string_view glyph, Style s = kPlain) {
    if (x >= glyphs_.size()) grow(x + 1);
    glyphs_[x] = std::string(glyph);
    styles_[x] = s;
  }
  // Places already terminal-safe text; wide characters take two cells.
  void text(std::size_t x, std::string_view s, Style st = kPlain) {
    for (std::size_t i = 0; i < s.size();) {
      std::size_t len = 1;
      auto b = static_cast<unsigned char>(s[i]);
      if (b >= 0xF0)
        len = 4;
      else if (b >= 0xE0)
        len = 3;
      else if (b >= 0xC0)
        len = 2;
      std::string_view g = s.substr(i, len);
      std::size_t w = display_width(g);
      put(x, g, st);
      if (w == 2) put(x + 1, "", st);  // second half of a wide character
      x += w ? w : 1;
      i += len;
    }
  }
  std::string str(bool color) const {
    std::string out;
    Style cur = kPlain;
    for (std::size_t i = 0; i < glyphs_.size(); ++i) {
      if (color && styles_[i] != cur) {
        out += sgr(kPlain);
        if (styles_[i] != kPlain) out += sgr(styles_[i]);
        cur = styles_[i];
      }
      out +=
          glyphs_[i].empty() && !(i > 0 && display_width(glyphs_[i - 1]) == 2) ? " " : glyphs_[i];
    }
    if (color && cur != kPlain) out += sgr(kPlain);
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    return out;
  }

 private:
  void grow(std::size_t n) {
    glyphs_.resize(n);
    styles_.resize(n, kPlain);
  }
  std::vector<std::string> glyphs_;
  std::vector<Style> styles_;
};

std::string time_text(const LadderRow& r, const Ladder& l, AsciiOptions::Time t) {
  switch (t) {
    case AsciiOptions::Time::Relative:
      return fmt::format("{:.3f}", r.offset);
    case AsciiOptions::Time::Delta:
      return fmt::format("+{:.3f}", r.delta);
    case AsciiOptions::Time::Absolute: {
      std::time_t s = static_cast<std::time_t>(r.ts.ns / 1'000'000'000);
      std::tm tm{};
      gmtime_r(&s, &tm);
      return fmt::format("{:02}:{:02}:{:02}.{:03}", tm.tm_hour, tm.tm_min, tm.tm_sec,
                         (r.ts.ns / 1'000'000) % 1000);
    }
    case AsciiOptions::Time::None:
      return {};
  }
  (void)l;
  return {};
}

std::string arrow_label(const LadderRow& r) {
  std::string label = terminal_safe(r.label);
  if (r.repeat == flows::Repeat::Retransmission) label += " (retransmission)";
  if (r.repeat == flows::Repeat::Duplicate) label += " (duplicate)";
  return label;
}

struct Layout {
  std::vector<std::size_t> x;  // lifeline positions, relative to the diagram's left edge
  bool labels_above = false;   // labels on their own line above each arrow
};

// Lifeline positions: far enough apart for the column headers and for every
// label written inside its arrow (inline), or only for headers when labels
// go above the arrows.
Layout layout(const Ladder& l, const std::vector<std::string>& heads,
              const std::vector<std::string>& labels, bool inline_labels, bool sdp) {
  std::size_t n = l.columns.size();
  Layout out;
  out.labels_above = !inline_labels;
  std::vector<std::size_t> gap(n > 0 ? n - 1 : 0, inline_labels ? 14 : 10);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    std::size_t need = (display_width(heads[i]) + 1) / 2 + display_width(heads[i + 1]) / 2 + 3;
    gap[i] = std::max(gap[i], need);
  }
  if (inline_labels) {
    // Shortest spans first, so wide arrows only add what narrow ones left missing.
    std::vector<std::size_t> idx(l.rows.size());
    for (std::size_t i = 0; i < idx.size(); ++i)
      idx[i] = i;
    auto span = [&](std::size_t i) {
      const auto& r = l.rows[i];
      return r.from > r.to ? r.from - r.to : r.to - r.from;
    };
    std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) { return span(a) < span(b); });
    for (std::size_t i : idx) {
      const auto& r = l.rows[i];
      std::size_t a = std::min(r.from, r.to), b = std::max(r.from, r.to);
      if (a == b) continue;
      std::size_t need = display_width(labels[i]) + 10;  // " label ", 3+ shaft each side, head
      if (sdp && !r.sdp.empty()) need = std::max(need, display_width(r.sdp) + 5);
      std::size_t have = 0;
      for (std::size_t k = a; k < b; ++k)
        have += gap[k];
      for (std::size_t k = a; have < need; k = k + 1 < b ? k + 1 : a) {
        ++gap[k];
        ++have;
      }
    }
  }
  out.x.push_back(0);
  for (std::size_t i = 0; i + 1 < n; ++i)
    out.x.push_back(out.x.back() + gap[i]);
  return out;
}

}  // namespace

std::string render_ascii(const Ladder& l, const AsciiOptions& o) {
  const Glyphs& g = o.unicode ? kUnicode : kAscii;
  std::size_t n = l.columns.size();
  std::string out;
  if (n == 0) return out;

  std::vector<std::string> heads, labels, times;
  for (const auto& c : l.columns)
    heads.push_back(terminal_safe(c.label));
  std::size_t time_w = 0;
  for (const auto& r : l.rows) {
    labels.push_back(arrow_label(r));
    std::string t = time_text(r, l, o.time);
    if (o.frames) t = fmt::format("#{} ", r.frame) + t;
    time_w = std::max(time_w, t.size());
    times.push_back(std::move(t));
  }
  // The first lifeline sits right of the time column, and far enough in for its header.
  std::size_t margin = std::max(time_w ? time_w + 2 : 0, (display_width(heads[0]) + 1) / 2);

  Layout lay = layout(l, heads, labels, true, o.sdp);
  std::size_t right_extra = (display_width(heads.back()) + 1) / 2;
  if (o.width > 0 && margin + lay.x.back() + right_extra > static_cast<std::size_t>(o.width)) {
    lay = layout(l, heads, labels, false, false);  // too wide: labels above their arrows
  }

  if (o.title && !l.title.empty()) {
    out += o.color ? std::string(sgr(kBold)) : "";
    out += terminal_safe(l.title);
    out += o.color ? std::string(sgr(kPlain)) : "";
    out += '\n';
    for (const auto& leg : l.legs) {
      out += "Call-ID: " + terminal_safe(leg.call_id);
      if (l.legs.size() > 1) out += "  (" + terminal_safe(leg.summary) + ")";
      out += '\n';
    }
    out += '\n';
  }

  auto lifelines = [&](Canvas& c) {
    for (std::size_t i = 0; i < n; ++i)
      c.put(margin + lay.x[i], g.life);
  };
  {  // headers centred on their lifelines
    Canvas c(margin + lay.x.back() + right_extra + 1);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t w = display_width(heads[i]);
      c.text(margin + lay.x[i] - std::min(lay.x[i] + margin, w / 2), heads[i], kBold);
    }
    out += c.str(o.color) + '\n';
    Canvas life(margin + lay.x.back() + 1);
    lifelines(life);
    out += life.str(o.color) + '\n';
  }

  for (std::size_t i = 0; i < l.rows.size(); ++i) {
    const LadderRow& r = l.rows[i];
    Style st = style_of(r);
    std::size_t xa = margin + lay.x[r.from], xb = margin + lay.x[r.to];
    std::size_t lo = std::min(xa, xb), hi = std::max(xa, xb);
    const char* shaft = r.repeat == flows::Repeat::First ? g.line : g.dashed;
    if (lay.labels_above) {
      Canvas c(hi + 1);
      lifelines(c);
      std::size_t lx = lo + 2;
      c.text(lx, labels[i], st);
      out += c.str(o.color) + '\n';
    }
    Canvas c(hi + 1);
    lifelines(c);
    c.text(0, std::string(time_w - std::min(time_w, times[i].size()), ' ') + times[i], kDim);
    if (xa == xb) {  // a message to itself: a small loop to the right
      c.put(xa, g.tee_right, st);
      c.text(xa + 1, o.unicode ? "──┐ " : "--. ", st);
      c.text(xa + 5, labels[i], st);
      out += c.str(o.color) + '\n';
      Canvas back(xa + 4);
      lifelines(back);
      back.put(xa, g.left, st);
      back.text(xa + 1, o.unicode ? "──┘" : "--'", st);
      out += back.str(o.color) + '\n';
    } else {
      for (std::size_t x = lo + 1; x < hi; ++x)
        c.put(x, shaft, st);
      for (std::size_t k = 0; k < n; ++k) {  // crossing other lifelines
        std::size_t xk = margin + lay.x[k];
        if (xk > lo && xk < hi) c.put(xk, g.cross, st);
      }
      bool rightward = xb > xa;
      c.put(xa, rightward ? g.tee_right : g.tee_left, st);
      c.put(rightward ? xb - 1 : xb + 1, rightward ? g.right : g.left, st);
      if (!lay.labels_above) {  // centred on the shaft, the arrowhead excluded
        std::string label = " " + labels[i] + " ";
        std::size_t w = display_width(label);
        std::size_t s0 = rightward ? lo + 1 : lo + 2, s1 = rightward ? hi - 1 : hi;
        std::size_t room = s1 - s0;
        c.text(s0 + (room - std::min(room, w)) / 2, label, st);
      }
      out += c.str(o.color) + '\n';
    }
    if (o.sdp && !r.sdp.empty()) {
      Canvas s(hi + 1);
      lifelines(s);
      s.text(lo + 3, terminal_safe(r.sdp), kDim);
      out += s.str(o.color) + '\n';
    }
    if (o.full) {
      std::string_view raw = r.raw;
      while (!raw.empty()) {
        std::size_t nl = raw.find('\n');
        std::string_view line = raw.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out += std::string(margin + 4, ' ') + terminal_safe(line) + '\n';
        raw = nl == std::string_view::npos ? std::string_view{} : raw.substr(nl + 1);
      }
      out += '\n';
    }
  }
  {
    Canvas end(margin + lay.x.back() + 1);
    lifelines(end);
    out += end.str(o.color) + '\n';
  }

  if (o.legend) {
    bool any = false;
    for (const auto& c : l.columns)
      any = any || !c.agent.empty() || c.addresses.size() > 1 ||
            (!c.addresses.empty() && c.addresses.front() != c.label);
    if (any) {
      out += '\n';
      std::size_t w = 0;
      for (const auto& h : heads)
        w = std::max(w, display_width(h));
      for (std::size_t i = 0; i < n; ++i) {
        const auto& c = l.columns[i];
        std::string line = heads[i] + std::string(w - display_width(heads[i]) + 2, ' ');
        std::string extra;
        for (const auto& a : c.addresses) {
          if (a == c.label) continue;
          extra += (extra.empty() ? "" : ", ") + terminal_safe(a);
        }
        if (!c.agent.empty()) extra += (extra.empty() ? "" : "  ") + terminal_safe(c.agent);
        out += line + extra + '\n';
      }
    }
  }
  return out;
}

}  // namespace sipflow::render
