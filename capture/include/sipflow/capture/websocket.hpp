#pragma once
// SIP over WebSocket (RFC 7118): the HTTP/1.1 upgrade handshake (RFC 6455
// §4) and the framing of one direction of the stream (RFC 6455 §5.2):
//
//    0                   1                   2                   3
//   |F|R|R|R| opcode|M| len (7) | extended len (16 or 64, if 126/127)   |
//   |I|S|S|S|  (4)  |A|         |                                      |
//   |N|V|V|V|       |S|         |  masking key (32, if MASK)  | payload |
//
// Every complete data message (text or binary, continuation frames joined)
// is one SIP message.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/result.hpp"

namespace sipflow::capture {

struct WebSocketLimits {
  std::size_t max_message = 1u << 20;     ///< bytes of one message, continuation frames joined
  std::size_t max_handshake = 16u << 10;  ///< bytes of the HTTP upgrade request or response head
};

/// What an HTTP/1.1 head says about a WebSocket upgrade.
struct HttpUpgrade {
  bool request = false;     ///< a request line ("GET ...") rather than a status line
  int status = 0;           ///< status code of a response (101 = Switching Protocols)
  bool websocket = false;   ///< "Upgrade: websocket"
  bool sip = false;         ///< Sec-WebSocket-Protocol lists "sip" (RFC 7118 §4.1)
  bool compressed = false;  ///< Sec-WebSocket-Extensions lists permessage-deflate (RFC 7692)
};

/// Bytes of the HTTP head at the start of `bytes`, blank line included, or 0
/// while it is not complete.
std::size_t http_head_length(std::span<const std::uint8_t> bytes) noexcept;

/// Parses a complete HTTP head (request or response; header names are
/// case-insensitive). Error `not_http` when the first line is neither.
Result<HttpUpgrade> parse_http_upgrade(std::string_view head);

/// Receives complete WebSocket data messages.
class WebSocketSink {
 public:
  virtual ~WebSocketSink() = default;
  /// One unmasked message, borrowed for the duration of the call.
  virtual void on_ws_message(std::span<const std::uint8_t> message) = 0;
};

/// Frames one direction of a WebSocket stream. Masked payloads are unmasked
/// into a reused buffer; an unmasked single-frame message is passed on as a
/// view of the input. Counts `websocket_ping`, `websocket_pong`,
/// `websocket_close`, `websocket_bad_frame`, `websocket_compressed`,
/// `websocket_message_too_large`, `websocket_desync` and `websocket_resync`.
/// After a stream gap or a bad frame it looks for a plausible frame header
/// at the start of each later input chunk (a TCP segment) and drops the rest.
class WebSocketParser {
 public:
  explicit WebSocketParser(WebSocketLimits limits = {}) : limits_(limits) {}

  /// Feeds in-order stream bytes (borrowed). `frame` is used for diagnostics.
  void feed(std::span<const std::uint8_t> bytes, std::uint64_t frame, Diagnostics& diag,
            WebSocketSink& sink);
  /// Bytes were lost before the next feed(): frame boundaries are unknown.
  void gap() noexcept;
  /// True when `bytes` start with a whole-message text or binary frame
  /// header whose payload begins with an upper-case letter (a SIP start
  /// line): where parsing may resume after a gap.
  bool looks_like_message_start(std::span<const std::uint8_t> bytes) const noexcept;

 private:
  struct Header {
    bool fin = false;
    std::uint8_t rsv = 0;
    std::uint8_t opcode = 0;
    bool masked = false;
    std::uint8_t key[4] = {};
    std::uint64_t length = 0;
    std::size_t header_length = 0;
  };
  enum class Parsed : std::uint8_t { Ok, NeedMore, Bad };
  static Parsed parse_header(std::span<const std::uint8_t> data, Header& h) noexcept;
  static std::size_t header_bytes_needed(std::span<const std::uint8_t> data) noexcept;
  std::size_t consume(std::span<const std::uint8_t> data, std::uint64_t frame, Diagnostics& diag,
                      WebSocketSink& sink);
  void frame_payload(const Header& h, std::span<const std::uint8_t> payload, std::uint64_t frame,
                     Diagnostics& diag, WebSocketSink& sink);
  void desync(std::uint64_t frame, Diagnostics& diag);

  WebSocketLimits limits_;
  std::vector<std::uint8_t> pending_;  // one incomplete frame split over inputs
  std::vector<std::uint8_t> message_;  // the data message being assembled (unmasked)
  std::uint64_t skip_ = 0;             // payload bytes of an oversized frame still to drop
  bool in_message_ = false;
  bool dropping_ = false;  // the current message is dropped until its FIN
  bool desynced_ = false;
};

}  // namespace sipflow::capture
