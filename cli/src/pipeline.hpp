#pragma once
// The wiring every command shares: packet sources → PacketDecoder →
// SipExtractor → the command's MessageSink.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sipflow/capture/conversation.hpp"
#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/frame.hpp"
#include "sipflow/capture/packet_decoder.hpp"
#include "sipflow/decode/extractor.hpp"

namespace sipflow::cli {

struct InputOptions {
  std::vector<std::string> files;  ///< capture files; "-" is standard input
  std::string interface;           ///< live capture when set
  std::string filter;              ///< BPF capture filter (live only)
  int snaplen = 262144;
  bool no_promiscuous = false;
  bool no_immediate = false;
  std::string hep_listen;    ///< collect HEP datagrams on this socket ("udp:127.0.0.1:9060")
  std::string drop_to_user;  ///< -Z: become this user once the device is open
  bool validate = false;     ///< run decode::validate() on every message and count findings
  std::size_t max_message_bytes = 1u
                                  << 20;  ///< larger SIP messages are rejected (message_too_large)
  std::size_t max_headers = 512;          ///< more header lines are rejected (too_many_headers)
  /// Tunnel, HEP and TLS ports, and the reassembly limits (IP fragments, TCP,
  /// WebSocket, SCTP).
  capture::DecoderOptions decoder;
};

/// Forwards parsed messages to `next` and unparseable ones to `on_bad`.
class ForwardingSink final : public decode::MessageSink {
 public:
  using OnBad = std::function<void(const decode::MessageMeta&, std::string_view, Error)>;
  ForwardingSink(decode::MessageSink& next, OnBad on_bad)
      : next_(next), on_bad_(std::move(on_bad)) {}
  void on_message(const decode::MessageMeta& meta, const decode::SipMessage& m) override {
    next_.on_message(meta, m);
  }
  void on_unparseable(const decode::MessageMeta& meta, std::string_view bytes, Error e) override {
    on_bad_(meta, bytes, e);
  }

 private:
  decode::MessageSink& next_;
  OnBad on_bad_;
};

/// What a run read, for the summary and the exit status.
struct RunTotals {
  std::uint64_t frames = 0;
  std::uint64_t messages = 0;
  int inputs_failed = 0;  ///< inputs that could not be opened or read at all
  std::optional<capture::LiveStats> live;
  bool interrupted = false;
};

/// Reads every input in order and feeds `sink`. Problems with an input are
/// reported through `report_error` (one line each) and the run goes on with
/// the next. `on_file` is called before each file with its index and name;
/// `on_idle` when a live capture is idle (with the current time);
/// `conversations` receives the TLS connections that could not be read.
RunTotals run_pipeline(const InputOptions& in, Diagnostics& diag, decode::MessageSink& sink,
                       const std::atomic<bool>& stop,
                       const std::function<void(const std::string&)>& report_error,
                       const std::function<void(std::uint32_t, const std::string&)>& on_file = {},
                       const std::function<void(Timestamp)>& on_idle = {},
                       capture::ConversationSink* conversations = nullptr);

}  // namespace sipflow::cli
