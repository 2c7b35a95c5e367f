// Bugs the fuzzers found in render (fuzz/README.md). Each test loads its
// input from tests/fuzz_regressions/<target>/<name> and checks the result.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "sipflow/render/escape.hpp"
#include "sipflow/render/topology_dot.hpp"

namespace sipflow::render {
namespace {

std::string load(const std::string& name) {
  std::string path = std::string(SIPFLOW_SOURCE_DIR) + "/tests/fuzz_regressions/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), {}};
}

// render_fuzz: display_width() counted a control character, DEL, a C1
// control or a bidi override as one column, but terminal_safe() shows it as
// an escape of 2 to 8 columns, so table and ladder columns after such a
// string were misaligned.
TEST(DisplayWidthFuzzRegression, CountsTheEscapesTerminalSafeShows) {
  std::string s = load("render_fuzz/display_width_of_controls");
  std::string safe = terminal_safe(s);
  ASSERT_EQ(safe, "a\\tb\\x01c\\e[31m\\x7f\\u{85}\\u{202e}d\\xff");
  EXPECT_EQ(display_width(s), safe.size());  // the safe form is all ASCII here
  EXPECT_EQ(display_width(s), display_width(safe));
}

// ladder_fuzz: graphviz_second_context. Each Graphviz layout made its own
// context and freed it; Graphviz 2.42's text layout keeps a pointer into the
// font table of the context it last measured text in, so the next layout
// read freed memory (AddressSanitizer: heap-use-after-free in strcmp under
// textspan_size). `flow --each --format dot-svg` lays out one graph per
// call. The use-after-free shows only in a sanitizer build; here the
// layouts must also agree.
TEST(GraphvizFuzzRegression, LayoutsInOneProcessShareTheirContext) {
  flows::Ladder l;
  l.title = "INVITE alice \xe2\x86\x92 bob";
  l.columns = {{"alice", {"10.0.0.1:5060"}, "Zoiper 5.6"}, {"bob", {"10.0.0.2:5060"}, ""}};
  flows::LadderRow r;
  r.from = 0;
  r.to = 1;
  r.label = "INVITE (SDP offer)";
  l.rows = {r};
  std::string first = render_topology(l, TopologyOutput::Svg, {});
  EXPECT_FALSE(render_topology(l, TopologyOutput::Png, {}).empty());
  std::string again = render_topology(l, TopologyOutput::Svg, {});
  EXPECT_NE(first.find("</svg>"), std::string::npos);
  EXPECT_EQ(first, again);
}

}  // namespace
}  // namespace sipflow::render
