#pragma once
// PacketDecoder: frames in, transport payloads out.
//
//   Frame ─ link layer (Ethernet, VLAN/QinQ, MPLS, SLL, SLL2, null/loop, raw IP)
//         ─ IPv4 / IPv6 (extension headers, fragment reassembly)
//         ─ tunnels (IP-in-IP, GRE, ERSPAN II/III, VXLAN) ─ back to the top
//         ─ UDP → Payload (Datagram); HEP v1/v2/v3 → the original Datagram
//         ─ TCP → per-connection reassembly (tcp_reassembly.hpp), then by content:
//               SIP → StreamData / StreamGap / StreamEnd
//               HTTP upgrade → WebSocket frames → one Datagram per message
//               TLS → EncryptedConversation (ConversationSink), no payloads
//               HEP3 → the original Datagram
//         ─ SCTP → DATA chunks (fragments joined) → Datagram
//
// Each layer checks lengths before reading, names what it cannot use in
// Diagnostics, and forwards the rest.

#include <cstdint>
#include <memory>
#include <vector>

#include "sipflow/capture/conversation.hpp"
#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/frame.hpp"
#include "sipflow/capture/ip_reassembly.hpp"
#include "sipflow/capture/payload.hpp"
#include "sipflow/capture/sctp.hpp"
#include "sipflow/capture/tcp_reassembly.hpp"
#include "sipflow/capture/websocket.hpp"

namespace sipflow::capture {

namespace detail {
class TcpTracker;
}

struct DecoderOptions {
  FragmentLimits fragments;
  TcpLimits tcp;
  WebSocketLimits websocket;
  SctpLimits sctp;
  std::vector<std::uint16_t> vxlan_ports{4789};  ///< UDP ports decapsulated as VXLAN
  /// UDP ports whose datagrams are tried as HEP v1/v2/v3 (either side).
  /// HEPv3 is also recognised on any port by its "HEP3" magic.
  std::vector<std::uint16_t> hep_ports{9060};
  /// TCP ports (either side) whose connections count as TLS even when the
  /// handshake was not captured, unless the data looks like SIP.
  std::vector<std::uint16_t> tls_ports{5061};
  int max_encapsulation_depth = 8;  ///< tunnels inside tunnels
};

/// Stateful decoder (IP fragments, TCP connections, SCTP messages). Not
/// thread-safe. `diag` must outlive it.
class PacketDecoder {
 public:
  PacketDecoder(DecoderOptions options, Diagnostics& diag);
  ~PacketDecoder();
  PacketDecoder(const PacketDecoder&) = delete;
  PacketDecoder& operator=(const PacketDecoder&) = delete;

  /// Where TLS connections are reported when they end (nullptr: only
  /// counted, as `tls_conversation`). Not owned; must outlive the decoder or
  /// be replaced before it is destroyed.
  void set_conversation_sink(ConversationSink* sink) noexcept;

  /// Decodes one frame and passes every transport payload it completes to
  /// `sink`, synchronously. Never throws on bad bytes. Frames should come in
  /// capture order: TCP idle and hold timeouts run on their timestamps.
  void decode(const Frame& frame, PayloadSink& sink);
  /// Applies the timeouts at capture time `now` without a frame (a live
  /// source that is idle), passing what they release to `sink`.
  void expire(Timestamp now, PayloadSink& sink);
  /// End of input: delivers TCP data still held behind holes (after a
  /// StreamGap), ends every stream (StreamEnd), reports open TLS connections
  /// and counts what is still incomplete (fragments, SCTP messages).
  void finish(std::uint64_t last_frame, PayloadSink& sink);
  /// As above, but what would be delivered is dropped (only counted).
  void finish(std::uint64_t last_frame);

 private:
  struct Context;
  void link(Context& c, std::uint32_t linktype, std::span<const std::uint8_t> data);
  void ethernet(Context& c, std::span<const std::uint8_t> data);
  void ethertype(Context& c, std::uint16_t type, std::span<const std::uint8_t> data);
  void mpls(Context& c, std::span<const std::uint8_t> data);
  void ip_by_version(Context& c, std::span<const std::uint8_t> data);
  void ipv4(Context& c, std::span<const std::uint8_t> data);
  void ipv6(Context& c, std::span<const std::uint8_t> data);
  void ipv6_chain(Context& c, const IpAddress& src, const IpAddress& dst, std::uint8_t next,
                  std::span<const std::uint8_t> data);
  void ip_payload(Context& c, const IpAddress& src, const IpAddress& dst, std::uint8_t protocol,
                  std::span<const std::uint8_t> data);
  void gre(Context& c, std::span<const std::uint8_t> data);
  void udp(Context& c, const IpAddress& src, const IpAddress& dst,
           std::span<const std::uint8_t> data);
  bool hep(Context& c, std::span<const std::uint8_t> data, bool by_port);
  bool enter_tunnel(Context& c);

  DecoderOptions options_;
  Diagnostics& diag_;
  IpReassembler fragments_;
  std::unique_ptr<detail::TcpTracker> tcp_;
  SctpReassembler sctp_;
};

}  // namespace sipflow::capture
