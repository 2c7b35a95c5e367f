#pragma once
// Stats: the response-code audit of a capture (`sipflow stats`).
//
// One aggregator sees the traffic twice:
//   * as a MessageObserver, every message once correlated — requests per
//     method, responses per code, the method × code matrix, hosts, User-Agent
//     / Server, Reason and Warning headers. Correlation::repeat keeps first
//     sightings apart from retransmissions and capture duplicates;
//   * as a CallSink, every finished call — the RFC 6076 session metrics
//     (SER, SEER, ISA, SCR, IRA and the RRD/SRD/SDD/SDT delays) and the
//     failures by final code.
// Memory is bounded: counters live in fixed arrays or tables capped at
// StatsOptions::max_keys distinct keys (the rest go to an "other" row and are
// counted as a Limit diagnostic), and delays in fixed-size LogHistograms.
//
// report() turns the counters into a StatsReport: plain owned data, sorted
// deterministically, that the renderers and --fail-on read.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/result.hpp"
#include "sipflow/flows/correlator.hpp"
#include "sipflow/flows/filter.hpp"
#include "sipflow/flows/histogram.hpp"

namespace sipflow::flows {

struct StatsOptions {
  /// Only calls matching this count (an empty filter counts everything). With a
  /// filter, a call's messages are held as a few counters until the call ends.
  CallFilter filter;
  /// Distinct keys per table (methods, hosts, agents, failures, reasons,
  /// warnings) before new keys go to the "other" row (`stats_*_limit`).
  std::size_t max_keys = 10'000;
  /// Longer header values (User-Agent, reason phrases, Warning text) are cut
  /// and end in "..." (`stats_value_truncated`).
  std::size_t max_value_bytes = 256;
};

/// First sightings, retransmissions and capture duplicates of one kind of message.
struct RepeatCounts {
  std::uint64_t first = 0;
  std::uint64_t retransmissions = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t total() const noexcept { return first + retransmissions + duplicates; }
};

/// avg / min / max and percentiles of one delay, in seconds (all 0 when count is 0).
struct DelaySummary {
  std::uint64_t count = 0;
  double avg = 0, min = 0, max = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0;
};

/// Counts per outcome of the INVITE session attempts and REGISTER attempts
/// (one per Call-ID), and the RFC 6076 ratios (fractions; nullopt when the
/// denominator is 0). See docs/STATS.md for every rule.
struct SessionCounts {
  std::uint64_t invite_attempts = 0;  ///< INVITE calls with a final outcome (or a timeout)
  std::uint64_t answered = 0;         ///< 2xx to the initial INVITE
  std::uint64_t effective = 0;        ///< answered, or 480 / 486 / 600 / 603
  std::uint64_t redirected = 0;       ///< 3xx final (left out of the SER/SEER denominators)
  std::uint64_t ineffective = 0;      ///< 408 / 500 / 503 / 504, or no final response (timeout)
  std::uint64_t failed = 0;           ///< 4xx / 5xx / 6xx final
  std::uint64_t cancelled = 0;        ///< 487 after CANCEL
  std::uint64_t timed_out = 0;        ///< no final response within the setup timeout
  std::uint64_t completed = 0;        ///< answered, BYE sent and its final response seen
  std::uint64_t disconnects = 0;      ///< answered calls with a BYE
  std::uint64_t unfinished = 0;       ///< still waiting for a final response at the end
  std::uint64_t register_attempts = 0;
  std::uint64_t registered = 0;  ///< 2xx final
  std::uint64_t register_failed = 0;
  std::uint64_t register_unfinished = 0;
  std::optional<double> ser, seer, isa, scr, ira;
};

/// Everything `sipflow stats` prints. Stored data: owned, sorted; text is raw
/// packet bytes (renderers escape it).
struct StatsReport {
  std::uint64_t messages = 0;  ///< every SIP message of the selected calls, repeats included
  std::uint64_t requests = 0;  ///< first sightings
  std::uint64_t responses = 0;
  std::uint64_t retransmissions = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t unparseable = 0;    ///< whole capture: looked like SIP, did not parse
  std::uint64_t uncorrelated = 0;   ///< whole capture: no usable Call-ID or CSeq
  std::uint64_t calls = 0;          ///< calls (Call-IDs) finished
  std::uint64_t calls_matched = 0;  ///< of which the filter selected
  bool filtered = false;
  std::optional<Timestamp> first_message, last_message;  ///< whole capture

  struct ErrorRow {
    std::string error;
    std::uint64_t count = 0;
  };
  std::vector<ErrorRow> unparseable_by_error;  ///< by count, then name

  struct MethodRow {
    std::string method;  ///< "" for the "other" row
    bool other = false;
    RepeatCounts n;
  };
  std::vector<MethodRow> methods;  ///< by total, then name; "other" last

  struct CodeRow {
    int code = 0;
    std::string reason;  ///< phrase of the first response with this code
    RepeatCounts n;
  };
  std::vector<CodeRow> codes;  ///< by code

