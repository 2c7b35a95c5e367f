#include "sipflow/capture/websocket.hpp"

#include <algorithm>

#include "sipflow/capture/byte_reader.hpp"
#include "text.hpp"

namespace sipflow::capture {
namespace {

constexpr std::uint8_t kContinuation = 0x0;
constexpr std::uint8_t kText = 0x1;
constexpr std::uint8_t kBinary = 0x2;
constexpr std::uint8_t kClose = 0x8;
constexpr std::uint8_t kPing = 0x9;
constexpr std::uint8_t kPong = 0xA;
constexpr std::uint8_t kRsv1 = 0x4;  // RFC 7692: the message is compressed

using detail::iequals;
using detail::trim;

// True when the comma-separated `list` has `token` (case-insensitive), e.g.
// "Upgrade: websocket" or "Sec-WebSocket-Protocol: sip, foo" (RFC 6455 §4.3).
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    std::size_t semi = item.find(';');  // extension parameters
    if (iequals(trim(item.substr(0, semi)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::size_t http_head_length(std::span<const std::uint8_t> b) noexcept {
  for (std::size_t i = 0; i + 1 < b.size(); ++i) {
    if (b[i] != '\n') continue;
    if (b[i + 1] == '\n') return i + 2;
    if (b[i + 1] == '\r' && i + 2 < b.size() && b[i + 2] == '\n') return i + 3;
  }
  return 0;
}

Result<HttpUpgrade> parse_http_upgrade(std::string_view head) {
  HttpUpgrade u;
  std::size_t eol = head.find('\n');
  std::string_view first = trim(head.substr(0, eol));
  if (first.substr(0, 4) == "GET ") {
    u.request = true;
  } else if (first.substr(0, 7) == "HTTP/1." && first.size() >= 12 && first[8] == ' ') {
    std::string_view code = first.substr(9, 3);
    if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Error{"not_http", 9};
    }
    u.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  } else {
    return Error{"not_http", 0};
  }
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 1);
    eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "upgrade")) {
      u.websocket = u.websocket || has_token(value, "websocket");
    } else if (iequals(name, "sec-websocket-protocol")) {
      u.sip = u.sip || has_token(value, "sip");
    } else if (iequals(name, "sec-websocket-extensions")) {
      u.compressed = u.compressed || has_token(value, "permessage-deflate");
    }
  }
  return u;
}

std::size_t WebSocketParser::header_bytes_needed(std::span<const std::uint8_t> d) noexcept {
  if (d.size() < 2) return 2;
  std::uint8_t len7 = d[1] & 0x7F;
  return 2 + (len7 == 126 ? 2u : len7 == 127 ? 8u : 0u) + ((d[1] & 0x80) ? 4u : 0u);
}

WebSocketParser::Parsed WebSocketParser::parse_header(std::span<const std::uint8_t> d,
                                                      Header& h) noexcept {
  if (d.size() < header_bytes_needed(d)) return Parsed::NeedMore;
  ByteReader r(d);
  std::uint8_t b0 = r.u8();
  std::uint8_t b1 = r.u8();
  h.fin = (b0 & 0x80) != 0;
  h.rsv = static_cast<std::uint8_t>((b0 >> 4) & 0x7);
  h.opcode = b0 & 0x0F;
  h.masked = (b1 & 0x80) != 0;
  h.length = b1 & 0x7Fu;
  if (h.length == 126) {
    h.length = r.be16();
  } else if (h.length == 127) {
    std::uint64_t hi = r.be32();
    h.length = hi << 32 | r.be32();
    if (hi & 0x80000000u) return Parsed::Bad;  // the most significant bit must be 0
  }
  if (h.masked) {
    auto key = r.take(4);
    if (r.ok()) std::copy(key.begin(), key.end(), h.key);
  }
  if (!r.ok()) return Parsed::NeedMore;
  h.header_length = r.offset();
  return Parsed::Ok;
}

bool WebSocketParser::looks_like_message_start(std::span<const std::uint8_t> d) const noexcept {
  // A new SIP message in one text or binary frame starts with a method or "SIP/2.0".
  Header h;
  if (parse_header(d, h) != Parsed::Ok) return false;
  if (!h.fin || h.rsv != 0 || (h.opcode != kText && h.opcode != kBinary)) return false;
  if (h.length == 0 || h.length > limits_.max_message || d.size() <= h.header_length) return false;
  auto first = static_cast<std::uint8_t>(d[h.header_length] ^ (h.masked ? h.key[0] : 0));
  return first >= 'A' && first <= 'Z';
}

void WebSocketParser::desync(std::uint64_t frame, Diagnostics& diag) {
  diag.skipped("websocket_desync", frame);
  gap();
}

void WebSocketParser::gap() noexcept {
  desynced_ = true;
  pending_.clear();
  message_.clear();
  skip_ = 0;
  in_message_ = false;
  dropping_ = false;
}

