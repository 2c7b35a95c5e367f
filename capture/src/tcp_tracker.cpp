#include "tcp_tracker.hpp"

#include <algorithm>

#include "sipflow/capture/byte_reader.hpp"

namespace sipflow::capture::detail {
namespace {

constexpr std::uint8_t kFin = 0x01;
constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kRst = 0x04;
constexpr std::uint8_t kAck = 0x10;
constexpr std::int64_t kMinSweepNs = 1'000'000'000;

}  // namespace

std::size_t TcpKeyHash::operator()(const TcpKey& k) const noexcept {
  std::hash<Endpoint> h;
  return hash_mix(h(k.a), h(k.b));
}

/// Routes what a direction's TcpStream releases to the tracker.
class TcpTracker::StreamAdapter final : public TcpStreamSink {
 public:
  StreamAdapter(TcpTracker& t, Connection& c, std::size_t d, PayloadSink& sink)
      : t_(t), c_(c), d_(d), sink_(sink) {}
  // A direction ends at its FIN (RFC 9293 §3.10.7.4): bytes past it are not
  // part of the stream, and nothing may follow its StreamEnd.
  void on_stream_bytes(std::span<const std::uint8_t> b, std::uint64_t frame,
                       Timestamp ts) override {
    if (c_.dir[d_].ended) return t_.diag_.skipped("tcp_data_after_fin", frame);
    t_.bytes(c_, d_, b, Emit{frame, ts, sink_});
  }
  void on_stream_gap(std::uint64_t frame, Timestamp ts) override {
    if (c_.dir[d_].ended) return;
    t_.gap(c_, d_, Emit{frame, ts, sink_});
  }

 private:
  TcpTracker& t_;
  Connection& c_;
  std::size_t d_;
  PayloadSink& sink_;
};

TcpTracker::TcpTracker(const DecoderOptions& options, Diagnostics& diag)
    : options_(options), diag_(diag) {}

TcpStreamContext TcpTracker::context(TcpStreamSink& sink) noexcept {
  return TcpStreamContext{options_.tcp, budget_, diag_, sink};
}

void TcpTracker::segment(const IpAddress& src, const IpAddress& dst,
                         std::span<const std::uint8_t> tcp, std::uint32_t missing,
                         std::uint64_t frame, Timestamp ts, PayloadSink& sink) {
  // RFC 9293 §3.1: ports, sequence and acknowledgment numbers, data offset
  // (32-bit words) and flags; options are skipped with the header.
  ByteReader r(tcp);
  std::uint16_t sport = r.be16();
  std::uint16_t dport = r.be16();
  std::uint32_t seq = r.be32();
  std::uint32_t ack = r.be32();
  std::uint8_t offset = r.u8();
  std::uint8_t flags = r.u8();
  if (!r.ok()) {
    diag_.skipped("truncated_frame", frame);
    return;
  }
  std::size_t header = std::size_t{offset} / 16 * 4;
  if (header < 20 || header > tcp.size()) {
    diag_.skipped(header >= 20 && missing > 0 ? "truncated_frame" : "bad_tcp_header", frame);
    return;
  }
  std::span<const std::uint8_t> payload = tcp.subspan(header);

  Endpoint from{src, sport}, to{dst, dport};
  std::size_t d = to < from ? 1 : 0;
  TcpKey key = d == 0 ? TcpKey{from, to} : TcpKey{to, from};
  Emit e{frame, ts, sink};
  bool syn = flags & kSyn, fin = flags & kFin, rst = flags & kRst, has_ack = flags & kAck;

  Connection* c = nullptr;
  if (std::uint32_t* slot = index_.find(key)) c = &conns_[*slot];
  if (c != nullptr && syn && !has_ack) {
    const Direction& D = c->dir[d];
    if (!(D.syn && D.stream.base() == seq + 1)) {  // not a retransmitted SYN: a new connection
      diag_.info("tcp_connection_reused", frame);
      close(*c, ConversationEnd::Replaced, e);
      c = nullptr;
    }
  }
  if (c == nullptr) {
    // Segments without data cannot start anything useful (late ACKs and
    // FINs of a connection already closed or timed out).
    if (rst || (!syn && payload.empty() && missing == 0)) return;
    c = open(key, frame, ts);
    if (c == nullptr) return;
  }
  c->last = ts;
  c->last_frame = frame;
  ++c->frames;

  Direction& D = c->dir[d];
  std::uint32_t data_seq = seq;
  if (syn) {
    if (!has_ack) {
      c->client = d;
    } else if (c->client == kUnknown) {
      c->client = (d ^ 1);
    }
    if (!D.syn && D.bytes == 0 && D.stream.held_bytes() == 0) D.stream.start(seq + 1);
    D.syn = true;
    data_seq = seq + 1;  // the SYN takes one sequence number
  }
  if (!payload.empty() || missing > 0) {
    if (c->client == kUnknown) c->client = d;
    StreamAdapter a(*this, *c, d, sink);
    D.stream.add(TcpStream::Segment{data_seq, payload, missing, frame, ts}, context(a));
  }
  if (fin) D.stream.fin(data_seq + static_cast<std::uint32_t>(payload.size() + missing));
  if (rst) {
    close(*c, ConversationEnd::Reset, e);
    return;
  }
  if (has_ack) {
    StreamAdapter a(*this, *c, (d ^ 1), sink);
    c->dir[(d ^ 1)].stream.ack(ack, frame, ts, context(a));
  }
  for (std::size_t i = 0; i < 2; ++i) {
    if (!c->dir[i].ended && c->dir[i].stream.finished()) end_direction(*c, i, e);
  }
  if (c->dir[0].ended && c->dir[1].ended) {
    // RFC 9293 §3.6: the ACK of the last FIN still belongs to the connection
    // (tshark's conversations count it too); the next segment closes it.
    if (c->closing) {
      close(*c, ConversationEnd::Closed, e);
    } else {
      c->closing = true;
    }
  }
}

TcpTracker::Connection* TcpTracker::open(const TcpKey& key, std::uint64_t frame, Timestamp ts) {
  if (index_.size() >= options_.tcp.max_connections) {
    diag_.limit("tcp_connection_limit", frame);
    return nullptr;
  }
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(conns_.size());
    conns_.emplace_back();
  }
  Connection& c = conns_[slot];
  c = Connection{};
  c.key = key;
  c.id = next_id_++;
  c.slot = slot;
  c.live = true;
  c.first = c.last = ts;
  c.first_frame = c.last_frame = frame;
  index_.insert(key, slot);
  return &c;
}

