#include "sipflow/render/ladder_ascii.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "ladder_ascii_text.hpp"
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

std::string arrow_label(const LadderRow& r, const Ladder& l) {
  std::string label = terminal_safe(r.label);
  if (l.legs.size() > 1) label = fmt::format("[{}] {}", r.leg + 1, label);  // which call
  if (r.repeat == flows::Repeat::Retransmission) label += " (retransmission)";
  if (r.repeat == flows::Repeat::Duplicate) label += " (duplicate)";
  return label;
}

std::size_t span_of(const LadderRow& r) {
  return r.from > r.to ? r.from - r.to : r.to - r.from;
}

// Gaps between neighbouring lifelines: far enough apart for the column
// headers and, with inline labels, for every label written inside its arrow.
// A label goes in one segment of its arrow (between two lifelines it passes),
// so it never hides a lifeline the arrow crosses.
std::vector<std::size_t> layout(const Ladder& l, const std::vector<std::string>& heads,
                                const std::vector<std::string>& labels,
                                const std::vector<std::string>& sdps, bool inline_labels) {
  std::size_t n = l.columns.size();
  std::vector<std::size_t> gap(n > 0 ? n - 1 : 0, inline_labels ? 14 : 10);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    std::size_t need = (display_width(heads[i]) + 1) / 2 + display_width(heads[i + 1]) / 2 + 3;
    gap[i] = std::max(gap[i], need);
  }
  if (!inline_labels) return gap;
  // Shortest spans first, so wide arrows only add what narrow ones left missing.
  std::vector<std::size_t> idx(l.rows.size());
  for (std::size_t i = 0; i < idx.size(); ++i)
    idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(),
                   [&](auto a, auto b) { return span_of(l.rows[a]) < span_of(l.rows[b]); });
  for (std::size_t i : idx) {
    const auto& r = l.rows[i];
    std::size_t a = std::min(r.from, r.to), b = std::max(r.from, r.to);
    if (a == b) continue;
    std::size_t need = display_width(labels[i]) + 10;  // " label ", 3+ shaft each side, head
    if (!sdps[i].empty()) need = std::max(need, display_width(sdps[i]) + 5);
    std::size_t widest = a;
    for (std::size_t k = a; k < b; ++k)
      widest = gap[k] > gap[widest] ? k : widest;
    gap[widest] = std::max(gap[widest], need);
  }
  return gap;
}

// One page of the diagram: the columns [first, last) and where their
// lifelines are. Arrows to a column on another page end in a stub naming it.
struct Page {
  std::size_t first = 0, last = 0;
  std::size_t base = 0;        // x of the first lifeline
  std::vector<std::size_t> x;  // lifeline positions
  std::size_t left_stub = 0;   // x of a stub's end on the left (name before it)
  std::size_t right_stub = 0;  // x of a stub's end on the right (name after it)
  std::size_t width = 0;       // display width of the widest line
  bool labels_above = false;
  bool in(std::size_t c) const { return c >= first && c < last; }
};

struct Text {
  std::vector<std::string> heads, labels, times, stubs;
  std::vector<std::string> sdps;  // shown SDP summaries, "" for none (or without --sdp)
  std::size_t time_w = 0;
};

Page make_page(const Ladder& l, const Text& t, const std::vector<std::size_t>& gap,
               std::size_t first, std::size_t last, bool labels_above) {
  Page p;
  p.first = first;
  p.last = last;
  p.labels_above = labels_above;
  std::size_t left_name = 0, right_name = 0;
  for (const auto& r : l.rows) {
    if (p.in(r.from) == p.in(r.to)) continue;
    std::size_t peer = p.in(r.from) ? r.to : r.from;
    std::size_t& side = peer < first ? left_name : right_name;
    side = std::max(side, display_width(t.stubs[peer]));
  }
  std::size_t margin = t.time_w ? t.time_w + 2 : 0;
  p.left_stub = margin + left_name;
  p.base = std::max(left_name ? p.left_stub + 4 : margin, (display_width(t.heads[first]) + 1) / 2);
  p.x.push_back(p.base);
  for (std::size_t c = first; c + 1 < last; ++c)
    p.x.push_back(p.x.back() + gap[c]);
  p.right_stub = p.x.back() + 4;
  std::size_t right = (display_width(t.heads[last - 1]) + 1) / 2;
  if (right_name) right = std::max(right, 4 + right_name);
  p.width = p.x.back() + right + 1;
  return p;
}

