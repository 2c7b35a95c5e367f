#include "sipflow/render/ladder_svg.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sipflow/render/escape.hpp"
#include "svg_layout.hpp"
#include "text_metrics.hpp"

namespace sipflow::render {
namespace {

using detail::Face;
using detail::SvgLayout;
using detail::text_width;
using flows::ArrowKind;
using flows::Ladder;
using flows::LadderRow;

// GitHub's Primer palette: each colour is readable as text on white and on
// the shaded bands (contrast >= 4.5:1).
constexpr std::string_view kStyle =
    "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "'Noto Sans','Liberation Sans','DejaVu Sans',sans-serif;fill:#1f2328}"
    ".m{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',"
    "'DejaVu Sans Mono',monospace}"
    ".title{font-size:15px;font-weight:600}"
    ".cid{font-size:11.5px;fill:#59636e}.legs{font-size:12px}"
    ".hb{fill:#f6f8fa;stroke:#d0d7de}"
    ".hl{font-size:13px;font-weight:600;text-anchor:middle}"
    ".hs{font-size:11px;fill:#59636e;text-anchor:middle}"
    ".life{stroke:#d0d7de;stroke-width:1.5}"
    ".band{fill:#f6f8fa}"
    ".cap{font-size:11px;fill:#8c959f;text-anchor:end}"
    ".tm{font-size:11.5px;text-anchor:end}.dt,.fr{font-size:11.5px;fill:#8c959f;text-anchor:end}"
    ".lbl,.sdp{text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:4px;"
    "stroke-linejoin:round}"
    ".lbl{font-size:12.5px;fill:currentColor}.sdp{font-size:11px;fill:#59636e}"
    ".alt .lbl,.alt .sdp{stroke:#f6f8fa}.start{text-anchor:start}"
    ".shaft{stroke:currentColor;stroke-width:1.5;fill:none}.rep .shaft{stroke-dasharray:5 4}"
    ".head,.dot{fill:currentColor}.rep .lbl{font-style:italic}"
    ".req{color:#0969da}.r1{color:#9a6700}.r2{color:#1a7f37}.r3{color:#8250df}"
    ".r4{color:#cf222e}.rep{color:#8c959f}"
    ".hit{fill:#000;fill-opacity:0}.msg:hover .hit{fill-opacity:.05}"
    ".badge{font-size:10px;font-weight:700;fill:#fff;text-anchor:middle}"
    ".key{font-size:11px;fill:#59636e}";

// CSS class of an arrow: its message class, or "rep" for repeats.
std::string_view class_of(const LadderRow& r) {
  if (r.repeat != flows::Repeat::First) return "rep";
  switch (r.kind) {
    case ArrowKind::Request:
      return "req";
    case ArrowKind::Provisional:
      return "r1";
    case ArrowKind::Success:
      return "r2";
    case ArrowKind::Redirect:
      return "r3";
    default:
      return "r4";
  }
}

struct KeyItem {
  std::string_view cls, text;
};
constexpr KeyItem kKey[] = {{"req", "request"},
                            {"r1", "1xx provisional"},
                            {"r2", "2xx success"},
                            {"r3", "3xx redirect"},
                            {"r4",
                             "4xx\xe2\x80\x93"  // en dash
                             "6xx failure"},
                            {"rep", "retransmission, duplicate"}};
constexpr double kKeyArrow = 24, kKeyGap = 6, kKeySpace = 20;

std::vector<KeyItem> key_items(const Ladder& l) {
  std::vector<KeyItem> items;
  for (const auto& k : kKey) {
    bool used = std::any_of(l.rows.begin(), l.rows.end(),
                            [&](const LadderRow& r) { return class_of(r) == k.cls; });
    if (used) items.push_back(k);
  }
  return items;
}

double key_width(const std::vector<KeyItem>& items) {
  double w = 0;
  for (const auto& k : items)
    w += kKeyArrow + kKeyGap + text_width(k.text, Face::Sans, detail::kLegendSize) + kKeySpace;
  return items.empty() ? 0 : w - kKeySpace;
}

// Coordinates with at most one decimal, "12" rather than "12.0".
std::string num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

class Svg {
 public:
  explicit Svg(std::string& out) : out_(out) {}
  Svg& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  Svg& n(double v) {
    out_ += num(v);
    return *this;
  }
  /// Text from a packet or ours, escaped for XML.
  Svg& esc(std::string_view s) {
    append_xml_text(out_, s);
    return *this;
  }
  /// <text class="cls" x y>s</text>
  Svg& text(std::string_view cls, double x, double y, std::string_view s) {
    raw("<text class=\"").raw(cls).raw("\" x=\"").n(x).raw("\" y=\"").n(y).raw("\">");
    return esc(s).raw("</text>\n");
  }
  Svg& rect(std::string_view cls, double x, double y, double w, double h, double r = 0) {
    raw("<rect class=\"").raw(cls).raw("\" x=\"").n(x).raw("\" y=\"").n(y);
    raw("\" width=\"").n(w).raw("\" height=\"").n(h);
    if (r > 0) raw("\" rx=\"").n(r);
    return raw("\"/>\n");
  }
  Svg& line(std::string_view cls, double x1, double y1, double x2, double y2) {
    raw("<line class=\"").raw(cls).raw("\" x1=\"").n(x1).raw("\" y1=\"").n(y1);
    return raw("\" x2=\"").n(x2).raw("\" y2=\"").n(y2).raw("\"/>\n");
  }
  /// Arrowhead with its tip at (x, y), pointing right (dir 1) or left (-1).
  Svg& head(double x, double y, double dir) {
    raw("<path class=\"head\" d=\"M").n(x).raw(' ' + num(y)).raw("L").n(x - dir * 10);
    raw(' ' + num(y - 4.5)).raw("L").n(x - dir * 10).raw(' ' + num(y + 4.5));
    return raw("Z\"/>\n");
  }

