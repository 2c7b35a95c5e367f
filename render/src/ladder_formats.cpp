#include "sipflow/render/ladder_formats.hpp"

#include "sipflow/render/ladder_json.hpp"

namespace sipflow::render {
namespace {

struct FormatInfo {
  LadderFormat format;
  std::string_view name;
  std::string_view extension;  ///< written by --each, and recognised in -o
  std::string_view also;       ///< another extension recognised in -o, "" if none
  bool binary;
};

constexpr FormatInfo kFormats[] = {
    {LadderFormat::Ascii, "ascii", "txt", "", false},
    {LadderFormat::Svg, "svg", "svg", "", false},
    {LadderFormat::Mermaid, "mermaid", "mmd", "mermaid", false},
    {LadderFormat::Dot, "dot", "dot", "gv", false},
    {LadderFormat::DotSvg, "dot-svg", "dot.svg", "", false},
    {LadderFormat::DotPng, "dot-png", "dot.png", "png", true},
    {LadderFormat::Json, "json", "json", "", false},
};

const FormatInfo& info(LadderFormat format) {
  for (const auto& f : kFormats) {
    if (f.format == format) return f;
  }
  return kFormats[0];
}

// True when `path` ends in "." + ext, with something before the dot.
bool has_extension(std::string_view path, std::string_view ext) {
  return !ext.empty() && path.size() > ext.size() + 1 && path.ends_with(ext) &&
         path[path.size() - ext.size() - 1] == '.';
}

}  // namespace

std::optional<LadderFormat> parse_ladder_format(std::string_view name) {
  for (const auto& f : kFormats) {
    if (f.name == name) return f.format;
  }
  return std::nullopt;
}

std::vector<std::string_view> ladder_format_names() {
  std::vector<std::string_view> names;
  for (const auto& f : kFormats)
    names.push_back(f.name);
  return names;
}

std::optional<LadderFormat> format_for_path(std::string_view path) {
  std::optional<LadderFormat> best;
  std::size_t best_len = 0;
  for (const auto& f : kFormats) {
    for (std::string_view ext : {f.extension, f.also}) {
      if (has_extension(path, ext) && ext.size() > best_len) {
        best = f.format;
        best_len = ext.size();
      }
    }
  }
  return best;
}

std::string_view extension_of(LadderFormat format) {
  return info(format).extension;
}

bool is_binary(LadderFormat format) {
  return info(format).binary;
}

std::string render_ladder(const flows::Ladder& ladder, LadderFormat format,
                          const RenderOptions& o) {
  switch (format) {
    case LadderFormat::Ascii:
      return render_ascii(ladder, o.ascii);
    case LadderFormat::Svg:
      return render_svg(ladder, o.svg);
    case LadderFormat::Mermaid:
      return render_mermaid(ladder, o.mermaid);
    case LadderFormat::Dot:
      return render_topology(ladder, TopologyOutput::Dot, o.dot);
    case LadderFormat::DotSvg:
      return render_topology(ladder, TopologyOutput::Svg, o.dot);
    case LadderFormat::DotPng:
      return render_topology(ladder, TopologyOutput::Png, o.dot);
    case LadderFormat::Json:
      return render_ladder_json(ladder, o.full) + "\n";
  }
  return {};
}

}  // namespace sipflow::render
