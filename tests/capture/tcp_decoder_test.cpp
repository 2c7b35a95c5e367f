// PacketDecoder on built TCP segments: connections, streams and timeouts.

#include <gtest/gtest.h>

#include <map>

#include "transport_fixture.hpp"

namespace sipflow::capture::testing {
namespace {

using test::kAck;
using test::kFin;
using test::kPsh;
using test::kRst;
using test::kSyn;

class TcpDecoderTest : public DecoderFixture {
 protected:
  // Handshake with ISNs 100 (client) and 900 (server).
  void handshake() {
    tcp4(true, 100, 0, kSyn);
    tcp4(false, 900, 101, kSyn | kAck);
    tcp4(true, 101, 901, kAck);
  }
};

TEST_F(TcpDecoderTest, HandshakeThenMessagesGiveStreamDataWithStableIds) {
  handshake();
  std::string invite = test::sip_message("INVITE", "c1");
  tcp4(true, 101, 901, kAck | kPsh, invite);
  std::string ok = test::sip_message("OPTIONS", "c2");
  tcp4(false, 901, 101 + static_cast<std::uint32_t>(invite.size()), kAck | kPsh, ok);
  ASSERT_EQ(rec_.got.size(), 2u);
  const Got a = rec_.got[0];
  EXPECT_EQ(a.kind, PayloadKind::StreamData);
  EXPECT_EQ(a.transport, Transport::Tcp);
  EXPECT_EQ(a.src.to_string(), "10.0.0.1:40000");
  EXPECT_EQ(a.dst.to_string(), "10.0.0.2:5060");
  EXPECT_EQ(a.frame, 4u);
  EXPECT_EQ(a.bytes, invite);
  EXPECT_NE(a.stream, 0u);
  EXPECT_NE(rec_.got[1].stream, a.stream);  // one id per direction
  tcp4(true, 101 + static_cast<std::uint32_t>(invite.size()), 901, kAck | kPsh, "\r\n\r\n");
  EXPECT_EQ(rec_.got.back().stream, a.stream);
}

TEST_F(TcpDecoderTest, PureAcksAndUnknownFinsCreateNothing) {
  tcp4(true, 5, 5, kAck);
  tcp4(true, 5, 5, kAck | kFin);
  tcp4(true, 5, 5, kRst);
  EXPECT_TRUE(rec_.got.empty());
}

TEST_F(TcpDecoderTest, FinInBothDirectionsEndsBothStreams) {
  handshake();
  tcp4(true, 101, 901, kAck, "INVITE");
  tcp4(true, 107, 901, kAck | kFin);
  tcp4(false, 901, 108, kAck | kFin);
  tcp4(true, 108, 902, kAck);  // the last ACK: the connection is gone, nothing new
  EXPECT_EQ(rec_.count(PayloadKind::StreamEnd), 1u);  // only the direction that spoke SIP
  ASSERT_FALSE(rec_.got.empty());
  EXPECT_EQ(rec_.got.back().kind, PayloadKind::StreamEnd);
}

TEST_F(TcpDecoderTest, ResetEndsTheStreams) {
  handshake();
  tcp4(true, 101, 901, kAck, "OPTIONS");
  tcp4(false, 901, 108, kRst);
  EXPECT_EQ(rec_.count(PayloadKind::StreamEnd), 1u);
}

TEST_F(TcpDecoderTest, ConnectionOpenBeforeTheCaptureStartsAtTheFirstSegment) {
  std::string m = test::sip_message("BYE", "c3");
  tcp4(true, 77777, 1, kAck, m.substr(0, 40));
  tcp4(true, 77777 + 40, 1, kAck, m.substr(40));
  EXPECT_EQ(rec_.stream_text(rec_.got[0].stream), m);
}

TEST_F(TcpDecoderTest, SwappedSegmentsAreDeliveredInOrderInTheFrameThatCompletesThem) {
  handshake();
  std::string m = test::sip_message("INVITE", "c4", 300);
  tcp4(true, 101 + 200, 901, kAck, m.substr(200));  // frame 4: second half first
  tcp4(true, 101, 901, kAck, m.substr(0, 200));     // frame 5
  ASSERT_EQ(rec_.got.size(), 2u);
  EXPECT_EQ(rec_.got[0].bytes + rec_.got[1].bytes, m);
  EXPECT_EQ(rec_.got[0].frame, 5u);
  EXPECT_EQ(rec_.got[1].frame, 5u);
}

TEST_F(TcpDecoderTest, LostSegmentIsAGapOnceThePeerAcksPastIt) {
  handshake();
  tcp4(true, 101, 901, kAck, "AAAA");
  tcp4(true, 109, 901, kAck, "CCCC");  // "BBBB" at 105 was not captured
  tcp4(false, 901, 113, kAck);         // the server got all 12 bytes
  std::uint64_t s = rec_.got[0].stream;
  EXPECT_EQ(rec_.stream_text(s), "AAAA|CCCC");
  EXPECT_EQ(diag_.get("tcp_gap"), 1u);
}

TEST_F(TcpDecoderTest, Ipv6ConnectionsAreTracked) {
  std::string m = test::sip_message("REGISTER", "c5");
  auto seg = test::tcp(5060, 5060, 1, 0, kAck, test::text(m));
  feed(test::ipv6(1, 2, 6, seg));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].src.to_string(), "[2001:db8::1]:5060");
  EXPECT_EQ(rec_.got[0].bytes, m);
}

