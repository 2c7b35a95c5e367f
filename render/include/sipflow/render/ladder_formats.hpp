#pragma once
// One entry point for every ladder output format, so the CLI never needs to
// know which backend draws what.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipflow/render/ladder_ascii.hpp"

namespace sipflow::render {

enum class LadderFormat { Ascii, Json };

/// "ascii", "json"; nullopt for an unknown name.
std::optional<LadderFormat> parse_ladder_format(std::string_view name);
/// Every format name, for help texts.
std::vector<std::string_view> ladder_format_names();
/// The format a file name suggests by its extension (".txt" → ascii, ...).
std::optional<LadderFormat> format_for_path(std::string_view path);
/// File extension (without the dot) for files of this format.
std::string_view extension_of(LadderFormat f);
/// True for formats that produce binary data (not for a terminal).
bool is_binary(LadderFormat f);

struct RenderOptions {
  AsciiOptions ascii;
  bool full = false;  ///< include whole messages where the format can (json raw, tooltips)
};

/// Renders `ladder` in `format`.
std::string render_ladder(const flows::Ladder& ladder, LadderFormat format,
                          const RenderOptions& options);

}  // namespace sipflow::render
