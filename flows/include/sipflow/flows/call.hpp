#pragma once
// Call, Dialog and their states: what a VoIP engineer thinks in.
//
// A Call here is everything with one Call-ID (one "leg"): its transactions,
// its dialogs (several when an INVITE forks) and its outcome and timing.
// Legs of one end-to-end call through a B2BUA are linked into a CallGroup.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/timestamp.hpp"
#include "sipflow/flows/message_record.hpp"

namespace sipflow::flows {

/// Outcome of a call (INVITE) or of another exchange (REGISTER, OPTIONS, ...).
/// Text names are part of the JSON contract.
enum class CallState : std::uint8_t {
  Setup,       ///< request sent; no provisional beyond 100, no final response yet
  Ringing,     ///< 18x received, no final response yet
  InCall,      ///< answered (2xx), not hung up
  Completed,   ///< INVITE: answered then BYE; others: 2xx final response
  Cancelled,   ///< CANCELled by the caller (487)
  Rejected,    ///< 4xx (other than busy/timeout) or 603
  Busy,        ///< 486 Busy Here or 600 Busy Everywhere
  Redirected,  ///< 3xx
  Failed,      ///< 5xx, or 6xx other than 600/603
  TimedOut,    ///< 408, or no final response within the setup timeout
};
std::string_view to_string(CallState s) noexcept;
std::optional<CallState> parse_call_state(std::string_view s) noexcept;

/// Dialog state (RFC 3261 §12) followed by the session state of RFC 3261 / the
/// offer-answer notes: Initial → Establishing → Established → Terminating → Terminated.
enum class SessionState : std::uint8_t {
  Initial,       ///< tags known only from a 100 (RFC 3261 §8.2.6.2), no dialog made yet
  Establishing,  ///< early: a 101-199 with this To tag, no 2xx
  Established,   ///< confirmed by a 2xx, or seen in use by an in-dialog request
  Terminating,   ///< BYE (or unsubscribe) sent, not answered yet
  Terminated     ///< ended: see Dialog::terminated
};
std::string_view to_string(SessionState s) noexcept;

struct MediaInfo {
  std::string address;  ///< "10.0.0.1:4000" (IPv6 as "[::1]:4000")
  std::string type;     ///< "audio", "video", ...
  std::string codecs;   ///< "PCMU,PCMA,telephone-event" in offer order
  std::string direction;
};

/// One dialog: Call-ID plus both tags.
struct Dialog {
  std::string from_tag;  ///< the tag of the dialog creator's From
  std::string to_tag;
  SessionState state = SessionState::Initial;
  bool early = true;  ///< no 2xx yet
  Timestamp created;
  std::optional<Timestamp> confirmed;
  std::optional<Timestamp> terminated;
  std::vector<MediaInfo> offer;   ///< last SDP offer in this dialog
  std::vector<MediaInfo> answer;  ///< last SDP answer in this dialog
  int hold_events = 0;            ///< offers that put media on hold
  bool on_hold = false;
  /// Early media was negotiated in this dialog: while it was still early (no
  /// 2xx yet) one of its 101-199 responses, reliable (RFC 3262) or not,
  /// carried a session SDP, or one of its messages carried an early-session
  /// SDP part (RFC 3959). Whether RTP then flowed is not looked at, nor
  /// P-Early-Media (RFC 5009).
  bool early_media = false;
  /// Requests sent inside this dialog, by method ("INVITE" is a re-INVITE;
  /// also UPDATE, PRACK, INFO, REFER, NOTIFY, ...), first sightings only.
  /// Not ACK and BYE (the call's timings tell those), nor the request that
  /// created the dialog. At most kMaxDialogMethods names.
  std::map<std::string, std::uint32_t, std::less<>> requests;
};
inline constexpr std::size_t kMaxDialogMethods = 16;

/// A link between two legs and the signal that made it.
struct Link {
  std::string call_id;  ///< the other leg
  std::string
      signal;  ///< "header:X-Call-ID", "icid", "replaces", "refer-to", "callid-regex", "sdp"
};

/// One Call-ID and everything learned about it. Stored data: all owned.
struct Call {
  std::uint64_t index = 0;  ///< 1-based, in order of first message (what `flow --index` selects)
  std::string call_id;
  std::string method;  ///< method of the first request ("INVITE", "REGISTER", ...)
  std::string from;    ///< From URI of the first request
  std::string from_display;
  std::string to;  ///< To URI of the first request
  std::string to_display;
  std::string request_uri;
  std::string from_tag;      ///< caller's tag
  Endpoint caller;           ///< source of the first request
  Endpoint callee;           ///< its destination
  std::string caller_agent;  ///< User-Agent of the first request
  std::string callee_agent;  ///< Server (or User-Agent) of the first response
  Transport transport = Transport::Udp;

  CallState state = CallState::Setup;
  int status = 0;             ///< final status that decided the outcome (0: none yet)
  std::string reason;         ///< its reason phrase
  std::string reason_header;  ///< Reason header of the BYE/CANCEL/final response, verbatim
  int q850_cause = 0;         ///< cause from a Q.850 Reason header, 0 if none
  std::string hangup_by;      ///< "caller" or "callee" (who sent BYE), "" otherwise

  Timestamp start;                   ///< first message
  Timestamp last;                    ///< latest message
  std::optional<Timestamp> invite;   ///< first initial INVITE
  std::optional<Timestamp> ringing;  ///< first 18x
  std::optional<Timestamp> answer;   ///< first 2xx to an initial INVITE
  std::optional<Timestamp> acked;    ///< ACK of that 2xx
  std::optional<Timestamp> bye;      ///< first BYE
  std::optional<Timestamp> end;      ///< when the call ended (BYE's 2xx, final failure)
  std::uint64_t first_frame = 0;
  std::uint32_t file = 0;

  std::uint32_t messages = 0;  ///< including retransmissions and duplicates
  std::uint32_t retransmissions = 0;
  std::uint32_t duplicates = 0;
  std::uint32_t auth_challenges = 0;  ///< 401/407 responses
  std::vector<Dialog> dialogs;
  std::vector<Link> links;
  std::string group;       ///< Call-ID of the first leg of its linked group (itself if alone)
  bool evicted = false;    ///< closed early because the open-call cap was reached
  bool timed_out = false;  ///< closed by the setup or idle timeout

  // REGISTER specifics.
  std::string contact;
  std::optional<std::uint32_t> expires;

  std::vector<MessageRecord> history;  ///< kept only when CorrelatorOptions::keep_messages

  /// Seconds from INVITE to the first 18x (post-dial delay).
  std::optional<double> post_dial_delay() const;
  /// Seconds from INVITE to the 2xx.
  std::optional<double> time_to_answer() const;
  /// Seconds from INVITE to the ACK of the 2xx.
  std::optional<double> setup_time() const;
  /// Seconds of conversation: 2xx to BYE (or to the end).
  std::optional<double> talk_duration() const;
};

}  // namespace sipflow::flows
