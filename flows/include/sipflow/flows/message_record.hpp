#pragma once
// MessageRecord: what flows keep of one SIP message after its packet is gone.

#include <cstdint>
#include <string>
#include <string_view>

#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/timestamp.hpp"
#include "sipflow/decode/extractor.hpp"
#include "sipflow/decode/sip_message.hpp"

namespace sipflow::flows {

/// Which side of an offer/answer exchange a message body is (RFC 3264, 6337).
enum class SdpRole : std::uint8_t { None, Offer, Answer };
std::string_view to_string(SdpRole r) noexcept;

/// How a message relates to the ones seen before it.
enum class Repeat : std::uint8_t {
  First,           ///< first sighting of this request/response
  Retransmission,  ///< sent again by its sender (timer-driven, RFC 3261 §17)
  Duplicate,       ///< the same packet captured twice (e.g. on two interfaces) within the duplicate
                   ///< window
};
std::string_view to_string(Repeat r) noexcept;

/// Owned summary of one message, kept when a command needs the history of a
/// call (ladders). Stored data: no views into capture buffers.
struct MessageRecord {
  std::uint64_t frame = 0;
  std::uint32_t file = 0;
  Timestamp ts;
  Endpoint src;
  Endpoint dst;
  Transport transport = Transport::Udp;
  bool request = true;
  std::string method;  ///< request method, or the CSeq method of a response
  int status = 0;      ///< responses only
  std::string reason;  ///< responses only
  std::uint32_t cseq = 0;
  std::string to_tag;  ///< To tag ("" for a request outside a dialog)
  Repeat repeat = Repeat::First;
  SdpRole sdp = SdpRole::None;
  std::string sdp_summary;  ///< "PCMU/8000 10.0.0.1:4000" style, when the body has SDP
  std::string raw;          ///< the whole message text (for tooltips and --full)
};

}  // namespace sipflow::flows
