#pragma once
// A PacketDecoder fed with built frames, recording every Payload it emits.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sipflow/capture/packet_decoder.hpp"
#include "transport_builder.hpp"

namespace sipflow::capture::testing {

struct Got {
  PayloadKind kind;
  Transport transport;
  std::uint64_t stream;
  std::uint64_t frame;
  Timestamp ts;
  Endpoint src, dst;
  std::string bytes;
};

class Recorder final : public PayloadSink {
 public:
  void on_payload(const Payload& p) override {
    got.push_back({p.kind, p.transport, p.stream, p.frame, p.ts, p.src, p.dst,
                   std::string(p.bytes.begin(), p.bytes.end())});
  }
  /// All StreamData bytes of `stream`, with "|" for each gap.
  std::string stream_text(std::uint64_t stream) const {
    std::string s;
    for (const auto& g : got) {
      if (g.stream != stream) continue;
      if (g.kind == PayloadKind::StreamData) s += g.bytes;
      if (g.kind == PayloadKind::StreamGap) s += '|';
    }
    return s;
  }
  std::size_t count(PayloadKind k) const {
    std::size_t n = 0;
    for (const auto& g : got)
      n += g.kind == k;
    return n;
  }
  std::vector<Got> got;
};

class Conversations final : public ConversationSink {
 public:
  void on_encrypted(const EncryptedConversation& c) override { got.push_back(c); }
  std::vector<EncryptedConversation> got;
};

class DecoderFixture : public ::testing::Test {
 protected:
  /// Feeds a raw-IP frame (LINKTYPE_RAW) at `ts_ns` (default: frame number ms).
  void feed(const test::Bytes& ip, std::int64_t ts_ns = -1) {
    data_.push_back(ip);
    Frame f;
    f.number = ++frame_;
    f.ts.ns = ts_ns >= 0 ? ts_ns : static_cast<std::int64_t>(frame_) * 1'000'000;
    f.linktype = 101;
    f.data = data_.back();
    f.wire_len = static_cast<std::uint32_t>(f.data.size());
    decoder_->decode(f, rec_);
  }
  /// A TCP segment 10.0.0.1:5060 -> 10.0.0.2:5060 (or the reverse when !forward).
  void tcp4(bool forward, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
            const std::string& payload = {}, std::int64_t ts_ns = -1) {
    test::V4 a{10, 0, 0, 1}, b{10, 0, 0, 2};
    auto seg = test::tcp(forward ? 40000 : 5060, forward ? 5060 : 40000, seq, ack, flags,
                         test::text(payload));
    feed(forward ? test::ipv4(a, b, 6, seg) : test::ipv4(b, a, 6, seg), ts_ns);
  }
  void reset(DecoderOptions o) {
    options_ = std::move(o);
    decoder_ = std::make_unique<PacketDecoder>(options_, diag_);
    decoder_->set_conversation_sink(&conversations_);
  }
  void SetUp() override { reset({}); }

  DecoderOptions options_;
  Diagnostics diag_;
  Recorder rec_;
  Conversations conversations_;
  std::unique_ptr<PacketDecoder> decoder_;
  std::vector<test::Bytes> data_;
  std::uint64_t frame_ = 0;
};

}  // namespace sipflow::capture::testing
