#pragma once
// Encrypted conversations: TLS connections sipflow can see but not read
// (SIP over TLS, WSS). Reported once per connection so that the CLI can list
// them next to the calls it could decode.

#include <cstdint>
#include <string>

#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/timestamp.hpp"

namespace sipflow::capture {

/// Why a conversation was reported.
enum class ConversationEnd : std::uint8_t {
  Closed,        ///< FIN in both directions
  Reset,         ///< RST
  IdleTimeout,   ///< no segment for TcpLimits::idle_timeout_ns of capture time
  Replaced,      ///< a new SYN reused the addresses and ports
  EndOfCapture,  ///< still open when the input ended (PacketDecoder::finish)
};

/// One TLS connection. Owning: every field is a value, safe to keep.
struct EncryptedConversation {
  std::uint64_t id = 0;  ///< connection serial number (same order as the streams)
  Endpoint client;       ///< sender of the ClientHello (or SYN); else the first sender seen
  Endpoint server;
  /// Wss when the ALPN (the server's choice when visible, else the client's
  /// offer) has "http/1.1" or "h2": a WebSocket handshake inside; else Tls.
  Transport transport = Transport::Tls;
  /// Negotiated version from the ServerHello (supported_versions first, RFC
  /// 8446 §4.2.1), else the ClientHello's; 0x0303 = TLS 1.2, 0x0304 = TLS 1.3;
  /// 0 when no hello was captured.
  std::uint16_t version = 0;
  std::string sni;   ///< server_name (RFC 6066 §3) of the ClientHello; "" when absent
  std::string alpn;  ///< ALPN (RFC 7301): the server's choice when visible, else the
                     ///< client's offer, comma-separated; "" when absent
  bool client_hello_seen = false;
  bool server_hello_seen = false;
  Timestamp first_seen;
  Timestamp last_seen;
  std::uint64_t first_frame = 0;
  std::uint64_t last_frame = 0;
  std::uint64_t frames = 0;                  ///< TCP segments of the connection, both ways
  std::uint64_t bytes_client_to_server = 0;  ///< TCP payload bytes, in order, no retransmissions
  std::uint64_t bytes_server_to_client = 0;
  ConversationEnd end = ConversationEnd::EndOfCapture;
};

/// "TLS 1.2", "TLS 1.3", "SSL 3.0", "" for 0, or "0x7f1c" for others.
std::string tls_version_name(std::uint16_t version);

/// Receives encrypted conversations as they end, synchronously.
class ConversationSink {
 public:
  virtual ~ConversationSink() = default;
  /// `conversation` is borrowed for the duration of the call.
  virtual void on_encrypted(const EncryptedConversation& conversation) = 0;
};

}  // namespace sipflow::capture
