// `sipflow stats` as a readable report: aligned tables, packet text made
// terminal-safe, colours only through StatsTextStyle.

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "sipflow/decode/chars.hpp"
#include "sipflow/flows/q850.hpp"
#include "sipflow/render/escape.hpp"
#include "sipflow/render/stats_report.hpp"

namespace sipflow::render {
namespace {

struct Cell {
  std::string text;         // already terminal-safe
  std::string_view colour;  // "" for none
};

// A table with a header row; columns are right-aligned unless `left`.
class Table {
 public:
  Table(std::vector<std::string_view> headers, std::vector<bool> left, std::string_view reset)
      : headers_(std::move(headers)), left_(std::move(left)), reset_(reset) {}
  void add(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }

  void append(std::string& out, const StatsTextStyle& st) const {
    std::vector<std::size_t> width(headers_.size());
    for (std::size_t c = 0; c < headers_.size(); ++c)
      width[c] = headers_[c].size();
    for (const auto& row : rows_) {
      for (std::size_t c = 0; c < row.size(); ++c)
        width[c] = std::max(width[c], display_width(row[c].text));
    }
    std::vector<Cell> header;
    for (auto h : headers_)
      header.push_back({std::string(h), st.dim});
    line(out, header, width);
    for (const auto& row : rows_)
      line(out, row, width);
  }

 private:
  void line(std::string& out, const std::vector<Cell>& row,
            const std::vector<std::size_t>& width) const {
    std::string l = "  ";
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::size_t pad = width[c] - std::min(width[c], display_width(row[c].text));
      bool left = left_[c];
      bool last = c + 1 == row.size();
      if (!left) l.append(pad, ' ');
      if (!row[c].colour.empty()) l += row[c].colour;
      l += row[c].text;
      if (!row[c].colour.empty()) l += reset_;
      if (left && !last) l.append(pad, ' ');
      if (!last) l += "  ";
    }
    while (!l.empty() && l.back() == ' ')
      l.pop_back();
    out += l;
    out += '\n';
  }

  std::vector<std::string_view> headers_;
  std::vector<bool> left_;
  std::string_view reset_;
  std::vector<std::vector<Cell>> rows_;
};

std::string safe(std::string_view s) {
  std::string out;
  append_terminal_safe(out, s);
  return out;
}
Cell num(std::uint64_t n) {
  return {std::to_string(n), {}};
}
Cell plain(std::string s) {
  return {std::move(s), {}};
}
std::string_view code_colour(const StatsTextStyle& st, int code) {
  int cls = code / 100;
  return cls >= 1 && cls <= 6 ? st.status[static_cast<std::size_t>(cls)] : std::string_view();
}
std::string percent(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f}%", *v * 100) : std::string("-");
}
std::string seconds(double s) {
  return fmt::format("{:.3f}", s);
}

// "100:1  180:1  200:1", each code in its class colour.
std::string code_counts(const StatsTextStyle& st,
                        const std::vector<std::pair<int, std::uint64_t>>& v) {
  std::string cells;
  for (const auto& [code, count] : v) {
    if (count == 0) continue;
    if (!cells.empty()) cells += "  ";
    std::string_view colour = code_colour(st, code);
    cells += colour;
    cells += std::to_string(code);
    if (!colour.empty()) cells += st.reset;
    cells += fmt::format(":{}", count);
  }
  return cells;
}

// Consecutive rows of `rows` with the same label, as one line each.
template <class Rows, class SameLabel, class Emit>
void per_label(const Rows& rows, SameLabel same, Emit emit) {
  for (std::size_t i = 0; i < rows.size();) {
    std::size_t j = i;
    while (j < rows.size() && same(rows[i], rows[j]))
      ++j;
    emit(i, j);
    i = j;
  }
}

void section(std::string& out, const StatsTextStyle& st, std::string_view title, const Table& t) {
  if (t.empty()) return;
  out += '\n';
  out += st.heading;
  out += title;
  out += st.reset;
  out += '\n';
  t.append(out, st);
}

}  // namespace

