// Every ladder backend: calls the correlator makes of fuzzer messages,
// flows::build_ladder, then render_ladder as ascii (box drawing and pure
// ASCII), svg, mermaid, dot (cgraph), dot-svg (Graphviz layout) and json.
//
// Input layout: as correlator_fuzz (message_input.hpp: segments separated by
// 0x1E; segment n: a meta byte, then one SIP message), except segment 0,
// which chooses the ladder and render options:
//   byte 0: bit 0 by_host, bit 1 merge_elements, bit 2 pure ASCII, bit 3
//           colour, bit 4 SDP lines and whole messages, bit 5 frames and
//           absolute times, bit 6 an alias for 10.0.0.2 (the rest of the
//           segment), bit 7 also lay out with Graphviz (dot-svg)
//   byte 1: terminal width for ascii (0 = unlimited)
// fuzz/make_seeds.py writes the calls of the samples in this layout.
//
// Invariants (one ladder of all calls, and one per call): json is one valid
// JSON document; ascii is valid UTF-8 without control characters but line
// ends (and colour sequences when asked for); mermaid has one line per
// participant and per arrow, every line after the first indented, so no
// packet byte starts a line of its own; svg and dot are valid UTF-8 without
// control characters but line ends and tabs, and the same ladder gives the
// same bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "message_input.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/flows/correlator.hpp"
#include "sipflow/flows/ladder.hpp"
#include "sipflow/render/ladder_formats.hpp"
#include "sipflow/render/ladder_json.hpp"

namespace {

using namespace sipflow;

struct Keep final : flows::CallSink {
  std::vector<flows::Call> calls;
  void on_call(flows::Call& c) override { calls.push_back(std::move(c)); }
};

// No C0 control character but `allowed`, no DEL; valid UTF-8.
bool clean_text(std::string_view s, std::string_view allowed) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 || u == 0x7F) && allowed.find(c) == std::string_view::npos) return false;
  }
  return fuzz::valid_utf8(s);
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

void check_mermaid(std::string_view m, const flows::Ladder& l, const render::MermaidOptions& o) {
  SIPFLOW_FUZZ_CHECK(clean_text(m, "\n"));
  SIPFLOW_FUZZ_CHECK(starts_with(m, "sequenceDiagram\n") && m.back() == '\n');
  std::size_t participants = 0, arrows = 0;
  m.remove_prefix(m.find('\n') + 1);
  while (!m.empty()) {
    std::string_view line = m.substr(0, m.find('\n'));
    m.remove_prefix(line.size() + 1);
    SIPFLOW_FUZZ_CHECK(starts_with(line, "    "));
    line.remove_prefix(4);
    if (starts_with(line, "participant P")) {
      ++participants;
    } else if (starts_with(line, "P")) {
      ++arrows;
    } else {
      SIPFLOW_FUZZ_CHECK(starts_with(line, "title ") || starts_with(line, "%% Call-ID ") ||
                         starts_with(line, "Note over P") || line == "autonumber");
    }
  }
  SIPFLOW_FUZZ_CHECK(participants == l.columns.size());
  SIPFLOW_FUZZ_CHECK(arrows == l.rows.size());
  (void)o;
}

void render_all(const flows::Ladder& l, const render::RenderOptions& o, bool layout) {
  for (const auto& r : l.rows) {
    SIPFLOW_FUZZ_CHECK(r.from < l.columns.size() && r.to < l.columns.size());
    SIPFLOW_FUZZ_CHECK(r.leg < l.legs.size());
  }
  std::string ascii = render::render_ladder(l, render::LadderFormat::Ascii, o);
  if (o.ascii.color) {
    for (std::size_t i = ascii.find('\x1b'); i != std::string::npos; i = ascii.find('\x1b', i + 1))
      SIPFLOW_FUZZ_CHECK(i + 1 < ascii.size() && ascii[i + 1] == '[');  // SGR only
    SIPFLOW_FUZZ_CHECK(clean_text(ascii, "\n\x1b"));
  } else {
    SIPFLOW_FUZZ_CHECK(clean_text(ascii, "\n"));
  }

  std::string svg = render::render_ladder(l, render::LadderFormat::Svg, o);
  SIPFLOW_FUZZ_CHECK(clean_text(svg, "\n\t\r"));  // XML 1.0 whitespace
  SIPFLOW_FUZZ_CHECK(svg.find("<svg") != std::string::npos && svg.ends_with("</svg>\n"));
  SIPFLOW_FUZZ_CHECK(render::render_ladder(l, render::LadderFormat::Svg, o) == svg);

  check_mermaid(render::render_ladder(l, render::LadderFormat::Mermaid, o), l, o.mermaid);

  std::string dot = render::render_ladder(l, render::LadderFormat::Dot, o);
  SIPFLOW_FUZZ_CHECK(clean_text(dot, "\n\t"));
  SIPFLOW_FUZZ_CHECK(dot.find("digraph") != std::string::npos);
  SIPFLOW_FUZZ_CHECK(render::render_ladder(l, render::LadderFormat::Dot, o) == dot);
  if (layout) {
    std::string laid_out = render::render_ladder(l, render::LadderFormat::DotSvg, o);
    SIPFLOW_FUZZ_CHECK(fuzz::valid_utf8(laid_out));
  }

  SIPFLOW_FUZZ_CHECK(fuzz::valid_json_document(render::render_ladder_json(l, true)));
  SIPFLOW_FUZZ_CHECK(
      fuzz::valid_json_document(render::render_ladder(l, render::LadderFormat::Json, o)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ExactCopy input(data, size);
  fuzz::Segments segments(input.view());
  std::string_view opts = segments.next();
  auto b0 = opts.size() > 0 ? static_cast<std::uint8_t>(opts[0]) : std::uint8_t{0};
  auto b1 = opts.size() > 1 ? static_cast<std::uint8_t>(opts[1]) : std::uint8_t{0};
  flows::LadderOptions ladder_options;
  ladder_options.by_host = b0 & 1;
  ladder_options.merge_elements = (b0 & 2) != 0;
  if ((b0 & 0x40) && opts.size() > 2) ladder_options.aliases["10.0.0.2"] = opts.substr(2);
  render::RenderOptions o;
  o.ascii.unicode = (b0 & 4) == 0;
  o.ascii.color = (b0 & 8) != 0;
  o.ascii.sdp = o.ascii.full = o.svg.sdp = o.mermaid.sdp_notes = o.full = (b0 & 0x10) != 0;
  bool times = (b0 & 0x20) != 0;
  o.ascii.frames = o.svg.frames = o.mermaid.time_notes = o.mermaid.autonumber = times;
  if (times) {
    o.ascii.time = render::AsciiOptions::Time::Absolute;
    o.svg.time = render::SvgOptions::Time::Absolute;
  }
  o.ascii.width = b1;
  bool layout = (b0 & 0x80) != 0;

  Diagnostics diag;
  Keep sink;
  flows::CorrelatorOptions copts;
  copts.keep_messages = true;
  flows::Correlator correlator(copts, diag, sink);
  fuzz::feed_messages(segments, correlator, [] {});
  correlator.finish();

  std::vector<const flows::Call*> all;
  for (const auto& c : sink.calls)
    all.push_back(&c);
  render_all(flows::build_ladder(all, ladder_options), o, layout);
  if (sink.calls.size() > 1) {
    for (const auto& c : sink.calls)
      render_all(flows::build_ladder({&c}, ladder_options), o, false);
  }
  return 0;
}
