#pragma once
// Builders for transport-layer bytes in capture unit tests: TCP segments,
// SCTP packets, HEP packets, WebSocket frames and TLS hellos. (The
// reassembly cases that matter most are also tested on real captures, cut
// and reordered, in tests/e2e/transport_test.cpp.)

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packet_builder.hpp"

namespace sipflow::test {

// TCP flags (RFC 9293 §3.1).
inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                 std::uint8_t flags, const Bytes& payload = {}, std::uint8_t option_words = 0) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, seq);
  put32(b, ack);
  b.push_back(static_cast<std::uint8_t>((5 + option_words) << 4));
  b.push_back(flags);
  put16(b, 65535);  // window
  put16(b, 0);      // checksum
  put16(b, 0);      // urgent pointer
  for (int i = 0; i < option_words * 4; ++i)
    b.push_back(1);  // NOP options
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline void put_le16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
inline void put_le32(Bytes& b, std::uint32_t v) {
  put_le16(b, static_cast<std::uint16_t>(v));
  put_le16(b, static_cast<std::uint16_t>(v >> 16));
}

// ---- SCTP (RFC 4960 §3) ----

inline Bytes sctp_chunk(std::uint8_t type, std::uint8_t flags, const Bytes& value) {
  Bytes b{type, flags};
  put16(b, static_cast<std::uint16_t>(value.size() + 4));
  b.insert(b.end(), value.begin(), value.end());
  while (b.size() % 4 != 0)
    b.push_back(0);
  return b;
}

/// A DATA chunk; flags: 0x2 = B(eginning), 0x1 = E(nd), 0x4 = U(nordered).
inline Bytes sctp_data(std::uint32_t tsn, std::uint16_t stream, std::uint8_t flags,
                       const Bytes& data, std::uint32_t ppid = 0, std::uint16_t ssn = 0) {
  Bytes v;
  put32(v, tsn);
  put16(v, stream);
  put16(v, ssn);
  put32(v, ppid);
  v.insert(v.end(), data.begin(), data.end());
  return sctp_chunk(0, flags, v);
}

inline Bytes sctp(std::uint16_t sport, std::uint16_t dport, std::initializer_list<Bytes> chunks,
                  std::uint32_t vtag = 0x01020304) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, vtag);
  put32(b, 0);  // CRC32c
  for (const auto& c : chunks)
    b.insert(b.end(), c.begin(), c.end());
  return b;
}

// ---- HEP ----

