#pragma once
// One entry point for every ladder output format, so the CLI never needs to
// know which backend draws what.
//
//   format    extension  what
//   ascii     txt        the ladder as text (terminal, plain docs)
//   svg       svg        the ladder as one self-contained SVG image
//   mermaid   mmd        the ladder as a mermaid sequenceDiagram (GitHub, GitLab, docs)
//   dot       dot        the host topology as Graphviz DOT text
//   dot-svg   dot.svg    the host topology laid out by Graphviz, as SVG
//   dot-png   dot.png    the host topology laid out by Graphviz, as PNG (binary)
//   json      json       the ladder model, for other tools
//
// A path ending in ".svg" means the ladder; the topology needs ".dot.svg" or
// an explicit --format dot-svg. ".png" can only be the topology, and
// ".mermaid" and ".gv" are understood too.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipflow/render/ladder_ascii.hpp"
#include "sipflow/render/ladder_mermaid.hpp"
#include "sipflow/render/ladder_svg.hpp"
#include "sipflow/render/topology_dot.hpp"

namespace sipflow::render {

enum class LadderFormat { Ascii, Svg, Mermaid, Dot, DotSvg, DotPng, Json };

/// "ascii", "svg", "mermaid", "dot", "dot-svg", "dot-png", "json"; nullopt for
/// an unknown name.
std::optional<LadderFormat> parse_ladder_format(std::string_view name);
/// Every format name, in the order of the table above, for help texts.
std::vector<std::string_view> ladder_format_names();
/// The format a file name suggests by its extension (".txt" → ascii, ".dot.svg"
/// → dot-svg, ".svg" → svg, ...); the longest matching extension wins. Nullopt
/// when no format has that extension.
std::optional<LadderFormat> format_for_path(std::string_view path);
/// File extension (without the leading dot) for files of this format: "svg",
/// "mmd", "dot.svg", ...
std::string_view extension_of(LadderFormat f);
/// True for formats that produce binary data (not for a terminal).
bool is_binary(LadderFormat f);

struct RenderOptions {
  AsciiOptions ascii;
  SvgOptions svg;
  MermaidOptions mermaid;
  DotOptions dot;
  bool full = false;  ///< include whole messages where the format can (json raw)
};

/// Renders `ladder` in `format`: text, or PNG bytes for dot-png. Throws
/// std::runtime_error when Graphviz cannot lay out or render (dot-svg,
/// dot-png: a missing plugin is a broken installation, not bad input).
std::string render_ladder(const flows::Ladder& ladder, LadderFormat format,
                          const RenderOptions& options);

}  // namespace sipflow::render
