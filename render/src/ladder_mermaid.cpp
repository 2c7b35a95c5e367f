#include "sipflow/render/ladder_mermaid.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sipflow/render/escape.hpp"

namespace sipflow::render {
namespace {

using flows::Ladder;
using flows::LadderRow;

constexpr std::string_view kIndent = "    ";

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string text(std::string_view s) {
  std::string out;
  append_mermaid_text(out, s);
  return out;
}

std::string id(std::size_t column) {
  return fmt::format("P{}", column + 1);
}

// Participants a note spans: one, or the two ends of an arrow.
std::string note_over(const LadderRow& r) {
  std::size_t a = std::min(r.from, r.to), b = std::max(r.from, r.to);
  return a == b ? id(a) : id(a) + "," + id(b);
}

// Solid for requests, dashed for responses; an open head for repeats.
std::string_view arrow(const LadderRow& r) {
  bool request = r.kind == flows::ArrowKind::Request;
  if (r.repeat != flows::Repeat::First) return request ? "-)" : "--)";
  return request ? "->>" : "-->>";
}

}  // namespace

void append_mermaid_text(std::string& out, std::string_view s) {
  std::string safe = terminal_safe(s);
  std::string_view rest = safe;
  // sequenceDiagram reads ":wrap:" / ":nowrap:" at the start of a text as a directive.
  if (starts_with_nocase(rest, "wrap:") || starts_with_nocase(rest, "nowrap:")) {
    out += fmt::format("#{};", static_cast<int>(static_cast<unsigned char>(rest[0])));
    rest.remove_prefix(1);
  }
  for (char c : rest) {
    switch (c) {
      case '#':  // entity codes themselves, and comments in some contexts
      case ';':  // statement separator
      case '%':  // "%%" comments and "%%{init}%%" directives
      case '"':  // quoted strings
      case '<':  // HTML in labels ("<br>", and anything else)
      case '>':  // arrows, HTML
      case '&':  // HTML entities
      case '$':  // "$$...$$" KaTeX math
        out += fmt::format("#{};", static_cast<int>(c));
        break;
      default:
        out.push_back(c);
    }
  }
}

std::string render_mermaid(const Ladder& l, const MermaidOptions& o) {
  std::string out = "sequenceDiagram\n";
  if (o.title && !l.title.empty()) out += fmt::format("{}title {}\n", kIndent, text(l.title));
  if (l.legs.size() == 1) {
    out += fmt::format("{}%% Call-ID {}\n", kIndent, text(l.legs.front().call_id));
  }
  for (std::size_t i = 0; i < l.columns.size(); ++i) {
    const auto& c = l.columns[i];
    std::string name = text(c.label);
    if (o.details) {
      for (const auto& a : c.addresses) {
        if (a != c.label) name += "<br/>" + text(a);
      }
      if (!c.agent.empty()) name += "<br/>" + text(c.agent);
    }
    out += fmt::format("{}participant {} as {}\n", kIndent, id(i), name);
  }
  if (o.autonumber) out += fmt::format("{}autonumber\n", kIndent);
  bool legs = l.legs.size() > 1;
  if (legs && !l.columns.empty()) {  // which call each "[n]" is
    std::string list;
    for (std::size_t i = 0; i < l.legs.size(); ++i) {
      list += fmt::format("{}[{}] {} \xc2\xb7 {}", i ? "<br/>" : "", i + 1, text(l.legs[i].summary),
                          text(l.legs[i].call_id));
    }
    std::string over = l.columns.size() > 1 ? id(0) + "," + id(l.columns.size() - 1) : id(0);
    out += fmt::format("{}Note over {}: {}\n", kIndent, over, list);
  }
  for (const auto& r : l.rows) {
    if (o.time_notes) {
      out += fmt::format("{}Note over {}: {:.3f} s (+{:.3f} s)\n", kIndent, note_over(r), r.offset,
                         r.delta);
    }
    std::string label = legs ? fmt::format("[{}] ", r.leg + 1) : std::string();
    label += r.label;
    if (r.repeat == flows::Repeat::Retransmission) label += " (retransmission)";
    if (r.repeat == flows::Repeat::Duplicate) label += " (duplicate)";
    out += fmt::format("{}{}{}{}: {}\n", kIndent, id(r.from), arrow(r), id(r.to), text(label));
    if (o.sdp_notes && !r.sdp.empty()) {
      out += fmt::format("{}Note over {}: SDP {}\n", kIndent, note_over(r), text(r.sdp));
    }
  }
  return out;
}

}  // namespace sipflow::render
