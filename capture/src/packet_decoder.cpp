#include "sipflow/capture/packet_decoder.hpp"

#include <algorithm>

#include "sipflow/capture/byte_reader.hpp"

namespace sipflow::capture {
namespace {

// LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) and the DLT_
// numbers some writers put in files instead.
enum Linktype : std::uint32_t {
  kNull = 0,
  kEthernet = 1,
  kRawDlt12 = 12,
  kRawDlt14 = 14,
  kRaw = 101,
  kLoop = 108,
  kLinuxSll = 113,
  kIpv4 = 228,
  kIpv6 = 229,
  kLinuxSll2 = 276,
};

enum EtherType : std::uint16_t {
  kEthIpv4 = 0x0800,
  kEthIpv6 = 0x86DD,
  kEthVlan = 0x8100,
  kEthQinQ = 0x88A8,
  kEthQinQOld = 0x9100,
  kEthMpls = 0x8847,
  kEthMplsMulticast = 0x8848,
  kEthTransparentBridging = 0x6558,  // GRE carrying Ethernet (NVGRE, gretap)
  kEthErspan2 = 0x88BE,
  kEthErspan3 = 0x22EB,
};

enum IpProto : std::uint8_t {
  kIpHopByHop = 0,
  kIpInIp = 4,
  kTcp = 6,
  kUdp = 17,
  kIpv6InIp = 41,
  kIpv6Routing = 43,
  kIpv6Fragment = 44,
  kGre = 47,
  kAh = 51,
  kIpv6NoNext = 59,
  kIpv6DestOpts = 60,
  kSctp = 132,
  kIpv6Mobility = 135,
  kIpv6Hip = 139,
  kIpv6Shim6 = 140,
};

}  // namespace

struct PacketDecoder::Context {
  const Frame& frame;
  PayloadSink& sink;
  int depth = 0;
  bool truncated = false;
};

PacketDecoder::PacketDecoder(DecoderOptions options, Diagnostics& diag)
    : options_(std::move(options)), diag_(diag), fragments_(options_.fragments, diag) {}

void PacketDecoder::decode(const Frame& frame, PayloadSink& sink) {
  Context c{frame, sink};
  c.truncated = frame.data.size() < frame.wire_len;
  link(c, frame.linktype, frame.data);
}

void PacketDecoder::finish(std::uint64_t last_frame) {
  fragments_.drop_all(last_frame);
}

bool PacketDecoder::enter_tunnel(Context& c) {
  if (++c.depth > options_.max_encapsulation_depth) {
    diag_.skipped("encapsulation_too_deep", c.frame.number);
    return false;
  }
  return true;
}

void PacketDecoder::link(Context& c, std::uint32_t linktype, std::span<const std::uint8_t> d) {
  ByteReader r(d);
  switch (linktype) {
    case kEthernet:
      ethernet(c, d);
      return;
    case kNull:
    case kLoop: {
      // BSD loopback: a 4-byte address family, host order (NULL) or network order (LOOP).
      std::uint32_t af = linktype == kLoop ? r.be32() : r.le32();
      if (!r.ok()) break;
      if (linktype == kNull && af > 0xFFFF)
        af = __builtin_bswap32(af);  // written on the other endianness
      if (af == 2) return ipv4(c, r.rest());
      if (af == 10 || af == 24 || af == 28 || af == 30) return ipv6(c, r.rest());
      diag_.info("non_ip_frame", c.frame.number);
      return;
    }
    case kRaw:
    case kRawDlt12:
    case kRawDlt14:
      return ip_by_version(c, d);
    case kIpv4:
      return ipv4(c, d);
    case kIpv6:
      return ipv6(c, d);
    case kLinuxSll: {
      // packet type 2, ARPHRD type 2, address length 2, address 8, protocol 2
      r.skip(14);
      std::uint16_t proto = r.be16();
      if (!r.ok()) break;
      return ethertype(c, proto, r.rest());
    }
    case kLinuxSll2: {
      // protocol 2, reserved 2, interface index 4, ARPHRD 2, packet type 1, address length 1,
      // address 8
      std::uint16_t proto = r.be16();
      r.skip(18);
      if (!r.ok()) break;
      return ethertype(c, proto, r.rest());
    }
    default:
      diag_.skipped("unsupported_linktype", c.frame.number);
      return;
  }
  diag_.skipped("truncated_frame", c.frame.number);
}

void PacketDecoder::ethernet(Context& c, std::span<const std::uint8_t> d) {
  ByteReader r(d);
  r.skip(12);  // destination and source MAC
  std::uint16_t type = r.be16();
  if (!r.ok()) {
    diag_.skipped("truncated_frame", c.frame.number);
    return;
  }
  if (type < 0x0600) {  // an IEEE 802.3 length: LLC/SNAP (STP, CDP, ...), never SIP
    diag_.info("non_ip_frame", c.frame.number);
    return;
  }
  ethertype(c, type, r.rest());
}

void PacketDecoder::ethertype(Context& c, std::uint16_t type, std::span<const std::uint8_t> d) {
  ByteReader r(d);
  switch (type) {
    case kEthIpv4:
      return ipv4(c, d);
    case kEthIpv6:
      return ipv6(c, d);
    case kEthVlan:
    case kEthQinQ:
    case kEthQinQOld: {
      r.skip(2);  // priority, DEI, VLAN id
      std::uint16_t inner = r.be16();
      if (!r.ok()) break;
      if (!enter_tunnel(c)) return;
      return ethertype(c, inner, r.rest());
    }
    case kEthMpls:
    case kEthMplsMulticast:
      return mpls(c, d);
    default:
      diag_.info("non_ip_frame", c.frame.number);
      return;
  }
  diag_.skipped("truncated_frame", c.frame.number);
}

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

void PacketDecoder::ip_by_version(Context& c, std::span<const std::uint8_t> d) {
  if (d.empty()) {
    diag_.skipped("truncated_frame", c.frame.number);
    return;
  }
  switch (d[0] >> 4) {
    case 4:
      return ipv4(c, d);
    case 6:
      return ipv6(c, d);
    default:
      diag_.skipped("bad_ip_version", c.frame.number);
  }
}

void PacketDecoder::ipv4(Context& c, std::span<const std::uint8_t> d) {
  ByteReader r(d);
  std::uint8_t vihl = r.u8();
  r.skip(1);  // DSCP/ECN
  std::uint16_t total = r.be16();
  std::uint16_t id = r.be16();
  std::uint16_t frag = r.be16();
  r.skip(1);  // TTL
  std::uint8_t proto = r.u8();
  r.skip(2);  // checksum (not verified: offloading leaves it wrong in local captures)
  auto src_b = r.take(4);
  auto dst_b = r.take(4);
  if (!r.ok()) {
    diag_.skipped("truncated_frame", c.frame.number);
    return;
  }
  std::size_t ihl = std::size_t{vihl & 0x0Fu} * 4;
  if ((vihl >> 4) != 4 || ihl < 20 || total < ihl) {
    diag_.skipped("bad_ipv4_header", c.frame.number);
    return;
  }
  if (d.size() < ihl) {
    diag_.skipped("truncated_frame", c.frame.number);
    return;
  }
  std::span<const std::uint8_t> payload;
  if (total > d.size()) {  // cut by the snapshot length: keep what we have
    if (!c.truncated) {
      diag_.skipped("bad_ipv4_length", c.frame.number);
      return;
    }
    payload = d.subspan(ihl);
  } else {
    payload = d.subspan(ihl, total - ihl);  // drops Ethernet padding and trailers
  }
  IpAddress src = IpAddress::v4(src_b.data());
  IpAddress dst = IpAddress::v4(dst_b.data());

  bool more = (frag & 0x2000) != 0;
  std::uint32_t offset = std::uint32_t{frag & 0x1FFFu} * 8;
  if (more || offset != 0) {
    if (c.truncated) {
      diag_.skipped("truncated_fragment", c.frame.number);
      return;
    }
    auto done = fragments_.add(FragmentKey{src, dst, id, proto}, offset, more, proto, payload,
                               c.frame.ts, c.frame.number);
    if (done) ip_payload(c, src, dst, done->protocol, done->payload);
    return;
  }
  ip_payload(c, src, dst, proto, payload);
}

void PacketDecoder::ipv6(Context& c, std::span<const std::uint8_t> d) {
  ByteReader r(d);
  std::uint32_t vtf = r.be32();
  std::uint16_t plen = r.be16();
  std::uint8_t next = r.u8();
  r.skip(1);  // hop limit
  auto src_b = r.take(16);
  auto dst_b = r.take(16);
  if (!r.ok()) {
    diag_.skipped("truncated_frame", c.frame.number);
    return;
  }
  if ((vtf >> 28) != 6) {
    diag_.skipped("bad_ipv6_header", c.frame.number);
    return;
  }
  auto rest = r.rest();
  if (plen > rest.size()) {
    if (!c.truncated) {
      diag_.skipped("bad_ipv6_length", c.frame.number);
      return;
    }
  } else if (plen != 0) {  // 0 = jumbogram; keep what was captured
    rest = rest.first(plen);
  }
  ipv6_chain(c, IpAddress::v6(src_b.data()), IpAddress::v6(dst_b.data()), next, rest);
}

void PacketDecoder::ipv6_chain(Context& c, const IpAddress& src, const IpAddress& dst,
                               std::uint8_t next, std::span<const std::uint8_t> d) {
  ByteReader r(d);
  for (int hops = 0; hops < 16; ++hops) {  // RFC 8200 §4: walk the extension headers
    switch (next) {
      case kIpHopByHop:
      case kIpv6Routing:
      case kIpv6DestOpts:
      case kIpv6Mobility:
      case kIpv6Hip:
      case kIpv6Shim6: {
        std::uint8_t nh = r.u8();
        std::uint8_t len = r.u8();
        r.skip(std::size_t{len} * 8 + 6);
        next = nh;
        break;
      }
      case kAh: {  // RFC 4302: length in 4-byte units minus 2
        std::uint8_t nh = r.u8();
        std::uint8_t len = r.u8();
        r.skip((std::size_t{len} + 2) * 4 - 2);
        next = nh;
        break;
      }
      case kIpv6Fragment: {
        std::uint8_t nh = r.u8();
        r.skip(1);
        std::uint16_t off_flags = r.be16();
        std::uint32_t id = r.be32();
        if (!r.ok()) {
          diag_.skipped("truncated_frame", c.frame.number);
          return;
        }
        bool more = (off_flags & 1) != 0;
        std::uint32_t offset = std::uint32_t{off_flags & 0xFFF8u};
        if (!more && offset == 0) {  // atomic fragment (RFC 6946): nothing to reassemble
          next = nh;
          break;
        }
        if (c.truncated) {
          diag_.skipped("truncated_fragment", c.frame.number);
          return;
        }
        auto done = fragments_.add(FragmentKey{src, dst, id, 0}, offset, more, nh, r.rest(),
                                   c.frame.ts, c.frame.number);
        if (done) ipv6_chain(c, src, dst, done->protocol, done->payload);
        return;
      }
      case kIpv6NoNext:
        return;
      default:
        if (!r.ok()) {
          diag_.skipped("truncated_frame", c.frame.number);
          return;
        }
        return ip_payload(c, src, dst, next, r.rest());
    }
    if (!r.ok()) {
      diag_.skipped("truncated_frame", c.frame.number);
      return;
    }
  }
  diag_.skipped("bad_ipv6_header", c.frame.number);
}

void PacketDecoder::ip_payload(Context& c, const IpAddress& src, const IpAddress& dst,
                               std::uint8_t protocol, std::span<const std::uint8_t> d) {
  switch (protocol) {
    case kUdp:
      return udp(c, src, dst, d);
    case kIpInIp:
    case kIpv6InIp:
      if (!enter_tunnel(c)) return;
      return protocol == kIpInIp ? ipv4(c, d) : ipv6(c, d);
    case kGre:
      if (!enter_tunnel(c)) return;
      return gre(c, d);
    default:
      diag_.info("non_udp_packet", c.frame.number);
      return;
  }
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

void PacketDecoder::udp(Context& c, const IpAddress& src, const IpAddress& dst,
                        std::span<const std::uint8_t> d) {
  ByteReader r(d);
  std::uint16_t sport = r.be16();
  std::uint16_t dport = r.be16();
  std::uint16_t len = r.be16();
  r.skip(2);  // checksum
  if (!r.ok()) {
    diag_.skipped("truncated_frame", c.frame.number);
    return;
  }
  auto rest = r.rest();
  bool truncated = false;
  if (len < 8) {
    diag_.skipped("bad_udp_length", c.frame.number);
    return;
  }
  if (len - 8u > rest.size()) {
    if (!c.truncated) {
      diag_.skipped("bad_udp_length", c.frame.number);
      return;
    }
    truncated = true;
  } else {
    rest = rest.first(len - 8u);
  }
  const auto& vx = options_.vxlan_ports;
  if (std::find(vx.begin(), vx.end(), dport) != vx.end() && rest.size() >= 8 && (rest[0] & 0x08)) {
    // VXLAN (RFC 7348): flags with the I bit, 3 reserved, VNI 3, reserved 1, then Ethernet.
    if (!enter_tunnel(c)) return;
    return ethernet(c, rest.subspan(8));
  }
  Payload p;
  p.frame = c.frame.number;
  p.ts = c.frame.ts;
  p.src = Endpoint{src, sport};
  p.dst = Endpoint{dst, dport};
  p.transport = Transport::Udp;
  p.kind = PayloadKind::Datagram;
  p.truncated = truncated;
  p.bytes = rest;
  c.sink.on_payload(p);
}

}  // namespace sipflow::capture
