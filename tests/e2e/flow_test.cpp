// End-to-end: `sipflow flow` as people use it on real captures: ASCII that
// fits the terminal, pure ASCII with --ascii, several calls in one diagram.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "run_cli.hpp"
#include "scratch_dir.hpp"
#include "sipflow/render/escape.hpp"

namespace sipflow::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> flow(std::vector<std::string> args) {
  std::vector<std::string> cmd = {sipflow(), "flow", "-q"};
  cmd.insert(cmd.end(), args.begin(), args.end());
  return cmd;
}

// What the width tests draw: one call, linked legs, many calls over many columns.
const std::vector<std::vector<std::string>> kWideCases = {
    {"--sdp", sample("call_prack.pcap")},
    {"--sdp", "--full", sample("udp_call.pcap")},
    {"--related", sample("b2bua_legs.pcap")},
    {sample("tcp_multi_conn.pcap")},
    {"--sdp", sample("fragmented_udp6.pcap")},
    {sample("udp_call.pcap"), sample("tcp_multi_conn.pcap"), sample("call_lossy.pcap")},
};

TEST(FlowAscii, EveryLineFitsTheWidth) {
  for (int width : {40, 80, 120}) {
    for (const auto& args : kWideCases) {
      for (bool ascii : {false, true}) {
        auto cmd = flow(args);
        cmd.insert(cmd.end(), {"--width", std::to_string(width)});
        if (ascii) cmd.push_back("--ascii");
        auto r = run(cmd);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        SCOPED_TRACE(args.back() + " --width " + std::to_string(width));
        std::size_t widest = 0;
        for (const auto& line : lines(r.out)) {
          EXPECT_LE(render::display_width(line), static_cast<std::size_t>(width)) << line;
          widest = std::max(widest, render::display_width(line));
        }
        if (width == 40) {
          EXPECT_GE(widest, 30u);  // and uses the room it has
        }
      }
    }
  }
}

