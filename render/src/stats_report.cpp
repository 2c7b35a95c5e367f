// `sipflow stats` as one JSON object and as CSV rows (the text report is in
// stats_text.cpp).

#include "sipflow/render/stats_report.hpp"

#include <fmt/format.h>

#include "sipflow/decode/chars.hpp"
#include "sipflow/flows/q850.hpp"
#include "sipflow/render/escape.hpp"
#include "sipflow/render/json_writer.hpp"

namespace sipflow::render {
namespace {

constexpr int kSecondsDecimals = 6;  // microseconds, as everywhere else in sipflow
constexpr int kRatioDecimals = 6;

std::string_view cause_name(const flows::StatsReport::ReasonRow& r) {
  return decode::iequals(r.protocol, "Q.850") ? flows::q850_name(r.cause) : std::string_view();
}

// The delays and ratios in report order, for JSON and CSV alike.
struct NamedDelay {
  std::string_view name;
  const flows::DelaySummary* d;
};
std::array<NamedDelay, 5> delays_of(const flows::StatsReport& r) {
  return {{{"rrd", &r.rrd},
           {"srd", &r.srd},
           {"srd_failed", &r.srd_failed},
           {"sdd", &r.sdd},
           {"sdt", &r.sdt}}};
}

struct NamedCount {
  std::string_view name;
  std::uint64_t value;
};
std::vector<NamedCount> session_counts(const flows::SessionCounts& s) {
  return {{"invite_attempts", s.invite_attempts},
          {"answered", s.answered},
          {"effective", s.effective},
          {"redirected", s.redirected},
          {"ineffective", s.ineffective},
          {"failed", s.failed},
          {"cancelled", s.cancelled},
          {"timed_out", s.timed_out},
          {"completed", s.completed},
          {"disconnects", s.disconnects},
          {"unfinished", s.unfinished},
          {"register_attempts", s.register_attempts},
          {"registered", s.registered},
          {"register_failed", s.register_failed},
          {"register_unfinished", s.register_unfinished}};
}

struct NamedRatio {
  std::string_view name;
  const std::optional<double>* value;
};
std::array<NamedRatio, 5> ratios_of(const flows::SessionCounts& s) {
  return {{{"ser", &s.ser}, {"seer", &s.seer}, {"isa", &s.isa}, {"scr", &s.scr}, {"ira", &s.ira}}};
}

// A label of a row that may be the "other" row: null in JSON.
void label(JsonWriter& w, std::string_view key, bool other, std::string_view text) {
  w.key(key);
  if (other) {
    w.null();
  } else {
    w.value(text);
  }
}

void repeats(JsonWriter& w, const flows::RepeatCounts& n) {
  w.field("count", n.first).field("retransmissions", n.retransmissions);
  w.field("duplicates", n.duplicates).field("total", n.total());
}

}  // namespace

void append_stats_json(std::string& out, const flows::StatsReport& r) {
  JsonWriter w(out);
  w.begin_object();
  w.field("messages", r.messages).field("requests", r.requests).field("responses", r.responses);
  w.field("retransmissions", r.retransmissions).field("duplicates", r.duplicates);
  w.field("unparseable", r.unparseable).field("uncorrelated", r.uncorrelated);
  w.field("calls", r.calls).field("calls_matched", r.calls_matched).field("filtered", r.filtered);
  for (auto [key, ts] :
       {std::pair{"first_message", &r.first_message}, std::pair{"last_message", &r.last_message}}) {
    w.key(key);
    if (*ts) {
      w.value(**ts);
    } else {
      w.null();
    }
  }
  w.key("unparseable_errors").begin_array();
  for (const auto& e : r.unparseable_by_error)
    w.begin_object().field("error", e.error).field("count", e.count).end_object();
  w.end_array();

  w.key("methods").begin_array();
  for (const auto& m : r.methods) {
    w.begin_object();
    label(w, "method", m.other, m.method);
    if (m.other) w.field("other", true);
    repeats(w, m.n);
    w.end_object();
  }
  w.end_array();
  w.key("codes").begin_array();
  for (const auto& c : r.codes) {
    w.begin_object().field("code", c.code).field("reason", c.reason);
    repeats(w, c.n);
    w.end_object();
  }
  w.end_array();
  w.key("matrix").begin_array();
  for (const auto& m : r.matrix) {
    w.begin_object();
    label(w, "method", m.other, m.method);
    w.field("code", m.code).field("count", m.count).end_object();
  }
  w.end_array();

  w.key("hosts").begin_array();
  for (const auto& h : r.hosts) {
    w.begin_object();
    label(w, "host", h.other, h.host);
    if (h.other) w.field("other", true);
    w.field("requests_sent", h.requests_sent).field("responses_sent", h.responses_sent);
    w.field("requests_received", h.requests_received);
    w.field("responses_received", h.responses_received);
    w.field("retransmissions_sent", h.retransmissions_sent).end_object();
  }
  w.end_array();
  w.key("agents").begin_array();
  for (const auto& a : r.agents) {
    w.begin_object();
    label(w, "agent", a.other, a.agent);
    if (a.other) w.field("other", true);
    w.field("requests", a.requests).field("responses", a.responses).end_object();
  }
  w.end_array();
  w.key("host_codes").begin_array();
  for (const auto& h : r.host_codes) {
    w.begin_object();
    label(w, "host", h.other, h.host);
    if (h.other) w.field("other", true);
    w.field("code", h.code).field("sent", h.sent).field("received", h.received).end_object();
  }
  w.end_array();
  w.key("agent_codes").begin_array();
  for (const auto& a : r.agent_codes) {
    w.begin_object();
    label(w, "agent", a.other, a.agent);
    if (a.other) w.field("other", true);
    w.field("code", a.code).field("count", a.count).end_object();
  }
  w.end_array();

  w.key("failures").begin_array();
  for (const auto& f : r.failures) {
    w.begin_object();
    label(w, "method", f.other, f.method);
    if (f.other) w.field("other", true);
    w.key("code");
    f.other ? w.null() : w.value(f.code);
    label(w, "reason", f.other, f.reason);
    w.field("count", f.count).end_object();
  }
  w.end_array();
  w.key("reasons").begin_array();
  for (const auto& x : r.reasons) {
    w.begin_object();
    label(w, "protocol", x.other, x.protocol);
    if (x.other) w.field("other", true);
    w.key("cause");
    x.other ? w.null() : w.value(x.cause);
    if (!cause_name(x).empty()) w.field("name", cause_name(x));
    label(w, "text", x.other, x.text);
    w.field("count", x.count).end_object();
  }
  w.end_array();
  w.key("warnings").begin_array();
  for (const auto& x : r.warnings) {
    w.begin_object();
    w.key("code");
    x.other ? w.null() : w.value(x.code);
    if (x.other) w.field("other", true);
    label(w, "agent", x.other, x.agent);
    label(w, "text", x.other, x.text);
    w.field("count", x.count).end_object();
  }
  w.end_array();
  w.key("encrypted").begin_array();
  for (const auto& x : r.encrypted) {
    w.begin_object().field("server", x.server).field("sni", x.sni).field("tls_version", x.version);
    w.field("conversations", x.conversations).field("bytes", x.bytes).end_object();
  }
  w.end_array();

  w.key("sessions").begin_object();
  for (const auto& c : session_counts(r.sessions))
    w.field(c.name, c.value);
  for (const auto& x : ratios_of(r.sessions)) {
    w.key(x.name);
    if (*x.value) {
      w.value(**x.value, kRatioDecimals);
    } else {
      w.null();
    }
  }
  w.end_object();
  w.key("delays").begin_object();
  for (const auto& [name, d] : delays_of(r)) {
    w.key(name).begin_object().field("count", d->count);
    for (auto [key, v] :
         {std::pair{"avg", d->avg}, std::pair{"min", d->min}, std::pair{"p50", d->p50},
          std::pair{"p90", d->p90}, std::pair{"p95", d->p95}, std::pair{"p99", d->p99},
          std::pair{"max", d->max}}) {
      w.key(key);
      if (d->count) {
        w.value(v, kSecondsDecimals);
      } else {
        w.null();
      }
    }
    w.end_object();
  }
  w.end_object();
  w.end_object();
}

namespace {

// One CSV row: fields appended with separating commas.
class CsvRow {
 public:
  CsvRow(std::string& out, std::string_view section) : out_(out) { out_ += section; }
  ~CsvRow() { out_.push_back('\n'); }
  CsvRow(const CsvRow&) = delete;
  CsvRow& operator=(const CsvRow&) = delete;
  CsvRow& text(std::string_view s) {
    out_.push_back(',');
    append_csv_field(out_, s);
    return *this;
  }
  CsvRow& num(std::uint64_t n) {
    fmt::format_to(std::back_inserter(out_), ",{}", n);
    return *this;
  }
  CsvRow& num(int n) {
    fmt::format_to(std::back_inserter(out_), ",{}", n);
    return *this;
  }
  CsvRow& fixed(double d, int decimals) {
    fmt::format_to(std::back_inserter(out_), ",{:.{}f}", d, decimals);
    return *this;
  }
  CsvRow& empty() {
    out_.push_back(',');
    return *this;
  }

