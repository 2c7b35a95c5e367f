#include "sipflow/decode/sdp.hpp"

#include <gtest/gtest.h>

#include "exact_buffer.hpp"

namespace sipflow::decode {
namespace {

const std::string kOffer = test::crlf(
    "v=0\n"
    "o=alice 2890844526 2890844527 IN IP4 192.0.2.10\n"
    "s=-\n"
    "c=IN IP4 192.0.2.10\n"
    "t=0 0\n"
    "a=sendrecv\n"
    "m=audio 49170 RTP/AVP 0 8 101\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-15\n"
    "m=video 51372 RTP/AVP 99\n"
    "c=IN IP4 192.0.2.11/127\n"
    "a=rtpmap:99 H264/90000\n"
    "a=sendonly\n");

TEST(SdpParser, SessionAndMediaLines) {
  test::ExactBuffer buf(kOffer);
  Sdp sdp;
  ASSERT_TRUE(parse_sdp(buf.view(), sdp));
  EXPECT_EQ(sdp.origin_user, "alice");
  EXPECT_EQ(sdp.session_version, "2890844527");
  EXPECT_EQ(sdp.origin_address, "192.0.2.10");
  ASSERT_EQ(sdp.media.size(), 2u);
  EXPECT_EQ(sdp.media[0].type, "audio");
  EXPECT_EQ(sdp.media[0].port, 49170);
  EXPECT_EQ(sdp.media[0].formats, "0 8 101");
  EXPECT_EQ(sdp.media[0].address, "192.0.2.10");  // inherited from the session
  EXPECT_EQ(sdp.media[1].address, "192.0.2.11");  // its own c=, TTL stripped
  EXPECT_EQ(sdp.media[1].direction, MediaDirection::SendOnly);
  EXPECT_EQ(sdp.media[0].direction, MediaDirection::SendRecv);
  EXPECT_EQ(sdp.codec(0, 0), "PCMU");
  EXPECT_EQ(sdp.codec(0, 8), "PCMA");
  EXPECT_EQ(sdp.codec(0, 101), "telephone-event");
  EXPECT_EQ(sdp.codec(1, 99), "H264");
  ASSERT_EQ(sdp.fmtps.size(), 1u);
  EXPECT_EQ(sdp.fmtps[0].params, "0-15");
  EXPECT_FALSE(sdp.on_hold(0));
  EXPECT_TRUE(sdp.on_hold(1));
}

TEST(SdpParser, Rfc2543HoldAddressCountsAsHold) {
  Sdp sdp;
  ASSERT_TRUE(parse_sdp("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n", sdp));
  EXPECT_TRUE(sdp.on_hold(0));
}

TEST(SdpParser, ReusesOutputWithoutStaleMedia) {
  Sdp sdp;
  ASSERT_TRUE(parse_sdp(kOffer, sdp));
  ASSERT_TRUE(parse_sdp("v=0\r\ns=x\r\n", sdp));
  EXPECT_TRUE(sdp.media.empty());
  EXPECT_TRUE(sdp.rtpmaps.empty());
}

TEST(SdpParser, RejectsNonSdpAndBrokenLines) {
  Sdp sdp;
  EXPECT_EQ(parse_sdp("hello", sdp).error().code, "not_sdp");
  EXPECT_EQ(parse_sdp("o=x\r\nv=0\r\n", sdp).error().code, "not_sdp");
  EXPECT_EQ(parse_sdp("v=0\r\nthis is not a line\r\n", sdp).error().code, "bad_sdp_line");
  EXPECT_EQ(parse_sdp("v=0\r\nm=audio notaport RTP/AVP 0\r\n", sdp).error().code, "bad_sdp_media");
  EXPECT_EQ(parse_sdp("", sdp).error().code, "not_sdp");
}

}  // namespace
}  // namespace sipflow::decode
