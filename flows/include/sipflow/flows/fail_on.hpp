#pragma once
// --fail-on: thresholds that turn `sipflow stats` into a CI gate.
//
//   expr      = condition *( "," condition )
//   condition = metric op number
//   op        = ">" / ">=" / "<" / "<=" / "==" / "!="
//   metric    = "1xx" .. "6xx" / "code:" 3DIGIT / "code:" DIGIT "xx" / "method:" token
//             / "messages" / "requests" / "responses" / "retransmissions" / "duplicates"
//             / "unparseable" / "uncorrelated" / "calls" / "failures"
//             / "ser" / "seer" / "isa" / "scr" / "ira"                  (fractions 0..1)
//             / ("rrd" / "srd" / "srd_failed" / "sdd" / "sdt") "." stat  (seconds)
//   stat      = "count" / "avg" / "min" / "max" / "p50" / "p90" / "p95" / "p99"
//
// e.g. "5xx>0,ser<0.95,code:503>10,method:INVITE<1,srd.p95>2.5". Pure
// functions: parsing returns Result, evaluation returns verdicts; the CLI
// prints them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipflow/capture/result.hpp"
#include "sipflow/flows/stats.hpp"

namespace sipflow::flows {

enum class CompareOp : std::uint8_t { Gt, Ge, Lt, Le, Eq, Ne };
/// ">", ">=", "<", "<=", "==" or "!=".
std::string_view to_string(CompareOp op) noexcept;

/// What a condition measures.
enum class MetricKind : std::uint8_t {
  StatusRange,  ///< responses (first sightings) with a code in [lo, hi]
  Method,       ///< requests (first sightings) of `name`, case-insensitive
  Count,        ///< a total: `name` is messages, requests, ..., failures
  Ratio,        ///< an RFC 6076 ratio: `name` is ser, seer, isa, scr or ira
  Delay,        ///< `name` is rrd, srd, srd_failed, sdd or sdt; `stat` one of DelaySummary
};

/// One parsed condition. Owned.
struct Condition {
  std::string text;  ///< the condition as written (trimmed), for messages
  MetricKind kind = MetricKind::Count;
  std::string name;
  std::string stat;  ///< Delay only
  int lo = 0, hi = 0;
  CompareOp op = CompareOp::Gt;
  double threshold = 0;
};

/// Parses a comma-separated list of conditions. Errors (offset = byte in
/// `text`): fail_on_empty, fail_on_no_operator, fail_on_unknown_metric,
/// fail_on_bad_code, fail_on_bad_method, fail_on_bad_number,
/// fail_on_ratio_range (a ratio threshold outside 0..1).
Result<std::vector<Condition>> parse_fail_on(std::string_view text);

/// One line of help per error code of parse_fail_on ("unknown metric ...").
std::string_view describe_fail_on_error(std::string_view code) noexcept;

/// The outcome of one condition; `condition` points into the evaluated vector.
struct Verdict {
  const Condition* condition = nullptr;
  std::optional<double> value;  ///< nullopt: undefined (e.g. SER without INVITE attempts)
  bool breached = false;        ///< never true for an undefined value
};

/// The value `c` measures in `r` (nullopt when undefined).
std::optional<double> metric_value(const Condition& c, const StatsReport& r);

/// Evaluates every condition, in order.
std::vector<Verdict> evaluate(const std::vector<Condition>& conditions, const StatsReport& r);

/// "5xx>0: 5xx is 2" / "ser<0.95: ser is undefined (no INVITE attempts ...)".
std::string describe(const Verdict& v);

}  // namespace sipflow::flows
