// What the in-order bytes of a TCP direction are, decided by their first
// bytes, and what is made of them (see tcp_tracker.hpp).

#include <algorithm>
#include <string_view>

#include "sipflow/capture/hep.hpp"
#include "tcp_tracker.hpp"

namespace sipflow::capture::detail {
namespace {

enum class Match : std::uint8_t { No, Yes, Partial };

// Whether `b` starts with `word`, or is too short to tell.
Match starts_with(std::span<const std::uint8_t> b, std::string_view word) {
  std::size_t n = std::min(b.size(), word.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (b[i] != static_cast<std::uint8_t>(word[i])) return Match::No;
  }
  return n == word.size() ? Match::Yes : Match::Partial;
}

bool sip_like(std::uint8_t first) {
  return (first >= 'A' && first <= 'Z') || first == '\r' || first == '\n';
}

bool has_port(const std::vector<std::uint16_t>& ports, std::uint16_t a, std::uint16_t b) {
  return std::find(ports.begin(), ports.end(), a) != ports.end() ||
         std::find(ports.begin(), ports.end(), b) != ports.end();
}

// WSS is WebSocket (RFC 7118) inside TLS: its handshake is HTTP, so the
// client offers "http/1.1" (or "h2", RFC 8441) in ALPN (RFC 7301).
bool offers_http(const std::vector<std::string>& alpn) {
  return std::any_of(alpn.begin(), alpn.end(),
                     [](const std::string& p) { return p == "http/1.1" || p == "h2"; });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

}  // namespace

/// Turns the WebSocket messages of a direction into Datagrams.
class TcpTracker::WsAdapter final : public WebSocketSink {
 public:
  WsAdapter(const Connection& c, std::size_t d, const Emit& e) : c_(c), d_(d), e_(e) {}
  void on_ws_message(std::span<const std::uint8_t> message) override {
    Payload p;
    p.frame = e_.frame;
    p.ts = e_.ts;
    p.src = c_.src(d_);
    p.dst = c_.dst(d_);
    p.transport = Transport::Ws;
    p.kind = PayloadKind::Datagram;
    p.stream = c_.stream_id(d_);
    p.bytes = message;
    e_.sink.on_payload(p);
  }

