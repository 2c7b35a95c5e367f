#pragma once
// Geometry of the SVG ladder: every position and size, from text metrics.
// Kept apart from the drawing so each has one reason to change.
//
//   pad  time cols  badges  x[0]          x[1]            x[n-1]     pad
//   |    |frame|time|Δ| (1) |              |                |          |
//        title, Call-IDs
//                         ┌────────┐   ┌────────┐      ┌────────┐   head_top
//                         │ label  │   │ label  │      │ label  │
//                         │ agent  │   │ agent  │      │ agent  │
//                         └───┬────┘   └───┬────┘      └───┬────┘   head_top + head_h
//   ░░░░░░░░░░░░░░░░░░░░░░░░░░│░░░░ label ░│░░░░░░░░░░░░░░░│░░░░░░░  row band (shaded
//        0.155  +0.103    ●───┼───────────▶│                │         every other row)

#include <string>
#include <vector>

#include "sipflow/flows/ladder.hpp"
#include "sipflow/render/ladder_svg.hpp"

namespace sipflow::render::detail {

// Type sizes (px) and fixed distances.
inline constexpr double kPad = 24;           // canvas margin
inline constexpr double kTitleSize = 15;     // call summary
inline constexpr double kCallIdSize = 11.5;  // Call-ID lines (monospace)
inline constexpr double kHeadSize = 13;      // column label (semibold)
inline constexpr double kHeadSubSize = 11;   // address / user agent lines
inline constexpr double kLabelSize = 12.5;   // arrow labels
inline constexpr double kTimeSize = 11.5;    // time column (monospace)
inline constexpr double kSdpSize = 11;       // SDP summary (monospace)
inline constexpr double kLegendSize = 11;    // colour key
inline constexpr double kHeadLine = 17;      // header line heights
inline constexpr double kHeadSubLine = 14;
inline constexpr double kRowHeight = 38;   // one message
inline constexpr double kSdpExtra = 15;    // one message with its SDP line
inline constexpr double kSelfExtra = 8;    // one message to itself (a loop)
inline constexpr double kArrowY = 25;      // arrow shaft below the band's top
inline constexpr double kLoopWidth = 30;   // self-message loop: width, height, and
inline constexpr double kLoopHeight = 18;  // its top below the band's top
inline constexpr double kLoopTop = 14;
inline constexpr double kBadgeRadius = 8;  // leg number
inline constexpr int kFooterMinRows = 12;  // repeat headers under ladders this long

/// The texts of one row's time column, each "" when not shown.
struct TimeCells {
  std::string frame, time, delta;
};

/// Column header text: label (semibold), then smaller lines.
struct HeaderText {
  std::string label;
  std::vector<std::string> sub;  ///< addresses other than the label, user agent
};

/// The leg of `index` when several calls are drawn: badge colour.
std::string_view leg_colour(std::size_t index);

/// Arrow label as drawn: the row's label, "(retransmission)" or "(duplicate)".
std::string arrow_label(const flows::LadderRow& row);
TimeCells time_cells(const flows::LadderRow& row, const SvgOptions& options);
HeaderText header_text(const flows::LadderColumn& column);

struct SvgLayout {
  double width = 0, height = 0;
  // Title block: baselines of the summary and of each Call-ID line.
  double title_y = 0;
  std::vector<double> call_id_y;
  // Time column: right edges of frame, time and delta texts; badge centre.
  double frame_right = 0, time_right = 0, delta_right = 0, badge_x = 0;
  bool badges = false;  // several legs: a numbered badge per row
  double band_left = 0, band_right = 0;
  std::vector<double> x;       // lifelines
  std::vector<double> head_w;  // header box widths (centred on x)
  double head_top = 0, head_h = 0;
  std::vector<double> row_top, row_h;
  double life_bottom = 0;  // lifelines end here
  double footer_top = 0;   // 0: no repeated headers
  double footer_h = 0;
  double legend_y = 0;  // baseline of the colour key; 0: none
};

/// Lays out `ladder`: lifelines far enough apart for every header and every
/// label (shortest arrows first, so long ones only add what is still
/// missing), the canvas wide enough for the title and the key.
SvgLayout layout_svg(const flows::Ladder& ladder, const SvgOptions& options,
                     const std::vector<HeaderText>& heads, const std::vector<std::string>& labels,
                     const std::vector<TimeCells>& times, double legend_width);

}  // namespace sipflow::render::detail
