#include "svg_layout.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <numeric>

#include <fmt/format.h>

#include "ladder_ascii_text.hpp"
#include "text_metrics.hpp"

namespace sipflow::render::detail {
namespace {

constexpr double kMinGap = 180;      // between lifelines, however short the labels
constexpr double kLabelMargin = 18;  // free shaft on each side of a centred label
constexpr double kHeadPadX = 14;     // header box: text to border
constexpr double kHeadPadY = 9;
constexpr double kColumnGutter = 12;  // between the time column's cells

double max_width(const std::vector<std::string>& texts, Face face, double size) {
  double w = 0;
  for (const auto& t : texts)
    w = std::max(w, text_width(t, face, size));
  return w;
}

// Grows gaps a..b-1 by `need - have`, evenly, when the span is too short.
void widen(std::vector<double>& gap, std::size_t a, std::size_t b, double need) {
  double have = std::accumulate(gap.begin() + static_cast<std::ptrdiff_t>(a),
                                gap.begin() + static_cast<std::ptrdiff_t>(b), 0.0);
  if (have >= need) return;
  double each = std::ceil((need - have) / static_cast<double>(b - a));
  for (std::size_t k = a; k < b; ++k)
    gap[k] += each;
}

}  // namespace

std::string_view leg_colour(std::size_t index) {
  // Teal, orange, pink, indigo, olive, slate: apart from the arrow colours.
  static constexpr std::string_view kLegs[] = {"#1b7c83", "#bc4c00", "#bf3989",
                                               "#6639ba", "#5a6e00", "#424a53"};
  return kLegs[index % std::size(kLegs)];
}

std::string arrow_label(const flows::LadderRow& r) {
  std::string label = r.label;
  if (r.repeat == flows::Repeat::Retransmission) label += " (retransmission)";
  if (r.repeat == flows::Repeat::Duplicate) label += " (duplicate)";
  return label;
}

TimeCells time_cells(const flows::LadderRow& r, const SvgOptions& o) {
  using Time = SvgOptions::Time;
  TimeCells c;
  if (o.frames) c.frame = fmt::format("#{}", r.frame);
  if (o.time == Time::Relative) c.time = fmt::format("{:.3f}", r.offset);
  if (o.time == Time::Absolute) {
    auto s = static_cast<std::time_t>(r.ts.seconds());
    std::tm tm{};
    gmtime_r(&s, &tm);
    c.time = fmt::format("{:02}:{:02}:{:02}.{:03}", tm.tm_hour, tm.tm_min, tm.tm_sec,
                         (r.ts.ns - r.ts.seconds() * 1'000'000'000) / 1'000'000);
  }
  if (o.time != Time::None) c.delta = fmt::format("+{:.3f}", r.delta);
  return c;
}

HeaderText header_text(const flows::LadderColumn& c) {
  HeaderText h{c.label, {}};
  for (const auto& a : c.addresses) {
    if (a != c.label) h.sub.push_back(a);
  }
  // A long agent is shortened; the header's tooltip has it whole.
  if (!c.agent.empty()) h.sub.push_back(detail::shorten(c.agent, detail::kMaxAgentCells));
  return h;
}

SvgLayout layout_svg(const flows::Ladder& l, const SvgOptions& o,
                     const std::vector<HeaderText>& heads, const std::vector<std::string>& labels,
                     const std::vector<TimeCells>& times, double legend_width) {
  SvgLayout g;
  const std::size_t n = l.columns.size();
  g.badges = l.legs.size() > 1;

  // Time column: frame, time, delta, each as wide as its widest cell or caption.
  std::vector<std::string> frames, stamps, deltas;
  for (const auto& t : times) {
    frames.push_back(t.frame);
    stamps.push_back(t.time);
    deltas.push_back(t.delta);
  }
  double x = kPad;
  auto cell = [&](const std::vector<std::string>& texts, std::string_view caption) {
    double w = max_width(texts, Face::Mono, kTimeSize);
    if (w == 0) return x;
    w = std::max(w, text_width(caption, Face::Sans, kLegendSize));
    double right = x + w;
    x = right + kColumnGutter;
    return right;
  };
  g.frame_right = cell(frames, "frame");
  g.time_right = cell(stamps, "time");
  g.delta_right = cell(deltas, "\xce\x94");  // Δ
  if (g.badges) {
    g.badge_x = x + kBadgeRadius;
    x = g.badge_x + kBadgeRadius + kColumnGutter;
  }
  const double left_limit = x;

  // Header boxes.
  std::size_t sub_lines = 0;
  for (const auto& h : heads) {
    double w = text_width(h.label, Face::SansBold, kHeadSize);
    for (const auto& s : h.sub)
      w = std::max(w, text_width(s, Face::Sans, kHeadSubSize));
    g.head_w.push_back(std::ceil(w + 2 * kHeadPadX));
    sub_lines = std::max(sub_lines, h.sub.size());
  }
  g.head_h = 2 * kHeadPadY + kHeadLine + kHeadSubLine * static_cast<double>(sub_lines);

  // Gaps between lifelines: headers side by side, then every label on its shaft.
  std::vector<double> gap(n > 0 ? n - 1 : 0, kMinGap);
  for (std::size_t i = 0; i + 1 < n; ++i)
    gap[i] = std::max(gap[i], std::ceil((g.head_w[i] + g.head_w[i + 1]) / 2 + 32));
  std::vector<std::size_t> order(l.rows.size());
  std::iota(order.begin(), order.end(), 0);
  auto span = [&](std::size_t i) {
    const auto& r = l.rows[i];
    return r.from > r.to ? r.from - r.to : r.to - r.from;
  };
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return span(a) < span(b); });
  double right_need = g.head_w.empty() ? 0 : g.head_w.back() / 2;
  for (std::size_t i : order) {
    const auto& r = l.rows[i];
    double need = text_width(labels[i], Face::Sans, kLabelSize);
    if (o.sdp && !r.sdp.empty()) need = std::max(need, text_width(r.sdp, Face::Mono, kSdpSize));
    if (r.from == r.to) {  // a loop right of the lifeline, its label beside it
      double loop = kLoopWidth + 8 + need + 12;
      if (r.from + 1 < n) {
        widen(gap, r.from, r.from + 1, loop);
      } else {
        right_need = std::max(right_need, loop);
      }
      continue;
    }
    widen(gap, std::min(r.from, r.to), std::max(r.from, r.to), need + 2 * kLabelMargin + 12);
  }
  if (n > 0) {
    g.x.push_back(std::ceil(std::max(left_limit + 20, left_limit + 4 + g.head_w[0] / 2)));
    for (std::size_t i = 0; i + 1 < n; ++i)
      g.x.push_back(g.x.back() + gap[i]);
  }
  g.width = std::ceil((g.x.empty() ? left_limit : g.x.back()) + right_need + kPad);

  // Title block.
  double y = kPad;
  if (o.title && !l.title.empty()) {
    g.width =
        std::max(g.width, std::ceil(2 * kPad + text_width(l.title, Face::SansBold, kTitleSize)));
    g.title_y = y + kTitleSize;
    y += kTitleSize + 8;
    for (const auto& leg : l.legs) {
      double w = text_width(leg.call_id, Face::Mono, kCallIdSize);
      w += g.badges ? 2 * kBadgeRadius + 8 + text_width(leg.summary, Face::Sans, 12) + 12
                    : text_width("Call-ID ", Face::Sans, kCallIdSize);
      g.width = std::max(g.width, std::ceil(2 * kPad + w));
      g.call_id_y.push_back(y + 13);
      y += g.badges ? 20 : 17;
    }
    y += 14;
  }
  g.head_top = y;
  y += g.head_h + 10;

  // One band per row.
  for (const auto& r : l.rows) {
    double h = kRowHeight;
    if (o.sdp && !r.sdp.empty()) h += kSdpExtra;
    if (r.from == r.to) h += kSelfExtra;
    g.row_top.push_back(y);
    g.row_h.push_back(h);
    y += h;
  }
  g.life_bottom = y + 12;
  y = g.life_bottom;
  if (static_cast<int>(l.rows.size()) >= kFooterMinRows) {
    g.footer_top = y;
    g.footer_h = 2 * kHeadPadY + kHeadLine - 4;
    y += g.footer_h;
  }
  if (o.legend && legend_width > 0) {
    g.width = std::max(g.width, std::ceil(2 * kPad + legend_width));
    g.legend_y = y + 26;
    y = g.legend_y + 4;
  }
  g.height = std::ceil(y + kPad);
  g.band_left = kPad - 10;
  g.band_right = g.width - kPad + 10;
  return g;
}

}  // namespace sipflow::render::detail
