#pragma once
// PacketDecoder: frames in, transport payloads out.
//
//   Frame ─ link layer (Ethernet, VLAN/QinQ, MPLS, SLL, SLL2, null/loop, raw IP)
//         ─ IPv4 / IPv6 (extension headers, fragment reassembly)
//         ─ tunnels (IP-in-IP, GRE, ERSPAN II/III, VXLAN) ─ back to the top
//         ─ UDP → Payload (Datagram)
//
// Each layer checks lengths before reading, names what it cannot use in
// Diagnostics, and forwards the rest.

#include <cstdint>
#include <vector>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/frame.hpp"
#include "sipflow/capture/ip_reassembly.hpp"
#include "sipflow/capture/payload.hpp"

namespace sipflow::capture {

struct DecoderOptions {
  FragmentLimits fragments;
  std::vector<std::uint16_t> vxlan_ports{4789};  ///< UDP ports decapsulated as VXLAN
  int max_encapsulation_depth = 8;               ///< tunnels inside tunnels
};

/// Stateful (fragments) decoder. Not thread-safe. `diag` must outlive it.
class PacketDecoder {
 public:
  PacketDecoder(DecoderOptions options, Diagnostics& diag);

  /// Decodes one frame and passes every transport payload it completes to
  /// `sink`, synchronously. Never throws on bad bytes.
  void decode(const Frame& frame, PayloadSink& sink);
  /// End of input: counts what is still incomplete.
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
  bool enter_tunnel(Context& c);

  DecoderOptions options_;
  Diagnostics& diag_;
  IpReassembler fragments_;
};

}  // namespace sipflow::capture
