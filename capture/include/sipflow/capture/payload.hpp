#pragma once
// Payload: what the capture layer hands to the SIP decoder — transport payload
// bytes with their addresses, after link layers, tunnels and IP fragments are
// taken off and (for streams) bytes are put back in order.

#include <cstdint>
#include <span>

#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/timestamp.hpp"

namespace sipflow::capture {

enum class PayloadKind : std::uint8_t {
  Datagram,    ///< one whole datagram (UDP, a reassembled IP datagram, an SCTP DATA chunk)
  StreamData,  ///< the next in-order bytes of a stream (TCP, WebSocket)
  StreamGap,   ///< bytes were lost before this point of the stream; resynchronise
  StreamEnd,   ///< the stream closed (FIN/RST) or timed out; drop its state
};

/// Transport payload with its packet metadata. `bytes` is borrowed: valid
/// only during the PayloadSink callback that receives it.
struct Payload {
  std::uint64_t frame = 0;  ///< the frame that completed these bytes
  Timestamp ts;
  Endpoint src;
  Endpoint dst;
  Transport transport = Transport::Udp;
  PayloadKind kind = PayloadKind::Datagram;
  std::uint64_t stream = 0;  ///< stream transports: id of this direction of the connection
  bool truncated = false;    ///< the capture cut this packet short (snaplen): bytes are a prefix
  std::span<const std::uint8_t> bytes;
};

/// Receives payloads as the decoder produces them.
class PayloadSink {
 public:
  virtual ~PayloadSink() = default;
  virtual void on_payload(const Payload& payload) = 0;
};

}  // namespace sipflow::capture
