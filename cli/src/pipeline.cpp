#include "pipeline.hpp"

#include "privileges.hpp"
#include "relay.hpp"

#include "sipflow/capture/file_source.hpp"
#include "sipflow/capture/hep_listener.hpp"
#include "sipflow/capture/live_source.hpp"

namespace sipflow::cli {
namespace {

// Pumps one source to the end. Returns false if it failed (a file that is
// truncated or corrupt part-way included: what came before is still delivered).
bool pump(capture::PacketSource& src, capture::PacketDecoder& decoder,
          decode::SipExtractor& extractor, const std::atomic<bool>& stop, RunTotals& totals,
          Relay& relay) {
  capture::Frame frame;
  std::uint64_t frames = 0;
  for (;;) {
    if (stop.load(std::memory_order_relaxed)) {
      totals.interrupted = true;
      break;
    }
    if (relay.failed()) break;  // the command's side threw: finish() reports it
    auto status = src.next(frame);
    if (status == capture::ReadStatus::Frame) {
      ++frames;
      decoder.decode(frame, extractor);
      continue;
    }
    if (status == capture::ReadStatus::Idle) {
      decoder.expire(frame.ts, extractor);  // idle streams time out on a quiet network too
      relay.idle(frame.ts);
      continue;
    }
    if (status == capture::ReadStatus::Error) {
      relay.error(std::string(src.name()) + ": " + std::string(src.error()));
    }
    break;
  }
  totals.frames += frames;
  if (auto live = src.live_stats()) totals.live = live;
  return src.error().empty();
}

}  // namespace

RunTotals run_pipeline(const InputOptions& in, Diagnostics& diag, decode::MessageSink& sink,
                       const std::atomic<bool>& stop,
                       const std::function<void(const std::string&)>& report_error,
                       const std::function<void(std::uint32_t, const std::string&)>& on_file,
                       const std::function<void(Timestamp)>& on_idle,
                       capture::ConversationSink* conversations) {
  RunTotals totals;
  // Reading and parsing here, the command's work on a second core (relay.hpp).
  // The reading side counts into its own Diagnostics, merged at the end.
  Relay relay({sink, conversations, report_error, on_file, on_idle});
  Diagnostics reading;
  decode::ExtractorOptions xo;
  xo.validate = in.validate;
  xo.parse.max_message_bytes = in.max_message_bytes;
  xo.parse.max_headers = in.max_headers;
  decode::SipExtractor extractor(xo, reading, relay);
  // One decoder for the whole run: the files of a rotated capture (tcpdump -C)
  // continue each other's fragments and streams.
  capture::DecoderOptions dopt = in.decoder;
  // --max-reassembly-bytes bounds IP fragments, TCP and SCTP alike.
  dopt.tcp.max_held_total = dopt.sctp.max_pending_total = dopt.fragments.max_pending_bytes;
  capture::PacketDecoder decoder(dopt, reading);
  if (conversations != nullptr) decoder.set_conversation_sink(&relay);

  if (!in.interface.empty()) {
    capture::LiveOptions lo;
    lo.interface = in.interface;
    lo.bpf_filter = in.filter;
    lo.snaplen = in.snaplen;
    lo.promiscuous = !in.no_promiscuous;
    lo.immediate = !in.no_immediate;
    auto src = capture::open_live(lo, &stop);  // InputError propagates: nothing to read
    if (!in.drop_to_user.empty()) drop_privileges(in.drop_to_user);
    relay.file(0, in.interface);
    if (!pump(*src, decoder, extractor, stop, totals, relay)) ++totals.inputs_failed;
  }
  if (!in.hep_listen.empty()) {
    auto src = capture::open_hep_listener(in.hep_listen, &stop);  // InputError: cannot bind
    relay.file(0, std::string(src->name()));
    if (!pump(*src, decoder, extractor, stop, totals, relay)) ++totals.inputs_failed;
  }
  for (std::size_t i = 0; i < in.files.size(); ++i) {
    if (stop.load() || relay.failed()) break;
    const std::string& path = in.files[i];
    std::unique_ptr<capture::PacketSource> src;
    try {
      src = capture::open_capture_file(path, reading);
    } catch (const capture::InputError& e) {
      relay.error(e.what());
      ++totals.inputs_failed;
      continue;
    }
    extractor.set_file(static_cast<std::uint32_t>(i));
    relay.file(static_cast<std::uint32_t>(i), path);
    if (!pump(*src, decoder, extractor, stop, totals, relay)) ++totals.inputs_failed;
  }
  decoder.finish(0, extractor);  // hands over what streams still hold
  relay.finish();                // rethrows what a command's sink threw
  diag.merge(reading);
  if (stop.load()) totals.interrupted = true;
  totals.messages = extractor.messages();
  return totals;
}

}  // namespace sipflow::cli
