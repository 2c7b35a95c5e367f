#include "sipflow/render/topology_dot.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "run_cli.hpp"

namespace sipflow::render {
namespace {

using flows::ArrowKind;
using flows::Repeat;

flows::LadderRow row(std::size_t from, std::size_t to, std::string label, ArrowKind kind,
                     Repeat repeat = Repeat::First) {
  flows::LadderRow r;
  r.from = from;
  r.to = to;
  r.label = std::move(label);
  r.kind = kind;
  r.repeat = repeat;
  return r;
}

// A caller, a proxy and a callee: the proxy answers 407 first.
flows::Ladder ladder() {
  flows::Ladder l;
  l.title = "INVITE alice \xe2\x86\x92 bob \xc2\xb7 completed 200";
  l.columns = {{"alice", {"10.0.0.1:5060"}, "Zoiper 5.6"},
               {"10.0.0.2:5060", {"10.0.0.2:5060"}, "kamailio"},
               {"10.0.0.3:5060", {"10.0.0.3:5060"}, ""}};
  l.rows = {row(0, 1, "INVITE (SDP offer)", ArrowKind::Request),
            row(1, 0, "407 Proxy Authentication Required", ArrowKind::ClientError),
            row(0, 1, "ACK", ArrowKind::Request),
            row(0, 1, "INVITE (SDP offer)", ArrowKind::Request),
            row(0, 1, "INVITE", ArrowKind::Request, Repeat::Retransmission),
            row(1, 2, "INVITE (SDP offer)", ArrowKind::Request),
            row(2, 1, "180 Ringing", ArrowKind::Provisional),
            row(2, 1, "200 OK (SDP answer)", ArrowKind::Success),
            row(1, 0, "180 Ringing", ArrowKind::Provisional),
            row(1, 0, "200 OK (SDP answer)", ArrowKind::Success),
            row(1, 0, "200 OK", ArrowKind::Success, Repeat::Duplicate)};
  return l;
}

TEST(Topology, OneEdgePerDirectionWithCountsByMethodAndClass) {
  auto edges = topology_edges(ladder());
  ASSERT_EQ(edges.size(), 4u);
  EXPECT_EQ(edges[0].from, 0u);
  EXPECT_EQ(edges[0].to, 1u);
  EXPECT_EQ(edge_label(edges[0]),
            "INVITE \xc3\x97"
            "3, ACK \xc3\x97"
            "1\n1 retransmission");
  EXPECT_FALSE(edges[0].failure);
  // Status classes in order, whatever came first; a 4xx marks the edge.
  EXPECT_EQ(edge_label(edges[1]),
            "1xx \xc3\x97"
            "1, 2xx \xc3\x97"
            "2, 4xx \xc3\x97"
            "1\n1 duplicate");
  EXPECT_TRUE(edges[1].failure);
  EXPECT_EQ(edge_label(edges[2]),
            "INVITE \xc3\x97"
            "1");
  EXPECT_EQ(edge_label(edges[3]),
            "1xx \xc3\x97"
            "1, 2xx \xc3\x97"
            "1");
}

TEST(Topology, DotTextIsWrittenByCgraph) {
  std::string dot = render_topology(ladder(), TopologyOutput::Dot, {});
  EXPECT_TRUE(dot.starts_with("digraph topology {\n")) << dot;
  EXPECT_NE(dot.find("rankdir=LR"), std::string::npos);
  EXPECT_NE(dot.find("\tc1\t[label=\"alice\\n10.0.0.1:5060\\nZoiper 5.6\"];"), std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\tc1 -> c2\t[label=\"INVITE \xc3\x97"
                     "3, ACK \xc3\x97"
                     "1\\n1 "
                     "retransmission\"];"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("label=\"INVITE alice \xe2\x86\x92 bob \xc2\xb7 completed 200\""),
            std::string::npos);
  EXPECT_EQ(dot, render_topology(ladder(), TopologyOutput::Dot, {}));  // deterministic
}

TEST(Topology, OptionsDropDetailsTitleAndTurnTheLayout) {
  DotOptions o;
  o.details = false;
  o.title = false;
  o.left_to_right = false;
  std::string dot = render_topology(ladder(), TopologyOutput::Dot, o);
  EXPECT_NE(dot.find("\tc1\t[label=alice];"), std::string::npos) << dot;
  EXPECT_EQ(dot.find("labelloc"), std::string::npos);
  EXPECT_NE(dot.find("rankdir=TB"), std::string::npos);
}

TEST(Topology, GraphvizLaysItOutAsSvg) {
  std::string svg = render_topology(ladder(), TopologyOutput::Svg, {});
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find(">Zoiper 5.6</text>"), std::string::npos);
  EXPECT_NE(svg.find(">INVITE \xc3\x97"
                     "3, ACK \xc3\x97"
                     "1</text>"),
            std::string::npos);
  if (!test::have_command("xmllint")) GTEST_SKIP() << "xmllint not installed";
  auto path = std::filesystem::temp_directory_path() /
              ("sipflow_topology_" + std::to_string(::getpid()) + ".svg");
  std::ofstream(path, std::ios::binary) << svg;
  auto r = test::run({"xmllint", "--noout", "--nonet", path.string()});
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(Topology, GraphvizRendersPng) {
  std::string png = render_topology(ladder(), TopologyOutput::Png, {});
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

}  // namespace
}  // namespace sipflow::render
