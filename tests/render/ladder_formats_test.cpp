#include "sipflow/render/ladder_formats.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sipflow::render {
namespace {

TEST(LadderFormats, EveryNameParsesBackToItsFormat) {
  auto names = ladder_format_names();
  EXPECT_EQ(names, (std::vector<std::string_view>{"ascii", "svg", "mermaid", "dot", "dot-svg",
                                                  "dot-png", "json"}));
  std::set<LadderFormat> seen;
  for (auto n : names) {
    auto f = parse_ladder_format(n);
    ASSERT_TRUE(f) << n;
    seen.insert(*f);
  }
  EXPECT_EQ(seen.size(), names.size());
  EXPECT_FALSE(parse_ladder_format("png"));
  EXPECT_FALSE(parse_ladder_format("SVG"));
}

TEST(LadderFormats, ExtensionsAreDistinctAndRecognised) {
  std::set<std::string_view> extensions;
  for (auto n : ladder_format_names()) {
    LadderFormat f = *parse_ladder_format(n);
    extensions.insert(extension_of(f));
    EXPECT_EQ(format_for_path("dir/call." + std::string(extension_of(f))), f) << n;
  }
  EXPECT_EQ(extensions.size(), ladder_format_names().size());
}

TEST(LadderFormats, PathPicksTheLongestMatchingExtension) {
  EXPECT_EQ(format_for_path("call.svg"), LadderFormat::Svg);
  EXPECT_EQ(format_for_path("call.dot.svg"), LadderFormat::DotSvg);
  EXPECT_EQ(format_for_path("call.png"), LadderFormat::DotPng);  // only the topology is PNG
  EXPECT_EQ(format_for_path("call.dot.png"), LadderFormat::DotPng);
  EXPECT_EQ(format_for_path("call.mmd"), LadderFormat::Mermaid);
  EXPECT_EQ(format_for_path("call.mermaid"), LadderFormat::Mermaid);
  EXPECT_EQ(format_for_path("call.gv"), LadderFormat::Dot);
  EXPECT_EQ(format_for_path("call.dot"), LadderFormat::Dot);
  EXPECT_EQ(format_for_path("out/call.txt"), LadderFormat::Ascii);
  EXPECT_FALSE(format_for_path("call.pdf"));
  EXPECT_FALSE(format_for_path("call"));
  EXPECT_FALSE(format_for_path(".svg"));  // a hidden file named "svg", no extension
  EXPECT_FALSE(format_for_path("callsvg"));
}

TEST(LadderFormats, OnlyPngIsBinary) {
  for (auto n : ladder_format_names()) {
    EXPECT_EQ(is_binary(*parse_ladder_format(n)), n == "dot-png") << n;
  }
}

TEST(LadderFormats, EmptyLadderRendersInEveryTextFormat) {
  flows::Ladder empty;
  RenderOptions o;
  EXPECT_NE(render_ladder(empty, LadderFormat::Svg, o).find("</svg>"), std::string::npos);
  EXPECT_EQ(render_ladder(empty, LadderFormat::Mermaid, o), "sequenceDiagram\n");
  EXPECT_NE(render_ladder(empty, LadderFormat::Dot, o).find("digraph topology"), std::string::npos);
}

}  // namespace
}  // namespace sipflow::render
