// TCP reassembly: capture::TcpStream directly, and the same segments as
// IPv4/TCP packets through PacketDecoder (its connection table, and what
// runs on TCP: SIP streams, HTTP upgrade + WebSocket, TLS, HEP3).
//
// Input layout (FuzzedDataProvider: integers from the end, bytes from the
// front): a 16-bit length and that many bytes of "truth" (the bytes every
// direction's stream is cut from), flags (small limits), the number of
// connections (1..4); then, until the input is used up, one segment per
// 8 bytes from the end:
//
//   meta (8): connection (2) | direction (1) | kind (2: data, SYN, FIN, RST)
//             | corrupt the bytes (1) | snaplen cuts the last half (1) | unused (1)
//   step (8): time step before it (2: none, 1 ms, 11 s > hold timeout,
//             301 s > idle timeout)
//   offset (16): where in the truth the segment starts (its sequence number
//             is the direction's ISN + offset; the ISNs are near 0, 2^31
//             and 2^32, so numbers wrap)
//   length (16): bytes of the truth it carries (clamped to the truth)
//   ack (16): 0 = no ACK; else the peer's ISN + ack - 1 is acknowledged
//
// fuzz/make_seeds.py writes the TCP connections of the samples in this
// layout (both directions' streams back to back as the truth).
//
// Invariants of TcpStream (the segments fed directly, each connection and
// direction its own stream): delivered bytes are contiguous unless a gap was
// reported in between; they are the truth at their offset unless a corrupted
// segment was fed to that stream; held bytes stay within the per-direction
// and total limits and the shared budget is their sum; after flush() nothing
// is held and after reset() the budget is back to 0. Of PacketDecoder:
// payloads readable, nothing on a stream after its StreamEnd.

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include "fuzz_support.hpp"
#include "sipflow/capture/packet_decoder.hpp"
#include "sipflow/capture/tcp_reassembly.hpp"

namespace {

using namespace sipflow;

constexpr std::uint32_t kIsn[8] = {0xFFFFF000u, 0x00000010u, 0x7FFFFF00u, 0x80000100u,
                                   0xFFFFFFF0u, 0x12345678u, 0xFFFF0000u, 0x0000FFFFu};
constexpr std::uint16_t kServerPort[4] = {5060, 80, 5061, 9060};
constexpr std::int64_t kStep[4] = {0, 1'000'000, 11'000'000'000, 301'000'000'000};

// One direction fed straight into a TcpStream, with what it was given.
struct Direction final : capture::TcpStreamSink {
  capture::TcpStream stream;
  std::span<const std::uint8_t> truth;
  std::uint32_t isn = 0;
  bool corrupted = false;  // a segment with wrong bytes was fed
  bool gap = true;         // a gap since the last bytes (or no bytes yet)
  std::uint64_t end = 0;   // stream offset after the last bytes delivered

  void on_stream_bytes(std::span<const std::uint8_t> bytes, std::uint64_t, Timestamp) override {
    fuzz::touch(bytes);
    SIPFLOW_FUZZ_CHECK(!bytes.empty());
    std::uint64_t off = stream.next_offset();  // not yet advanced during the call
    SIPFLOW_FUZZ_CHECK(gap || off == end);
    SIPFLOW_FUZZ_CHECK(off >= end);
    gap = false;
    end = off + bytes.size();
    if (corrupted) return;
    // Truth offset of stream offset 0: where the stream started.
    std::uint64_t at = static_cast<std::uint32_t>(stream.base() - isn) + off;
    SIPFLOW_FUZZ_CHECK(at + bytes.size() <= truth.size());
    SIPFLOW_FUZZ_CHECK(std::memcmp(truth.data() + at, bytes.data(), bytes.size()) == 0);
  }
  void on_stream_gap(std::uint64_t, Timestamp) override { gap = true; }

