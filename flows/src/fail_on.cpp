#include "sipflow/flows/fail_on.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sipflow/decode/chars.hpp"

namespace sipflow::flows {
namespace {

constexpr std::string_view kCounts[] = {"messages",        "requests",   "responses",
                                        "retransmissions", "duplicates", "unparseable",
                                        "uncorrelated",    "calls",      "failures"};
constexpr std::string_view kRatios[] = {"ser", "seer", "isa", "scr", "ira"};
constexpr std::string_view kDelays[] = {"rrd", "srd", "srd_failed", "sdd", "sdt"};
constexpr std::string_view kStats[] = {"count", "avg", "min", "max", "p50", "p90", "p95", "p99"};

template <std::size_t N>
bool one_of(std::string_view s, const std::string_view (&set)[N]) {
  for (auto x : set) {
    if (x == s) return true;
  }
  return false;
}

// "5xx" → [500, 599]; "503" → [503, 503].
bool parse_codes(std::string_view s, int& lo, int& hi) {
  if (s.size() != 3 || s[0] < '1' || s[0] > '6') return false;
  if (decode::to_lower(s[1]) == 'x' && decode::to_lower(s[2]) == 'x') {
    lo = (s[0] - '0') * 100;
    hi = lo + 99;
    return true;
  }
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + 3, n);
  if (ec != std::errc{} || p != s.data() + 3) return false;
  lo = hi = n;
  return true;
}

Status parse_metric(std::string_view lhs, Condition& c, std::uint32_t off) {
  auto low = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out)
      ch = decode::to_lower(ch);
    return out;
  };
  std::string name = low(lhs);
  if (name.starts_with("code:")) {
    c.kind = MetricKind::StatusRange;
    if (!parse_codes(lhs.substr(5), c.lo, c.hi)) return Error{"fail_on_bad_code", off + 5};
    c.name = name.substr(5);
    return Ok{};
  }
  if (name.starts_with("method:")) {
    c.kind = MetricKind::Method;
    std::string_view method = lhs.substr(7);
    if (!decode::is_token(method)) return Error{"fail_on_bad_method", off + 7};
    c.name = std::string(method);
    return Ok{};
  }
  if (name.size() == 3 && name[1] == 'x' && name[2] == 'x') {
    c.kind = MetricKind::StatusRange;
    if (!parse_codes(name, c.lo, c.hi)) return Error{"fail_on_bad_code", off};
    c.name = name;
    return Ok{};
  }
  if (one_of(name, kCounts)) {
    c.kind = MetricKind::Count;
    c.name = name;
    return Ok{};
  }
  if (one_of(name, kRatios)) {
    c.kind = MetricKind::Ratio;
    c.name = name;
    return Ok{};
  }
  std::size_t dot = name.find('.');
  if (dot != std::string::npos && one_of(std::string_view(name).substr(0, dot), kDelays) &&
      one_of(std::string_view(name).substr(dot + 1), kStats)) {
    c.kind = MetricKind::Delay;
    c.name = name.substr(0, dot);
    c.stat = name.substr(dot + 1);
    return Ok{};
  }
  return Error{"fail_on_unknown_metric", off};
}

Result<Condition> parse_condition(std::string_view item, std::uint32_t off) {
  Condition c;
  c.text = std::string(item);
  std::size_t at = item.find_first_of("<>=!");
  if (at == std::string_view::npos) return Error{"fail_on_no_operator", off};
  std::string_view rest = item.substr(at);
  std::size_t op_len = rest.size() >= 2 && rest[1] == '=' ? 2 : 1;
  std::string_view op = rest.substr(0, op_len);
  if (op == ">") {
    c.op = CompareOp::Gt;
  } else if (op == ">=") {
    c.op = CompareOp::Ge;
  } else if (op == "<") {
    c.op = CompareOp::Lt;
  } else if (op == "<=") {
    c.op = CompareOp::Le;
  } else if (op == "==") {
    c.op = CompareOp::Eq;
  } else if (op == "!=") {
    c.op = CompareOp::Ne;
  } else {
    return Error{"fail_on_no_operator", off + static_cast<std::uint32_t>(at)};
  }
  std::string_view lhs = decode::trim(item.substr(0, at));
  if (lhs.empty()) return Error{"fail_on_unknown_metric", off};
  if (auto st = parse_metric(lhs, c, off); !st) return st.error();
  auto num_off = off + static_cast<std::uint32_t>(at + op_len);
  std::string_view number = decode::trim(rest.substr(op_len));
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), c.threshold);
  if (number.empty() || ec != std::errc{} || p != number.data() + number.size() ||
      !std::isfinite(c.threshold) || c.threshold < 0) {
    return Error{"fail_on_bad_number", num_off};
  }
  if (c.kind == MetricKind::Ratio && c.threshold > 1) return Error{"fail_on_ratio_range", num_off};
  return c;
}

std::optional<double> delay_stat(const DelaySummary& d, std::string_view stat) {
  if (stat == "count") return static_cast<double>(d.count);
  if (d.count == 0) return std::nullopt;
  if (stat == "avg") return d.avg;
  if (stat == "min") return d.min;
  if (stat == "max") return d.max;
  if (stat == "p50") return d.p50;
  if (stat == "p90") return d.p90;
  if (stat == "p95") return d.p95;
  return d.p99;
}

bool compare(double v, CompareOp op, double t) {
  switch (op) {
    case CompareOp::Gt:
      return v > t;
    case CompareOp::Ge:
      return v >= t;
    case CompareOp::Lt:
      return v < t;
    case CompareOp::Le:
      return v <= t;
    case CompareOp::Eq:
      return v == t;
    case CompareOp::Ne:
      return v != t;
  }
  return false;
}

}  // namespace

