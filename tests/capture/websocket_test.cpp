#include "sipflow/capture/websocket.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exact_buffer.hpp"
#include "transport_fixture.hpp"

namespace sipflow::capture {
namespace {

using test::Bytes;
using test::ws_frame;

constexpr std::array<std::uint8_t, 4> kKey{0x37, 0xfa, 0x21, 0x3d};

class Messages final : public WebSocketSink {
 public:
  void on_ws_message(std::span<const std::uint8_t> m) override {
    got.emplace_back(m.begin(), m.end());
    last = m.data();
  }
  std::vector<std::string> got;
  const std::uint8_t* last = nullptr;
};

class WebSocketParserTest : public ::testing::Test {
 protected:
  void feed(const Bytes& b) {
    // Exactly sized, so that AddressSanitizer sees any over-read.
    test::ExactBuffer buf(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    parser_.feed(buf.bytes(), 1, diag_, sink_);
  }
  WebSocketParser parser_;
  Diagnostics diag_;
  Messages sink_;
};

TEST_F(WebSocketParserTest, MaskedTextFrameIsUnmasked) {
  feed(ws_frame(true, 1, test::text("INVITE sip:a SIP/2.0"), kKey));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0], "INVITE sip:a SIP/2.0");
}

TEST_F(WebSocketParserTest, UnmaskedSingleFrameIsPassedWithoutCopy) {
  Bytes f = ws_frame(true, 1, test::text("SIP/2.0 200 OK"));
  parser_.feed(f, 1, diag_, sink_);
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.last, f.data() + 2);
}

TEST_F(WebSocketParserTest, ContinuationFramesAreJoined) {
  Bytes all = test::cat({ws_frame(false, 1, test::text("INVITE "), kKey),
                         ws_frame(true, 9, test::text("ping"), kKey),  // control in between
                         ws_frame(false, 0, test::text("sip:a "), kKey),
                         ws_frame(true, 0, test::text("SIP/2.0"), kKey)});
  feed(all);
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0], "INVITE sip:a SIP/2.0");
  EXPECT_EQ(diag_.get("websocket_ping"), 1u);
}

TEST_F(WebSocketParserTest, FramesSplitAtEveryByteStillParse) {
  std::string big(300, 'y');  // 16-bit length
  Bytes all = test::cat({ws_frame(true, 2, test::text("MESSAGE " + big), kKey),
                         ws_frame(true, 1, test::text("BYE"))});
  for (std::uint8_t b : all)
    feed(Bytes{b});
  ASSERT_EQ(sink_.got.size(), 2u);
  EXPECT_EQ(sink_.got[0], "MESSAGE " + big);
  EXPECT_EQ(sink_.got[1], "BYE");
}

TEST_F(WebSocketParserTest, SixtyFourBitLengthIsRead) {
  std::string big(70000, 'z');
  feed(ws_frame(true, 1, test::text("X" + big)));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0].size(), 70001u);
}

TEST_F(WebSocketParserTest, CloseAndPongAreCounted) {
  feed(test::cat({ws_frame(true, 10, {}), ws_frame(true, 8, Bytes{0x03, 0xe8})}));
  EXPECT_EQ(diag_.get("websocket_pong"), 1u);
  EXPECT_EQ(diag_.get("websocket_close"), 1u);
  EXPECT_TRUE(sink_.got.empty());
}

TEST_F(WebSocketParserTest, OversizedMessageIsSkippedAndTheNextOneRead) {
  parser_ = WebSocketParser(WebSocketLimits{16, 1024});
  feed(test::cat({ws_frame(true, 1, test::text(std::string(40, 'a'))),
                  ws_frame(true, 1, test::text("OPTIONS"))}));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0], "OPTIONS");
  EXPECT_EQ(diag_.get("websocket_message_too_large"), 1u);
}

TEST_F(WebSocketParserTest, CompressedMessagesAreCountedNotDelivered) {
  feed(ws_frame(true, 1, Bytes{0xf2, 0x48}, std::nullopt, 4));
  EXPECT_TRUE(sink_.got.empty());
  EXPECT_EQ(diag_.get("websocket_compressed"), 1u);
}

TEST_F(WebSocketParserTest, BadControlFrameDesyncsUntilAPlausibleStart) {
  feed(ws_frame(false, 9, test::text("x")));  // control frames must not be fragmented
  EXPECT_EQ(diag_.get("websocket_desync"), 1u);
  feed(Bytes{0x00, 0x01, 0x02});  // junk chunk: dropped
  feed(ws_frame(true, 1, test::text("ACK sip:a SIP/2.0"), kKey));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(diag_.get("websocket_resync"), 1u);
}

