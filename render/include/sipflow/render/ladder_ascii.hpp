#pragma once
// The ladder as text for terminals and text docs, in the shape people draw
// by hand:
//
//   0.000  ├──── INVITE (SDP offer) ───▶│
//   0.001  │◀──────── 100 Trying ───────┤
//
// Box-drawing characters, or pure ASCII ("|---- INVITE ---->|").

#include <string>

#include "sipflow/flows/ladder.hpp"

namespace sipflow::render {

struct AsciiOptions {
  int width = 0;        ///< fit this many columns (0: no limit); labels are never cut
  bool unicode = true;  ///< box-drawing characters; false: pure ASCII
  bool color = false;   ///< ANSI colours by message class
  enum class Time { Relative, Absolute, Delta, None } time = Time::Relative;
  bool sdp = false;     ///< an SDP summary line under arrows that carry SDP
  bool full = false;    ///< the whole message under each arrow
  bool frames = false;  ///< frame numbers next to the time
  bool legend = true;   ///< columns' addresses and user agents under the diagram
  bool title = true;
};

/// Renders `ladder`. Every byte that came from a packet is made terminal-safe.
std::string render_ascii(const flows::Ladder& ladder, const AsciiOptions& options);

}  // namespace sipflow::render
