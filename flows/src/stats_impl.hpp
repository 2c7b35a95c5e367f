#pragma once
// Internal state of flows::Stats, shared by stats.cpp (counting) and
// stats_report.cpp (building the report).

#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sipflow/flows/stats.hpp"
#include "stats_tables.hpp"

namespace sipflow::flows {

namespace detail {

/// One counter a message adds to, packed into 64 bits so a call's pending
/// counters are a small flat vector:
///   kind (8) | sub (8) | b (16) | a (32)
enum class Counter : std::uint8_t {
  Request,       // a = method, sub = repeat
  Response,      // a = code, sub = repeat
  Matrix,        // a = method, b = code
  HostSent,      // a = host, sub = 1 for a response
  HostReceived,  // a = host, sub = 1 for a response
  HostRetrans,   // a = host
  Agent,         // a = agent, sub = 1 for a response
  Warning,       // a = warning
  Reason,        // a = reason
  HostCode,      // a = host, b = code, sub = 1 when the host received the response
  AgentCode,     // a = agent (the Server / User-Agent of the response), b = code
};

constexpr std::uint64_t pack(Counter kind, std::uint32_t a, std::uint32_t sub = 0,
                             std::uint32_t b = 0) {
  return static_cast<std::uint64_t>(kind) << 56 | static_cast<std::uint64_t>(sub & 0xFF) << 48 |
         static_cast<std::uint64_t>(b & 0xFFFF) << 32 | a;
}

struct HostCounts {
  std::uint64_t requests_sent = 0, responses_sent = 0;
  std::uint64_t requests_received = 0, responses_received = 0;
  std::uint64_t retransmissions_sent = 0;
};
struct AgentCounts {
  std::uint64_t requests = 0, responses = 0;
};
struct WarningCounts {
  int code = 0;
  std::string agent, text;
  std::uint64_t count = 0;
};
struct ReasonCounts {
  std::string protocol;
  int cause = 0;
  std::string text;
  std::uint64_t count = 0;
};
struct FailureCounts {
  std::string method;
  int code = 0;
  std::string reason;
  std::uint64_t count = 0;
};

/// Pending counters of one open call (only with a filter): key → count.
using PendingCounters = std::vector<std::pair<std::uint64_t, std::uint32_t>>;

inline constexpr int kMaxCode = 699;

}  // namespace detail

struct Stats::Impl {
  Impl(StatsOptions o, Diagnostics& d)
      : options(std::move(o)),
        diag(d),
        filtered(!options.filter.empty()),
        methods(options.max_keys),
        hosts(options.max_keys),
        agents(options.max_keys),
        warnings(options.max_keys),
        reasons(options.max_keys),
        failures(options.max_keys) {}

  template <class Emit>
  void counters_of(const decode::MessageMeta& meta, const decode::SipMessage& m,
                   const Correlation& c, Emit&& emit);
  void apply(std::uint64_t key, std::uint64_t n);
  std::uint32_t method_index(std::string_view method, std::uint64_t frame);
  std::string_view clip(std::string_view value, std::string& buffer);
  std::uint32_t warning_index(std::string_view value, std::uint64_t frame);
  std::uint32_t reason_index(std::string_view value, std::uint64_t frame);
  void account_call(const Call& c);
  void account_invite(const Call& c);
  void account_register(const Call& c);

  StatsOptions options;
  Diagnostics& diag;
  bool filtered;

  std::uint64_t unparseable = 0, uncorrelated = 0, calls = 0, calls_matched = 0;
  std::vector<std::pair<std::string_view, std::uint64_t>> unparseable_by_error;
  std::optional<Timestamp> first_ts, last_ts;

  detail::CappedTable<std::string, RepeatCounts> methods;
  std::array<RepeatCounts, detail::kMaxCode + 1> codes{};
  std::array<std::string, detail::kMaxCode + 1> code_reasons{};
  std::unordered_map<std::uint64_t, std::uint64_t> matrix;  // method << 16 | code
  detail::CappedTable<IpAddress, detail::HostCounts> hosts;
  // Responses (first sightings) by host and code: host << 16 | code → sent, received.
  std::unordered_map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> host_codes;
  detail::CappedTable<std::string, detail::AgentCounts> agents;
  std::unordered_map<std::uint64_t, std::uint64_t> agent_codes;  // agent << 16 | code
  detail::CappedTable<std::string, detail::WarningCounts> warnings;
  detail::CappedTable<std::string, detail::ReasonCounts> reasons;
  detail::CappedTable<std::string, detail::FailureCounts> failures;
  std::unordered_map<const Call*, detail::PendingCounters> pending;

  SessionCounts sessions;
  LogHistogram rrd, srd, srd_failed, sdd, sdt;

  std::string scratch, clip_buffer;  // reused: no allocation once warm
};

}  // namespace sipflow::flows
