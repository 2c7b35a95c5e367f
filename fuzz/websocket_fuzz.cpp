// WebSocket framing (RFC 6455 §5): capture::WebSocketParser, and the HTTP
// upgrade head in front of it (http_head_length, parse_http_upgrade).
//
// Input layout (FuzzedDataProvider: integers from the end, bytes from the
// front): a flags byte (bit 0: small limits; bit 1: encode), then the number
// of events (0..16) and per event a 16-bit stream offset and a kind (cut the
// stream into two feed() calls there, or cut and declare a gap); then, in
// encode mode, per message a shape byte (masked, 1..4 fragments, a ping or
// pong in between) and a 32-bit masking key. The rest of the front is the
// stream: raw bytes, or in encode mode the messages (separated by 0x1E)
// that are framed as the shape bytes say.
//
// Invariants: every message is readable and within the size limit; without
// gaps and desynchronisation, the messages do not depend on where the stream
// was cut; in encode mode they are exactly the messages framed (those within
// the limit), whatever the cuts; the HTTP head found ends with a blank line.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "sipflow/capture/websocket.hpp"

namespace {

using namespace sipflow;
using Bytes = std::vector<std::uint8_t>;

struct Collect final : capture::WebSocketSink {
  std::size_t max = 0;
  std::vector<Bytes> messages;
  void on_ws_message(std::span<const std::uint8_t> m) override {
    fuzz::touch(m);
    SIPFLOW_FUZZ_CHECK(m.size() <= max);
    messages.emplace_back(m.begin(), m.end());
  }
};

struct Event {
  std::size_t at = 0;
  bool gap = false;
};

// Feeds `stream` cut at the events, each piece from its own exactly-sized
// buffer (a borrowed view must not outlive its feed()).
Collect run(std::span<const std::uint8_t> stream, const std::vector<Event>& events,
            capture::WebSocketLimits limits, Diagnostics& diag) {
  capture::WebSocketParser parser(limits);
  Collect sink;
  sink.max = limits.max_message;
  std::size_t pos = 0;
  std::uint64_t frame = 0;
  auto feed = [&](std::size_t to) {
    fuzz::ExactCopy piece(stream.data() + pos, to - pos);
    parser.feed(piece.bytes(), ++frame, diag, sink);
    pos = to;
  };
  for (const Event& e : events) {
    feed(std::max(pos, std::min(e.at, stream.size())));
    if (e.gap) parser.gap();
  }
  feed(stream.size());
  return sink;
}

void put_frame(Bytes& out, std::uint8_t opcode, bool fin, std::span<const std::uint8_t> payload,
               bool masked, std::uint32_t key) {
  out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | opcode));
  std::uint8_t mask_bit = masked ? 0x80 : 0;
  std::size_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | n));
  } else if (n <= 0xFFFF) {
    out.push_back(mask_bit | 126);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(mask_bit | 127);
    for (int s = 56; s >= 0; s -= 8)
      out.push_back(static_cast<std::uint8_t>(std::uint64_t{n} >> s));
  }
  std::uint8_t k[4] = {static_cast<std::uint8_t>(key >> 24), static_cast<std::uint8_t>(key >> 16),
                       static_cast<std::uint8_t>(key >> 8), static_cast<std::uint8_t>(key)};
  if (masked) out.insert(out.end(), k, k + 4);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(masked ? static_cast<std::uint8_t>(payload[i] ^ k[i & 3]) : payload[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  auto flags = fdp.ConsumeIntegral<std::uint8_t>();
  capture::WebSocketLimits limits;
  if (flags & 1) limits.max_message = 300;
  bool encode = (flags & 2) != 0;
  std::vector<Event> events(fdp.ConsumeIntegralInRange<std::size_t>(0, 16));
  bool gaps = false;
  for (Event& e : events) {
    e.at = fdp.ConsumeIntegral<std::uint16_t>();
    e.gap = fdp.ConsumeBool();
    gaps = gaps || e.gap;
  }
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.at < b.at; });

  Bytes stream;
  std::vector<Bytes> framed;  // encode mode: the messages framed
  if (encode) {
    std::vector<std::uint8_t> text = fdp.ConsumeBytes<std::uint8_t>(fdp.remaining_bytes() / 2);
    std::span<const std::uint8_t> rest = text;
    while (fdp.remaining_bytes() > 0) {
      auto sep = std::find(rest.begin(), rest.end(), std::uint8_t{0x1E});
      std::span<const std::uint8_t> msg(rest.begin(), sep);
      auto shape = fdp.ConsumeIntegral<std::uint8_t>();
      auto key = fdp.ConsumeIntegral<std::uint32_t>();
      bool masked = shape & 1;
      std::size_t parts = 1 + ((shape >> 1) & 3);
      std::size_t step = (msg.size() + parts - 1) / std::max<std::size_t>(parts, 1);
      std::size_t done = 0;
      for (std::size_t p = 0; p < parts; ++p) {
        auto piece = msg.subspan(std::min(done, msg.size()),
                                 std::min(step, msg.size() - std::min(done, msg.size())));
        done += piece.size();
        bool fin = p + 1 == parts;
        put_frame(stream, p == 0 ? (shape & 0x10 ? 2 : 1) : 0, fin, piece, masked, key);
        if (!fin && (shape & 8))
          put_frame(stream, (shape & 0x20) ? 10 : 9, true,
                    piece.first(std::min<std::size_t>(piece.size(), 125)), masked, key);
      }
      if (msg.size() <= limits.max_message) framed.emplace_back(msg.begin(), msg.end());
      if (sep == rest.end()) break;
      rest = rest.subspan(msg.size() + 1);
    }
  } else {
    stream = fdp.ConsumeRemainingBytes<std::uint8_t>();
  }
  fuzz::ExactCopy whole(stream.data(), stream.size());

  // The HTTP head the connection would start with.
  std::size_t head = capture::http_head_length(whole.bytes());
  SIPFLOW_FUZZ_CHECK(head <= stream.size());
  if (head > 0) {
    std::string_view h = whole.view().substr(0, head);
    SIPFLOW_FUZZ_CHECK(h.ends_with("\n\n") || h.ends_with("\n\r\n"));
    if (auto u = capture::parse_http_upgrade(h)) SIPFLOW_FUZZ_CHECK(u->request || u->status < 1000);
  }
  (void)capture::parse_http_upgrade(whole.view());

  Diagnostics cut_diag, one_diag;
  Collect cut = run(whole.bytes(), events, limits, cut_diag);
  Collect one = run(whole.bytes(), {}, limits, one_diag);
  if (encode && !gaps) {
    SIPFLOW_FUZZ_CHECK(cut.messages == framed);
    SIPFLOW_FUZZ_CHECK(one.messages == framed);
  }
  if (!gaps && cut_diag.get("websocket_desync") == 0 && one_diag.get("websocket_desync") == 0)
    SIPFLOW_FUZZ_CHECK(cut.messages == one.messages);

  capture::WebSocketParser probe(limits);
  if (probe.looks_like_message_start(whole.bytes())) {
    // A parser resynchronising after a gap starts at such bytes.
    Diagnostics d;
    Collect sink;
    sink.max = limits.max_message;
    probe.gap();
    probe.feed(whole.bytes(), 1, d, sink);
    SIPFLOW_FUZZ_CHECK(d.get("websocket_resync") == 1);
  }
  return 0;
}
