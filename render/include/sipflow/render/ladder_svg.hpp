#pragma once
// The ladder as one self-contained SVG image, for tickets and docs: column
// headers (label, then address and user agent in smaller type) over
// lifelines, one shaded band per message with its arrow, coloured by class
// (request, 1xx, 2xx, 3xx, 4xx-6xx; retransmissions dashed and grey), the
// label centred over the shaft, and the time column on the left.
//
// No scripts, no external fonts or stylesheets: system font stacks and one
// inline <style>. The canvas is sized from text metrics that are upper
// bounds for common system fonts, so no label is ever clipped: columns
// widen instead. Every byte from a packet goes through append_xml_text.

#include <string>

#include "sipflow/flows/ladder.hpp"

namespace sipflow::render {

struct SvgOptions {
  /// Time column: relative (offset since the first message, and delta),
  /// absolute (UTC time of day, and delta), delta only, or none.
  enum class Time { Relative, Absolute, Delta, None } time = Time::Relative;
  bool sdp = false;      ///< SDP summary under arrows that carry SDP
  bool tooltips = true;  ///< <title> on each arrow with the whole message (hover)
  bool frames = false;   ///< frame numbers in the time column
  bool legend = true;    ///< colour key under the diagram
  bool title = true;     ///< call summary and Call-IDs above the diagram
};

/// Renders `ladder` as a standalone SVG 1.1 document (UTF-8, ends with a
/// newline). Deterministic: the same ladder gives the same bytes.
std::string render_svg(const flows::Ladder& ladder, const SvgOptions& options);

}  // namespace sipflow::render