 private:
  std::string& out_;
};

// Tooltip: where and when, then the whole message (CRs dropped).
std::string tooltip(const Ladder& l, const LadderRow& r, bool whole) {
  std::string t = fmt::format("frame {} \xc2\xb7 +{:.6f} s \xc2\xb7 ", r.frame, r.offset);
  std::string_view tr = to_string(r.transport);
  for (char c : tr)
    t.push_back(static_cast<char>(c - 'a' + 'A'));
  t += " " + l.columns[r.from].label + " \xe2\x86\x92 " + l.columns[r.to].label;
  if (!whole || r.raw.empty()) return t;
  t += "\n\n";
  for (char c : r.raw) {
    if (c != '\r') t.push_back(c);
  }
  while (!t.empty() && t.back() == '\n')
    t.pop_back();
  return t;
}

void draw_header(Svg& s, const SvgLayout& g, std::size_t i, const detail::HeaderText& h,
                 const flows::LadderColumn& c, double top, bool footer) {
  double w = g.head_w[i], x = g.x[i];
  s.raw("<g class=\"col\"><title>");
  std::string tip = c.label;
  for (const auto& a : c.addresses) {
    if (a != c.label) tip += "\n" + a;
  }
  if (!c.agent.empty()) tip += "\n" + c.agent;
  s.esc(tip).raw("</title>\n");
  s.rect("hb", x - w / 2, top, w, footer ? g.footer_h : g.head_h, 6);
  // The text block centred in the box: boxes are all as tall as the tallest.
  double block =
      detail::kHeadLine + (footer ? 0 : detail::kHeadSubLine * static_cast<double>(h.sub.size()));
  double y = top + ((footer ? g.footer_h : g.head_h) - block) / 2 + detail::kHeadSize;
  s.text("hl", x, y, h.label);
  if (!footer) {
    for (const auto& sub : h.sub) {
      y += detail::kHeadSubLine;
      s.text("hs", x, y, sub);
    }
  }
  s.raw("</g>\n");
}

void draw_row(Svg& s, const Ladder& l, const SvgLayout& g, const SvgOptions& o, std::size_t i,
              const std::string& label, const detail::TimeCells& t) {
  const LadderRow& r = l.rows[i];
  double top = g.row_top[i], y = top + detail::kArrowY;
  bool self = r.from == r.to;
  if (self) y = top + detail::kLoopTop + detail::kLoopHeight / 2;  // the loop's middle
  s.raw("<g class=\"msg ").raw(class_of(r)).raw(i % 2 ? " alt" : "").raw("\">");
  s.raw("<title>").esc(tooltip(l, r, o.tooltips)).raw("</title>\n");
  s.rect("hit", g.band_left, top, g.band_right - g.band_left, g.row_h[i]);
  double ty = y + 4;  // time cells centred on the shaft
  if (!t.frame.empty()) s.text("fr m", g.frame_right, ty, t.frame);
  if (!t.time.empty()) s.text("tm m", g.time_right, ty, t.time);
  if (!t.delta.empty() && i > 0) s.text("dt m", g.delta_right, ty, t.delta);
  if (g.badges) {
    s.raw("<circle cx=\"").n(g.badge_x).raw("\" cy=\"").n(y).raw("\" r=\"");
    s.n(detail::kBadgeRadius).raw("\" fill=\"").raw(detail::leg_colour(r.leg)).raw("\"/>");
    s.text("badge", g.badge_x, y + 3.5, std::to_string(r.leg + 1));
  }
  double x1 = g.x[r.from], x2 = g.x[r.to];
  bool sdp = o.sdp && !r.sdp.empty();
  if (self) {  // a loop to the right, the label beside it
    double right = x1 + detail::kLoopWidth, out = top + detail::kLoopTop;
    double back = out + detail::kLoopHeight;
    s.raw("<circle class=\"dot\" cx=\"").n(x1).raw("\" cy=\"").n(out).raw("\" r=\"3\"/>");
    s.raw("<path class=\"shaft\" d=\"M").n(x1).raw(' ' + num(out)).raw("H").n(right - 4);
    s.raw("Q").n(right).raw(' ' + num(out)).raw(' ' + num(right)).raw(' ' + num(out + 4));
    s.raw("V").n(back - 4).raw("Q").n(right).raw(' ' + num(back)).raw(' ' + num(right - 4));
    s.raw(' ' + num(back)).raw("H").n(x1 + 10).raw("\"/>\n");
    s.head(x1 + 1, back, -1);
    s.text("lbl start", right + 8, y + 4, label);
    if (sdp) s.text("sdp m start", right + 8, back + 15, r.sdp);
  } else {
    double dir = x2 > x1 ? 1 : -1;
    s.raw("<circle class=\"dot\" cx=\"").n(x1).raw("\" cy=\"").n(y).raw("\" r=\"3\"/>");
    s.line("shaft", x1, y, x2 - dir * 10, y);
    s.head(x2 - dir, y, dir);
    s.text("lbl", (x1 + x2) / 2, y - 8, label);
    if (sdp) s.text("sdp m", (x1 + x2) / 2, y + 15, r.sdp);
  }
  s.raw("</g>\n");
}

void draw_key(Svg& s, const std::vector<KeyItem>& items, double y) {
  double x = detail::kPad;
  s.raw("<g class=\"legend\">\n");
  for (const auto& k : items) {
    s.raw("<g class=\"").raw(k.cls).raw("\">");
    s.line("shaft", x, y - 4, x + kKeyArrow - 8, y - 4);
    s.head(x + kKeyArrow, y - 4, 1);
    s.text("key", x + kKeyArrow + kKeyGap, y, k.text);
    s.raw("</g>\n");
    x += kKeyArrow + kKeyGap + text_width(k.text, Face::Sans, detail::kLegendSize) + kKeySpace;
  }
  s.raw("</g>\n");
}

}  // namespace

std::string render_svg(const Ladder& l, const SvgOptions& o) {
  std::vector<detail::HeaderText> heads;
  for (const auto& c : l.columns)
    heads.push_back(detail::header_text(c));
  std::vector<std::string> labels;
  std::vector<detail::TimeCells> times;
  for (const auto& r : l.rows) {
    labels.push_back(detail::arrow_label(r));
    times.push_back(detail::time_cells(r, o));
  }
  auto key = o.legend ? key_items(l) : std::vector<KeyItem>{};
  SvgLayout g = detail::layout_svg(l, o, heads, labels, times, key_width(key));

  std::string out;
  Svg s(out);
  s.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  s.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").n(g.width);
  s.raw("\" height=\"").n(g.height).raw("\" viewBox=\"0 0 ").n(g.width).raw(" ").n(g.height);
  s.raw("\" role=\"img\">\n<title>").esc(l.title.empty() ? "SIP call flow" : l.title);
  s.raw("</title>\n<style>").raw(kStyle).raw("</style>\n");
  s.raw("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");

  if (o.title && !l.title.empty()) {
    s.text("title", detail::kPad, g.title_y, l.title);
    for (std::size_t i = 0; i < l.legs.size() && i < g.call_id_y.size(); ++i) {
      const auto& leg = l.legs[i];
      double y = g.call_id_y[i];
      if (g.badges) {
        double cx = detail::kPad + detail::kBadgeRadius;
        s.raw("<circle cx=\"").n(cx).raw("\" cy=\"").n(y - 4).raw("\" r=\"");
        s.n(detail::kBadgeRadius).raw("\" fill=\"").raw(detail::leg_colour(i)).raw("\"/>");
        s.text("badge", cx, y - 0.5, std::to_string(i + 1));
        double x = cx + detail::kBadgeRadius + 8;
        s.text("legs", x, y, leg.summary);
        s.text("cid m", x + text_width(leg.summary, Face::Sans, 12) + 12, y, leg.call_id);
      } else {
        s.text("cid m", detail::kPad, y, "Call-ID " + leg.call_id);
      }
    }
  }

  for (std::size_t i = 1; i < l.rows.size(); i += 2)  // every other band shaded
    s.rect("band", g.band_left, g.row_top[i], g.band_right - g.band_left, g.row_h[i]);
  if (!l.rows.empty()) {  // captions of the time column, at the foot of the header band
    double cy = g.head_top + g.head_h - 2;
    if (!times.front().frame.empty()) s.text("cap", g.frame_right, cy, "frame");
    if (!times.front().time.empty()) {
      s.text("cap", g.time_right, cy, o.time == SvgOptions::Time::Absolute ? "UTC" : "time");
    }
    if (!times.front().delta.empty()) s.text("cap", g.delta_right, cy, "\xce\x94");
  }
  double life_end = g.footer_top > 0 ? g.footer_top : g.life_bottom;
  for (double x : g.x)
    s.line("life", x, g.head_top + g.head_h, x, life_end);
  for (std::size_t i = 0; i < l.columns.size(); ++i) {
    draw_header(s, g, i, heads[i], l.columns[i], g.head_top, false);
    if (g.footer_top > 0) draw_header(s, g, i, heads[i], l.columns[i], g.footer_top, true);
  }
  for (std::size_t i = 0; i < l.rows.size(); ++i)
    draw_row(s, l, g, o, i, labels[i], times[i]);
  if (g.legend_y > 0) draw_key(s, key, g.legend_y);
  s.raw("</svg>\n");
  return out;
}

}  // namespace sipflow::render
