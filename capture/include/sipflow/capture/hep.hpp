#pragma once
// HEP, the Homer Encapsulation Protocol: SIP captured elsewhere (Kamailio
// siptrace, OpenSIPS, heplify, captagent, sngrep) and sent to a collector
// with its original addresses, ports, transport and time.
//
// HEPv3 (github.com/sipcapture/HEP):
//   "HEP3" | total length (16) | chunks until total length:
//   vendor id (16) | type id (16) | chunk length incl. these 6 bytes (16) | data
//   vendor 0 types: 1 IP family, 2 IP protocol, 3/4 IPv4 src/dst, 5/6 IPv6
//   src/dst, 7/8 src/dst port, 9/10 time s/µs, 11 payload type (1 = SIP),
//   12 capture agent id, 14 auth key, 15 payload, 16 compressed payload,
//   17 correlation id. All numbers big-endian.
// HEPv1/v2 (fixed header, C structs of the senders):
//   version (8) | hp_l (8) | family (8) | protocol (8) | sport (16) | dport (16)
//   | src, dst (4 + 4 or 16 + 16) | v2 only: tv_sec (32) | tv_usec (32)
//   | capture id (16) | 2 bytes of struct padding | payload
//   Ports are big-endian; the v2 time fields are little-endian (the senders
//   copy host-order structs from x86, and Kamailio converts to little-endian
//   on big-endian hosts). hp_l is not trusted: sngrep writes a 16-bit length
//   into this 8-bit field, so the header size comes from the family.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/payload.hpp"
#include "sipflow/capture/result.hpp"
#include "sipflow/capture/timestamp.hpp"

namespace sipflow::capture {

/// Pseudo link type of the frames made by open_hep_listener(): the frame's
/// bytes are one HEP packet (no link, IP or UDP header). Not a tcpdump
/// LINKTYPE_* value; such frames must not be written to a capture file.
inline constexpr std::uint32_t kLinktypeHepDatagram = 0x48455000;  // "HEP\0"

/// One decapsulated HEP packet. `payload` is borrowed from the input.
struct HepPacket {
  int version = 0;  ///< 1, 2 or 3
  Endpoint src;
  Endpoint dst;
  std::uint8_t ip_protocol = 0;  ///< IPPROTO_*: 17 UDP, 6 TCP, 132 SCTP (22: see transport)
  /// From ip_protocol. Kamailio marks TLS, WS and WSS alike with 22
  /// (IPPROTO_IDP); for those the top Via of the SIP payload tells which
  /// (SIP/2.0/TLS, /WS, /WSS), and TLS when it does not.
  Transport transport = Transport::Udp;
  std::optional<Timestamp> ts;    ///< original capture time, when the packet says
  std::uint8_t payload_type = 1;  ///< HEPv3 chunk 11 (1 = SIP); 1 for v1/v2
  std::uint32_t capture_id = 0;
  bool compressed = false;  ///< chunk 16: `payload` is zlib-compressed
  std::span<const std::uint8_t> payload;
};

/// True when `bytes` start with the HEPv3 magic "HEP3".
bool looks_like_hep3(std::span<const std::uint8_t> bytes) noexcept;

/// Total length of the HEPv3 packet at the start of `bytes` (from its
/// header), or 0 when fewer than 6 bytes are there or the magic is wrong.
std::size_t hep3_length(std::span<const std::uint8_t> bytes) noexcept;

/// Parses one HEP packet: v3 by its magic, else v1/v2 by the version byte.
/// Errors: `not_hep` (neither), `truncated_hep` (shorter than it says),
/// `bad_hep` (a chunk or field of the wrong size, unknown family, missing
/// addresses), `hep_no_payload`.
Result<HepPacket> parse_hep(std::span<const std::uint8_t> bytes);

/// The Payload a HEP packet stands for: a Datagram with the original
/// addresses, transport and time (`frame_ts` when the packet has none),
/// attributed to `frame`. `payload.bytes` borrows `hep.payload`.
Payload hep_payload(const HepPacket& hep, std::uint64_t frame, Timestamp frame_ts) noexcept;

/// Decapsulates `bytes` and passes its SIP payload to `sink` (as
/// hep_payload() makes it). Returns false, counting nothing, when the bytes
/// are not a HEP packet at all; otherwise counts what it could not use
/// (`bad_hep`, `truncated_hep`, `hep_no_payload`, `hep_not_sip`,
/// `hep_compressed_payload`) and returns true.
bool deliver_hep(std::span<const std::uint8_t> bytes, std::uint64_t frame, Timestamp frame_ts,
                 Diagnostics& diag, PayloadSink& sink);

}  // namespace sipflow::capture
