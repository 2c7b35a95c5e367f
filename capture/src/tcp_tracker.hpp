#pragma once
// TcpTracker: the TCP connection table behind PacketDecoder.
//
// One Connection per 4-tuple (both directions), found through a flat hash
// map keyed by the canonical (lower endpoint first) tuple. Each direction
// is reassembled by a TcpStream, then handled by what its first bytes are:
//
//   SIP (or anything else)  → Payload StreamData / StreamGap / StreamEnd
//   "GET " / "HTTP/1."      → HTTP head; "Upgrade: websocket" → WebSocket
//                             frames → one Datagram (Transport::Ws) per message
//   TLS record              → ClientHello / ServerHello sniffed, bytes counted,
//                             reported as an EncryptedConversation at the end
//   "HEP3"                  → HEP packets framed by their length → Datagrams
//
// tcp_tracker.cpp has the connection life cycle, tcp_apps.cpp the handlers.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "flat_map.hpp"
#include "sipflow/capture/conversation.hpp"
#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/packet_decoder.hpp"
#include "sipflow/capture/payload.hpp"
#include "sipflow/capture/tcp_reassembly.hpp"
#include "sipflow/capture/tls.hpp"
#include "sipflow/capture/websocket.hpp"

namespace sipflow::capture::detail {

/// A connection's addresses, lower endpoint first (so both directions map
/// to the same key).
struct TcpKey {
  Endpoint a;
  Endpoint b;
  friend bool operator==(const TcpKey&, const TcpKey&) = default;
};

struct TcpKeyHash {
  std::size_t operator()(const TcpKey& k) const noexcept;
};

class TcpTracker {
 public:
  /// `options` and `diag` must outlive the tracker.
  TcpTracker(const DecoderOptions& options, Diagnostics& diag);

  void set_conversation_sink(ConversationSink* sink) noexcept { conversations_ = sink; }

  /// One TCP segment, header included (borrowed). `missing`: payload bytes
  /// the snaplen cut off after the captured ones.
  void segment(const IpAddress& src, const IpAddress& dst, std::span<const std::uint8_t> tcp,
               std::uint32_t missing, std::uint64_t frame, Timestamp ts, PayloadSink& sink);
  /// Runs the idle and hold timeouts when they are due at `now`.
  void advance(Timestamp now, std::uint64_t frame, PayloadSink& sink);
  /// Closes every connection (EndOfCapture), in the order they were opened.
  void finish(std::uint64_t frame, PayloadSink& sink);

  std::size_t connections() const noexcept { return index_.size(); }

 private:
  enum class Mode : std::uint8_t { Detect, HttpHead, Sip, WebSocket, Tls, Hep, Ignore };

  struct Direction {
    TcpStream stream;
    Mode mode = Mode::Detect;
    bool syn = false;
    bool ended = false;                // StreamEnd was sent (or nothing more will be)
    bool hep_synced = true;            // false after a gap in a HEP stream
    std::uint64_t bytes = 0;           // in-order payload bytes
    std::vector<std::uint8_t> buffer;  // a short prefix, an HTTP head, a split HEP packet
    std::unique_ptr<WebSocketParser> ws;
    std::unique_ptr<TlsHelloCollector> tls;
  };

  static constexpr std::size_t kUnknown = 2;  // direction of the client not known yet

  struct Connection {
    TcpKey key;
    std::uint64_t id = 0;  // serial number; stream ids are id*2 + direction
    std::uint32_t slot = 0;
    std::array<Direction, 2> dir;   // [0]: a → b, [1]: b → a
    std::size_t client = kUnknown;  // direction of the client
    bool live = false;
    bool ws = false;       // a WebSocket upgrade was seen
    bool closing = false;  // both directions ended: waiting for the ACK of the last FIN
    std::unique_ptr<EncryptedConversation> tls;
    Timestamp first;
    Timestamp last;
    std::uint64_t first_frame = 0;
    std::uint64_t last_frame = 0;
    std::uint64_t frames = 0;

    Endpoint src(std::size_t d) const noexcept { return d == 0 ? key.a : key.b; }
    Endpoint dst(std::size_t d) const noexcept { return d == 0 ? key.b : key.a; }
    std::uint64_t stream_id(std::size_t d) const noexcept { return id << 1 | d; }
  };

  /// Where and when what is delivered now comes from.
  struct Emit {
    std::uint64_t frame;
    Timestamp ts;
    PayloadSink& sink;
  };

  class StreamAdapter;
  class WsAdapter;

  // tcp_tracker.cpp: life cycle
  Connection* open(const TcpKey& key, std::uint64_t frame, Timestamp ts);
  void close(Connection& c, ConversationEnd why, const Emit& e);
  void end_direction(Connection& c, std::size_t d, const Emit& e);
  void report(const Connection& c, ConversationEnd why);
  TcpStreamContext context(TcpStreamSink& sink) noexcept;
  std::vector<std::uint32_t> slots_by_id(bool (*pick)(const Connection&, Timestamp, std::int64_t),
                                         Timestamp now, std::int64_t limit);

  // tcp_apps.cpp: what the in-order bytes of a direction are
  void bytes(Connection& c, std::size_t d, std::span<const std::uint8_t> b, const Emit& e);
  void dispatch(Connection& c, std::size_t d, std::span<const std::uint8_t> b, const Emit& e);
  void gap(Connection& c, std::size_t d, const Emit& e);
  void detect(Connection& c, std::size_t d, std::span<const std::uint8_t> b, const Emit& e);
  bool classify(Connection& c, std::size_t d, std::span<const std::uint8_t> b);
  void http_head(Connection& c, std::size_t d, std::span<const std::uint8_t> b, const Emit& e);
  void tls_bytes(Connection& c, std::size_t d, std::span<const std::uint8_t> b, const Emit& e);
  void hep_bytes(Connection& c, std::size_t d, std::span<const std::uint8_t> b, const Emit& e);
  void emit_stream(const Connection& c, std::size_t d, PayloadKind kind,
                   std::span<const std::uint8_t> b, const Emit& e);

  const DecoderOptions& options_;
  Diagnostics& diag_;
  ConversationSink* conversations_ = nullptr;
  FlatMap<TcpKey, std::uint32_t, TcpKeyHash> index_;
  std::vector<Connection> conns_;
  std::vector<std::uint32_t> free_;
  TcpBudget budget_;
  std::uint64_t next_id_ = 1;
  std::int64_t next_idle_sweep_ = INT64_MIN;
  std::int64_t next_hold_sweep_ = INT64_MIN;
};

}  // namespace sipflow::capture::detail