inline Bytes hep3_chunk(std::uint16_t type, const Bytes& data, std::uint16_t vendor = 0) {
  Bytes b;
  put16(b, vendor);
  put16(b, type);
  put16(b, static_cast<std::uint16_t>(data.size() + 6));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

inline Bytes hep3(const std::vector<Bytes>& chunks) {
  Bytes body;
  for (const auto& c : chunks)
    body.insert(body.end(), c.begin(), c.end());
  Bytes b = text("HEP3");
  put16(b, static_cast<std::uint16_t>(body.size() + 6));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

inline Bytes u8(std::uint8_t v) {
  return Bytes{v};
}
inline Bytes be16(std::uint16_t v) {
  Bytes b;
  put16(b, v);
  return b;
}
inline Bytes be32(std::uint32_t v) {
  Bytes b;
  put32(b, v);
  return b;
}

/// A HEPv3 packet as Kamailio's siptrace sends it (IPv4).
inline Bytes hep3_v4(V4 src, V4 dst, std::uint16_t sport, std::uint16_t dport,
                     std::uint8_t ip_proto, std::uint32_t sec, std::uint32_t usec,
                     const Bytes& payload, std::uint8_t payload_type = 1) {
  return hep3({hep3_chunk(1, u8(2)), hep3_chunk(2, u8(ip_proto)),
               hep3_chunk(3, Bytes{src.a, src.b, src.c, src.d}),
               hep3_chunk(4, Bytes{dst.a, dst.b, dst.c, dst.d}), hep3_chunk(7, be16(sport)),
               hep3_chunk(8, be16(dport)), hep3_chunk(9, be32(sec)), hep3_chunk(10, be32(usec)),
               hep3_chunk(11, u8(payload_type)), hep3_chunk(12, be32(2001)),
               hep3_chunk(15, payload)});
}

/// A HEPv2 packet (IPv4): fixed header, little-endian time, padded time header.
inline Bytes hep2_v4(V4 src, V4 dst, std::uint16_t sport, std::uint16_t dport,
                     std::uint8_t ip_proto, std::uint32_t sec, std::uint32_t usec,
                     const Bytes& payload) {
  Bytes b{2, 16, 2, ip_proto};
  put16(b, sport);
  put16(b, dport);
  for (auto x : {src.a, src.b, src.c, src.d, dst.a, dst.b, dst.c, dst.d})
    b.push_back(x);
  put_le32(b, sec);
  put_le32(b, usec);
  put_le16(b, 7);  // capture id
  put16(b, 0);     // struct padding
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

// ---- WebSocket (RFC 6455 §5.2) ----

inline Bytes ws_frame(bool fin, std::uint8_t opcode, const Bytes& payload,
                      std::optional<std::array<std::uint8_t, 4>> mask = std::nullopt,
                      std::uint8_t rsv = 0) {
  Bytes b;
  b.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | rsv << 4 | opcode));
  std::uint8_t m = mask ? 0x80 : 0;
  if (payload.size() < 126) {
    b.push_back(static_cast<std::uint8_t>(m | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    b.push_back(static_cast<std::uint8_t>(m | 126));
    put16(b, static_cast<std::uint16_t>(payload.size()));
  } else {
    b.push_back(static_cast<std::uint8_t>(m | 127));
    put32(b, 0);
    put32(b, static_cast<std::uint32_t>(payload.size()));
  }
  if (mask) b.insert(b.end(), mask->begin(), mask->end());
  for (std::size_t i = 0; i < payload.size(); ++i)
    b.push_back(static_cast<std::uint8_t>(payload[i] ^ (mask ? (*mask)[i % 4] : 0)));
  return b;
}

inline const std::string_view kWsUpgradeRequest =
    "GET / HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: sip\r\n"
    "\r\n";
inline const std::string_view kWsUpgradeResponse =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: sip\r\n"
    "\r\n";

// ---- TLS (RFC 8446 §4.1.2-4.1.3) ----

inline Bytes tls_record(std::uint8_t type, const Bytes& body, std::uint16_t version = 0x0301) {
  Bytes b{type};
  put16(b, version);
  put16(b, static_cast<std::uint16_t>(body.size()));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

inline Bytes tls_extension(std::uint16_t type, const Bytes& data) {
  Bytes b;
  put16(b, type);
  put16(b, static_cast<std::uint16_t>(data.size()));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

inline Bytes tls_handshake(std::uint8_t type, const Bytes& body) {
  Bytes b{type, static_cast<std::uint8_t>(body.size() >> 16),
          static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size())};
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

/// A ClientHello handshake message (not yet in a record).
inline Bytes tls_client_hello(const std::string& sni, const std::vector<std::string>& alpn,
                              const std::vector<std::uint16_t>& versions) {
  Bytes body;
  put16(body, 0x0303);
  body.insert(body.end(), 32, 0xAB);  // random
  body.push_back(0);                  // session id
  put16(body, 4);
  put16(body, 0x1301);
  put16(body, 0xC02F);
  body.push_back(1);
  body.push_back(0);  // compression: null
  Bytes exts;
  if (!sni.empty()) {
    Bytes list{0};
    put16(list, static_cast<std::uint16_t>(sni.size()));
    list.insert(list.end(), sni.begin(), sni.end());
    Bytes v;
    put16(v, static_cast<std::uint16_t>(list.size()));
    v.insert(v.end(), list.begin(), list.end());
    auto e = tls_extension(0, v);
    exts.insert(exts.end(), e.begin(), e.end());
  }
  if (!alpn.empty()) {
    Bytes list;
    for (const auto& p : alpn) {
      list.push_back(static_cast<std::uint8_t>(p.size()));
      list.insert(list.end(), p.begin(), p.end());
    }
    Bytes v;
    put16(v, static_cast<std::uint16_t>(list.size()));
    v.insert(v.end(), list.begin(), list.end());
    auto e = tls_extension(16, v);
    exts.insert(exts.end(), e.begin(), e.end());
  }
  if (!versions.empty()) {
    Bytes v{static_cast<std::uint8_t>(versions.size() * 2)};
    for (auto x : versions)
      put16(v, x);
    auto e = tls_extension(43, v);
    exts.insert(exts.end(), e.begin(), e.end());
  }
  put16(body, static_cast<std::uint16_t>(exts.size()));
  body.insert(body.end(), exts.begin(), exts.end());
  return tls_handshake(1, body);
}

/// A ServerHello handshake message; `selected` 0 = no supported_versions.
inline Bytes tls_server_hello(std::uint16_t selected, const std::string& alpn = {}) {
  Bytes body;
  put16(body, 0x0303);
  body.insert(body.end(), 32, 0xCD);
  body.push_back(0);
  put16(body, 0x1301);
  body.push_back(0);
  Bytes exts;
  if (selected != 0) {
    auto e = tls_extension(43, be16(selected));
    exts.insert(exts.end(), e.begin(), e.end());
  }
  if (!alpn.empty()) {
    Bytes list{static_cast<std::uint8_t>(alpn.size())};
    list.insert(list.end(), alpn.begin(), alpn.end());
    Bytes v;
    put16(v, static_cast<std::uint16_t>(list.size()));
    v.insert(v.end(), list.begin(), list.end());
    auto e = tls_extension(16, v);
    exts.insert(exts.end(), e.begin(), e.end());
  }
  put16(body, static_cast<std::uint16_t>(exts.size()));
  body.insert(body.end(), exts.begin(), exts.end());
  return tls_handshake(2, body);
}

/// A SIP message with a body of `body_len` bytes ('x'), Call-ID `call_id`.
inline std::string sip_message(std::string_view method, std::string_view call_id,
                               std::size_t body_len = 0) {
  std::string m = std::string(method) + " sip:bob@example.com SIP/2.0\r\n" +
                  "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-" + std::string(call_id) + "\r\n" +
                  "From: <sip:alice@example.com>;tag=1\r\n" + "To: <sip:bob@example.com>\r\n" +
                  "Call-ID: " + std::string(call_id) + "\r\n" + "CSeq: 1 " + std::string(method) +
                  "\r\n" + "Content-Length: " + std::to_string(body_len) + "\r\n\r\n" +
                  std::string(body_len, 'x');
  return m;
}

}  // namespace sipflow::test
