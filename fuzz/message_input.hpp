#pragma once
// The message-sequence layout shared by correlator_fuzz and ladder_fuzz:
// segments separated by the byte 0x1E; segment 0 holds the target's options,
// every later one a meta byte and one SIP message. Meta bits 0-1 = source
// endpoint, 2-3 = destination endpoint, 4-6 = time step since the previous
// message (0, 1 ms, 5 ms, 500 ms, 5 s, 40 s, 200 s, 2 h: around every timer
// the correlator has), bit 7 = TCP. A segment of only the meta byte
// advances the clock. Messages that do not parse are skipped, as the
// extractor would.

#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/flows/correlator.hpp"

namespace sipflow::fuzz {

/// The segments of an input (borrowed from it), in order.
class Segments {
 public:
  explicit Segments(std::string_view input) : rest_(input) {}
  bool empty() const noexcept { return rest_.empty(); }
  std::string_view next() noexcept {
    std::size_t sep = rest_.find('\x1e');
    std::string_view seg = rest_.substr(0, sep);
    rest_ = sep == std::string_view::npos ? std::string_view{} : rest_.substr(sep + 1);
    return seg;
  }

 private:
  std::string_view rest_;
};

/// Feeds the remaining segments to `correlator` (each message from its own
/// exactly-sized copy) and calls `after_message()` after each one.
template <class AfterMessage>
void feed_messages(Segments& segments, flows::Correlator& correlator, AfterMessage after_message) {
  const Endpoint endpoints[4] = {
      {IpAddress::v4(0x0A000001), 5060},
      {IpAddress::v4(0x0A000002), 5060},
      {*IpAddress::parse("2001:db8::1"), 5060},
      {IpAddress::v4(0x0A000001), 5062},
  };
  constexpr std::int64_t kStep[] = {0,
                                    1'000'000,
                                    5'000'000,
                                    500'000'000,
                                    5'000'000'000,
                                    40'000'000'000,
                                    200'000'000'000,
                                    7'300'000'000'000};
  decode::MessageMeta meta;
  meta.ts.ns = 1'700'000'000'000'000'000;
  while (!segments.empty()) {
    std::string_view seg = segments.next();
    if (seg.empty()) continue;
    auto m = static_cast<std::uint8_t>(seg[0]);
    meta.ts.ns += kStep[(m >> 4) & 7];
    if (seg.size() == 1) {
      correlator.advance(meta.ts);
      continue;
    }
    ExactCopy bytes(seg.substr(1));
    auto msg = decode::SipMessage::parse(bytes.view());
    if (!msg) continue;
    ++meta.frame;
    meta.src = endpoints[m & 3];
    meta.dst = endpoints[(m >> 2) & 3];
    meta.transport = (m & 0x80) ? Transport::Tcp : Transport::Udp;
    correlator.on_message(meta, *msg);
    after_message();
  }
}

}  // namespace sipflow::fuzz
