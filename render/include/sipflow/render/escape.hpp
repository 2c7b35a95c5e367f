#pragma once
// Making packet bytes inert in every output syntax.
//
// Bytes from a capture are written by strangers. Before they reach a
// terminal, a JSON consumer, a browser (SVG) or a docs renderer (mermaid,
// DOT, CSV) they go through exactly one of these functions. Invalid UTF-8 is
// never dropped silently: it is shown as \xNN (text) or U+FFFD (JSON, XML).

#include <string>
#include <string_view>

namespace sipflow::render {

/// Appends `s` as a JSON string literal, quotes included (RFC 8259).
void append_json_string(std::string& out, std::string_view s);

/// Appends `s` for a terminal: control characters (C0, DEL, C1), invalid
/// UTF-8 and bidirectional overrides become visible escapes (\e, \x1b,
/// \u{202e}); nothing can move the cursor or change colours.
void append_terminal_safe(std::string& out, std::string_view s);
std::string terminal_safe(std::string_view s);

/// Appends `s` as XML character data or attribute text (SVG): & < > " '
/// escaped, characters XML 1.0 forbids replaced by U+FFFD.
void append_xml_text(std::string& out, std::string_view s);

/// Appends `s` as one CSV field (RFC 4180), quoted when it holds , ; or ";
/// an = + - @ at its start or after a ';' (a cell start where ';' separates)
/// is prefixed with ' so spreadsheets do not run it as a formula. Control
/// characters are shown as terminal_safe() shows them.
void append_csv_field(std::string& out, std::string_view s);

/// Number of terminal columns `s` occupies once made safe (UTF-8 aware; wide
/// East Asian characters count 2).
std::size_t display_width(std::string_view s);

}  // namespace sipflow::render
