#pragma once
// The `sipflow stats` report as text, JSON or CSV. Pure functions: they
// append to a string and never print. Every piece of packet text goes
// through the escaping function of its syntax (escape.hpp).

#include <array>
#include <string>
#include <string_view>

#include "sipflow/flows/stats.hpp"

namespace sipflow::render {

/// Colours of the text report: ANSI SGR sequences, or "" for none.
struct StatsTextStyle {
  std::string_view heading;  ///< section titles
  std::string_view dim;      ///< column headers, notes
  std::string_view method;   ///< request methods
  std::string_view reset;
  std::array<std::string_view, 7> status{};  ///< by class: status[5] colours 5xx codes
};

/// Appends the human-readable report: aligned tables, one section per kind
/// of count, empty sections left out. Ends with a newline.
void append_stats_text(std::string& out, const flows::StatsReport& r,
                       const StatsTextStyle& style = {});

/// Appends the whole report as ONE JSON object on one line (no newline).
/// Ratios are fractions; delays are seconds; undefined values are null.
/// Keys are documented in docs/STATS.md.
void append_stats_json(std::string& out, const flows::StatsReport& r);

/// Appends the report as CSV rows "section,key,..." (RFC 4180 fields, one
/// row per line ending in "\n"); the columns of each section are in docs/STATS.md.
void append_stats_csv(std::string& out, const flows::StatsReport& r);

}  // namespace sipflow::render
