#include "sipflow/render/ladder_formats.hpp"

#include "sipflow/render/ladder_json.hpp"

namespace sipflow::render {
namespace {

struct FormatInfo {
  LadderFormat format;
  std::string_view name;
  std::string_view extension;
  bool binary;
};

constexpr FormatInfo kFormats[] = {
    {LadderFormat::Ascii, "ascii", "txt", false},
    {LadderFormat::Json, "json", "json", false},
};

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
  std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view ext = path.substr(dot + 1);
  for (const auto& f : kFormats) {
    if (f.extension == ext) return f.format;
  }
  return std::nullopt;
}

std::string_view extension_of(LadderFormat format) {
  for (const auto& f : kFormats) {
    if (f.format == format) return f.extension;
  }
  return "txt";
}

bool is_binary(LadderFormat format) {
  for (const auto& f : kFormats) {
    if (f.format == format) return f.binary;
  }
  return false;
}

std::string render_ladder(const flows::Ladder& ladder, LadderFormat format,
                          const RenderOptions& o) {
  switch (format) {
    case LadderFormat::Ascii:
      return render_ascii(ladder, o.ascii);
    case LadderFormat::Json:
      return render_ladder_json(ladder, o.full) + "\n";
  }
  return {};
}

}  // namespace sipflow::render