TEST_F(WebSocketParserTest, GapDropsThePartialMessage) {
  Bytes f = ws_frame(true, 1, test::text("INVITE sip:a SIP/2.0"), kKey);
  feed(Bytes(f.begin(), f.begin() + 8));
  parser_.gap();
  feed(ws_frame(true, 1, test::text("BYE sip:a SIP/2.0"), kKey));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0], "BYE sip:a SIP/2.0");
}

TEST_F(WebSocketParserTest, ReservedLengthBitIsABadFrame) {
  Bytes f{0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 'A'};
  feed(f);
  EXPECT_EQ(diag_.get("websocket_bad_frame"), 1u);
  EXPECT_TRUE(sink_.got.empty());
}

TEST(HttpUpgrade, RequestAndResponseAreRecognised) {
  auto req = parse_http_upgrade(test::kWsUpgradeRequest);
  ASSERT_TRUE(req);
  EXPECT_TRUE(req->request);
  EXPECT_TRUE(req->websocket);
  EXPECT_TRUE(req->sip);
  auto resp = parse_http_upgrade(test::kWsUpgradeResponse);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 101);
  EXPECT_TRUE(resp->websocket);
}

TEST(HttpUpgrade, HeaderNamesAndTokensAreCaseInsensitive) {
  auto u = parse_http_upgrade(
      "GET /ws HTTP/1.1\r\nupgrade: WebSocket\r\nSEC-WEBSOCKET-PROTOCOL: foo, SIP\r\n"
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->websocket);
  EXPECT_TRUE(u->sip);
  EXPECT_TRUE(u->compressed);
}

TEST(HttpUpgrade, NotHttpIsAnError) {
  auto u = parse_http_upgrade("INVITE sip:a SIP/2.0\r\n\r\n");
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, "not_http");
}

TEST(HttpUpgrade, HeadLengthNeedsTheBlankLine) {
  EXPECT_EQ(http_head_length(test::text("GET / HTTP/1.1\r\nHost: a\r\n")), 0u);
  EXPECT_EQ(http_head_length(test::text("GET / HTTP/1.1\r\n\r\nxx")), 18u);
}

// --- over TCP, through the PacketDecoder ---

using testing::DecoderFixture;

class WebSocketOverTcp : public DecoderFixture {};

TEST_F(WebSocketOverTcp, UpgradeThenFramesGiveOneDatagramPerMessage) {
  std::string req(test::kWsUpgradeRequest), resp(test::kWsUpgradeResponse);
  tcp4(true, 1, 1, test::kAck, req);
  tcp4(false, 1, 1 + static_cast<std::uint32_t>(req.size()), test::kAck, resp);
  Bytes f1 = ws_frame(false, 1, test::text("REGISTER sip:a SIP/2.0\r\n"), kKey);
  Bytes f2 = ws_frame(true, 0, test::text("Content-Length: 0\r\n\r\n"), kKey);
  Bytes both = test::cat({f1, f2});
  std::string wire(both.begin(), both.end());
  auto seq = 1 + static_cast<std::uint32_t>(req.size());
  tcp4(true, seq, 1, test::kAck, wire.substr(0, 10));  // frames split over segments
  tcp4(true, seq + 10, 1, test::kAck, wire.substr(10));
  Bytes reply = ws_frame(true, 1, test::text("SIP/2.0 200 OK\r\n\r\n"));
  tcp4(false, 1 + static_cast<std::uint32_t>(resp.size()), 1, test::kAck,
       std::string(reply.begin(), reply.end()));
  ASSERT_EQ(rec_.got.size(), 2u);
  EXPECT_EQ(rec_.got[0].kind, PayloadKind::Datagram);
  EXPECT_EQ(rec_.got[0].transport, Transport::Ws);
  EXPECT_EQ(rec_.got[0].bytes, "REGISTER sip:a SIP/2.0\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(rec_.got[0].frame, 4u);  // the frame that completed the message
  EXPECT_EQ(rec_.got[1].src.to_string(), "10.0.0.2:5060");
  EXPECT_EQ(diag_.get("websocket_upgrade"), 1u);
}

TEST_F(WebSocketOverTcp, PlainHttpIsIgnored) {
  tcp4(true, 1, 1, test::kAck, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(rec_.got.empty());
  EXPECT_EQ(diag_.get("http_not_websocket"), 1u);
}

}  // namespace
}  // namespace sipflow::capture