// Columns split into pages no wider than `width` (a page holds one column at least).
std::vector<Page> paginate(const Ladder& l, const Text& t, const std::vector<std::size_t>& gap,
                           std::size_t width) {
  std::vector<Page> pages;
  std::size_t n = l.columns.size();
  for (std::size_t first = 0; first < n;) {
    std::size_t last = first + 1;
    while (last < n && make_page(l, t, gap, first, last + 1, true).width <= width)
      ++last;
    pages.push_back(make_page(l, t, gap, first, last, true));
    first = last;
  }
  return pages;
}

struct Renderer {
  const Ladder& l;
  const AsciiOptions& o;
  const Glyphs& g;
  const Text& t;
  std::string& out;

  std::size_t wrap_width(std::size_t indent) const {
    if (o.width <= 0) return 0;
    auto w = static_cast<std::size_t>(o.width);
    return w > indent + 8 ? w - indent : 8;
  }
  std::string own(std::string s) const { return o.unicode ? s : detail::ascii_punctuation(s); }
  void emit(const Canvas& c) { out += c.str(o.color) + '\n'; }
  void lifelines(Canvas& c, const Page& p) const {
    for (std::size_t x : p.x)
      c.put(x, g.life);
  }
  void lifeline_row(const Page& p) {
    Canvas c(p.x.back() + 1);
    lifelines(c, p);
    emit(c);
  }

  void header(const Page& p) {
    Canvas c(p.width);
    for (std::size_t k = 0; k < p.x.size(); ++k) {
      const std::string& h = t.heads[p.first + k];
      std::size_t w = display_width(h);
      c.text(p.x[k] - std::min(p.x[k], w / 2), h, kBold);
    }
    emit(c);
    lifeline_row(p);
  }

  // Where row `r`'s end at column `c` is drawn on page `p`, and whether it is a stub.
  std::pair<std::size_t, bool> end_x(const Page& p, std::size_t c) const {
    if (p.in(c)) return {p.x[c - p.first], false};
    return {c < p.first ? p.left_stub : p.right_stub, true};
  }