TEST(FlowAscii, WideDiagramsSplitIntoPagesOfColumns) {
  auto r = run(flow({"--related", "--width", "40", sample("b2bua_legs.pcap")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(matches_golden("b2bua_legs.pcap.flow.related.w40.txt", r.out));
  EXPECT_NE(r.out.find("page 2/2: columns 3-3 of 3"), std::string::npos);
  EXPECT_NE(r.out.find("├──▶ [#3]"), std::string::npos);  // a stub to the next page
  EXPECT_NE(r.out.find("[#2] ◀──┤"), std::string::npos);  // and one back
  // No label is cut: wrapped over lines, every word is still there.
  EXPECT_NE(r.out.find("[1] 100 trying -- your call"), std::string::npos);
  EXPECT_NE(r.out.find("is important to us"), std::string::npos);

  auto many = run(flow({"--width", "80", sample("udp_call.pcap"), sample("tcp_multi_conn.pcap"),
                        sample("call_lossy.pcap")}));
  ASSERT_EQ(many.exit_code, 0) << many.err;
  EXPECT_TRUE(matches_golden("several_samples.flow.w80.txt", many.out));
  EXPECT_NE(many.out.find("page 1/"), std::string::npos);
}

// Each run of bytes >= 0x80 in `text` must come from the packets (be in the capture files).
void expect_only_packet_bytes_beyond_ascii(const std::string& text,
                                           const std::vector<std::string>& files) {
  std::string captured;
  for (const auto& f : files)
    captured += slurp(f);
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x80)
      ++j;
    EXPECT_NE(captured.find(text.substr(i, j - i)), std::string::npos)
        << "not from a packet: " << text.substr(i > 20 ? i - 20 : 0, 60);
    i = j;
  }
}

TEST(FlowAscii, AsciiModeWritesNoByteBeyondAsciiOfItsOwn) {
  const std::vector<std::vector<std::string>> cases = {
      {"--sdp", sample("fragmented_udp6.pcap")},
      {"--sdp", "--full", sample("hostile_headers.pcap")},
      {"--related", "--width", "40", sample("b2bua_legs.pcap")},
      {sample("tcp_multi_conn.pcap"), sample("call_forked.pcap")},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(args.back());
    auto cmd = flow(args);
    cmd.push_back("--ascii");
    auto r = run(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> files;
    std::copy_if(args.begin(), args.end(), std::back_inserter(files),
                 [](const std::string& a) { return a.find("/samples/") != std::string::npos; });
    expect_only_packet_bytes_beyond_ascii(r.out, files);
  }
  auto r = run(flow({"--ascii", "--sdp", sample("fragmented_udp6.pcap")}));
  EXPECT_NE(r.out.find("INVITE sipp -> alice - completed 200"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("opus,red,G722,... "), std::string::npos) << r.out;
  for (char ch : r.out)
    ASSERT_LT(static_cast<unsigned char>(ch), 0x80) << r.out;
}

// The rows of `out` that carry a time (arrows), without the time column.
std::vector<std::string> arrow_rows(const std::string& out) {
  std::vector<std::string> rows;
  static const std::regex kTime(R"(^ *\d+\.\d{3} +(.*)$)");
  for (const auto& line : lines(out)) {
    std::smatch m;
    if (std::regex_match(line, m, kTime)) rows.push_back(m[1]);
  }
  return rows;
}

TEST(FlowAscii, LabelsNeverHideTheLifelinesTheyCross) {
  auto r = run(flow({sample("tcp_multi_conn.pcap")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = arrow_rows(r.out);
  ASSERT_EQ(rows.size(), 21u);
  // The third call's 7 arrows join the 2nd and 4th columns, across the 3rd.
  for (std::size_t i = 14; i < 21; ++i) {
    SCOPED_TRACE(rows[i]);
    std::size_t crossings = 0;
    for (std::size_t at = rows[i].find("┼"); at != std::string::npos;
         at = rows[i].find("┼", at + 1))
      ++crossings;
    EXPECT_EQ(crossings, 1u);
  }
}

TEST(FlowAscii, EveryArrowNamesItsCallWhenSeveralAreDrawn) {
  auto r = run(flow({sample("tcp_multi_conn.pcap")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = arrow_rows(r.out);
  ASSERT_EQ(rows.size(), 21u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string marker = "[" + std::to_string(i / 7 + 1) + "] ";
    EXPECT_NE(rows[i].find(marker), std::string::npos) << rows[i];
  }
  auto one = run(flow({sample("udp_call.pcap")}));
  EXPECT_EQ(one.out.find("[1] "), std::string::npos) << one.out;
}

class FlowFiles : public ScratchDirTest {};

// Counts of `needle` in `hay`.
std::size_t count_of(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1))
    ++n;
  return n;
}

TEST_F(FlowFiles, TopologyOfACaptureHasNoCallLimit) {
  std::string flood = path("flood.pcap");
  ASSERT_EQ(
      run({"python3", std::string(SIPFLOW_SOURCE_DIR) + "/tests/tools/gen_flood.py", "3000", flood})
          .exit_code,
      0);
  auto r = run(flow({"--format", "dot", flood}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("label=\"3000 calls\""), std::string::npos) << r.out.substr(0, 400);
  // 250 scanning addresses and the PBX; 3000 requests, 12 from each address.
  std::size_t nodes = 0, edges = 0;
  static const std::regex kNode(R"(^\tc\d+\t+\[label=.*)"), kEdge(R"(^\tc\d+ -> c\d+\t.*)");
  for (const auto& line : lines(r.out)) {
    nodes += std::regex_match(line, kNode) ? 1u : 0u;
    edges += std::regex_match(line, kEdge) ? 1u : 0u;
  }
  EXPECT_EQ(nodes, 251u);
  EXPECT_EQ(edges, 250u);
  EXPECT_EQ(count_of(r.out, "OPTIONS ×12"), 250u);
  auto svg = run(flow({"--format", "dot-svg", "-o", path("flood.dot.svg"), flood}));
  EXPECT_EQ(svg.exit_code, 0) << svg.err;
  // A ladder of 3000 calls is still refused: it cannot be read.
  auto ladder = run(flow({"--format", "svg", flood}));
  EXPECT_EQ(ladder.exit_code, 64);
  EXPECT_NE(ladder.err.find("3000 calls match"), std::string::npos) << ladder.err;
}

TEST_F(FlowFiles, OutputThatCannotBeWrittenIsOneErrorLineAndExit73) {
  auto missing = run(flow({"-o", path("no/such/dir/x.svg"), sample("udp_call.pcap")}));
  EXPECT_EQ(missing.exit_code, 73);
  EXPECT_EQ(missing.err, "sipflow: error: cannot write " + path("no/such/dir/x.svg") +
                             ": No such file or directory\n");
  std::string file = write("taken", "not a directory");
  auto each = run(flow({"--each", "-o", file, sample("udp_call.pcap")}));
  EXPECT_EQ(each.exit_code, 73);
  EXPECT_EQ(each.err.rfind("sipflow: error: cannot write " + file + ": ", 0), 0u) << each.err;
  EXPECT_EQ(each.err.find("internal error"), std::string::npos);
  EXPECT_EQ(slurp(file), "not a directory");
}

TEST_F(FlowFiles, EachMakesTheDirectoryWithItsParents) {
  auto r = run(flow({"--each", "-o", path("a/sub/"), sample("call_lossy.pcap")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(path("a/sub"))) {
    ++files;
    EXPECT_EQ(e.path().string().find("//"), std::string::npos) << e.path();
  }
  EXPECT_EQ(files, 5u);
}

TEST(FlowAscii, EveryOptionMatchesItsGolden) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"time_abs", {"--time", "abs"}},   {"time_delta", {"--time", "delta"}},
      {"time_none", {"--time", "none"}}, {"full", {"--full"}},
      {"frames", {"--frames"}},          {"no_legend", {"--no-legend"}},
      {"no_title", {"--no-title"}},      {"by_host", {"--by-host"}},
  };
  for (const auto& [name, args] : cases) {
    SCOPED_TRACE(name);
    auto cmd = flow(args);
    cmd.push_back(sample("udp_call.pcap"));
    auto r = run(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(matches_golden("udp_call.pcap.flow." + name + ".txt", r.out));
  }
}

TEST_F(FlowFiles, EachNamesFilesByTimeAndCallIdInAnyFormat) {
  for (const char* format : {"ascii", "mermaid", "svg"}) {
    SCOPED_TRACE(format);
    std::string out = path(std::string("each_") + format);
    auto r = run(flow({"--each", "--format", format, "-o", out, sample("call_lossy.pcap")}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("wrote 5 diagrams"), std::string::npos) << r.err;
    std::string ext = format == std::string("ascii") ? "txt"
                      : format == std::string("svg") ? "svg"
                                                     : "mmd";
    static const std::regex kName(R"(\d{8}T\d{6}\.\d{6}Z_[1-5]-8427_127\.0\.0\.1\.(\w+))");
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(out)) {
      std::smatch m;
      std::string n = e.path().filename().string();
      ASSERT_TRUE(std::regex_match(n, m, kName)) << n;
      EXPECT_EQ(m[1], ext);
      names.push_back(n);
    }
    EXPECT_EQ(names.size(), 5u);
  }
}

TEST_F(FlowFiles, AnAliasThatNamesNoColumnIsAWarning) {
  std::string file = write("aliases", "# lab\n127.0.0.1:5061=Alice\n10.9.9.9 Nobody\n");
  auto r =
      run(flow({"--alias-file", file, "--alias", "127.0.0.1:5060=Bob", sample("udp_call.pcap")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Alice"), std::string::npos);
  EXPECT_NE(r.out.find("Bob"), std::string::npos);
  EXPECT_EQ(r.err, "sipflow: warning: alias 10.9.9.9=Nobody matches no endpoint in the diagram\n");
  auto bad = run(flow({"--alias-file", write("bad", "127.0.0.1\n"), sample("udp_call.pcap")}));
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("line 1"), std::string::npos) << bad.err;
}

TEST_F(FlowFiles, ColorAlwaysColoursAFileToo) {
  auto always = run(flow({"--color", "always", "-o", path("c.txt"), sample("udp_call.pcap")}));
  ASSERT_EQ(always.exit_code, 0) << always.err;
  EXPECT_NE(slurp(path("c.txt")).find("\x1b[36m"), std::string::npos);  // requests in cyan
  auto plain = run(flow({"-o", path("p.txt"), sample("udp_call.pcap")}));
  EXPECT_EQ(slurp(path("p.txt")).find('\x1b'), std::string::npos);
}

TEST(FlowAscii, LongUserAgentsAreShortenedInHeadersAndLegends) {
  auto json = run(flow({"--format", "json", sample("hostile_headers.pcap")}));
  ASSERT_NE(json.out.find("\"agent\":\""), std::string::npos);
  auto text = run(flow({sample("hostile_headers.pcap")}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  auto all = lines(text.out);
  std::size_t blank = all.size();
  while (blank > 0 && !all[blank - 1].empty())
    --blank;
  ASSERT_LT(blank, all.size());
  for (std::size_t i = blank; i < all.size(); ++i) {  // the legend
    EXPECT_LE(render::display_width(all[i]), 16u + 2u + 60u) << all[i];
  }
  EXPECT_NE(text.out.find("…"), std::string::npos);
  auto svg = run(flow({"--format", "svg", sample("hostile_headers.pcap")}));
  double width = std::stod(svg.out.substr(svg.out.find(" width=\"") + 8));
  EXPECT_LT(width, 1600.0);  // 2403 px with the whole agents in the headers
}

// The text of the first fenced block opened by `fence` after `marker` in `doc`.
std::string fenced_block(const std::string& doc, const std::string& marker,
                         const std::string& fence) {
  std::size_t at = doc.find(marker);
  if (at == std::string::npos) return "<no " + marker + ">";
  std::size_t open = doc.find("\n" + fence + "\n", at);
  if (open == std::string::npos) return "<no block>";
  open += fence.size() + 2;
  std::size_t close = doc.find("\n```\n", open - 1);
  return close == std::string::npos ? "<unclosed>" : doc.substr(open, close + 1 - open);
}

// README shows the b2bua_legs ladder in each format: it must be what sipflow draws.
TEST(FlowDocs, ReadmeShowsTheGoldens) {
  std::string readme = slurp(std::string(SIPFLOW_SOURCE_DIR) + "/README.md");
  auto golden = [](const std::string& name) {
    return slurp(std::string(SIPFLOW_SOURCE_DIR) + "/tests/golden/" + name);
  };
  auto mmd = run(flow({"--related", "--format", "mermaid", sample("b2bua_legs.pcap")}));
  EXPECT_TRUE(matches_golden("b2bua_legs.pcap.flow.related.mmd", mmd.out));
  auto svg = run(flow({"--related", "--format", "svg", sample("b2bua_legs.pcap")}));
  EXPECT_TRUE(matches_golden("b2bua_legs.pcap.flow.related.svg", svg.out));
  EXPECT_EQ(fenced_block(readme, "**ASCII / Unicode**", "```"),
            golden("b2bua_legs.pcap.flow.related.txt"));
  EXPECT_EQ(fenced_block(readme, "**mermaid**", "```mermaid"),
            golden("b2bua_legs.pcap.flow.related.mmd"));
  EXPECT_EQ(slurp(std::string(SIPFLOW_SOURCE_DIR) + "/docs/images/ladder.svg"),
            golden("b2bua_legs.pcap.flow.related.svg"));
}

}  // namespace
}  // namespace sipflow::test
