#include "call_table.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "sipflow/render/escape.hpp"

namespace sipflow::cli {
namespace {

constexpr std::size_t kColumns = kCols;

constexpr std::array<const char*, kColumns> kHeaders = {
    "START", "DURATION", "STATE", "CODE", "METHOD", "FROM", "TO", "MSGS", "CALL-ID"};

// Widths for a table that streams: the longest common value of each column
// ("completed", "OPTIONS", "8 (1r)"); a longer one pushes its line right.
// From and To get room for "alice@192.168.100.100:5060"; Call-ID, last,
// is never padded.
constexpr std::size_t kSeconds = 8;  // "HH:MM:SS" of "HH:MM:SS.mmm"

constexpr std::array<std::size_t, kCols> kStreamingWidths = {12, 8, 9, 4, 7, 26, 26, 6, 0};

bool right_aligned(std::size_t c) {
  return c == kDuration || c == kCode || c == kMsgs;
}
bool flexible(std::size_t c) {
  return c == kFrom || c == kTo || c == kCallId;
}

std::string user_at_host(const std::string& uri, const std::string& display) {
  std::string_view u = uri;
  if (u.starts_with("sip:"))
    u.remove_prefix(4);
  else if (u.starts_with("sips:"))
    u.remove_prefix(5);
  std::string out;
  render::append_terminal_safe(out, u.empty() ? std::string_view(display) : u);
  return out;
}

std::string_view state_colour(const Palette& p, flows::CallState s) {
  if (!p.on()) return "";
  switch (s) {
    case flows::CallState::Completed:
    case flows::CallState::InCall:
      return "\x1b[32m";
    case flows::CallState::Setup:
    case flows::CallState::Ringing:
      return "\x1b[33m";
    case flows::CallState::Redirected:
      return "\x1b[34m";
    case flows::CallState::Cancelled:
      return "\x1b[2m";
    default:
      return "\x1b[31m";
  }
}

std::size_t utf8_length(char lead) {
  auto b = static_cast<unsigned char>(lead);
  return b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
}

// `text` (terminal-safe, so valid UTF-8) cut at a character to fit `width`
// columns, "…" included, visibly.
std::string cut(std::string_view text, std::size_t width) {
  std::size_t used = 0, i = 0;
  while (i < text.size()) {
    std::size_t n = std::min(utf8_length(text[i]), text.size() - i);
    std::size_t w = render::display_width(text.substr(i, n));
    if (used + w + 1 > width) break;
    used += w;
    i += n;
  }
  return std::string(text.substr(0, i)) + "…";
}

}  // namespace

CallRow call_row(const flows::Call& c) {
  CallRow r;
  r.start = c.start;
  r.first_frame = c.first_frame;
  r.state = c.state;
  r.status = c.status;
  r.messages = c.messages;
  append_time_of_day(r.cells[kStart], c.start);
  r.cells[kStart].resize(12);  // HH:MM:SS.mmm
  if (auto d = c.talk_duration()) {
    r.duration = *d;
    r.cells[kDuration] = fmt::format("{:.1f}s", *d);
  } else {
    r.cells[kDuration] = "-";
  }
  r.cells[kState] = std::string(flows::to_string(c.state));
  r.cells[kCode] = c.status ? std::to_string(c.status) : "-";
  render::append_terminal_safe(r.cells[kMethod], c.method);
  r.cells[kFrom] = user_at_host(c.from, c.from_display);
  r.cells[kTo] = user_at_host(c.to, c.to_display);
  r.cells[kMsgs] = c.retransmissions ? fmt::format("{} ({}r)", c.messages, c.retransmissions)
                                     : std::to_string(c.messages);
  render::append_terminal_safe(r.cells[kCallId], c.call_id);
  std::set<std::string_view> legs;
  for (const auto& l : c.links)
    legs.insert(l.call_id);
  if (!legs.empty()) r.cells[kCallId] += fmt::format(" [+{} linked]", legs.size());
  return r;
}

CallTable CallTable::streaming(int terminal, bool color) {
  auto widths = kStreamingWidths;
  // On a terminal Call-ID takes what is left; it competes for it with From and To.
  if (terminal > 0) widths[kCallId] = static_cast<std::size_t>(terminal);
  return CallTable(widths, terminal, color);
}

CallTable CallTable::fitted(const std::vector<CallRow>& rows, int terminal, bool color) {
  std::array<std::size_t, kCols> widths{};
  for (std::size_t c = 0; c < kColumns; ++c)
    widths[c] = std::string_view(kHeaders[c]).size();
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < kColumns; ++c)
      widths[c] = std::max(widths[c], render::display_width(r.cells[c]));
  }
  return CallTable(widths, terminal, color);
}