 private:
  const Connection& c_;
  std::size_t d_;
  const Emit& e_;
};

void TcpTracker::emit_stream(const Connection& c, std::size_t d, PayloadKind kind,
                             std::span<const std::uint8_t> b, const Emit& e) {
  Payload p;
  p.frame = e.frame;
  p.ts = e.ts;
  p.src = c.src(d);
  p.dst = c.dst(d);
  p.transport = Transport::Tcp;
  p.kind = kind;
  p.stream = c.stream_id(d);
  p.bytes = b;
  e.sink.on_payload(p);
}

void TcpTracker::bytes(Connection& c, std::size_t d, std::span<const std::uint8_t> b,
                       const Emit& e) {
  c.dir[d].bytes += b.size();
  dispatch(c, d, b, e);
}

void TcpTracker::dispatch(Connection& c, std::size_t d, std::span<const std::uint8_t> b,
                          const Emit& e) {
  Direction& D = c.dir[d];
  switch (D.mode) {
    case Mode::Detect:
      return detect(c, d, b, e);
    case Mode::Sip:  // the fast path: a view of the frame, straight through
      return emit_stream(c, d, PayloadKind::StreamData, b, e);
    case Mode::HttpHead:
      return http_head(c, d, b, e);
    case Mode::WebSocket: {
      WsAdapter ws(c, d, e);
      D.ws->feed(b, e.frame, diag_, ws);
      return;
    }
    case Mode::Tls:
      return tls_bytes(c, d, b, e);
    case Mode::Hep:
      return hep_bytes(c, d, b, e);
    case Mode::Ignore:
      return;
  }
}

void TcpTracker::gap(Connection& c, std::size_t d, const Emit& e) {
  Direction& D = c.dir[d];
  switch (D.mode) {
    case Mode::Detect:
      D.buffer.clear();
      return;
    case Mode::Sip:
      return emit_stream(c, d, PayloadKind::StreamGap, {}, e);
    case Mode::HttpHead:  // the head is lost: what follows cannot be framed
      D.buffer = {};
      D.mode = Mode::Ignore;
      return;
    case Mode::WebSocket:
      D.ws->gap();
      return;
    case Mode::Tls:
      D.tls.reset();  // a hello split by the gap cannot be read
      return;
    case Mode::Hep:
      D.buffer.clear();
      D.hep_synced = false;
      return;
    case Mode::Ignore:
      return;
  }
}

void TcpTracker::detect(Connection& c, std::size_t d, std::span<const std::uint8_t> b,
                        const Emit& e) {
  Direction& D = c.dir[d];
  if (D.buffer.empty()) {
    if (!classify(c, d, b)) {
      D.buffer.assign(b.begin(), b.end());  // a few bytes; wait for more
      return;
    }
    return dispatch(c, d, b, e);
  }
  D.buffer.insert(D.buffer.end(), b.begin(), b.end());
  if (!classify(c, d, D.buffer)) return;
  std::vector<std::uint8_t> prefix = std::move(D.buffer);
  D.buffer.clear();
  dispatch(c, d, prefix, e);
}

bool TcpTracker::classify(Connection& c, std::size_t d, std::span<const std::uint8_t> b) {
  Direction& D = c.dir[d];
  Mode mode = Mode::Sip;
  bool partial = false;
  auto test = [&](std::string_view word, Mode m) {
    Match x = starts_with(b, word);
    if (x == Match::Yes) mode = m;
    partial = partial || x == Match::Partial;
    return x == Match::Yes;
  };
  if (c.tls) {
    mode = Mode::Tls;
  } else if (b.empty()) {
    return false;
  } else if (looks_like_tls_record(b)) {
    mode = Mode::Tls;
  } else if (test("HEP3", Mode::Hep) || test("GET ", Mode::HttpHead) ||
             test("HTTP/1.", Mode::HttpHead)) {
  } else if (partial || (b.size() < 3 && b[0] >= 20 && b[0] <= 23)) {
    if (b.size() < 8) return false;  // too short to tell yet
  } else if (WebSocketParser(options_.websocket).looks_like_message_start(b)) {
    mode = Mode::WebSocket;  // picked up after the handshake
  } else if (has_port(options_.tls_ports, c.key.a.port, c.key.b.port) && !sip_like(b[0])) {
    mode = Mode::Tls;  // a TLS port, picked up after the handshake
  }
  D.mode = mode;
  if (mode == Mode::Tls) {
    if (!c.tls) c.tls = std::make_unique<EncryptedConversation>();
    D.tls = std::make_unique<TlsHelloCollector>();
  } else if (mode == Mode::WebSocket) {
    D.ws = std::make_unique<WebSocketParser>(options_.websocket);
    D.ws->gap();  // resume at the first message start
    diag_.info("websocket_midstream");
  }
  return true;
}

void TcpTracker::http_head(Connection& c, std::size_t d, std::span<const std::uint8_t> b,
                           const Emit& e) {
  Direction& D = c.dir[d];
  D.buffer.insert(D.buffer.end(), b.begin(), b.end());
  std::size_t n = http_head_length(D.buffer);
  if (n == 0) {
    if (D.buffer.size() > options_.websocket.max_handshake) {
      diag_.limit("websocket_handshake_too_large", e.frame);
      D.buffer = {};
      D.mode = Mode::Ignore;
    }
    return;
  }
  std::string_view head(reinterpret_cast<const char*>(D.buffer.data()), n);  // ASCII head
  Result<HttpUpgrade> u = parse_http_upgrade(head);
  std::vector<std::uint8_t> rest(D.buffer.begin() + static_cast<std::ptrdiff_t>(n), D.buffer.end());
  D.buffer = {};
  // RFC 6455 §4.1-4.2: the client asks with "Upgrade: websocket"; the server
  // agrees with 101. Frames follow each head in its own direction.
  if (!u || !u->websocket || !(u->request || u->status == 101)) {
    diag_.info(u && u->websocket ? "websocket_upgrade_refused" : "http_not_websocket", e.frame);
    D.mode = Mode::Ignore;
    return;
  }
  if (!c.ws) diag_.info("websocket_upgrade", e.frame);
  c.ws = true;
  if (u->request) c.client = d;
  if (!u->request && !u->sip) diag_.info("websocket_not_sip", e.frame);
  D.mode = Mode::WebSocket;
  D.ws = std::make_unique<WebSocketParser>(options_.websocket);
  if (!rest.empty()) dispatch(c, d, rest, e);
}

void TcpTracker::tls_bytes(Connection& c, std::size_t d, std::span<const std::uint8_t> b,
                           const Emit& e) {
  Direction& D = c.dir[d];
  if (!D.tls) return;
  auto hello = D.tls->feed(b);
  if (D.tls->state() != TlsHelloCollector::State::Collecting) D.tls.reset();
  if (!hello) return;
  if (!*hello) {
    diag_.warning("tls_bad_hello", e.frame);
    return;
  }
  const TlsHello& h = hello->value();
  EncryptedConversation& conv = *c.tls;
  if (h.client) {
    conv.client_hello_seen = true;
    c.client = d;
    conv.sni = h.sni;
    if (!conv.server_hello_seen) {  // the server's choice wins when it is seen
      conv.version = h.version;
      conv.alpn = join(h.alpn);
      conv.transport = offers_http(h.alpn) ? Transport::Wss : Transport::Tls;
    }
  } else {
    conv.server_hello_seen = true;
    conv.version = h.version;
    if (!h.alpn.empty()) {
      conv.alpn = join(h.alpn);
      conv.transport = offers_http(h.alpn) ? Transport::Wss : Transport::Tls;
    }
  }
}

void TcpTracker::hep_bytes(Connection& c, std::size_t d, std::span<const std::uint8_t> b,
                           const Emit& e) {
  // HEPv3 over TCP: packets back to back, each framed by its length field.
  Direction& D = c.dir[d];
  if (!D.hep_synced) {  // after a gap: resume at the next "HEP3"
    auto it = std::search(b.begin(), b.end(), std::begin("HEP3"), std::end("HEP3") - 1);
    if (it == b.end()) return;
    b = b.subspan(static_cast<std::size_t>(it - b.begin()));
    D.hep_synced = true;
  }
  std::span<const std::uint8_t> in = b;
  if (!D.buffer.empty()) {
    D.buffer.insert(D.buffer.end(), b.begin(), b.end());
    in = D.buffer;
  }
  std::size_t pos = 0;
  while (in.size() - pos >= 6) {
    auto rest = in.subspan(pos);
    std::size_t total = hep3_length(rest);
    if (total < 6) {
      diag_.skipped("hep_bad_stream", e.frame);
      D.buffer = {};
      D.hep_synced = false;
      return;
    }
    if (rest.size() < total) break;
    if (!deliver_hep(rest.first(total), e.frame, e.ts, diag_, e.sink)) {
      diag_.skipped("bad_hep", e.frame);
    }
    pos += total;
  }
  if (in.data() == D.buffer.data()) {
    D.buffer.erase(D.buffer.begin(), D.buffer.begin() + static_cast<std::ptrdiff_t>(pos));
  } else {
    D.buffer.assign(in.begin() + static_cast<std::ptrdiff_t>(pos), in.end());
  }
}

}  // namespace sipflow::capture::detail
