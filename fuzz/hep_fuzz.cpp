// HEP v1/v2/v3 decapsulation: parse_hep, hep3_length, deliver_hep, and the
// input as one frame of a HEP listener through PacketDecoder.
//
// Input layout: one HEP packet, as received (the UDP payload). Seeds are the
// HEP packets of samples/hep_sip*.pcap (fuzz/make_seeds.py).
//
// Invariants: a parsed packet's payload is a non-empty view into the input;
// the version is 3 exactly when the input starts with "HEP3", and a HEPv3
// packet parses the same from its own length alone; deliver_hep() returns
// false (counting nothing) exactly for `not_hep`, and hands over one payload,
// the packet's, exactly when it is SIP and not compressed; the decoder
// delivers the same.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "sipflow/capture/hep.hpp"
#include "sipflow/capture/packet_decoder.hpp"

namespace {

using namespace sipflow;

struct Collect final : capture::PayloadSink {
  std::size_t count = 0;
  capture::Payload last;
  void on_payload(const capture::Payload& p) override {
    fuzz::touch(p.bytes);
    (void)p.src.to_string();
    (void)p.dst.to_string();
    ++count;
    last = p;
  }
};

bool same_packet(const capture::HepPacket& a, const capture::HepPacket& b) {
  return a.version == b.version && a.src == b.src && a.dst == b.dst &&
         a.ip_protocol == b.ip_protocol && a.transport == b.transport && a.ts == b.ts &&
         a.payload_type == b.payload_type && a.capture_id == b.capture_id &&
         a.compressed == b.compressed && a.payload.data() == b.payload.data() &&
         a.payload.size() == b.payload.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ExactCopy input(data, size);
  auto bytes = input.bytes();
  const Timestamp frame_ts{1'700'000'000'000'000'000};

  bool v3 = capture::looks_like_hep3(bytes);
  std::size_t total = capture::hep3_length(bytes);
  if (!v3 || size < 6) SIPFLOW_FUZZ_CHECK(total == 0);

  auto hep = capture::parse_hep(bytes);
  if (hep) {
    SIPFLOW_FUZZ_CHECK(hep->version >= 1 && hep->version <= 3);
    SIPFLOW_FUZZ_CHECK((hep->version == 3) == v3);
    SIPFLOW_FUZZ_CHECK(!hep->payload.empty());
    SIPFLOW_FUZZ_CHECK(fuzz::within(
        {reinterpret_cast<const char*>(hep->payload.data()), hep->payload.size()}, input.view()));
    fuzz::touch(hep->payload);
    (void)hep->src.to_string();
    (void)hep->dst.to_string();
    if (v3) {
      SIPFLOW_FUZZ_CHECK(total >= 6 && total <= size);
      auto alone = capture::parse_hep(bytes.first(total));  // what follows is not part of it
      SIPFLOW_FUZZ_CHECK(alone && same_packet(*alone, *hep));
    }
    capture::Payload p = capture::hep_payload(*hep, 7, frame_ts);
    SIPFLOW_FUZZ_CHECK(p.bytes.data() == hep->payload.data() && p.frame == 7);
    SIPFLOW_FUZZ_CHECK(p.ts == hep->ts.value_or(frame_ts));
  }

  Diagnostics diag;
  Collect sink;
  bool is_hep = capture::deliver_hep(bytes, 1, frame_ts, diag, sink);
  SIPFLOW_FUZZ_CHECK(is_hep == (hep || hep.error().code != "not_hep"));
  if (!is_hep) SIPFLOW_FUZZ_CHECK(diag.sorted().empty());
  bool delivers = hep && hep->payload_type == 1 && !hep->compressed;
  SIPFLOW_FUZZ_CHECK(sink.count == (delivers ? 1u : 0u));
  if (delivers) {
    SIPFLOW_FUZZ_CHECK(sink.last.bytes.data() == hep->payload.data());
    SIPFLOW_FUZZ_CHECK(sink.last.src == hep->src && sink.last.dst == hep->dst);
    SIPFLOW_FUZZ_CHECK(sink.last.transport == hep->transport);
  }

  // The same bytes as a frame of a HEP listener (open_hep_listener()).
  Diagnostics decoder_diag;
  capture::PacketDecoder decoder({}, decoder_diag);
  Collect decoded;
  capture::Frame frame;
  frame.linktype = capture::kLinktypeHepDatagram;
  frame.number = 1;
  frame.ts = frame_ts;
  frame.data = bytes;
  frame.wire_len = static_cast<std::uint32_t>(size);
  decoder.decode(frame, decoded);
  decoder.finish(1, decoded);
  SIPFLOW_FUZZ_CHECK(decoded.count == sink.count);
  return 0;
}