TEST_F(TcpDecoderTest, IdleConnectionsTimeOutInCaptureTime) {
  DecoderOptions o;
  o.tcp.idle_timeout_ns = 5'000'000'000;
  reset(o);
  tcp4(true, 1, 1, kAck, "OPTIONS", 0);
  tcp4(true, 8, 1, kAck, " sip:", 1'000'000'000);
  EXPECT_EQ(rec_.count(PayloadKind::StreamEnd), 0u);
  // Another connection's packet 10 s later moves the clock on.
  feed(test::ipv4({1, 1, 1, 1}, {2, 2, 2, 2}, 17, test::udp(1, 2, test::text("x"))),
       12'000'000'000);
  EXPECT_EQ(rec_.count(PayloadKind::StreamEnd), 1u);
  EXPECT_EQ(diag_.get("tcp_idle_timeout"), 1u);
}

TEST_F(TcpDecoderTest, NewSynOnTheSameAddressesStartsANewConnection) {
  handshake();
  tcp4(true, 101, 901, kAck, "OPTIONS");
  std::uint64_t first = rec_.got[0].stream;
  tcp4(true, 5000, 0, kSyn);  // port reuse without FIN/RST seen
  tcp4(true, 5001, 0, kAck, "INVITE");
  EXPECT_EQ(diag_.get("tcp_connection_reused"), 1u);
  EXPECT_NE(rec_.got.back().stream, first);
  EXPECT_EQ(rec_.got.back().bytes, "INVITE");
}

TEST_F(TcpDecoderTest, RetransmittedSynIsNotANewConnection) {
  tcp4(true, 100, 0, kSyn);
  tcp4(true, 100, 0, kSyn);
  tcp4(true, 101, 0, kAck, "OPTIONS");
  EXPECT_EQ(diag_.get("tcp_connection_reused"), 0u);
  EXPECT_EQ(rec_.got.size(), 1u);
}

TEST_F(TcpDecoderTest, FinishFlushesHeldDataAndEndsStreams) {
  handshake();
  tcp4(true, 101, 901, kAck, "AA");
  tcp4(true, 105, 901, kAck, "CC");
  decoder_->finish(0, rec_);
  std::uint64_t s = rec_.got[0].stream;
  EXPECT_EQ(rec_.stream_text(s), "AA|CC");
  EXPECT_EQ(rec_.got.back().kind, PayloadKind::StreamEnd);
}

TEST_F(TcpDecoderTest, ConnectionLimitIsCounted) {
  DecoderOptions o;
  o.tcp.max_connections = 1;
  reset(o);
  tcp4(true, 1, 1, kAck, "OPTIONS");
  feed(test::ipv4({9, 9, 9, 9}, {8, 8, 8, 8}, 6, test::tcp(1, 2, 1, 1, kAck, test::text("x"))));
  EXPECT_EQ(diag_.get("tcp_connection_limit"), 1u);
  EXPECT_EQ(rec_.got.size(), 1u);
}

TEST_F(TcpDecoderTest, ManyConnectionsComeAndGo) {
  // Exercises the flat table's growth and backward-shift deletion.
  for (std::uint16_t i = 0; i < 2000; ++i) {
    test::V4 a{10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    feed(test::ipv4(a, {10, 2, 0, 1}, 6, test::tcp(i, 5060, 1, 1, kAck, test::text("OPTIONS"))));
    if (i % 3 == 0) feed(test::ipv4(a, {10, 2, 0, 1}, 6, test::tcp(i, 5060, 8, 1, kRst)));
  }
  for (std::uint16_t i = 0; i < 2000; ++i) {
    test::V4 a{10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    feed(test::ipv4(a, {10, 2, 0, 1}, 6, test::tcp(i, 5060, 8, 1, kAck, test::text(" sip:"))));
  }
  // Reset connections restart as new ones; the others continue their stream.
  EXPECT_EQ(rec_.count(PayloadKind::StreamData), 4000u);
  EXPECT_EQ(rec_.count(PayloadKind::StreamEnd), 667u);
  std::map<Endpoint, std::vector<std::uint64_t>> streams;
  for (const auto& g : rec_.got) {
    if (g.kind == PayloadKind::StreamData) streams[g.src].push_back(g.stream);
  }
  ASSERT_EQ(streams.size(), 2000u);
  for (const auto& [src, ids] : streams) {
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids[0] == ids[1], src.port % 3 != 0) << src.to_string();
  }
}

}  // namespace
}  // namespace sipflow::capture::testing