void append_stats_text(std::string& out, const flows::StatsReport& r, const StatsTextStyle& st) {
  out += st.heading;
  out += "SIP statistics";
  out += st.reset;
  out += '\n';
  out += fmt::format(
      "  messages         {} ({} requests, {} responses, {} retransmissions, {} "
      "duplicates)\n",
      r.messages, r.requests, r.responses, r.retransmissions, r.duplicates);
  out += fmt::format("  calls            {}", r.calls);
  if (r.filtered) out += fmt::format(" ({} selected by the filter)", r.calls_matched);
  out += '\n';
  if (r.first_message && r.last_message) {
    out += fmt::format("  capture span     {:.3f} s\n",
                       seconds_between(*r.first_message, *r.last_message));
  }
  if (r.unparseable || r.uncorrelated) {
    std::string errors;
    for (const auto& e : r.unparseable_by_error)
      errors += fmt::format("{}{} {}", errors.empty() ? "" : ", ", e.error, e.count);
    out += fmt::format("  unparseable      {}{}{}\n  uncorrelated     {}\n", r.unparseable,
                       errors.empty() ? "" : ": ", errors, r.uncorrelated);
  }

  auto make = [&](std::vector<std::string_view> headers, std::vector<bool> left) {
    return Table(std::move(headers), std::move(left), st.reset);
  };

  Table methods = make({"METHOD", "COUNT", "RETRANS", "DUPS"}, {true, false, false, false});
  for (const auto& m : r.methods) {
    methods.add({{m.other ? "(other)" : safe(m.method), st.method},
                 num(m.n.first),
                 num(m.n.retransmissions),
                 num(m.n.duplicates)});
  }
  section(out, st, "Requests by method", methods);

  Table codes =
      make({"CODE", "REASON", "COUNT", "RETRANS", "DUPS"}, {true, true, false, false, false});
  for (const auto& c : r.codes) {
    codes.add({{std::to_string(c.code), code_colour(st, c.code)},
               plain(safe(c.reason)),
               num(c.n.first),
               num(c.n.retransmissions),
               num(c.n.duplicates)});
  }
  section(out, st, "Responses by code", codes);

  // The matrix as one line per CSeq method: "INVITE  100:1  180:1  200:1".
  Table matrix = make({"CSEQ METHOD", "RESPONSES (code:count)"}, {true, true});
  per_label(
      r.matrix,
      [](const auto& a, const auto& b) { return a.other == b.other && a.method == b.method; },
      [&](std::size_t i, std::size_t j) {
        std::vector<std::pair<int, std::uint64_t>> v;
        for (std::size_t k = i; k < j; ++k)
          v.emplace_back(r.matrix[k].code, r.matrix[k].count);
        matrix.add({{r.matrix[i].other ? "(other)" : safe(r.matrix[i].method), st.method},
                    plain(code_counts(st, v))});
      });
  section(out, st, "Responses by request method", matrix);

  Table hosts = make({"HOST", "REQ SENT", "RESP SENT", "REQ RCVD", "RESP RCVD", "RETRANS SENT"},
                     {true, false, false, false, false, false});
  for (const auto& h : r.hosts) {
    hosts.add({plain(h.other ? "(other)" : h.host), num(h.requests_sent), num(h.responses_sent),
               num(h.requests_received), num(h.responses_received), num(h.retransmissions_sent)});
  }
  section(out, st, "Hosts", hosts);

  Table agents = make({"USER-AGENT / SERVER", "REQUESTS", "RESPONSES"}, {true, false, false});
  for (const auto& a : r.agents)
    agents.add({plain(a.other ? "(other)" : safe(a.agent)), num(a.requests), num(a.responses)});
  section(out, st, "User agents", agents);

  Table host_codes =
      make({"HOST", "RESPONSES SENT (code:count)", "RESPONSES RECEIVED"}, {true, true, true});
  per_label(
      r.host_codes,
      [](const auto& a, const auto& b) { return a.other == b.other && a.host == b.host; },
      [&](std::size_t i, std::size_t j) {
        std::vector<std::pair<int, std::uint64_t>> sent, received;
        for (std::size_t k = i; k < j; ++k) {
          sent.emplace_back(r.host_codes[k].code, r.host_codes[k].sent);
          received.emplace_back(r.host_codes[k].code, r.host_codes[k].received);
        }
        host_codes.add({plain(r.host_codes[i].other ? "(other)" : r.host_codes[i].host),
                        plain(code_counts(st, sent)), plain(code_counts(st, received))});
      });
  section(out, st, "Responses by host", host_codes);

  Table agent_codes = make({"SERVER / USER-AGENT", "RESPONSES SENT (code:count)"}, {true, true});
  per_label(
      r.agent_codes,
      [](const auto& a, const auto& b) { return a.other == b.other && a.agent == b.agent; },
      [&](std::size_t i, std::size_t j) {
        std::vector<std::pair<int, std::uint64_t>> v;
        for (std::size_t k = i; k < j; ++k)
          v.emplace_back(r.agent_codes[k].code, r.agent_codes[k].count);
        agent_codes.add({plain(r.agent_codes[i].other ? "(other)" : safe(r.agent_codes[i].agent)),
                         plain(code_counts(st, v))});
      });
  section(out, st, "Responses by user agent", agent_codes);

  Table failures = make({"METHOD", "CODE", "REASON", "CALLS"}, {true, true, true, false});
  for (const auto& f : r.failures) {
    if (f.other) {
      failures.add({plain("(other)"), plain(""), plain(""), num(f.count)});
      continue;
    }
    failures.add({{safe(f.method), st.method},
                  {std::to_string(f.code), code_colour(st, f.code)},
                  plain(safe(f.reason)),
                  num(f.count)});
  }
  section(out, st, "Failed calls by final response", failures);

  Table reasons =
      make({"PROTOCOL", "CAUSE", "MEANING", "TEXT", "COUNT"}, {true, false, true, true, false});
  for (const auto& x : r.reasons) {
    if (x.other) {
      reasons.add({plain("(other)"), plain(""), plain(""), plain(""), num(x.count)});
      continue;
    }
    std::string_view name =
        decode::iequals(x.protocol, "Q.850") ? flows::q850_name(x.cause) : std::string_view();
    reasons.add({plain(safe(x.protocol)), num(static_cast<std::uint64_t>(x.cause)),
                 plain(std::string(name)), plain(safe(x.text)), num(x.count)});
  }
  section(out, st, "Reason headers", reasons);

  Table warnings = make({"CODE", "AGENT", "TEXT", "COUNT"}, {true, true, true, false});
  for (const auto& x : r.warnings) {
    if (x.other) {
      warnings.add({plain("(other)"), plain(""), plain(""), num(x.count)});
      continue;
    }
    warnings.add({num(static_cast<std::uint64_t>(x.code)), plain(safe(x.agent)),
                  plain(safe(x.text)), num(x.count)});
  }
  section(out, st, "Warning headers", warnings);

  Table encrypted =
      make({"SERVER", "SNI", "TLS", "CONVERSATIONS", "BYTES"}, {true, true, true, false, false});
  for (const auto& x : r.encrypted) {
    encrypted.add({plain(safe(x.server)), plain(safe(x.sni)), plain(safe(x.version)),
                   num(x.conversations), num(x.bytes)});
  }
  section(out, st, "Encrypted conversations (SIP over TLS cannot be read without keys)", encrypted);

  const flows::SessionCounts& s = r.sessions;
  Table sessions = make({"METRIC", "VALUE", "DETAIL"}, {true, false, true});
  if (s.invite_attempts + s.unfinished > 0) {
    sessions.add({plain("INVITE attempts"), num(s.invite_attempts),
                  plain(fmt::format("answered {}, redirected {}, failed {} (cancelled {}), timed "
                                    "out {}; unfinished {} not counted",
                                    s.answered, s.redirected, s.failed, s.cancelled, s.timed_out,
                                    s.unfinished))});
    sessions.add({plain("SER"), plain(percent(s.ser)),
                  plain(fmt::format("{} answered / {} attempts not redirected", s.answered,
                                    s.invite_attempts - s.redirected))});
    sessions.add({plain("SEER"), plain(percent(s.seer)),
                  plain(fmt::format("{} answered or 480/486/600/603 / {}", s.effective,
                                    s.invite_attempts - s.redirected))});
    sessions.add({plain("ISA"), plain(percent(s.isa)),
                  plain(fmt::format("{} 408/500/503/504 or timeout / {} attempts", s.ineffective,
                                    s.invite_attempts))});
    sessions.add({plain("SCR"), plain(percent(s.scr)),
                  plain(fmt::format("{} completed with BYE / {} attempts", s.completed,
                                    s.invite_attempts))});
  }
  if (s.register_attempts + s.register_unfinished > 0) {
    sessions.add({plain("REGISTER attempts"), num(s.register_attempts),
                  plain(fmt::format("registered {}, failed {}; unfinished {} not counted",
                                    s.registered, s.register_failed, s.register_unfinished))});
    sessions.add(
        {plain("IRA"), plain(percent(s.ira)),
         plain(fmt::format("{} failed / {} attempts", s.register_failed, s.register_attempts))});
  }
  section(out, st, "Sessions (RFC 6076)", sessions);

  Table delays = make({"DELAY (s)", "COUNT", "AVG", "MIN", "P50", "P90", "P95", "P99", "MAX"},
                      {true, false, false, false, false, false, false, false, false});
  for (auto [name, d] : {std::pair{"RRD register", &r.rrd}, std::pair{"SRD answered", &r.srd},
                         std::pair{"SRD failed", &r.srd_failed},
                         std::pair{"SDD disconnect", &r.sdd}, std::pair{"SDT duration", &r.sdt}}) {
    if (d->count == 0) continue;
    delays.add({plain(name), num(d->count), plain(seconds(d->avg)), plain(seconds(d->min)),
                plain(seconds(d->p50)), plain(seconds(d->p90)), plain(seconds(d->p95)),
                plain(seconds(d->p99)), plain(seconds(d->max))});
  }
  section(out, st, "Delays (RFC 6076)", delays);
}

}  // namespace sipflow::render