  void row(const Page& p, std::size_t i) {
    const LadderRow& r = l.rows[i];
    Style st = style_of(r);
    auto [xa, stub_a] = end_x(p, r.from);
    auto [xb, stub_b] = end_x(p, r.to);
    std::size_t lo = std::min(xa, xb), hi = std::max(xa, xb);
    const char* shaft = r.repeat == flows::Repeat::First ? g.line : g.dashed;
    bool self = r.from == r.to;
    if (p.labels_above && !self) {
      // Right of the arrow's left end, folded to the width; moved left (not past the
      // time column) only when fewer than 16 cells are left there.
      std::size_t lx = lo + 2;
      auto w = static_cast<std::size_t>(o.width);
      if (o.width > 0 && lx + display_width(t.labels[i]) > w && lx + 16 > w) {
        lx = std::max(t.time_w ? t.time_w + 2 : 0, w > 16 ? w - 16 : 0);
      }
      for (const auto& part : detail::wrap_text(t.labels[i], wrap_width(lx))) {
        Canvas c(hi + 1);
        lifelines(c, p);
        c.text(lx, part, st);
        emit(c);
      }
    }
    Canvas c(hi + 1);
    lifelines(c, p);
    c.text(0, std::string(t.time_w - std::min(t.time_w, t.times[i].size()), ' ') + t.times[i],
           kDim);
    if (self) {  // a message to itself: a small loop to the right
      c.put(xa, g.tee_right, st);
      c.text(xa + 1, o.unicode ? "──┐ " : "--. ", st);
      auto parts = detail::wrap_text(t.labels[i], wrap_width(xa + 5));
      c.text(xa + 5, parts.front(), st);
      emit(c);
      for (std::size_t k = 1; k < parts.size(); ++k) {
        Canvas more(xa + 1);
        lifelines(more, p);
        more.text(xa + 5, parts[k], st);
        emit(more);
      }
      Canvas back(xa + 4);
      lifelines(back, p);
      back.put(xa + 1, g.left, st);  // the lifeline stays
      back.text(xa + 2, o.unicode ? "─┘" : "-'", st);
      emit(back);
    } else {
      for (std::size_t x = lo + 1; x < hi; ++x)
        c.put(x, shaft, st);
      std::vector<std::size_t> stops = {lo};  // lifelines the shaft meets, left to right
      for (std::size_t x : p.x) {
        if (x > lo && x < hi) {
          c.put(x, g.cross, st);
          stops.push_back(x);
        }
      }
      stops.push_back(hi);
      bool rightward = xb > xa;
      c.put(xa, stub_a ? " " : rightward ? g.tee_right : g.tee_left, st);
      c.put(rightward ? xb - 1 : xb + 1, rightward ? g.right : g.left, st);
      if (stub_a || stub_b) {
        std::size_t peer = stub_a ? r.from : r.to;
        std::size_t sx = stub_a ? xa : xb;
        bool left = sx == lo;
        const std::string& name = t.stubs[peer];
        c.put(sx, " ", st);
        c.text(left ? sx - display_width(name) : sx + 1, name, st);
      }
      if (!p.labels_above) {  // centred in the widest segment, the arrowhead excluded
        std::size_t s0 = lo, s1 = lo;
        for (std::size_t k = 0; k + 1 < stops.size(); ++k) {
          std::size_t a = stops[k] + 1 + (stops[k] == lo && !rightward ? 1 : 0);
          std::size_t b = stops[k + 1] - (stops[k + 1] == hi && rightward ? 1 : 0);
          if (b - a > s1 - s0) s0 = a, s1 = b;
        }
        std::string label = " " + t.labels[i] + " ";
        std::size_t w = display_width(label), room = s1 - s0;
        c.text(s0 + (room - std::min(room, w)) / 2, label, st);
      }
      emit(c);
    }
    if (!t.sdps[i].empty()) {
      std::size_t sx = lo + 3;
      for (const auto& part : detail::wrap_text(t.sdps[i], wrap_width(sx))) {
        Canvas s(hi + 1);
        lifelines(s, p);
        s.text(sx, part, kDim);
        emit(s);
      }
    }
    if (o.full) full_text(p, r);
  }

  void full_text(const Page& p, const LadderRow& r) {
    std::size_t indent = p.base + 4;
    std::string_view raw = r.raw;
    while (!raw.empty()) {
      std::size_t nl = raw.find('\n');
      std::string_view line = raw.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      for (const auto& part : detail::wrap_text(terminal_safe(line), wrap_width(indent)))
        out += std::string(indent, ' ') + part + '\n';
      raw = nl == std::string_view::npos ? std::string_view{} : raw.substr(nl + 1);
    }
    out += '\n';
  }

  void line(std::string_view text, std::size_t indent = 2) {
    auto parts = detail::wrap_text(text, wrap_width(0));
    if (parts.size() > 1) {
      parts = detail::wrap_text(text, wrap_width(indent));
      for (std::size_t k = 1; k < parts.size(); ++k)
        parts[k] = std::string(indent, ' ') + parts[k];
    }
    for (const auto& part : parts)
      out += part + '\n';
  }

  void title() {
    out += o.color ? std::string(sgr(kBold)) : "";
    auto parts = detail::wrap_text(own(terminal_safe(l.title)), wrap_width(0));
    for (std::size_t k = 0; k < parts.size(); ++k)
      out += parts[k] + (k + 1 < parts.size() ? "\n" : "");
    out += o.color ? std::string(sgr(kPlain)) : "";
    out += '\n';
    for (const auto& leg : l.legs) {
      std::string s = "Call-ID: " + terminal_safe(leg.call_id);
      if (l.legs.size() > 1) s += "  (" + own(terminal_safe(leg.summary)) + ")";
      line(s, 4);
    }
    out += '\n';
  }

