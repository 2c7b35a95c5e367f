// Stream framing: decode::frame_message, find_start_line, and SipExtractor
// fed the input cut into stream segments at fuzzer-chosen points, with gaps,
// stream ends and datagrams in between.
//
// Input layout (FuzzedDataProvider: integers from the end, bytes from the
// front): [stream bytes ...][split points and events][limits].
//
// Invariants: no crash, over-read or unbounded growth; a framing decision
// taken on a prefix of the stream (Complete or Invalid) is the one taken on
// the whole stream; without gaps, the messages the extractor delivers do not
// depend on where the stream was cut into segments.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "sipflow/decode/extractor.hpp"
#include "sipflow/decode/framing.hpp"

namespace {

using namespace sipflow;
using fuzz::touch;

struct Collect final : decode::MessageSink {
  std::vector<std::string> messages;
  std::size_t unparseable = 0;
  void on_message(const decode::MessageMeta& meta, const decode::SipMessage& m) override {
    (void)meta;
    touch(m.raw());
    touch(m.body());
    for (const auto& f : m.fields()) {
      touch(m.name(f));
      touch(m.value(f));
    }
    messages.emplace_back(m.raw());
  }
  void on_unparseable(const decode::MessageMeta& meta, std::string_view bytes,
                      Error error) override {
    (void)meta;
    SIPFLOW_FUZZ_CHECK(!error.code.empty());
    touch(bytes);
    ++unparseable;
  }
};

enum class Event : std::uint8_t { Data, OtherStream, Gap, End, Datagram };

struct Cut {
  std::size_t at = 0;
  Event event = Event::Data;
};

// Feeds `stream` to a fresh extractor: a segment ends at each cut, and the
// cut's event is sent before the next segment. Each segment is an exactly
// sized heap copy. Returns what the sink saw.
Collect run(std::string_view stream, const std::vector<Cut>& cuts,
            const decode::ExtractorOptions& options) {
  Diagnostics diag;
  Collect sink;
  decode::SipExtractor extractor(options, diag, sink);
  capture::Payload p;
  p.transport = Transport::Tcp;
  auto send = [&](std::string_view bytes, capture::PayloadKind kind, std::uint64_t stream_id) {
    fuzz::ExactCopy copy(bytes);
    p.kind = kind;
    p.stream = stream_id;
    p.bytes = copy.bytes();
    ++p.frame;
    p.ts.ns += 1000;
    extractor.on_payload(p);
  };
  std::size_t pos = 0;
  for (const Cut& cut : cuts) {
    send(stream.substr(pos, cut.at - pos), capture::PayloadKind::StreamData, 1);
    pos = cut.at;
    switch (cut.event) {
      case Event::Data:
        break;
      case Event::OtherStream:  // the other direction interleaves with this one
        send(stream.substr(0, cut.at / 2), capture::PayloadKind::StreamData, 2);
        break;
      case Event::Gap:
        send({}, capture::PayloadKind::StreamGap, 1);
        break;
      case Event::End:
        send({}, capture::PayloadKind::StreamEnd, 1);
        break;
      case Event::Datagram:
        send(stream.substr(0, cut.at), capture::PayloadKind::Datagram, 0);
        break;
    }
  }
  send(stream.substr(pos), capture::PayloadKind::StreamData, 1);
  send({}, capture::PayloadKind::StreamEnd, 1);
  send({}, capture::PayloadKind::StreamEnd, 2);
  return sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  decode::ExtractorOptions options;
  bool small_limits = fdp.ConsumeBool();
  if (small_limits) {
    options.parse.max_message_bytes = fdp.ConsumeIntegralInRange<std::size_t>(16, 4096);
    options.max_stream_buffer = fdp.ConsumeIntegralInRange<std::size_t>(16, 8192);
  }
  options.validate = fdp.ConsumeBool();
  std::vector<Cut> cuts(fdp.ConsumeIntegralInRange<std::size_t>(0, 24));
  for (auto& c : cuts) {
    c.at = fdp.ConsumeIntegral<std::uint16_t>();
    c.event = static_cast<Event>(fdp.ConsumeIntegralInRange<std::uint8_t>(0, 4));
  }
  std::string bytes = fdp.ConsumeRemainingBytesAsString();
  fuzz::ExactCopy input(bytes);
  std::string_view stream = input.view();
  for (auto& c : cuts)
    c.at %= stream.size() + 1;
  std::sort(cuts.begin(), cuts.end(), [](const Cut& a, const Cut& b) { return a.at < b.at; });

  // frame_message: a decision made on a prefix holds for the whole stream.
  const std::size_t max_message = options.parse.max_message_bytes;
  decode::FrameResult whole = decode::frame_message(stream, max_message);
  if (whole.status == decode::FrameStatus::Complete) {
    SIPFLOW_FUZZ_CHECK(whole.length > 0 && whole.length <= stream.size());
    SIPFLOW_FUZZ_CHECK(whole.length <= max_message);
  }
  for (const Cut& c : cuts) {
    fuzz::ExactCopy prefix(stream.substr(0, c.at));
    decode::FrameResult r = decode::frame_message(prefix.view(), max_message);
    if (r.status == decode::FrameStatus::Complete) {
      SIPFLOW_FUZZ_CHECK(whole.status == decode::FrameStatus::Complete);
      SIPFLOW_FUZZ_CHECK(whole.length == r.length);
    } else if (r.status == decode::FrameStatus::NeedMore && r.length > 0) {
      // The headers are complete: the size is known and holds for the whole.
      SIPFLOW_FUZZ_CHECK(r.length > c.at && r.length <= max_message);
      SIPFLOW_FUZZ_CHECK(whole.status != decode::FrameStatus::Invalid);
      SIPFLOW_FUZZ_CHECK(whole.length == r.length);
    } else if (r.status == decode::FrameStatus::Invalid) {
      SIPFLOW_FUZZ_CHECK(whole.status == decode::FrameStatus::Invalid);
    }
  }

  // find_start_line: a line start that looks like SIP.
  std::size_t start = decode::find_start_line(stream);
  if (start != std::string_view::npos) {
    SIPFLOW_FUZZ_CHECK(start < stream.size());
    SIPFLOW_FUZZ_CHECK(start == 0 || stream[start - 1] == '\n');
    SIPFLOW_FUZZ_CHECK(decode::looks_like_sip(stream.substr(start)));
  }

  // The extractor with every event the fuzzer chose.
  Collect with_events = run(stream, cuts, options);
  (void)with_events;

  // Segmentation must not change what is found: one segment vs. the cuts.
  if (!small_limits) {
    std::vector<Cut> data_only = cuts;
    for (auto& c : data_only)
      c.event = Event::Data;
    Collect one = run(stream, {}, options);
    Collect split = run(stream, data_only, options);
    if (one.messages != split.messages) {
      std::fprintf(stderr, "one segment: %zu messages, cut at", one.messages.size());
      for (const auto& c : data_only)
        std::fprintf(stderr, " %zu", c.at);
      std::fprintf(stderr, ": %zu messages\n", split.messages.size());
      for (const auto* list : {&one.messages, &split.messages}) {
        for (const auto& m : *list)
          std::fprintf(stderr, "  [%s]\n", m.substr(0, m.find('\r')).c_str());
        std::fprintf(stderr, "  --\n");
      }
    }
    SIPFLOW_FUZZ_CHECK(one.messages == split.messages);
  }
  return 0;
}
