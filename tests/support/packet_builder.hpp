#pragma once
// Builders for link/network headers in capture unit tests. (End-to-end
// tests use real captures from samples/; these only exercise one layer's
// code paths, including ones no local tool produces, such as ERSPAN.)

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace sipflow::test {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

inline Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<std::uint16_t>(payload.size() + 8));
  put16(b, 0);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

struct V4 {
  std::uint8_t a, b, c, d;
};

inline Bytes ipv4(V4 src, V4 dst, std::uint8_t proto, const Bytes& payload, std::uint16_t id = 1,
                  std::uint16_t frag_offset_bytes = 0, bool more = false) {
  Bytes b;
  b.push_back(0x45);
  b.push_back(0);
  put16(b, static_cast<std::uint16_t>(payload.size() + 20));
  put16(b, id);
  put16(b, static_cast<std::uint16_t>((more ? 0x2000 : 0) | (frag_offset_bytes / 8)));
  b.push_back(64);
  b.push_back(proto);
  put16(b, 0);
  for (auto x : {src.a, src.b, src.c, src.d})
    b.push_back(x);
  for (auto x : {dst.a, dst.b, dst.c, dst.d})
    b.push_back(x);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

/// IPv6 with addresses 2001:db8::<src_last> and 2001:db8::<dst_last>.
inline Bytes ipv6(std::uint8_t src_last, std::uint8_t dst_last, std::uint8_t next,
                  const Bytes& payload) {
  Bytes b;
  put32(b, 0x60000000);
  put16(b, static_cast<std::uint16_t>(payload.size()));
  b.push_back(next);
  b.push_back(64);
  for (std::uint8_t last : {src_last, dst_last}) {
    Bytes a = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
    b.insert(b.end(), a.begin(), a.end());
  }
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes ipv6_fragment(std::uint8_t next, std::uint16_t offset_bytes, bool more,
                           std::uint32_t id, const Bytes& data) {
  Bytes b{next, 0};
  put16(b, static_cast<std::uint16_t>(offset_bytes | (more ? 1 : 0)));
  put32(b, id);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

/// An extension header of 8 bytes (hop-by-hop, destination options, routing).
inline Bytes ipv6_ext8(std::uint8_t next, const Bytes& rest) {
  Bytes b{next, 0, 1, 4, 0, 0, 0, 0};  // PadN option filling the 6 bytes
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}

inline Bytes ethernet(std::uint16_t type, const Bytes& payload) {
  Bytes b = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  put16(b, type);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes vlan(std::uint16_t tci, std::uint16_t inner, const Bytes& payload) {
  Bytes b;
  put16(b, tci);
  put16(b, inner);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes mpls(std::uint32_t label, bool bottom, const Bytes& payload) {
  Bytes b;
  put32(b, label << 12 | (bottom ? 0x100u : 0u) | 64u);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes gre(std::uint16_t flags, std::uint16_t proto, const Bytes& payload,
                 std::uint32_t extra_words = 0) {
  Bytes b;
  put16(b, flags);
  put16(b, proto);
  for (std::uint32_t i = 0; i < extra_words; ++i)
    put32(b, 0x11223344);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline const std::string_view kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

}  // namespace sipflow::test