 private:
  std::string& out_;
};

}  // namespace

void append_stats_csv(std::string& out, const flows::StatsReport& r) {
  for (auto [key, n] :
       {std::pair{"messages", r.messages}, std::pair{"requests", r.requests},
        std::pair{"responses", r.responses}, std::pair{"retransmissions", r.retransmissions},
        std::pair{"duplicates", r.duplicates}, std::pair{"unparseable", r.unparseable},
        std::pair{"uncorrelated", r.uncorrelated}, std::pair{"calls", r.calls},
        std::pair{"calls_matched", r.calls_matched}}) {
    CsvRow(out, "summary").text(key).num(n);
  }
  for (const auto& e : r.unparseable_by_error)
    CsvRow(out, "unparseable").text(e.error).num(e.count);
  for (const auto& m : r.methods) {
    CsvRow(out, "method")
        .text(m.other ? "" : m.method)
        .num(m.n.first)
        .num(m.n.retransmissions)
        .num(m.n.duplicates);
  }
  for (const auto& c : r.codes) {
    CsvRow(out, "code")
        .num(c.code)
        .text(c.reason)
        .num(c.n.first)
        .num(c.n.retransmissions)
        .num(c.n.duplicates);
  }
  for (const auto& m : r.matrix)
    CsvRow(out, "matrix").text(m.other ? "" : m.method).num(m.code).num(m.count);
  for (const auto& h : r.hosts) {
    CsvRow(out, "host")
        .text(h.other ? "" : h.host)
        .num(h.requests_sent)
        .num(h.responses_sent)
        .num(h.requests_received)
        .num(h.responses_received)
        .num(h.retransmissions_sent);
  }
  for (const auto& a : r.agents)
    CsvRow(out, "agent").text(a.other ? "" : a.agent).num(a.requests).num(a.responses);
  for (const auto& h : r.host_codes)
    CsvRow(out, "host_code").text(h.other ? "" : h.host).num(h.code).num(h.sent).num(h.received);
  for (const auto& a : r.agent_codes)
    CsvRow(out, "agent_code").text(a.other ? "" : a.agent).num(a.code).num(a.count);
  for (const auto& f : r.failures) {
    CsvRow row(out, "failure");
    if (f.other) {
      row.empty().empty().empty();
    } else {
      row.text(f.method).num(f.code).text(f.reason);
    }
    row.num(f.count);
  }
  for (const auto& x : r.reasons) {
    CsvRow row(out, "reason");
    if (x.other) {
      row.empty().empty().empty().empty();
    } else {
      row.text(x.protocol).num(x.cause).text(cause_name(x)).text(x.text);
    }
    row.num(x.count);
  }
  for (const auto& x : r.warnings) {
    CsvRow row(out, "warning");
    if (x.other) {
      row.empty().empty().empty();
    } else {
      row.num(x.code).text(x.agent).text(x.text);
    }
    row.num(x.count);
  }
  for (const auto& x : r.encrypted) {
    CsvRow(out, "encrypted")
        .text(x.server)
        .text(x.sni)
        .text(x.version)
        .num(x.conversations)
        .num(x.bytes);
  }
  for (const auto& c : session_counts(r.sessions))
    CsvRow(out, "session").text(c.name).num(c.value);
  for (const auto& x : ratios_of(r.sessions)) {
    CsvRow row(out, "session");
    row.text(x.name);
    if (*x.value) {
      row.fixed(**x.value, kRatioDecimals);
    } else {
      row.empty();
    }
  }
  for (const auto& [name, d] : delays_of(r)) {
    CsvRow row(out, "delay");
    row.text(name).num(d->count);
    for (double v : {d->avg, d->min, d->p50, d->p90, d->p95, d->p99, d->max}) {
      if (d->count) {
        row.fixed(v, kSecondsDecimals);
      } else {
        row.empty();
      }
    }
  }
}

}  // namespace sipflow::render
