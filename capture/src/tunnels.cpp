// Tunnels and label stacks that carry Ethernet or IP: MPLS and GRE
// (including ERSPAN II/III and transparent Ethernet bridging).

#include "decoder_internal.hpp"
#include "sipflow/capture/byte_reader.hpp"

namespace sipflow::capture {

using namespace detail;  // protocol numbers

void PacketDecoder::mpls(Context& c, std::span<const std::uint8_t> d) {
  ByteReader r(d);
  for (int labels = 0;; ++labels) {  // RFC 3032: 4-byte entries until bottom-of-stack
    std::uint32_t entry = r.be32();
    if (!r.ok()) {
      diag_.skipped("truncated_frame", c.frame.number);
      return;
    }
    if (!enter_tunnel(c)) return;
    if (entry & 0x100) break;
  }
  auto rest = r.rest();
  if (rest.empty()) {
    diag_.skipped("truncated_frame", c.frame.number);
    return;
  }
  // MPLS does not say what it carries; the first nibble does (RFC 4385).
  switch (rest[0] >> 4) {
    case 4:
    case 6:
      return ip_by_version(c, rest);
    case 0:  // pseudowire control word, then Ethernet
      if (rest.size() < 4) break;
      return ethernet(c, rest.subspan(4));
    default:
      return ethernet(c, rest);  // Ethernet pseudowire without control word
  }
  diag_.skipped("truncated_frame", c.frame.number);
}

void PacketDecoder::gre(Context& c, std::span<const std::uint8_t> d) {
  ByteReader r(d);
  std::uint16_t flags = r.be16();
  std::uint16_t proto = r.be16();
  if ((flags & 0x7) != 0) {  // version 1 is PPTP's enhanced GRE, which carries PPP
    diag_.info("non_ip_frame", c.frame.number);
    return;
  }
  bool checksum = flags & 0x8000, key = flags & 0x2000, seq = flags & 0x1000;
  r.skip((checksum ? 4u : 0u) + (key ? 4u : 0u) + (seq ? 4u : 0u));
  if (!r.ok()) {
    diag_.skipped("truncated_frame", c.frame.number);
    return;
  }
  auto rest = r.rest();
  switch (proto) {
    case kEthTransparentBridging:
      return ethernet(c, rest);
    case kEthErspan2:
      // ERSPAN type I has no sequence number and no header; type II has an 8-byte header.
      if (!seq) return ethernet(c, rest);
      if (rest.size() < 8) break;
      return ethernet(c, rest.subspan(8));
    case kEthErspan3: {
      // 12-byte header; the O flag (bit 0 of byte 11) adds an 8-byte platform sub-header.
      if (rest.size() < 12) break;
      std::size_t skip = (rest[11] & 0x01) ? 20 : 12;
      if (rest.size() < skip) break;
      return ethernet(c, rest.subspan(skip));
    }
    default:
      return ethertype(c, proto, rest);
  }
  diag_.skipped("truncated_frame", c.frame.number);
}

}  // namespace sipflow::capture
