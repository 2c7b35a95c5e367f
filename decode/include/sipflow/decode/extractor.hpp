#pragma once
// SipExtractor: transport payloads in, parsed SIP messages out.
//
// Datagrams are one message each (RFC 3261 §18.1.1). Stream bytes (TCP,
// TLS-decrypted, SCTP streams) are framed by Content-Length (§18.3) in a
// bounded buffer per stream, resynchronising on the next start line after a
// gap. Anything that is not SIP is counted, never printed.

#include <cstdint>
#include <string>
#include <unordered_map>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/payload.hpp"
#include "sipflow/decode/sip_message.hpp"

namespace sipflow::decode {

/// Where and when a message was seen.
struct MessageMeta {
  std::uint64_t frame = 0;  ///< frame that completed the message (1-based)
  Timestamp ts;
  Endpoint src;
  Endpoint dst;
  Transport transport = Transport::Udp;
  std::uint32_t file = 0;  ///< index of the input file (several files in one run)
};

/// Receives what the extractor finds, synchronously.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  /// A parsed message; `msg` is borrowed for the duration of the call.
  virtual void on_message(const MessageMeta& meta, const SipMessage& msg) = 0;
  /// Bytes that start like SIP but could not be parsed; `error.code` says why.
  virtual void on_unparseable(const MessageMeta& meta, std::string_view bytes, Error error) {
    (void)meta, (void)bytes, (void)error;
  }
};

struct ExtractorOptions {
  ParseOptions parse;
  std::size_t max_stream_buffer = 1u << 20;  ///< per stream direction; overflow is counted
  bool validate = true;                      ///< run validate() and count what it finds
};

class SipExtractor final : public capture::PayloadSink {
 public:
  /// `diag` and `sink` must outlive the extractor.
  SipExtractor(ExtractorOptions options, Diagnostics& diag, MessageSink& sink)
      : options_(options), diag_(diag), sink_(sink) {}

  void on_payload(const capture::Payload& payload) override;
  /// Sets the file index stamped on the metadata of what follows.
  void set_file(std::uint32_t file) noexcept { file_ = file; }
  /// Number of messages delivered to the sink so far.
  std::uint64_t messages() const noexcept { return messages_; }

 private:
  /// How far framing got with the partial message at the start of a stream's
  /// buffer, so that the next segment does not read its headers again
  /// (segments of a few bytes would make that O(n^2)).
  struct FrameProgress {
    std::size_t scanned = 0;  // buffer[0, scanned) holds no end of the header block
    std::size_t total = 0;    // headers complete: the message's size
  };
  struct Stream {
    std::string buffer;
    bool synced = true;  // false after a gap: skip to the next start line
    FrameProgress progress;
  };
  void datagram(const capture::Payload& p, const MessageMeta& meta);
  void stream_data(const capture::Payload& p, const MessageMeta& meta);
  void deliver(const MessageMeta& meta, std::string_view bytes, const ParseOptions& options);

  ExtractorOptions options_;
  Diagnostics& diag_;
  MessageSink& sink_;
  SipMessage msg_;  // reused for every message: no allocation once warm
  std::unordered_map<std::uint64_t, Stream> streams_;
  std::uint32_t file_ = 0;
  std::uint64_t messages_ = 0;
};

}  // namespace sipflow::decode