std::string_view to_string(CompareOp op) noexcept {
  switch (op) {
    case CompareOp::Gt:
      return ">";
    case CompareOp::Ge:
      return ">=";
    case CompareOp::Lt:
      return "<";
    case CompareOp::Le:
      return "<=";
    case CompareOp::Eq:
      return "==";
    case CompareOp::Ne:
      return "!=";
  }
  return "?";
}

Result<std::vector<Condition>> parse_fail_on(std::string_view text) {
  std::vector<Condition> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    std::size_t end = comma == std::string_view::npos ? text.size() : comma;
    std::string_view raw = text.substr(pos, end - pos);
    std::size_t lead = raw.find_first_not_of(" \t");
    if (lead == std::string_view::npos)
      return Error{"fail_on_empty", static_cast<std::uint32_t>(pos)};
    std::string_view item = decode::trim(raw);
    auto off = static_cast<std::uint32_t>(pos + lead);
    auto c = parse_condition(item, off);
    if (!c) return c.error();
    out.push_back(std::move(*c));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::string_view describe_fail_on_error(std::string_view code) noexcept {
  if (code == "fail_on_empty") return "empty condition (stray comma?)";
  if (code == "fail_on_no_operator") return "expected one of > >= < <= == != after the metric";
  if (code == "fail_on_unknown_metric")
    return "unknown metric (1xx..6xx, code:NNN, method:NAME, messages, requests, responses, "
           "retransmissions, duplicates, unparseable, uncorrelated, calls, failures, ser, seer, "
           "isa, scr, ira, or rrd|srd|srd_failed|sdd|sdt.count|avg|min|max|p50|p90|p95|p99)";
  if (code == "fail_on_bad_code") return "a status code is 100..699 or a class such as 5xx";
  if (code == "fail_on_bad_method") return "a method is a SIP token such as INVITE";
  if (code == "fail_on_bad_number") return "the threshold must be a non-negative number";
  if (code == "fail_on_ratio_range") return "ratios are fractions from 0 to 1 (0.95, not 95)";
  return "invalid expression";
}

std::optional<double> metric_value(const Condition& c, const StatsReport& r) {
  switch (c.kind) {
    case MetricKind::StatusRange: {
      std::uint64_t n = 0;
      for (const auto& row : r.codes) {
        if (row.code >= c.lo && row.code <= c.hi) n += row.n.first;
      }
      return static_cast<double>(n);
    }
    case MetricKind::Method: {
      std::uint64_t n = 0;
      for (const auto& row : r.methods) {
        if (!row.other && decode::iequals(row.method, c.name)) n += row.n.first;
      }
      return static_cast<double>(n);
    }
    case MetricKind::Count: {
      std::uint64_t n = 0;
      if (c.name == "messages") n = r.messages;
      if (c.name == "requests") n = r.requests;
      if (c.name == "responses") n = r.responses;
      if (c.name == "retransmissions") n = r.retransmissions;
      if (c.name == "duplicates") n = r.duplicates;
      if (c.name == "unparseable") n = r.unparseable;
      if (c.name == "uncorrelated") n = r.uncorrelated;
      if (c.name == "calls") n = r.calls_matched;
      if (c.name == "failures") {
        for (const auto& f : r.failures)
          n += f.count;
      }
      return static_cast<double>(n);
    }
    case MetricKind::Ratio: {
      const SessionCounts& s = r.sessions;
      if (c.name == "ser") return s.ser;
      if (c.name == "seer") return s.seer;
      if (c.name == "isa") return s.isa;
      if (c.name == "scr") return s.scr;
      return s.ira;
    }
    case MetricKind::Delay: {
      const DelaySummary& d = c.name == "rrd"          ? r.rrd
                              : c.name == "srd"        ? r.srd
                              : c.name == "srd_failed" ? r.srd_failed
                              : c.name == "sdd"        ? r.sdd
                                                       : r.sdt;
      return delay_stat(d, c.stat);
    }
  }
  return std::nullopt;
}

std::vector<Verdict> evaluate(const std::vector<Condition>& conditions, const StatsReport& r) {
  std::vector<Verdict> out;
  out.reserve(conditions.size());
  for (const auto& c : conditions) {
    Verdict v;
    v.condition = &c;
    v.value = metric_value(c, r);
    v.breached = v.value && compare(*v.value, c.op, c.threshold);
    out.push_back(v);
  }
  return out;
}

std::string describe(const Verdict& v) {
  const Condition& c = *v.condition;
  std::string what = c.kind == MetricKind::Method ? "method:" + c.name
                     : c.kind == MetricKind::StatusRange && c.lo == c.hi
                         ? fmt::format("code:{}", c.lo)
                     : c.kind == MetricKind::Delay ? c.name + "." + c.stat
                                                   : c.name;
  if (!v.value) {
    std::string_view why = c.kind == MetricKind::Ratio && c.name == "ira"
                               ? "no finished REGISTER attempts"
                           : c.kind == MetricKind::Ratio ? "no finished INVITE attempts"
                                                         : "no samples";
    return fmt::format("{}: {} is undefined ({})", c.text, what, why);
  }
  bool integral = c.kind == MetricKind::StatusRange || c.kind == MetricKind::Method ||
                  c.kind == MetricKind::Count || c.stat == "count";
  if (integral) return fmt::format("{}: {} is {:.0f}", c.text, what, *v.value);
  return fmt::format("{}: {} is {:.6g}", c.text, what, *v.value);
}

}  // namespace sipflow::flows
