// Packet text written by an attacker comes out inert in every ladder format:
// markup stays text in SVG, mermaid and DOT syntax stays text, and no
// terminal escape sequence survives anywhere.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "run_cli.hpp"
#include "sipflow/render/ladder_formats.hpp"

namespace sipflow::render {
namespace {

using flows::ArrowKind;
using flows::Repeat;

flows::Ladder hostile() {
  flows::Ladder l;
  l.title = "INVITE <script>alert(\"t\")</script> -->> bob;%% \\N {x}";
  l.legs = {{"x\"y\\z</title><script>", l.title}, {"leg2 #35; & $$x$$", "wrap:second"}};
  l.columns = {
      {"<script>alert(\"x\")</script>",
       {"10.0.0.1:5060"},
       "evil & \"quoted\" 'single' \x1b[31mRED\x1b[0m"},
      {"a;b%%c-->>d#e", {"10.0.0.2:5060"}, "{}\\N\\\"\\"},
      {"wrap:x", {"[::1]:5060"}, "UA \xe2\x80\xae rtl \xff"},
  };
  auto add = [&](std::size_t from, std::size_t to, std::string label, ArrowKind kind, Repeat repeat,
                 std::size_t leg) {
    flows::LadderRow r;
    r.from = from;
    r.to = to;
    r.label = std::move(label);
    r.kind = kind;
    r.repeat = repeat;
    r.leg = leg;
    r.frame = l.rows.size() + 1;
    r.offset = 0.1 * static_cast<double>(l.rows.size());
    r.raw = r.label + " sip:x SIP/2.0\r\nX-Evil: </title><script>alert(1)</script>\x1b[2J\r\n\r\n";
    r.sdp = "PCMU <b>&amp;</b> ;# \x1b[5m 10.0.0.1:4000";
    l.rows.push_back(std::move(r));
  };
  add(0, 1, "INVITE <img src=x onerror=alert(1)>", ArrowKind::Request, Repeat::First, 0);
  add(1, 0, "200 OK ;%%{init: {'theme':'dark'}}%%", ArrowKind::Success, Repeat::First, 0);
  add(0, 1, "BYE\nNote over P1: injected", ArrowKind::Request, Repeat::Retransmission, 0);
  add(1, 2, "486 Busy #lt;b#gt; $$x^2$$ \\l\\N", ArrowKind::ClientError, Repeat::First, 1);
  add(2, 2,
      "MESSAGE \x1b]0;title\x07 \xc2\x9b"
      "31m",
      ArrowKind::Request, Repeat::First, 1);
  add(2, 0, "wrap:x 500 \"q\" 'a' & `b`", ArrowKind::ServerError, Repeat::Duplicate, 1);
  return l;
}

RenderOptions everything() {
  RenderOptions o;
  o.full = true;
  o.ascii.sdp = o.ascii.full = true;
  o.svg.sdp = o.svg.frames = true;
  o.mermaid.sdp_notes = o.mermaid.time_notes = true;
  return o;
}

std::string render(LadderFormat f) {
  return render_ladder(hostile(), f, everything());
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
    if (b >= 0xF8 || (b >= 0x80 && b < 0xC2) || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

bool well_formed_xml(const std::string& xml) {
  auto path = std::filesystem::temp_directory_path() /
              ("sipflow_hostile_" + std::to_string(::getpid()) + ".svg");
  std::ofstream(path, std::ios::binary) << xml;
  auto r = test::run({"xmllint", "--noout", "--nonet", path.string()});
  std::filesystem::remove(path);
  return r.exit_code == 0;
}

TEST(HostileLadder, NoControlCharacterOrBidiOverrideInAnyTextFormat) {
  for (auto name : ladder_format_names()) {
    LadderFormat f = *parse_ladder_format(name);
    if (is_binary(f)) continue;
    std::string out = render(f);
    SCOPED_TRACE(std::string(name));
    for (char c : out) {
      auto b = static_cast<unsigned char>(c);
      EXPECT_TRUE(b >= 0x20 || b == '\n' || b == '\t') << "byte " << int{b};
      if (b < 0x20 && b != '\n' && b != '\t') break;
    }
    EXPECT_EQ(out.find("\xe2\x80\xae"), std::string::npos);  // U+202E
    EXPECT_EQ(out.find("\xc2\x9b"), std::string::npos);      // C1 CSI
    EXPECT_TRUE(valid_utf8(out));
  }
}

TEST(HostileLadder, SvgKeepsMarkupAsText) {
  std::string svg = render(LadderFormat::Svg);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<img"), std::string::npos);
  EXPECT_EQ(svg.find("</title><"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("X-Evil: &lt;/title&gt;&lt;script&gt;"), std::string::npos);
  if (!test::have_command("xmllint")) GTEST_SKIP() << "xmllint not installed";
  EXPECT_TRUE(well_formed_xml(svg));
}

TEST(HostileLadder, MermaidKeepsSyntaxAsText) {
  std::string m = render(LadderFormat::Mermaid);
  auto lines = test::lines(m);
  // sequenceDiagram, title, 3 participants, the legs' note, then per row a
  // time note and the arrow, and an SDP note (every row has SDP here).
  ASSERT_EQ(lines.size(), 1u + 1 + 3 + 1 + 6 * 3) << m;
  const std::regex statement(
      R"(sequenceDiagram|    (title |participant P\d+ as |Note over P\d+(,P\d+)?: |)"
      R"(P\d+(->>|-->>|-\)|--\))P\d+: ).*)");
  const std::regex entity("#\\d+;"), line_break("<br/>");
  for (const auto& line : lines) {
    EXPECT_TRUE(std::regex_match(line, statement)) << line;
    std::size_t colon = line.find(": ");
    std::size_t as = line.find(" as ");
    std::size_t start = line.starts_with("    participant") ? as + 4
                        : line.starts_with("    title")     ? 10
                        : colon != std::string::npos        ? colon + 2
                                                            : line.size();
    std::string text = std::regex_replace(
        std::regex_replace(line.substr(std::min(start, line.size())), entity, ""), line_break, "");
    EXPECT_EQ(text.find_first_of(";#%<>\"&$"), std::string::npos) << line;
  }
}

TEST(HostileLadder, DotLabelsAreQuotedByCgraphAndShownLiterally) {
  std::string dot = render(LadderFormat::Dot);
  // Backslashes doubled (no \N expansion), quotes escaped by cgraph.
  EXPECT_NE(dot.find("[label=\"a;b%%c-->>d#e\\n10.0.0.2:5060\\n{}\\\\N\\\\\\\"\\\\\"];"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\\\\e[31mRED"), std::string::npos);
  // Laid out from the same graph, the labels come out literally.
  std::string svg = render(LadderFormat::DotSvg);
  EXPECT_NE(svg.find(">{}\\N\\&quot;\\</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  if (test::have_command("dot")) {  // Graphviz's own reader accepts what cgraph wrote
    auto path = std::filesystem::temp_directory_path() /
                ("sipflow_hostile_" + std::to_string(::getpid()) + ".dot");
    std::ofstream(path, std::ios::binary) << dot;
    auto r = test::run({"dot", "-Tcanon", path.string()});
    std::filesystem::remove(path);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("{}\\\\N\\\\\\\"\\\\\""), std::string::npos) << r.out;
  }
  if (!test::have_command("xmllint")) GTEST_SKIP() << "xmllint not installed";
  EXPECT_TRUE(well_formed_xml(svg));
}

}  // namespace
}  // namespace sipflow::render