  void legend() {
    bool any = false;
    for (const auto& c : l.columns)
      any = any || !c.agent.empty() || c.addresses.size() > 1 ||
            (!c.addresses.empty() && c.addresses.front() != c.label);
    if (!any) return;
    out += '\n';
    std::size_t w = 0;
    for (const auto& h : t.heads)
      w = std::max(w, display_width(h));
    if (o.width > 0 && w + 2 > static_cast<std::size_t>(o.width) / 2) w = 0;  // too wide to align
    for (std::size_t i = 0; i < l.columns.size(); ++i) {
      const auto& c = l.columns[i];
      std::string extra;
      for (const auto& a : c.addresses) {
        if (a == c.label) continue;
        extra += (extra.empty() ? "" : ", ") + terminal_safe(a);
      }
      if (!c.agent.empty()) {  // shortened: the SVG tooltip and the JSON have it whole
        extra += (extra.empty() ? "" : "  ") +
                 own(detail::shorten(terminal_safe(c.agent), detail::kMaxAgentCells));
      }
      std::size_t pad = w > display_width(t.heads[i]) ? w - display_width(t.heads[i]) : 0;
      line(t.heads[i] + std::string(pad + 2, ' ') + extra, w ? w + 2 : 4);
    }
  }
};

}  // namespace

std::string render_ascii(const Ladder& l, const AsciiOptions& o) {
  const Glyphs& g = o.unicode ? kUnicode : kAscii;
  std::size_t n = l.columns.size();
  std::string out;
  if (n == 0) return out;

  Text t;
  for (const auto& c : l.columns) {
    t.heads.push_back(terminal_safe(c.label));
    t.stubs.push_back("[" + t.heads.back() + "]");
  }
  for (const auto& r : l.rows) {
    t.labels.push_back(arrow_label(r, l));
    std::string sdp = o.sdp ? terminal_safe(r.sdp) : std::string{};
    t.sdps.push_back(o.unicode ? sdp : detail::ascii_punctuation(sdp));
    std::string s = time_text(r, l, o.time);
    if (o.frames) s = fmt::format("#{} ", r.frame) + s;
    t.time_w = std::max(t.time_w, s.size());
    t.times.push_back(std::move(s));
  }

  // Labels inside their arrows if that fits; else above them; else pages of columns.
  std::vector<Page> pages = {
      make_page(l, t, layout(l, t.heads, t.labels, t.sdps, true), 0, n, false)};
  auto width = static_cast<std::size_t>(std::max(o.width, 0));
  if (width > 0 && pages.front().width > width) {
    auto gap = layout(l, t.heads, t.labels, t.sdps, false);
    pages = {make_page(l, t, gap, 0, n, true)};
    if (pages.front().width > width) pages = paginate(l, t, gap, width);
    bool too_wide = std::any_of(pages.begin(), pages.end(), [&](const Page& p) {
      return p.last == p.first + 1 && p.width > width;
    });
    if (too_wide) {  // stubs name their column by number, and headers show the numbers
      for (std::size_t c = 0; c < n; ++c) {
        t.heads[c] = fmt::format("#{} {}", c + 1, t.heads[c]);
        t.stubs[c] = fmt::format("[#{}]", c + 1);
      }
      pages = paginate(l, t, layout(l, t.heads, t.labels, t.sdps, false), width);
    }
  }

  Renderer rd{l, o, g, t, out};
  if (o.title && !l.title.empty()) rd.title();
  for (std::size_t k = 0; k < pages.size(); ++k) {
    const Page& p = pages[k];
    if (pages.size() > 1) {
      if (k > 0) out += '\n';
      rd.line(fmt::format("page {}/{}: columns {}-{} of {}", k + 1, pages.size(), p.first + 1,
                          p.last, n));
    }
    rd.header(p);
    for (std::size_t i = 0; i < l.rows.size(); ++i) {
      if (p.in(l.rows[i].from) || p.in(l.rows[i].to)) rd.row(p, i);
    }
    rd.lifeline_row(p);
  }
  if (o.legend) rd.legend();
  return out;
}

}  // namespace sipflow::render