  void restart() {
    stream = {};
    corrupted = false;
    gap = true;
    end = 0;
  }
};

struct DecoderSink final : capture::PayloadSink {
  std::map<std::uint64_t, bool> ended;  // stream id -> StreamEnd seen
  void on_payload(const capture::Payload& p) override {
    fuzz::touch(p.bytes);
    (void)p.src.to_string();
    if (p.kind == capture::PayloadKind::Datagram) return;
    bool& e = ended[p.stream];
    SIPFLOW_FUZZ_CHECK(!e);  // nothing after the end of a stream
    if (p.kind == capture::PayloadKind::StreamEnd) e = true;
  }
};

void put16(std::vector<std::uint8_t>& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xFFFF);
}

// IPv4 + TCP around `data`; the IP total length counts `missing` bytes the
// snapshot length cut off.
std::vector<std::uint8_t> packet(std::uint8_t client, std::uint16_t client_port,
                                 std::uint16_t server_port, bool from_client, std::uint32_t seq,
                                 std::uint32_t ack, std::uint8_t flags,
                                 std::span<const std::uint8_t> data, std::uint32_t missing) {
  std::vector<std::uint8_t> b;
  b.reserve(40 + data.size());
  b.push_back(0x45);
  b.push_back(0);
  put16(b, static_cast<std::uint32_t>(40 + data.size() + missing) & 0xFFFF);
  put16(b, 1);
  put16(b, 0x4000);  // DF
  b.push_back(64);
  b.push_back(6);
  put16(b, 0);
  const std::uint8_t c[4] = {10, 0, 0, client}, s[4] = {10, 0, 1, 1};
  b.insert(b.end(), from_client ? c : s, (from_client ? c : s) + 4);
  b.insert(b.end(), from_client ? s : c, (from_client ? s : c) + 4);
  put16(b, from_client ? client_port : server_port);
  put16(b, from_client ? server_port : client_port);
  put32(b, seq);
  put32(b, ack);
  b.push_back(0x50);
  b.push_back(flags);
  put16(b, 65535);
  put32(b, 0);  // checksum, urgent pointer
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  std::vector<std::uint8_t> truth_bytes =
      fdp.ConsumeBytes<std::uint8_t>(fdp.ConsumeIntegral<std::uint16_t>());
  fuzz::ExactCopy truth(truth_bytes.data(), truth_bytes.size());
  bool small = fdp.ConsumeBool();
  std::size_t connections = fdp.ConsumeIntegralInRange<std::size_t>(1, 4);

  Diagnostics diag;
  capture::TcpLimits limits;
  if (small) {
    limits.max_held_per_direction = 3000;
    limits.max_held_total = 5000;
  }
  capture::TcpBudget budget;
  std::array<Direction, 8> dirs;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    dirs[i].truth = truth.bytes();
    dirs[i].isn = kIsn[i];
  }
  auto ctx = [&](Direction& d) { return capture::TcpStreamContext{limits, budget, diag, d}; };
  auto check_budget = [&] {
    std::size_t held = 0;
    for (auto& d : dirs) {
      SIPFLOW_FUZZ_CHECK(d.stream.held_bytes() <= limits.max_held_per_direction);
      held += d.stream.held_bytes();
    }
    SIPFLOW_FUZZ_CHECK(budget.held == held);
    SIPFLOW_FUZZ_CHECK(held <= limits.max_held_total);
  };

  Diagnostics decoder_diag;
  capture::DecoderOptions options;
  options.tcp = limits;
  options.tcp.max_connections = 3;  // four connections: one over the limit
  capture::PacketDecoder decoder(options, decoder_diag);
  DecoderSink sink;
  capture::Frame frame;
  frame.linktype = 228;  // LINKTYPE_IPV4
  frame.ts.ns = 1'700'000'000'000'000'000;

  std::vector<std::uint8_t> corrupt;
  while (fdp.remaining_bytes() > 0) {
    auto meta = fdp.ConsumeIntegral<std::uint8_t>();
    auto step = fdp.ConsumeIntegral<std::uint8_t>();
    auto off = fdp.ConsumeIntegral<std::uint16_t>();
    auto len = fdp.ConsumeIntegral<std::uint16_t>();
    auto ack = fdp.ConsumeIntegral<std::uint16_t>();
    std::size_t conn = (meta & 3u) % connections;
    bool from_client = (meta & 4u) == 0;
    std::size_t di = conn * 2 + (from_client ? 0 : 1);
    Direction& d = dirs[di];
    Direction& peer = dirs[di ^ 1];
    int kind = (meta >> 3) & 3;  // 0 data, 1 SYN, 2 FIN, 3 RST
    frame.ts.ns += kStep[step & 3];
    ++frame.number;

    std::span<const std::uint8_t> bytes;
    if (kind != 1 && off < truth.bytes().size())
      bytes = truth.bytes().subspan(off, std::min<std::size_t>(len, truth.bytes().size() - off));
    if (meta & 0x20u && !bytes.empty()) {  // wrong bytes at the right place
      corrupt.assign(bytes.begin(), bytes.end());
      corrupt[corrupt.size() / 2] ^= 0x5A;
      bytes = corrupt;
    }
    std::uint32_t missing = 0;
    if (meta & 0x40u && bytes.size() >= 2) {  // the snapshot length cut the second half
      missing = static_cast<std::uint32_t>(bytes.size() - bytes.size() / 2);
      bytes = bytes.first(bytes.size() / 2);
    }
    std::uint32_t seq = d.isn + off;

    // TcpStream directly.
    if (kind == 1) {  // SYN: a new stream starting after it
      d.stream.reset(budget);
      d.restart();
      d.stream.start(seq);
    } else if (kind == 3) {  // RST: both directions dropped
      for (Direction* x : {&d, &peer}) {
        x->stream.reset(budget);
        x->restart();
      }
    } else {
      if (!bytes.empty() && (meta & 0x20u)) d.corrupted = true;
      d.stream.add({seq, bytes, missing, frame.number, frame.ts}, ctx(d));
      if (kind == 2) d.stream.fin(seq + static_cast<std::uint32_t>(bytes.size() + missing));
      d.stream.expire(frame.ts, frame.number, ctx(d));
    }
    if (ack != 0 && kind != 3)
      peer.stream.ack(peer.isn + ack - 1u, frame.number, frame.ts, ctx(peer));
    check_budget();

    // The same segment through the decoder.
    std::uint8_t flags = kind == 1 ? 0x02 : kind == 2 ? 0x01 : kind == 3 ? 0x04 : 0x08;
    if (ack != 0) flags |= 0x10;
    auto pkt = packet(static_cast<std::uint8_t>(conn + 1), static_cast<std::uint16_t>(40000 + conn),
                      kServerPort[conn], from_client, kind == 1 ? seq - 1 : seq,
                      peer.isn + ack - 1u, flags, bytes, missing);
    fuzz::ExactCopy copy(pkt.data(), pkt.size());
    frame.data = copy.bytes();
    frame.wire_len = static_cast<std::uint32_t>(pkt.size()) + missing;
    decoder.decode(frame, sink);
  }

  for (auto& d : dirs) {
    d.stream.flush(frame.number, frame.ts, ctx(d));
    SIPFLOW_FUZZ_CHECK(d.stream.held_bytes() == 0);
  }
  SIPFLOW_FUZZ_CHECK(budget.held == 0);
  for (auto& d : dirs)
    d.stream.reset(budget);
  SIPFLOW_FUZZ_CHECK(budget.held == 0);

  decoder.finish(frame.number, sink);
  for (const auto& [stream, ended] : sink.ended)
    SIPFLOW_FUZZ_CHECK(ended);  // finish() ends every stream
  for (const auto& e : decoder_diag.sorted())
    SIPFLOW_FUZZ_CHECK(!e.name.empty() && e.count > 0);
  return 0;
}
