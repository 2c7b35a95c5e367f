#include "sipflow/decode/extractor.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exact_buffer.hpp"

namespace sipflow::decode {
namespace {

using test::crlf;

struct Seen {
  std::uint64_t frame;
  std::string call_id;
};

class Recorder final : public MessageSink {
 public:
  void on_message(const MessageMeta& meta, const SipMessage& m) override {
    seen.push_back({meta.frame, std::string(m.call_id())});
  }
  void on_unparseable(const MessageMeta& meta, std::string_view, Error e) override {
    bad.push_back({meta.frame, std::string(e.code)});
  }
  std::vector<Seen> seen;
  std::vector<Seen> bad;
};

std::string msg(std::string_view call_id, std::string_view body = "") {
  return crlf(
             "MESSAGE sip:a@b SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\nFrom: <sip:x@y>;tag=1\n"
             "To: <sip:a@b>\nCSeq: 1 MESSAGE\nCall-ID: ") +
         std::string(call_id) + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

class ExtractorTest : public ::testing::Test {
 protected:
  void send(std::string_view bytes, capture::PayloadKind kind, std::uint64_t frame,
            std::uint64_t stream = 1) {
    test::ExactBuffer buf(bytes);
    capture::Payload p;
    p.frame = frame;
    p.kind = kind;
    p.stream = stream;
    p.transport = kind == capture::PayloadKind::Datagram ? Transport::Udp : Transport::Tcp;
    p.bytes = buf.bytes();
    x_.on_payload(p);
  }
  Diagnostics diag_;
  Recorder rec_;
  SipExtractor x_{{}, diag_, rec_};
};

TEST_F(ExtractorTest, DatagramsKeepalivesAndNoise) {
  send(msg("a"), capture::PayloadKind::Datagram, 1);
  send("\r\n\r\n", capture::PayloadKind::Datagram, 2);
  send("\x80\x08rtp-ish", capture::PayloadKind::Datagram, 3);
  send(crlf("INVITE sip:a@b SIP/2.0\nbroken header\n\n"), capture::PayloadKind::Datagram, 4);
  ASSERT_EQ(rec_.seen.size(), 1u);
  EXPECT_EQ(rec_.seen[0].call_id, "a");
  ASSERT_EQ(rec_.bad.size(), 1u);
  EXPECT_EQ(rec_.bad[0].frame, 4u);
  EXPECT_EQ(rec_.bad[0].call_id, "bad_header_line");
  EXPECT_EQ(diag_.get("crlf_keepalive"), 1u);
  EXPECT_EQ(diag_.get("non_sip_payload"), 1u);
  EXPECT_EQ(diag_.get("unparseable_sip"), 1u);
}

TEST_F(ExtractorTest, StreamMessageAcrossSegmentsCompletesInTheLastFrame) {
  std::string m = msg("split", "0123456789");
  send(m.substr(0, 10), capture::PayloadKind::StreamData, 1);
  send(m.substr(10, 60), capture::PayloadKind::StreamData, 2);
  EXPECT_TRUE(rec_.seen.empty());
  send(m.substr(70), capture::PayloadKind::StreamData, 3);
  ASSERT_EQ(rec_.seen.size(), 1u);
  EXPECT_EQ(rec_.seen[0].frame, 3u);
}

TEST_F(ExtractorTest, SeveralMessagesAndKeepalivesInOneSegment) {
  send(msg("one") + "\r\n\r\n" + msg("two", "xy") + msg("three").substr(0, 20),
       capture::PayloadKind::StreamData, 7);
  ASSERT_EQ(rec_.seen.size(), 2u);
  EXPECT_EQ(rec_.seen[1].call_id, "two");
  EXPECT_EQ(diag_.get("crlf_keepalive"), 1u);
}

TEST_F(ExtractorTest, GapResynchronisesOnTheNextStartLine) {
  std::string a = msg("lost", "0123456789");
  send(a.substr(0, 40), capture::PayloadKind::StreamData, 1);
  send("", capture::PayloadKind::StreamGap, 2);
  send(a.substr(80) + msg("after"), capture::PayloadKind::StreamData, 3);
  ASSERT_EQ(rec_.seen.size(), 1u);
  EXPECT_EQ(rec_.seen[0].call_id, "after");
}

TEST_F(ExtractorTest, StreamJoinedMidMessageSkipsToFirstStartLine) {
  std::string a = msg("tail-only", "0123456789");
  send(a.substr(30) + msg("next"), capture::PayloadKind::StreamData, 1);
  ASSERT_EQ(rec_.seen.size(), 1u);
  EXPECT_EQ(rec_.seen[0].call_id, "next");
  // Bytes, not segments: all of the tail but the blank line and body that
  // the resynchronisation steps over on its way to the start line.
  EXPECT_GT(diag_.get("non_sip_stream_bytes"), 100u);
  EXPECT_LE(diag_.get("non_sip_stream_bytes"), a.size() - 30);
}

TEST_F(ExtractorTest, StreamsAreSeparate) {
  std::string a = msg("A"), b = msg("B");
  send(a.substr(0, 30), capture::PayloadKind::StreamData, 1, 1);
  send(b.substr(0, 30), capture::PayloadKind::StreamData, 2, 2);
  send(a.substr(30), capture::PayloadKind::StreamData, 3, 1);
  send(b.substr(30), capture::PayloadKind::StreamData, 4, 2);
  ASSERT_EQ(rec_.seen.size(), 2u);
  EXPECT_EQ(rec_.seen[0].call_id, "A");
  EXPECT_EQ(rec_.seen[1].call_id, "B");
}

TEST(Extractor, StreamBufferLimitIsCountedAndRecovered) {
  Diagnostics diag;
  Recorder rec;
  ExtractorOptions o;
  o.max_stream_buffer = 256;
  o.parse.max_message_bytes = 100000;
  SipExtractor x(o, diag, rec);
  std::string big = msg("big", std::string(1000, 'z'));
  test::ExactBuffer buf(big.substr(0, 600));
  capture::Payload p;
  p.kind = capture::PayloadKind::StreamData;
  p.bytes = buf.bytes();
  x.on_payload(p);
  EXPECT_EQ(diag.get("stream_buffer_limit"), 1u);
}

}  // namespace
}  // namespace sipflow::decode
