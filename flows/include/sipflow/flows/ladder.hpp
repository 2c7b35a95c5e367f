#pragma once
// Ladder: the one layout model of a call-flow (sequence) diagram. Computed
// once from the calls' message histories; every backend (ASCII, SVG,
// mermaid, DOT, JSON) renders this model and none re-derives the flow.
//
//   columns:  one per endpoint (ip:port, or ip with by_host, or one per
//             element with merge_elements), ordered to keep arrows short
//   rows:     one per message, in time order, with a label people write
//             ("INVITE (SDP offer)", "180 Ringing", "200 OK (SDP answer)")

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/result.hpp"
#include "sipflow/flows/call.hpp"

namespace sipflow::flows {

struct LadderOptions {
  bool by_host = false;  ///< one column per IP address instead of per ip:port
  /// One column per element, its addresses known from a request's top Via,
  /// double Record-Route (r2=on) and, for a request not forwarded (one Via), Contact.
  bool merge_elements = false;
  /// Names for columns: key "10.0.0.1" (any port) or "10.0.0.1:5060" (that port).
  std::map<std::string, std::string> aliases;
};

/// Parses "ADDR=NAME" (the --alias argument). Errors: bad_alias.
Result<std::pair<std::string, std::string>> parse_alias(std::string_view text);
/// Parses an alias file: one "ADDR=NAME" or "ADDR NAME" per line; '#' starts a
/// comment. Errors: bad_alias (offset = line number).
Result<std::map<std::string, std::string>> parse_alias_file(std::string_view text);

/// What kind of message an arrow is, for colours and styles.
enum class ArrowKind : std::uint8_t {
  Request,
  Provisional,
  Success,
  Redirect,
  ClientError,
  ServerError,
  GlobalError
};
std::string_view to_string(ArrowKind k) noexcept;

struct LadderColumn {
  std::string label;                   ///< alias, or the address ("10.0.0.1:5060", "[::1]:5060")
  std::vector<std::string> addresses;  ///< every address merged into this column
  std::string agent;                   ///< User-Agent/Server seen sent from it, "" if none
};

struct LadderRow {
  std::size_t from = 0;  ///< column index of the sender
  std::size_t to = 0;    ///< column index of the receiver
  Timestamp ts;
  double offset = 0;  ///< seconds since the first row
  double delta = 0;   ///< seconds since the previous row
  std::string label;  ///< "INVITE (SDP offer)", "200 OK (SDP answer)"
  std::string sdp;    ///< SDP summary ("PCMU,PCMA 10.0.0.1:4000"), "" without SDP
  ArrowKind kind = ArrowKind::Request;
  Repeat repeat = Repeat::First;
  std::uint64_t frame = 0;
  std::size_t leg = 0;  ///< index into Ladder::legs
  Transport transport = Transport::Udp;
  std::string raw;  ///< the whole message, for tooltips and --full
};

/// One call drawn in the ladder.
struct LadderLeg {
  std::string call_id;
  std::string summary;  ///< "INVITE alice → bob · completed 200"
};

struct Ladder {
  std::string title;            ///< the summary of the one call, or "3 linked legs" / "2 calls"
  std::vector<LadderLeg> legs;  ///< in order of start
  std::vector<LadderColumn> columns;
  std::vector<LadderRow> rows;
  Timestamp start;
};

/// Builds the ladder of `calls` (their histories merged in time order).
/// Calls must have been correlated with keep_messages.
Ladder build_ladder(const std::vector<const Call*>& calls, const LadderOptions& options);

}  // namespace sipflow::flows
