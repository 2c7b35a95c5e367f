#include "sipflow/capture/tls.hpp"

#include <fmt/format.h>

#include "sipflow/capture/byte_reader.hpp"
#include "sipflow/capture/conversation.hpp"

namespace sipflow::capture {
namespace {

constexpr std::uint8_t kHandshakeRecord = 22;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint16_t kExtServerName = 0;
constexpr std::uint16_t kExtAlpn = 16;
constexpr std::uint16_t kExtSupportedVersions = 43;
constexpr std::size_t kMaxCollected = 64u << 10;

std::string text_of(std::span<const std::uint8_t> b) {
  return {b.begin(), b.end()};
}

// RFC 8701: GREASE values are 0x?a?a with both bytes equal.
bool is_grease(std::uint16_t v) {
  return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

void server_name(ByteReader r, TlsHello& h) {
  // RFC 6066 §3: ServerNameList, entries of name_type (0 = host_name) and a name.
  ByteReader list(r.take(r.be16()));
  while (list.ok() && list.remaining() > 0) {
    std::uint8_t type = list.u8();
    auto name = list.take(list.be16());
    if (list.ok() && type == 0 && h.sni.empty()) h.sni = text_of(name);
  }
}

void alpn(ByteReader r, TlsHello& h) {
  // RFC 7301 §3.1: ProtocolNameList of 8-bit-length names.
  ByteReader list(r.take(r.be16()));
  while (list.ok() && list.remaining() > 0) {
    auto name = list.take(list.u8());
    if (list.ok()) h.alpn.push_back(text_of(name));
  }
}

void supported_versions(ByteReader r, TlsHello& h) {
  if (!h.client) {  // ServerHello: the selected version
    std::uint16_t v = r.be16();
    if (r.ok()) h.version = v;
    return;
  }
  ByteReader list(r.take(r.u8()));
  std::uint16_t best = 0;
  while (list.ok() && list.remaining() >= 2) {
    std::uint16_t v = list.be16();
    if (!is_grease(v) && v > best) best = v;
  }
  if (best != 0) h.version = best;
}

}  // namespace

bool looks_like_tls_record(std::span<const std::uint8_t> b) noexcept {
  return b.size() >= 3 && b[0] >= 20 && b[0] <= 23 && b[1] == 3 && b[2] <= 4;
}

Result<TlsHello> parse_tls_hello(std::span<const std::uint8_t> handshake) {
  ByteReader r(handshake);
  std::uint8_t type = r.u8();
  std::uint32_t len = std::uint32_t{r.u8()} << 16;
  len |= r.be16();
  if (!r.ok()) return Error{"truncated_hello", 0};
  if (type != kClientHello && type != kServerHello) return Error{"not_a_hello", 0};
  ByteReader b(r.take(len));
  if (!r.ok()) return Error{"truncated_hello", static_cast<std::uint32_t>(r.offset())};

  TlsHello h;
  h.client = type == kClientHello;
  h.legacy_version = b.be16();
  h.version = h.legacy_version;
  b.skip(32);      // random
  b.skip(b.u8());  // legacy_session_id
  if (h.client) {
    b.skip(b.be16());  // cipher_suites
    b.skip(b.u8());    // legacy_compression_methods
  } else {
    b.skip(3);  // cipher_suite, legacy_compression_method
  }
  if (!b.ok()) return Error{"bad_hello", static_cast<std::uint32_t>(4 + b.offset())};
  if (b.remaining() == 0) return h;  // no extensions (TLS 1.0-era hello)

  ByteReader exts(b.take(b.be16()));
  if (!b.ok()) return Error{"bad_hello", static_cast<std::uint32_t>(4 + b.offset())};
  while (exts.remaining() > 0) {
    std::uint16_t ext = exts.be16();
    ByteReader data(exts.take(exts.be16()));
    if (!exts.ok()) return Error{"bad_hello", static_cast<std::uint32_t>(4 + b.offset())};
    switch (ext) {
      case kExtServerName:
        if (h.client) server_name(data, h);
        break;
      case kExtAlpn:
        alpn(data, h);
        break;
      case kExtSupportedVersions:
        supported_versions(data, h);
        break;
      default:
        break;
    }
  }
  return h;
}

std::optional<Result<TlsHello>> TlsHelloCollector::feed(std::span<const std::uint8_t> bytes) {
  if (state_ != State::Collecting) return std::nullopt;
  if (records_.size() + bytes.size() > kMaxCollected) {
    state_ = State::TooLarge;
    records_ = {};
    handshake_ = {};
    return std::nullopt;
  }
  records_.insert(records_.end(), bytes.begin(), bytes.end());
  std::size_t pos = 0;
  std::optional<Result<TlsHello>> out;
  // RFC 8446 §5.1: records of type, legacy version, 16-bit length; a
  // handshake message may be split over several records.
  while (records_.size() - pos >= 5) {
    ByteReader r(std::span<const std::uint8_t>(records_).subspan(pos));
    std::uint8_t type = r.u8();
    r.skip(2);
    std::uint16_t len = r.be16();
    if (type != kHandshakeRecord) {
      state_ = State::NotHandshake;
      break;
    }
    auto fragment = r.take(len);
    if (!r.ok()) break;  // record not complete yet
    handshake_.insert(handshake_.end(), fragment.begin(), fragment.end());
    pos += 5 + std::size_t{len};
    if (handshake_.size() < 4) continue;
    std::size_t need = 4 + (std::size_t{handshake_[1]} << 16 | std::size_t{handshake_[2]} << 8 |
                            std::size_t{handshake_[3]});
    if (need > kMaxCollected) {
      state_ = State::TooLarge;
      break;
    }
    if (handshake_.size() >= need) {
      state_ = State::Done;
      out = parse_tls_hello(std::span<const std::uint8_t>(handshake_).first(need));
      break;
    }
  }
  if (state_ != State::Collecting) {
    records_ = {};
    handshake_ = {};
  } else {
    records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(pos));
  }
  return out;
}

std::string tls_version_name(std::uint16_t v) {
  switch (v) {
    case 0:
      return "";
    case 0x0300:
      return "SSL 3.0";
    case 0x0301:
      return "TLS 1.0";
    case 0x0302:
      return "TLS 1.1";
    case 0x0303:
      return "TLS 1.2";
    case 0x0304:
      return "TLS 1.3";
    default:
      return fmt::format("0x{:04x}", v);
  }
}

}  // namespace sipflow::capture