void TcpTracker::end_direction(Connection& c, std::size_t d, const Emit& e) {
  Direction& D = c.dir[d];
  StreamAdapter a(*this, c, d, e.sink);
  D.stream.flush(e.frame, e.ts, context(a));
  if (D.mode == Mode::Detect && !D.buffer.empty()) {  // a few bytes, never classified
    std::vector<std::uint8_t> rest = std::move(D.buffer);
    D.buffer.clear();
    D.mode = Mode::Sip;
    dispatch(c, d, rest, e);
  }
  if (D.mode == Mode::Sip) emit_stream(c, d, PayloadKind::StreamEnd, {}, e);
  D.ended = true;
}

void TcpTracker::close(Connection& c, ConversationEnd why, const Emit& e) {
  if (c.closing && why != ConversationEnd::Reset) why = ConversationEnd::Closed;  // FINs both ways
  for (std::size_t d = 0; d < 2; ++d) {
    if (!c.dir[d].ended) end_direction(c, d, e);
  }
  for (auto& D : c.dir)
    D.stream.reset(budget_);
  if (c.tls) report(c, why);
  index_.erase(c.key);
  std::uint32_t slot = c.slot;
  c = Connection{};  // frees buffers and parsers now
  free_.push_back(slot);
}

void TcpTracker::report(const Connection& c, ConversationEnd why) {
  diag_.info("tls_conversation", c.first_frame);
  if (conversations_ == nullptr) return;
  EncryptedConversation conv = *c.tls;
  std::size_t client = c.client == kUnknown ? 0 : c.client;
  conv.id = c.id;
  conv.client = c.src(client);
  conv.server = c.dst(client);
  conv.first_seen = c.first;
  conv.last_seen = c.last;
  conv.first_frame = c.first_frame;
  conv.last_frame = c.last_frame;
  conv.frames = c.frames;
  conv.bytes_client_to_server = c.dir[client].bytes;
  conv.bytes_server_to_client = c.dir[1 - client].bytes;
  conv.end = why;
  conversations_->on_encrypted(conv);
}

std::vector<std::uint32_t> TcpTracker::slots_by_id(bool (*pick)(const Connection&, Timestamp,
                                                                std::int64_t),
                                                   Timestamp now, std::int64_t limit) {
  // Deterministic order for everything a sweep emits: by connection id, never
  // by hash-table layout.
  std::vector<std::uint32_t> slots;
  index_.for_each([&](const TcpKey&, std::uint32_t slot) {
    if (pick(conns_[slot], now, limit)) slots.push_back(slot);
  });
  std::sort(slots.begin(), slots.end(),
            [&](std::uint32_t x, std::uint32_t y) { return conns_[x].id < conns_[y].id; });
  return slots;
}

void TcpTracker::advance(Timestamp now, std::uint64_t frame, PayloadSink& sink) {
  const TcpLimits& lim = options_.tcp;
  if (now.ns >= next_hold_sweep_ && budget_.held > 0) {
    next_hold_sweep_ = now.ns + std::max(kMinSweepNs, lim.hold_timeout_ns / 2);
    auto held = [](const Connection& c, Timestamp, std::int64_t) {
      return c.dir[0].stream.held_bytes() + c.dir[1].stream.held_bytes() > 0;
    };
    for (std::uint32_t slot : slots_by_id(held, now, 0)) {
      Connection& c = conns_[slot];
      for (std::size_t d = 0; d < 2; ++d) {
        StreamAdapter a(*this, c, d, sink);
        c.dir[d].stream.expire(now, frame, context(a));
      }
    }
  }
  if (now.ns >= next_idle_sweep_) {
    next_idle_sweep_ = now.ns + std::max(kMinSweepNs, lim.idle_timeout_ns / 4);
    auto idle = [](const Connection& c, Timestamp t, std::int64_t timeout) {
      return t.ns - c.last.ns > timeout;
    };
    for (std::uint32_t slot : slots_by_id(idle, now, lim.idle_timeout_ns)) {
      diag_.info("tcp_idle_timeout", frame);
      close(conns_[slot], ConversationEnd::IdleTimeout, Emit{frame, now, sink});
    }
  }
}

void TcpTracker::finish(std::uint64_t frame, PayloadSink& sink) {
  auto all = [](const Connection&, Timestamp, std::int64_t) { return true; };
  for (std::uint32_t slot : slots_by_id(all, {}, 0)) {
    Connection& c = conns_[slot];
    close(c, ConversationEnd::EndOfCapture, Emit{frame != 0 ? frame : c.last_frame, c.last, sink});
  }
}

}  // namespace sipflow::capture::detail