void WebSocketParser::feed(std::span<const std::uint8_t> in, std::uint64_t frame, Diagnostics& diag,
                           WebSocketSink& sink) {
  if (desynced_) {
    if (!looks_like_message_start(in)) return;
    desynced_ = false;
    diag.info("websocket_resync", frame);
  }
  while (!in.empty() && !desynced_) {
    if (skip_ > 0) {
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, in.size()));
      in = in.subspan(n);
      skip_ -= n;
      continue;
    }
    if (pending_.empty()) {
      std::size_t used = consume(in, frame, diag, sink);
      if (used == 0) {  // an incomplete frame: keep it (bounded by the limits)
        pending_.assign(in.begin(), in.end());
        return;
      }
      in = in.subspan(used);
      continue;
    }
    // Complete the pending frame without taking bytes of the next one.
    std::size_t need = header_bytes_needed(pending_);
    Header h;
    if (parse_header(pending_, h) == Parsed::Ok) {
      bool oversized = (h.opcode & 0x8) == 0 && h.length > limits_.max_message;
      need = oversized ? pending_.size() : h.header_length + static_cast<std::size_t>(h.length);
    }
    std::size_t take = std::min(in.size(), need - std::min(need, pending_.size()));
    pending_.insert(pending_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
    in = in.subspan(take);
    std::size_t used = consume(pending_, frame, diag, sink);
    if (used > 0) {
      pending_.clear();
    } else if (take == 0) {
      break;  // cannot happen: a frame that needs no more bytes is complete
    }
  }
}

std::size_t WebSocketParser::consume(std::span<const std::uint8_t> d, std::uint64_t frame,
                                     Diagnostics& diag, WebSocketSink& sink) {
  Header h;
  switch (parse_header(d, h)) {
    case Parsed::NeedMore:
      return 0;
    case Parsed::Bad:
      diag.skipped("websocket_bad_frame", frame);
      desync(frame, diag);
      return d.size();
    case Parsed::Ok:
      break;
  }
  bool control = (h.opcode & 0x8) != 0;
  if (control && (!h.fin || h.length > 125)) {  // RFC 6455 §5.5
    diag.skipped("websocket_bad_frame", frame);
    desync(frame, diag);
    return d.size();
  }
  std::uint64_t available = d.size() - h.header_length;
  if (!control && h.length > limits_.max_message) {
    diag.limit("websocket_message_too_large", frame);
    if (h.opcode != kContinuation || in_message_) {
      message_.clear();
      in_message_ = !h.fin;
      dropping_ = !h.fin;
    }
    std::uint64_t taken = std::min(available, h.length);
    skip_ = h.length - taken;
    return h.header_length + static_cast<std::size_t>(taken);
  }
  if (available < h.length) return 0;
  auto len = static_cast<std::size_t>(h.length);
  frame_payload(h, d.subspan(h.header_length, len), frame, diag, sink);
  return h.header_length + len;
}

void WebSocketParser::frame_payload(const Header& h, std::span<const std::uint8_t> payload,
                                    std::uint64_t frame, Diagnostics& diag, WebSocketSink& sink) {
  switch (h.opcode) {
    case kClose:
      diag.info("websocket_close", frame);
      return;
    case kPing:
      diag.info("websocket_ping", frame);
      return;
    case kPong:
      diag.info("websocket_pong", frame);
      return;
    case kText:
    case kBinary:
      if (in_message_) diag.skipped("websocket_bad_frame", frame);  // previous one unfinished
      in_message_ = true;
      dropping_ = false;
      message_.clear();
      if (h.rsv & kRsv1) {
        diag.skipped("websocket_compressed", frame);
        dropping_ = true;
      }
      break;
    case kContinuation:
      if (!in_message_) {
        diag.skipped("websocket_bad_frame", frame);
        return;
      }
      break;
    default:  // reserved opcodes: the peer would fail the connection (§5.2)
      diag.skipped("websocket_bad_frame", frame);
      desync(frame, diag);
      return;
  }
  if ((h.rsv & ~kRsv1) != 0 && !dropping_) {  // an extension we do not know
    diag.skipped("websocket_bad_frame", frame);
    dropping_ = true;
  }
  if (dropping_) {
    if (h.fin) {
      in_message_ = false;
      dropping_ = false;
    }
    return;
  }
  if (h.fin && message_.empty() && !h.masked) {  // whole and readable in place
    in_message_ = false;
    sink.on_ws_message(payload);
    return;
  }
  if (message_.size() + payload.size() > limits_.max_message) {
    diag.limit("websocket_message_too_large", frame);
    message_.clear();
    in_message_ = !h.fin;
    dropping_ = !h.fin;
    return;
  }
  std::size_t start = message_.size();
  message_.insert(message_.end(), payload.begin(), payload.end());
  if (h.masked) {  // RFC 6455 §5.3: octet i is XORed with key[i mod 4]
    for (std::size_t i = 0; i < payload.size(); ++i)
      message_[start + i] ^= h.key[i & 3];
  }
  if (h.fin) {
    in_message_ = false;
    sink.on_ws_message(message_);
    message_.clear();
  }
}

}  // namespace sipflow::capture