  struct MatrixCell {
    std::string method;  ///< CSeq method; "" for "other"
    bool other = false;
    int code = 0;
    std::uint64_t count = 0;  ///< first sightings
  };
  std::vector<MatrixCell> matrix;  ///< methods in `methods` order, then by code

  struct HostRow {
    std::string host;  ///< IP address; "" for "other"
    bool other = false;
    std::uint64_t requests_sent = 0, responses_sent = 0;
    std::uint64_t requests_received = 0, responses_received = 0;
    std::uint64_t retransmissions_sent = 0;
    std::uint64_t total() const noexcept {
      return requests_sent + responses_sent + requests_received + responses_received;
    }
  };
  std::vector<HostRow> hosts;  ///< by total, then address; "other" last

  struct AgentRow {
    std::string agent;  ///< User-Agent (requests) or Server (responses); "" for "other"
    bool other = false;
    std::uint64_t requests = 0, responses = 0;
  };
  std::vector<AgentRow> agents;  ///< by total, then text; "other" last

  /// Responses (first sightings) per host and code: what the host sent and received.
  struct HostCodeRow {
    std::string host;  ///< IP address; "" for "other"
    bool other = false;
    int code = 0;
    std::uint64_t sent = 0, received = 0;
  };
  std::vector<HostCodeRow> host_codes;  ///< hosts in `hosts` order, then by code

  /// Responses (first sightings) per code and the agent that sent them (its
  /// Server header, else its User-Agent); responses without either are not here.
  struct AgentCodeRow {
    std::string agent;  ///< "" for "other"
    bool other = false;
    int code = 0;
    std::uint64_t count = 0;
  };
  std::vector<AgentCodeRow> agent_codes;  ///< agents in `agents` order, then by code

  struct FailureRow {
    std::string method;  ///< method of the call's first request
    int code = 0;        ///< final status (>= 400) that decided the call
    std::string reason;
    bool other = false;
    std::uint64_t count = 0;  ///< calls
  };
  std::vector<FailureRow> failures;  ///< by count, then code, method, reason

  struct ReasonRow {
    std::string protocol;  ///< "Q.850", "SIP", ...
    int cause = 0;
    std::string text;
    bool other = false;
    std::uint64_t count = 0;  ///< messages (first sightings) carrying it
  };
  std::vector<ReasonRow> reasons;  ///< by count, then protocol, cause, text

  struct WarningRow {
    int code = 0;  ///< warn-code (RFC 3261 §20.43); 0 when unparseable
    std::string agent;
    std::string text;
    bool other = false;
    std::uint64_t count = 0;
  };
  std::vector<WarningRow> warnings;  ///< by count, then code, agent, text

  struct EncryptedRow {
    std::string server;   ///< ip:port the TLS connections went to
    std::string sni;      ///< server_name, "" when absent
    std::string version;  ///< "TLS 1.3", "" when no hello was seen
    std::uint64_t conversations = 0;
    std::uint64_t bytes = 0;  ///< both directions
  };
  /// TLS connections (SIP over TLS, WSS) that could not be read, by server,
  /// SNI and version; filled by the caller from capture::ConversationSink.
  std::vector<EncryptedRow> encrypted;

  SessionCounts sessions;
  DelaySummary rrd;         ///< RFC 6076 §4.1: REGISTER → its 2xx (challenges included)
  DelaySummary srd;         ///< §4.3.1: INVITE → first 18x (or 2xx), answered calls
  DelaySummary srd_failed;  ///< §4.3.2: INVITE → failure final response
  DelaySummary sdd;         ///< §4.4: BYE → its final response
  DelaySummary sdt;         ///< §4.5.1: 2xx → BYE
};

/// Requests by method, responses by code, and RFC 6076 session metrics.
/// Register it with the Correlator both as its CallSink and its observer.
class Stats final : public MessageObserver, public CallSink {
 public:
  /// `diag` must outlive this; Limit diagnostics are counted in it.
  Stats(StatsOptions options, Diagnostics& diag);
  ~Stats() override;
  Stats(const Stats&) = delete;
  Stats& operator=(const Stats&) = delete;

  void on_correlated(const decode::MessageMeta& meta, const decode::SipMessage& msg,
                     const Correlation& c) override;
  void on_call(Call& call) override;
  /// A message that looked like SIP but did not parse (`error.code` is kept).
  void on_unparseable(const decode::MessageMeta& meta, Error error);

  /// The report so far (call it after Correlator::finish() for final numbers).
  StatsReport report() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// RFC 3261 §20.43: one warning-value, "399 host.example "text"". Errors: bad_warning.
struct WarningValue {
  int code = 0;
  std::string_view agent;
  std::string_view text;  ///< unquoted (escapes kept)
};
Result<WarningValue> parse_warning(std::string_view text);

}  // namespace sipflow::flows