CallTable::CallTable(std::array<std::size_t, kCols> widths, int terminal, bool color)
    : width_(widths), terminal_(std::max(terminal, 0)), palette_(color) {
  if (terminal_ == 0) return;
  auto term = static_cast<std::size_t>(terminal_);
  auto total = [&] {
    std::size_t t = gap_ * (kCols - 1);
    for (auto w : width_)
      t += w;
    return t;
  };
  // The widest of From, To and Call-ID gives up a column at a time, down to
  // `floor`; then the gaps narrow to one space, the start loses its
  // milliseconds, and the floor drops.
  auto shrink = [&](std::size_t floor) {
    while (total() > term) {
      std::size_t widest = kColumns;
      for (std::size_t c : {kCallId, kTo, kFrom}) {
        if (width_[c] > floor && (widest == kColumns || width_[c] > width_[widest])) widest = c;
      }
      if (widest == kColumns) return;
      --width_[widest];
    }
  };
  shrink(12);
  if (total() > term) {
    gap_ = 1;
    shrink(12);
  }
  if (total() > term) {
    width_[kStart] = kSeconds;
    shrink(6);
  }
  shrink(3);  // what still does not fit is cut at the terminal's edge
}

void CallTable::append_header(std::string& out) const {
  std::array<std::string, kCols> cells;
  for (std::size_t c = 0; c < kColumns; ++c)
    cells[c] = kHeaders[c];
  append_line(out, cells, {}, true);
}

void CallTable::append_row(std::string& out, const CallRow& row) const {
  append_line(out, row.cells, state_colour(palette_, row.state), false);
}

void CallTable::append_line(std::string& out, const std::array<std::string, kCols>& cells,
                            std::string_view colour, bool header) const {
  constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();
  auto term = static_cast<std::size_t>(terminal_);
  if (header) out += palette_.bold();
  std::size_t pos = 0;  // display columns written on this line
  std::size_t col = 0;  // where the current column starts
  for (std::size_t c = 0; c < kColumns; col += width_[c] + gap_, ++c) {
    std::string_view text = cells[c];
    if (c == kStart && !header && width_[c] == kSeconds) text = text.substr(0, kSeconds);
    std::size_t w = width_[c], tw = render::display_width(text);
    std::size_t start = right_aligned(c) && tw < w ? col + w - tw : col;
    if (c > 0) start = std::max(start, pos + 1);  // pushed by a wide cell before
    std::size_t limit = kNoLimit;
    if (term > 0) {
      if (start + 1 >= term) break;  // no room for even "…"
      limit = term - start;
      if (flexible(c) && c != kCallId)
        limit = std::min(limit, std::max(col + w, start + 3) - start);
    }
    out.append(start - pos, ' ');
    bool coloured = c == kState && !colour.empty();
    if (coloured) out += colour;
    if (tw > limit) {
      std::string shown = cut(text, limit);
      out += shown;
      pos = start + render::display_width(shown);
    } else {
      out += text;
      pos = start + tw;
    }
    if (coloured) out += palette_.reset();
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  if (header) out += palette_.reset();
  out += '\n';
}

}  // namespace sipflow::cli
