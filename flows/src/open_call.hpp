#pragma once
// Internal state of the correlator for one open call: the transactions it is
// matching and the bookkeeping that decides when it is finished.

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "sipflow/flows/call.hpp"

namespace sipflow::flows::detail {

/// The side of a call a message comes from, relative to the first request.
enum class Side : std::uint8_t { None, Caller, Callee };

/// The methods the correlator treats specially; the rest are Other.
enum class Method : std::uint8_t {
  Invite,
  Ack,
  Bye,
  Cancel,
  Register,
  Options,
  Prack,
  Update,
  Info,
  Refer,
  Notify,
  Subscribe,
  Message,
  Publish,
  Other
};
Method method_of(std::string_view m) noexcept;

struct SeenResponse {
  std::uint64_t key = 0;  // status and To tag
  Timestamp last;
};

/// One transaction (RFC 3261 §17), matched by Via branch and method.
struct Transaction {
  std::uint64_t key = 0;
  Method method = Method::Other;
  std::uint32_t cseq = 0;
  bool request_seen = false;
  Timestamp request_last;
  Endpoint request_src;
  bool initial = false;        // a request outside any dialog (no To tag)
  bool ack_seen = false;       // the ACK of a non-2xx final response
  bool request_offer = false;  // the request carried an SDP offer
  int final_status = 0;
  std::uint64_t cancels = 0;  // CANCEL: the key of the INVITE transaction it cancels
  Timestamp created;
  std::vector<SeenResponse> responses;
};

/// How long an open call may stay quiet before it is closed, by what it waits for.
enum class Wait : std::uint8_t {
  Linger,   // finished; waiting only for late retransmissions
  Request,  // a non-INVITE request without final response (Timer F)
  Invite,   // an INVITE without final response
  Idle,     // answered or in a dialog; waiting for more
};
inline constexpr std::size_t kWaitKinds = 4;

struct Group;

struct OpenCall {
  Call call;
  std::vector<Transaction> transactions;
  Side offer_pending = Side::None;
  std::vector<MediaInfo> initial_offer;  // offer of the initial INVITE, before any dialog
  Wait wait = Wait::Request;
  /// The correlator's clock (the latest capture time seen) at this call's
  /// last message: timeouts count from it, not from the message's own time,
  /// so a file older than the one read before it does not expire at once.
  Timestamp seen;
  std::list<OpenCall*>::iterator position;  // in the correlator's list for `wait`
  std::shared_ptr<Group> group;
  std::vector<std::string> link_tokens;  // keys this call owns in the link index
  bool answered_initial = false;
};

/// Legs linked into one end-to-end call.
struct Group {
  std::string id;  // Call-ID of the earliest leg
  Timestamp start;
  std::vector<OpenCall*> open_members;
};

}  // namespace sipflow::flows::detail
