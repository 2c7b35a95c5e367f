#include "sipflow/render/ladder_svg.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "run_cli.hpp"

namespace sipflow::render {
namespace {

using flows::ArrowKind;
using flows::Repeat;

flows::LadderRow row(std::size_t from, std::size_t to, std::string label, ArrowKind kind,
                     double offset, Repeat repeat = Repeat::First) {
  flows::LadderRow r;
  r.from = from;
  r.to = to;
  r.label = std::move(label);
  r.kind = kind;
  r.repeat = repeat;
  r.offset = offset;
  r.ts = Timestamp{1'700'000'000'000'000'000 + static_cast<std::int64_t>(offset * 1e9)};
  r.raw = r.label +
          " sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\n"
          "From: <sip:alice@10.0.0.1>;tag=1\r\n\r\n";
  return r;
}

// alice calls bob; bob's 200 is retransmitted once.
flows::Ladder call() {
  flows::Ladder l;
  l.title = "INVITE alice \xe2\x86\x92 bob \xc2\xb7 completed 200";
  l.legs = {{"abc@10.0.0.1", l.title}};
  l.columns = {{"10.0.0.1:5060", {"10.0.0.1:5060"}, "Zoiper 5.6"},
               {"PBX", {"10.0.0.2:5060"}, "Asterisk 20"}};
  l.rows = {row(0, 1, "INVITE (SDP offer)", ArrowKind::Request, 0),
            row(1, 0, "180 Ringing", ArrowKind::Provisional, 0.052),
            row(1, 0, "200 OK (SDP answer)", ArrowKind::Success, 0.155),
            row(1, 0, "200 OK", ArrowKind::Success, 0.655, Repeat::Retransmission),
            row(0, 1, "ACK", ArrowKind::Request, 0.656),
            row(0, 1, "BYE", ArrowKind::Request, 3.0),
            row(1, 0, "481 Call/Transaction Does Not Exist", ArrowKind::ClientError, 3.001)};
  double prev = 0;
  for (auto& r : l.rows) {
    r.delta = r.offset - prev;
    prev = r.offset;
    r.frame = static_cast<std::uint64_t>(&r - l.rows.data()) + 1;
  }
  l.rows[0].sdp = "PCMU,PCMA 10.0.0.1:4000";
  return l;
}

std::size_t count(const std::string& s, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
    ++n;
  return n;
}

// x of every lifeline, left to right.
std::vector<double> lifelines(const std::string& svg) {
  std::vector<double> xs;
  std::string_view tag = "<line class=\"life\" x1=\"";
  for (std::size_t p = svg.find(tag); p != std::string::npos; p = svg.find(tag, p + 1))
    xs.push_back(std::stod(svg.substr(p + tag.size())));
  return xs;
}

double canvas_width(const std::string& svg) {
  std::size_t p = svg.find(" width=\"");
  return std::stod(svg.substr(p + 8));
}

TEST(SvgLadder, IsOneWellFormedSelfContainedDocument) {
  std::string svg = render_svg(call(), {});
  EXPECT_TRUE(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  for (std::string_view external : {"href", "<script", "@import", "url(", "@font-face"})
    EXPECT_EQ(svg.find(external), std::string::npos) << external;
  if (!test::have_command("xmllint")) GTEST_SKIP() << "xmllint not installed";
  auto path = std::filesystem::temp_directory_path() /
              ("sipflow_svg_" + std::to_string(::getpid()) + ".svg");
  std::ofstream(path, std::ios::binary) << svg;
  auto r = test::run({"xmllint", "--noout", path.string()});
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(SvgLadder, HeadersShowLabelThenAddressAndAgent) {
  std::string svg = render_svg(call(), {});
  EXPECT_NE(svg.find("<text class=\"hl\" x=\""), std::string::npos);
  EXPECT_NE(svg.find(">PBX</text>"), std::string::npos);
  EXPECT_NE(svg.find(">10.0.0.2:5060</text>"), std::string::npos);  // aliased: address shown
  EXPECT_NE(svg.find(">Asterisk 20</text>"), std::string::npos);
  EXPECT_EQ(count(svg, ">10.0.0.1:5060</text>"), 1u);  // not aliased: once, as the label
  EXPECT_EQ(lifelines(svg).size(), 2u);
}

TEST(SvgLadder, ArrowsAreClassedByMessageClassAndRepeatsDashed) {
  std::string svg = render_svg(call(), {});
  EXPECT_EQ(count(svg, "<g class=\"msg req"), 3u);
  EXPECT_EQ(count(svg, "<g class=\"msg r1"), 1u);
  EXPECT_EQ(count(svg, "<g class=\"msg r2"), 1u);
  EXPECT_EQ(count(svg, "<g class=\"msg r4"), 1u);
  EXPECT_EQ(count(svg, "<g class=\"msg rep"), 1u);
  EXPECT_NE(svg.find(".rep .shaft{stroke-dasharray:"), std::string::npos);
  EXPECT_NE(svg.find(">200 OK (retransmission)</text>"), std::string::npos);
  // Every other band is shaded.
  EXPECT_EQ(count(svg, "<rect class=\"band\""), 3u);
}

TEST(SvgLadder, EachArrowHasTheWholeMessageAsItsTooltip) {
  std::string svg = render_svg(call(), {});
  EXPECT_EQ(count(svg, "<title>frame "), 7u);
  EXPECT_NE(svg.find("<title>frame 1 \xc2\xb7 +0.000000 s \xc2\xb7 UDP 10.0.0.1:5060 "
                     "\xe2\x86\x92 PBX\n\nINVITE (SDP offer) sip:bob@10.0.0.2 SIP/2.0\n"
                     "Via: SIP/2.0/UDP 10.0.0.1:5060\nFrom: &lt;sip:alice@10.0.0.1&gt;;tag=1"
                     "</title>"),
            std::string::npos);
  EXPECT_EQ(svg.find('\r'), std::string::npos);
  SvgOptions o;
  o.tooltips = false;
  std::string bare = render_svg(call(), o);
  EXPECT_EQ(bare.find("Via:"), std::string::npos);
  EXPECT_EQ(count(bare, "<title>frame "), 7u);
}

TEST(SvgLadder, LongLabelsWidenColumnsInsteadOfBeingClipped) {
  flows::Ladder l = call();
  std::string wide(60, 'W');  // the widest ASCII glyph, about 1 em each
  l.rows[1].label = wide;
  std::string svg = render_svg(l, {});
  auto xs = lifelines(svg);
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_GE(xs[1] - xs[0], 60 * 0.989 * 12.5 + 20);
  EXPECT_NE(svg.find(">" + wide + "</text>"), std::string::npos);
}

TEST(SvgLadder, MessageToItselfOnTheLastColumnFitsTheCanvas) {
  flows::Ladder l = call();
  l.rows.push_back(row(1, 1, "OPTIONS " + std::string(40, 'M'), ArrowKind::Request, 4));
  std::string svg = render_svg(l, {});
  auto xs = lifelines(svg);
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_GE(canvas_width(svg), xs[1] + 30 + 8 + 41 * 0.863 * 12.5);
}

TEST(SvgLadder, TimeColumnFollowsItsOptions) {
  SvgOptions o;
  std::string rel = render_svg(call(), o);
  EXPECT_NE(rel.find(">0.155</text>"), std::string::npos);
  EXPECT_NE(rel.find(">+0.103</text>"), std::string::npos);
  EXPECT_NE(rel.find(">time</text>"), std::string::npos);
  EXPECT_EQ(rel.find(">#3</text>"), std::string::npos);
  o.time = SvgOptions::Time::Absolute;
  o.frames = true;
  std::string abs = render_svg(call(), o);
  EXPECT_NE(abs.find(">22:13:20.155</text>"), std::string::npos);
  EXPECT_NE(abs.find(">UTC</text>"), std::string::npos);
  EXPECT_NE(abs.find(">#3</text>"), std::string::npos);
  o.time = SvgOptions::Time::None;
  o.frames = false;
  std::string none = render_svg(call(), o);
  EXPECT_EQ(none.find(">0.155</text>"), std::string::npos);
  EXPECT_EQ(none.find("class=\"cap\""), std::string::npos);
  EXPECT_LT(lifelines(none)[0], lifelines(rel)[0]);  // the diagram moves left
}

TEST(SvgLadder, SdpSummaryTitleAndKeyFollowTheirOptions) {
  SvgOptions o;
  std::string plain = render_svg(call(), o);
  EXPECT_EQ(plain.find("PCMU,PCMA 10.0.0.1:4000</text>"), std::string::npos);
  EXPECT_NE(plain.find(">Call-ID abc@10.0.0.1</text>"), std::string::npos);
  EXPECT_NE(plain.find(">2xx success</text>"), std::string::npos);
  EXPECT_EQ(plain.find(">3xx redirect</text>"), std::string::npos);  // only classes present
  o.sdp = true;
  o.title = false;
  o.legend = false;
  std::string sdp = render_svg(call(), o);
  EXPECT_NE(sdp.find(">PCMU,PCMA 10.0.0.1:4000</text>"), std::string::npos);
  EXPECT_EQ(sdp.find("Call-ID"), std::string::npos);
  EXPECT_EQ(sdp.find("class=\"key\""), std::string::npos);
}

TEST(SvgLadder, SeveralLegsGetNumberedBadges) {
  EXPECT_EQ(render_svg(call(), {}).find("class=\"badge\""), std::string::npos);
  flows::Ladder l = call();
  l.title = "2 calls";
  l.legs.push_back({"def@10.0.0.2", "OPTIONS pbx \xe2\x86\x92 alice \xc2\xb7 completed 200"});
  l.rows[5].leg = 1;
  l.rows[6].leg = 1;
  std::string svg = render_svg(l, {});
  EXPECT_EQ(count(svg, "<text class=\"badge\""), 7u + 2u);  // each row, and each leg's line
  EXPECT_NE(svg.find(">def@10.0.0.2</text>"), std::string::npos);
}

TEST(SvgLadder, SameLadderSameBytes) {
  EXPECT_EQ(render_svg(call(), {}), render_svg(call(), {}));
}

}  // namespace
}  // namespace sipflow::render
