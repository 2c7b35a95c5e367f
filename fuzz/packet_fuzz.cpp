// capture::PacketDecoder: link layers, IPv4/IPv6 with extension headers and
// fragment reassembly, tunnels (IP-in-IP, GRE, ERSPAN, VXLAN, MPLS, VLAN).
//
// Input layout (FuzzedDataProvider: integers from the end, bytes from the
// front): the last byte picks the link type; then, for each frame, a 16-bit
// length and a flags byte are read from the end and the frame's bytes from
// the front, until the input is used up. fuzz/make_seeds.py writes real
// frames in this layout.
//
// Invariants: no crash, over-read, leak or unbounded state; every payload
// handed to the sink is readable, a UDP one no larger than an IP datagram; stream
// payloads only on stream transports.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "sipflow/capture/packet_decoder.hpp"

namespace {

using namespace sipflow;

// LINKTYPE_* values the decoder knows, and a few it does not.
constexpr std::uint32_t kLinktypes[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 105, 127, 9999};

struct TouchSink final : capture::PayloadSink {
  std::uint64_t payloads = 0;
  void on_payload(const capture::Payload& p) override {
    fuzz::touch(p.bytes);
    // A UDP datagram fits in an IP datagram (WebSocket and SCTP messages
    // are joined from several packets and may be larger).
    if (p.transport == Transport::Udp) SIPFLOW_FUZZ_CHECK(p.bytes.size() <= 65535);
    // Byte streams come only from stream transports (TCP and what runs on it).
    SIPFLOW_FUZZ_CHECK(p.kind == capture::PayloadKind::Datagram ||
                       (p.transport != Transport::Udp && p.transport != Transport::Sctp));
    (void)p.src.to_string();
    (void)p.dst.to_string();
    ++payloads;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  std::uint32_t linktype =
      kLinktypes[fdp.ConsumeIntegralInRange<std::size_t>(0, std::size(kLinktypes) - 1)];

  Diagnostics diag;
  capture::DecoderOptions options;
  options.fragments.max_pending_bytes = 1u << 20;  // small, so the limits are reached
  options.fragments.max_fragments = 64;
  options.vxlan_ports = {4789, 8472};
  capture::PacketDecoder decoder(options, diag);
  TouchSink sink;

  capture::Frame frame;
  frame.linktype = linktype;
  frame.ts.ns = 1'700'000'000'000'000'000;
  while (fdp.remaining_bytes() > 0) {
    auto len = fdp.ConsumeIntegral<std::uint16_t>();
    auto flags = fdp.ConsumeIntegral<std::uint8_t>();
    std::vector<std::uint8_t> bytes = fdp.ConsumeBytes<std::uint8_t>(len);
    fuzz::ExactCopy copy(bytes.data(), bytes.size());
    ++frame.number;
    // flags: bit 0 = cut by the snapshot length; bits 1-2 = time step
    // (none, 1 ms, 2 s, 60 s: past the fragment timeout).
    constexpr std::int64_t kStep[] = {0, 1'000'000, 2'000'000'000, 60'000'000'000};
    frame.ts.ns += kStep[(flags >> 1) & 3];
    frame.data = copy.bytes();
    frame.wire_len = static_cast<std::uint32_t>(bytes.size()) + ((flags & 1) ? 100u : 0u);
    decoder.decode(frame, sink);
  }
  decoder.finish(frame.number);
  for (const auto& e : diag.sorted())
    SIPFLOW_FUZZ_CHECK(!e.name.empty() && e.count > 0);
  return 0;
}
