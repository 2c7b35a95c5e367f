#include "sipflow/capture/packet_decoder.hpp"

#include <algorithm>

#include "decoder_internal.hpp"
#include "sipflow/capture/byte_reader.hpp"
#include "sipflow/capture/hep.hpp"
#include "tcp_tracker.hpp"

namespace sipflow::capture {

using namespace detail;  // protocol numbers

namespace {

bool contains(const std::vector<std::uint16_t>& ports, std::uint16_t port) {
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

// Discards what is delivered when the caller has nowhere to put it.
class NullSink final : public PayloadSink {
 public:
  void on_payload(const Payload&) override {}
};

}  // namespace

PacketDecoder::PacketDecoder(DecoderOptions options, Diagnostics& diag)
    : options_(std::move(options)),
      diag_(diag),
      fragments_(options_.fragments, diag),
      tcp_(std::make_unique<detail::TcpTracker>(options_, diag)),
      sctp_(options_.sctp, diag) {}

PacketDecoder::~PacketDecoder() = default;

void PacketDecoder::set_conversation_sink(ConversationSink* sink) noexcept {
  tcp_->set_conversation_sink(sink);
}

void PacketDecoder::decode(const Frame& frame, PayloadSink& sink) {
  tcp_->advance(frame.ts, frame.number, sink);
  Context c{frame, sink};
  c.truncated = frame.data.size() < frame.wire_len;
  link(c, frame.linktype, frame.data);
}

void PacketDecoder::expire(Timestamp now, PayloadSink& sink) {
  tcp_->advance(now, 0, sink);
  sctp_.expire(now, 0);
  fragments_.expire(now, 0);
}

void PacketDecoder::finish(std::uint64_t last_frame, PayloadSink& sink) {
  fragments_.drop_all(last_frame);
  tcp_->finish(last_frame, sink);
  sctp_.finish(last_frame);
}

void PacketDecoder::finish(std::uint64_t last_frame) {
  NullSink discard;
  finish(last_frame, discard);
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
    case kLinktypeHepDatagram:  // open_hep_listener(): the frame is one HEP packet
      if (!hep(c, d, true)) diag_.skipped("not_hep", c.frame.number);
      return;
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
    case kTcp: {
      // Payload bytes the snaplen cut off (assumes no link-layer trailer in a
      // truncated frame, which holds: trailers only pad short frames).
      auto missing =
          c.truncated ? c.frame.wire_len - static_cast<std::uint32_t>(c.frame.data.size()) : 0u;
      return tcp_->segment(src, dst, d, missing, c.frame.number, c.frame.ts, c.sink);
    }
    case kSctp:
      return sctp_.packet(src, dst, d, c.frame.number, c.frame.ts, c.truncated, c.sink);
    case kIpInIp:
    case kIpv6InIp:
      if (!enter_tunnel(c)) return;
      return protocol == kIpInIp ? ipv4(c, d) : ipv6(c, d);
    case kGre:
      if (!enter_tunnel(c)) return;
      return gre(c, d);
    default:
      diag_.info("non_sip_transport", c.frame.number);
      return;
  }
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
  if (contains(options_.vxlan_ports, dport) && rest.size() >= 8 && (rest[0] & 0x08)) {
    // VXLAN (RFC 7348): flags with the I bit, 3 reserved, VNI 3, reserved 1, then Ethernet.
    if (!enter_tunnel(c)) return;
    return ethernet(c, rest.subspan(8));
  }
  // HEP: on its ports (v1/v2/v3), or anywhere by the HEPv3 magic.
  bool hep_port = contains(options_.hep_ports, dport) || contains(options_.hep_ports, sport);
  if ((hep_port || looks_like_hep3(rest)) && hep(c, rest, hep_port)) return;
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

bool PacketDecoder::hep(Context& c, std::span<const std::uint8_t> d, bool by_port) {
  // Only HEPv3 has a magic; v1/v2 are tried on the HEP ports alone.
  if (!by_port && !looks_like_hep3(d)) return false;
  return deliver_hep(d, c.frame.number, c.frame.ts, diag_, c.sink);
}

}  // namespace sipflow::capture
