#pragma once
// The ladder as a mermaid sequenceDiagram, for GitHub/GitLab markdown and
// docs sites (paste it into a ```mermaid block as-is):
//
//   sequenceDiagram
//       title INVITE alice → bob · completed 200
//       participant P1 as 10.0.0.1:5060<br/>Zoiper 5.6
//       participant P2 as PBX<br/>10.0.0.2:5060
//       P1->>P2: INVITE (SDP offer)
//       P2-->>P1: 180 Ringing
//
// Requests are solid arrows (->>), responses dashed (-->>); retransmissions
// and duplicates get an open arrowhead (-) / --)) and say so in the label.

#include <string>
#include <string_view>

#include "sipflow/flows/ladder.hpp"

namespace sipflow::render {

struct MermaidOptions {
  bool sdp_notes = false;   ///< "Note over" with the SDP summary after arrows that carry SDP
  bool time_notes = false;  ///< "Note over" with time and delta before each arrow
  bool details = true;      ///< addresses (when aliased) and user agent under participant names
  bool autonumber = false;  ///< number the arrows (mermaid's autonumber)
  bool title = true;        ///< the call summary as the diagram's title
};

/// Appends `s` so that mermaid shows it as literal text in a message, note,
/// title or participant alias. Control characters, invalid UTF-8 and bidi
/// overrides become visible escapes first (as for a terminal: "\e[31m"); then
/// every character mermaid's grammar or its HTML labels give a meaning to
/// (# ; % " < > & $) becomes a mermaid entity code ("#35;"), and a leading
/// "wrap:"/"nowrap:" directive is defused. Never produces a line break.
void append_mermaid_text(std::string& out, std::string_view s);

/// Renders `ladder` as mermaid text (ends with a newline). Participants get
/// ids P1..Pn, so no packet byte is ever parsed as an id or a keyword.
std::string render_mermaid(const flows::Ladder& ladder, const MermaidOptions& options);

}  // namespace sipflow::render
