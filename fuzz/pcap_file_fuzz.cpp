// The whole pipeline from a capture file: open_capture_file (pcap, pcapng)
// → PacketDecoder → SipExtractor → Correlator → calls rendered as JSON.
//
// The input is the file. It is put in a memfd and opened by its /proc path,
// so the real reader (buffered read(2), not a memory shortcut) runs.
// InputError is the expected answer to garbage; anything else that escapes
// is a bug.
//
// Invariants: no crash, over-read, leak, hang or unexpected exception; every
// call's JSON is one valid document.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "sipflow/capture/file_source.hpp"
#include "sipflow/capture/packet_decoder.hpp"
#include "sipflow/decode/extractor.hpp"
#include "sipflow/flows/correlator.hpp"
#include "sipflow/render/call_json.hpp"

namespace {

using namespace sipflow;

struct JsonSink final : flows::CallSink {
  std::string json;
  void on_call(flows::Call& c) override {
    json.clear();
    render::append_call_json(json, c);
    SIPFLOW_FUZZ_CHECK(fuzz::valid_json_document(json));
    for (const auto& r : c.history) {
      fuzz::touch(r.raw);
      fuzz::touch(r.sdp_summary);
    }
  }
};

// One memfd for the whole run, rewritten for each input.
int memfd() {
  static int fd = ::memfd_create("sipflow_pcap_fuzz", 0);
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = memfd();
  SIPFLOW_FUZZ_CHECK(fd >= 0);
  SIPFLOW_FUZZ_CHECK(::ftruncate(fd, 0) == 0);
  SIPFLOW_FUZZ_CHECK(::pwrite(fd, data, size, 0) == static_cast<ssize_t>(size));
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  Diagnostics diag;
  JsonSink calls;
  flows::CorrelatorOptions co;
  co.keep_messages = true;
  flows::Correlator correlator(co, diag, calls);
  decode::SipExtractor extractor({}, diag, correlator);
  capture::PacketDecoder decoder({}, diag);

  std::unique_ptr<capture::PacketSource> src;
  try {
    src = capture::open_capture_file(path, diag);
  } catch (const capture::InputError&) {
    return 0;  // not a capture: the CLI reports it and exits 2
  }
  capture::Frame frame;
  std::uint64_t frames = 0, last_number = 0;
  for (;;) {
    auto status = src->next(frame);
    if (status != capture::ReadStatus::Frame) {
      SIPFLOW_FUZZ_CHECK(status != capture::ReadStatus::Idle);  // files are never idle
      if (status == capture::ReadStatus::Error) SIPFLOW_FUZZ_CHECK(!src->error().empty());
      break;
    }
    ++frames;
    SIPFLOW_FUZZ_CHECK(frame.number > last_number);  // 1-based, skipped records counted
    last_number = frame.number;
    SIPFLOW_FUZZ_CHECK(frame.data.size() <= size);
    SIPFLOW_FUZZ_CHECK(frame.wire_len >= frame.data.size());
    fuzz::touch(frame.data);
    decoder.decode(frame, extractor);
  }
  decoder.finish(frames);
  correlator.finish();
  SIPFLOW_FUZZ_CHECK(correlator.open_calls() == 0);
  return 0;
}
