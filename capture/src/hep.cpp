#include "sipflow/capture/hep.hpp"

#include <string_view>

#include "sipflow/capture/byte_reader.hpp"
#include "sipflow/capture/diagnostics.hpp"
#include "text.hpp"

namespace sipflow::capture {
namespace {

enum HepChunk : std::uint16_t {
  kFamily = 1,
  kProtocol = 2,
  kSrc4 = 3,
  kDst4 = 4,
  kSrc6 = 5,
  kDst6 = 6,
  kSrcPort = 7,
  kDstPort = 8,
  kSeconds = 9,
  kMicros = 10,
  kPayloadType = 11,
  kCaptureId = 12,
  kPayload = 15,
  kCompressedPayload = 16,
};

constexpr std::uint8_t kAfInet = 2;
// AF_INET6 is 10 on Linux, 24/28/30 on the BSDs and macOS.
bool is_af_inet6(std::uint8_t f) {
  return f == 10 || f == 24 || f == 28 || f == 30;
}

using detail::iequals;
using detail::trim;

// RFC 3261 §25.1: sent-protocol = protocol-name SLASH protocol-version SLASH
// transport, with SLASH = SWS "/" SWS. Returns the transport token, or "".
std::string_view sent_transport(std::string_view value) {
  std::string_view rest = value;
  for (int part = 0; part < 2; ++part) {
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return {};
    std::string_view word = trim(rest.substr(0, slash));
    if (!iequals(word, part == 0 ? "SIP" : "2.0")) return {};
    rest = rest.substr(slash + 1);
  }
  rest = trim(rest);
  std::size_t end = rest.find_first_of(" \t;,");
  return rest.substr(0, end);
}

// The transport named by the top Via (RFC 3261 §20.42, compact form "v"),
// which is the hop the message was captured on; nullopt when absent.
std::optional<Transport> top_via_transport(std::span<const std::uint8_t> payload) {
  std::string_view m(reinterpret_cast<const char*>(payload.data()), payload.size());  // SIP text
  std::size_t pos = m.find('\n');  // after the start line
  while (pos != std::string_view::npos && pos + 1 < m.size()) {
    std::size_t next = m.find('\n', pos + 1);
    std::string_view line =
        m.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the headers
    std::size_t colon = line.find(':');
    std::string_view name = trim(line.substr(0, colon));
    if (colon != std::string_view::npos && (iequals(name, "Via") || iequals(name, "v"))) {
      std::string_view t = sent_transport(line.substr(colon + 1));
      if (iequals(t, "TLS")) return Transport::Tls;
      if (iequals(t, "WS")) return Transport::Ws;
      if (iequals(t, "WSS")) return Transport::Wss;
      return std::nullopt;
    }
    pos = next;
  }
  return std::nullopt;
}

Transport transport_of(std::uint8_t ip_protocol, std::span<const std::uint8_t> payload) {
  switch (ip_protocol) {
    case 6:
      return Transport::Tcp;
    case 132:
      return Transport::Sctp;
    case 22:  // Kamailio's stand-in for TLS, WS and WSS alike: the Via tells which
      return top_via_transport(payload).value_or(Transport::Tls);
    default:
      return Transport::Udp;
  }
}

Timestamp make_ts(std::uint32_t s, std::uint32_t us) {
  return Timestamp{static_cast<std::int64_t>(s) * 1'000'000'000 +
                   static_cast<std::int64_t>(us) * 1000};
}

Result<HepPacket> parse_v3(std::span<const std::uint8_t> b) {
  ByteReader r(b);
  r.skip(4);
  std::uint16_t total = r.be16();
  if (!r.ok()) return Error{"truncated_hep", 0};
  if (total < 6) return Error{"bad_hep", 4};
  if (total > b.size()) return Error{"truncated_hep", 4};
  ByteReader chunks(b.subspan(6, total - 6u));

  HepPacket h;
  h.version = 3;
  std::uint8_t family = 0;
  bool have_src = false, have_dst = false, have_payload = false;
  std::optional<std::uint32_t> sec, usec;
  while (chunks.remaining() > 0) {
    auto at = static_cast<std::uint32_t>(6 + chunks.offset());
    std::uint16_t vendor = chunks.be16();
    std::uint16_t type = chunks.be16();
    std::uint16_t len = chunks.be16();
    if (!chunks.ok()) return Error{"truncated_hep", at};
    if (len < 6) return Error{"bad_hep", at};
    auto data = chunks.take(len - 6u);
    if (!chunks.ok()) return Error{"truncated_hep", at};
    if (vendor != 0) continue;  // vendor-specific chunks: not needed
    ByteReader d(data);
    auto exact = [&](std::size_t n) { return data.size() == n; };
    switch (type) {
      case kFamily:
        family = d.u8();
        break;
      case kProtocol:
        h.ip_protocol = d.u8();
        break;
      case kSrc4:
      case kDst4:
        if (!exact(4)) return Error{"bad_hep", at};
        (type == kSrc4 ? h.src : h.dst).ip = IpAddress::v4(data.data());
        (type == kSrc4 ? have_src : have_dst) = true;
        break;
      case kSrc6:
      case kDst6:
        if (!exact(16)) return Error{"bad_hep", at};
        (type == kSrc6 ? h.src : h.dst).ip = IpAddress::v6(data.data());
        (type == kSrc6 ? have_src : have_dst) = true;
        break;
      case kSrcPort:
        h.src.port = d.be16();
        break;
      case kDstPort:
        h.dst.port = d.be16();
        break;
      case kSeconds:
        sec = d.be32();
        break;
      case kMicros:
        usec = d.be32();
        break;
      case kPayloadType:
        h.payload_type = d.u8();
        break;
      case kCaptureId:  // 32 bits in the spec; some senders put 16
        h.capture_id = data.size() == 2 ? d.be16() : d.be32();
        break;
      case kPayload:
      case kCompressedPayload:
        h.payload = data;
        h.compressed = type == kCompressedPayload;
        have_payload = true;
        break;
      default:
        break;
    }
    if (!d.ok()) return Error{"bad_hep", at};
  }
  if (!have_src || !have_dst) return Error{"bad_hep", 0};
  if (family != 0 && family != kAfInet && !is_af_inet6(family)) return Error{"bad_hep", 0};
  if (!have_payload || h.payload.empty()) return Error{"hep_no_payload", 0};
  if (sec) h.ts = make_ts(*sec, usec.value_or(0));
  h.transport =
      h.compressed ? transport_of(h.ip_protocol, {}) : transport_of(h.ip_protocol, h.payload);
  return h;
}

Result<HepPacket> parse_v12(std::span<const std::uint8_t> b) {
  ByteReader r(b);
  HepPacket h;
  h.version = r.u8();
  if (!r.ok() || (h.version != 1 && h.version != 2)) return Error{"not_hep", 0};
  r.skip(1);  // hp_l: not trusted (see the header)
  std::uint8_t family = r.u8();
  h.ip_protocol = r.u8();
  h.src.port = r.be16();
  h.dst.port = r.be16();
  if (!r.ok()) return Error{"not_hep", 0};
  if (family == kAfInet) {
    auto s = r.take(4), d = r.take(4);
    if (r.ok()) {
      h.src.ip = IpAddress::v4(s.data());
      h.dst.ip = IpAddress::v4(d.data());
    }
  } else if (is_af_inet6(family)) {
    auto s = r.take(16), d = r.take(16);
    if (r.ok()) {
      h.src.ip = IpAddress::v6(s.data());
      h.dst.ip = IpAddress::v6(d.data());
    }
  } else {
    return Error{"not_hep", 2};
  }
  if (h.version == 2) {
    std::uint32_t sec = r.le32();
    std::uint32_t usec = r.le32();
    h.capture_id = r.le16();
    r.skip(2);  // struct hep_timehdr is padded to 12 bytes
    if (r.ok()) h.ts = make_ts(sec, usec);
  }
  if (!r.ok()) return Error{"truncated_hep", static_cast<std::uint32_t>(r.offset())};
  h.payload = r.rest();
  if (h.payload.empty()) return Error{"hep_no_payload", static_cast<std::uint32_t>(r.offset())};
  h.transport = transport_of(h.ip_protocol, h.payload);
  return h;
}

}  // namespace

bool looks_like_hep3(std::span<const std::uint8_t> b) noexcept {
  return b.size() >= 4 && b[0] == 'H' && b[1] == 'E' && b[2] == 'P' && b[3] == '3';
}

std::size_t hep3_length(std::span<const std::uint8_t> b) noexcept {
  if (b.size() < 6 || !looks_like_hep3(b)) return 0;
  return std::size_t{b[4]} << 8 | std::size_t{b[5]};
}

Result<HepPacket> parse_hep(std::span<const std::uint8_t> bytes) {
  if (looks_like_hep3(bytes)) return parse_v3(bytes);
  return parse_v12(bytes);
}

Payload hep_payload(const HepPacket& hep, std::uint64_t frame, Timestamp frame_ts) noexcept {
  Payload p;
  p.frame = frame;
  p.ts = hep.ts.value_or(frame_ts);
  p.src = hep.src;
  p.dst = hep.dst;
  p.transport = hep.transport;
  p.kind = PayloadKind::Datagram;
  p.bytes = hep.payload;
  return p;
}

bool deliver_hep(std::span<const std::uint8_t> bytes, std::uint64_t frame, Timestamp frame_ts,
                 Diagnostics& diag, PayloadSink& sink) {
  Result<HepPacket> h = parse_hep(bytes);
  if (!h) {
    if (h.error().code == "not_hep") return false;
    diag.skipped(h.error().code, frame);
    return true;
  }
  if (h->payload_type != 1) {  // RTCP, QoS reports, logs, ...
    diag.info("hep_not_sip", frame);
  } else if (h->compressed) {
    diag.skipped("hep_compressed_payload", frame);
  } else {
    sink.on_payload(hep_payload(*h, frame, frame_ts));
  }
  return true;
}

}  // namespace sipflow::capture
