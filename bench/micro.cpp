// Google Benchmark micro-benchmarks for the hot loops: the SIP parser, the
// content sniffer, SDP, and the correlator's transaction and dialog lookups.
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSIPFLOW_BUILD_BENCH=ON
//   cmake --build build-bench --target sipflow_micro && build-bench/bench/sipflow_micro
//
// The messages are every SIP message of the bundled samples (SIPFLOW_BENCH_PCAP
// names other captures, separated by ':'), read with sipflow's own capture and
// decode code, so the mix is real traffic: INVITEs with SDP, provisional and
// final responses, REGISTER challenges, PRACK, TCP, WebSocket, HEP.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "sipflow/capture/file_source.hpp"
#include "sipflow/capture/packet_decoder.hpp"
#include "sipflow/decode/extractor.hpp"
#include "sipflow/decode/sdp.hpp"
#include "sipflow/flows/correlator.hpp"

namespace {

using sipflow::Diagnostics;
using sipflow::decode::MessageMeta;
using sipflow::decode::SipMessage;

struct Captured {
  MessageMeta meta;
  std::string bytes;
};

class Collect final : public sipflow::decode::MessageSink {
 public:
  explicit Collect(std::vector<Captured>& out) : out_(out) {}
  void on_message(const MessageMeta& meta, const SipMessage& msg) override {
    out_.push_back({meta, std::string(msg.raw())});
  }

 private:
  std::vector<Captured>& out_;
};

std::vector<std::string> capture_paths() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("SIPFLOW_BENCH_PCAP")) {
    std::string list = env;
    for (std::size_t start = 0; start <= list.size();) {
      std::size_t end = std::min(list.find(':', start), list.size());
      if (end > start) paths.push_back(list.substr(start, end - start));
      start = end + 1;
    }
    return paths;
  }
  for (const auto& e : std::filesystem::directory_iterator(SIPFLOW_SAMPLES_DIR)) {
    auto ext = e.path().extension();
    if (ext == ".pcap" || ext == ".pcapng") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Every SIP message of the captures, in order, as the extractor delivers them.
const std::vector<Captured>& messages() {
  static const std::vector<Captured> all = [] {
    std::vector<Captured> out;
    Collect sink(out);
    for (const auto& path : capture_paths()) {
      Diagnostics diag;
      auto src = sipflow::capture::open_capture_file(path, diag);
      sipflow::capture::PacketDecoder decoder({}, diag);
      sipflow::decode::SipExtractor extractor({}, diag, sink);
      sipflow::capture::Frame frame;
      while (src->next(frame) == sipflow::capture::ReadStatus::Frame)
        decoder.decode(frame, extractor);
      decoder.finish(0, extractor);
    }
    return out;
  }();
  return all;
}

std::int64_t total_bytes(const std::vector<Captured>& all) {
  std::int64_t n = 0;
  for (const auto& m : all)
    n += static_cast<std::int64_t>(m.bytes.size());
  return n;
}

void BM_ParseMessage(benchmark::State& state) {
  const auto& all = messages();
  SipMessage msg;  // reused, as the extractor does: no allocation once warm
  for (auto _ : state) {
    for (const auto& m : all) {
      benchmark::DoNotOptimize(msg.assign(m.bytes));
      benchmark::DoNotOptimize(msg.fields().size());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
  state.SetBytesProcessed(state.iterations() * total_bytes(all));
}
BENCHMARK(BM_ParseMessage);

void BM_LooksLikeSip(benchmark::State& state) {
  const auto& all = messages();
  for (auto _ : state) {
    for (const auto& m : all)
      benchmark::DoNotOptimize(sipflow::decode::looks_like_sip(m.bytes));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
}
BENCHMARK(BM_LooksLikeSip);

void BM_ParseSdp(benchmark::State& state) {
  std::vector<std::string> bodies;
  SipMessage msg;
  for (const auto& m : messages()) {
    if (msg.assign(m.bytes) &&
        msg.first(sipflow::decode::HeaderId::ContentType).starts_with("application/sdp")) {
      bodies.emplace_back(msg.body());
    }
  }
  sipflow::decode::Sdp sdp;
  std::int64_t bytes = 0;
  for (const auto& b : bodies)
    bytes += static_cast<std::int64_t>(b.size());
  for (auto _ : state) {
    for (const auto& b : bodies)
      benchmark::DoNotOptimize(sipflow::decode::parse_sdp(b, sdp));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bodies.size()));
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_ParseSdp);

class CountCalls final : public sipflow::flows::CallSink {
 public:
  void on_call(sipflow::flows::Call&) override { ++calls; }
  std::uint64_t calls = 0;
};

// state.range(0) copies of every sample call, each with its own Call-ID, tags
// and branches, interleaved message by message: the copies of a call are open
// at once, so each message is a lookup among them (transaction by branch,
// dialog by Call-ID and tags). The counter open_calls says how many.
std::vector<std::pair<MessageMeta, SipMessage>> interleaved_calls(std::size_t copies) {
  std::vector<std::pair<MessageMeta, SipMessage>> out;
  const auto& all = messages();
  out.reserve(all.size() * copies);
  std::int64_t ns = 0;
  for (const auto& m : all) {
    for (std::size_t c = 0; c < copies; ++c) {
      std::string text = m.bytes;
      // Every token that names a call, transaction or dialog gets the copy's suffix.
      for (std::string_view key : {"Call-ID: ", "i: ", "tag=", "branch=z9hG4bK"}) {
        for (std::size_t at = text.find(key); at != std::string::npos;
             at = text.find(key, at + 1)) {
          text.insert(at + key.size(), "c" + std::to_string(c) + "-");
        }
      }
      SipMessage msg;
      if (!msg.assign(text)) continue;
      MessageMeta meta = m.meta;
      meta.ts.ns = (ns += 1'000'000);  // 1 ms apart: nothing times out mid-run
      out.emplace_back(meta, std::move(msg));
    }
  }
  return out;
}

void BM_Correlate(benchmark::State& state) {
  auto workload = interleaved_calls(static_cast<std::size_t>(state.range(0)));
  std::size_t peak = 0;
  for (auto _ : state) {
    Diagnostics diag;
    CountCalls sink;
    sipflow::flows::Correlator correlator({}, diag, sink);
    for (const auto& [meta, msg] : workload)
      correlator.on_message(meta, msg);
    peak = correlator.peak_open_calls();
    correlator.finish();
    benchmark::DoNotOptimize(sink.calls);
  }
  state.counters["open_calls"] = static_cast<double>(peak);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(workload.size()));
}
BENCHMARK(BM_Correlate)->Arg(10)->Arg(300)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
