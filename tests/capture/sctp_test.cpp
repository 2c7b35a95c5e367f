#include "sipflow/capture/sctp.hpp"

#include <gtest/gtest.h>

#include "exact_buffer.hpp"
#include "transport_fixture.hpp"

namespace sipflow::capture {
namespace {

using test::Bytes;
using test::sctp;
using test::sctp_data;

constexpr std::uint8_t kB = 0x2, kE = 0x1;

class SctpTest : public ::testing::Test {
 protected:
  void packet(const Bytes& b, bool truncated = false) {
    test::ExactBuffer buf(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    std::uint64_t frame = ++frame_;
    r_.packet(IpAddress::v4(0x0A000001), IpAddress::v4(0x0A000002), buf.bytes(), frame,
              Timestamp{static_cast<std::int64_t>(frame)}, truncated, rec_);
  }
  Diagnostics diag_;
  SctpReassembler r_{{}, diag_};
  testing::Recorder rec_;
  std::uint64_t frame_ = 0;
};

TEST_F(SctpTest, WholeMessageInOneChunk) {
  packet(sctp(5060, 5060, {sctp_data(1, 0, kB | kE, test::text("OPTIONS sip:a SIP/2.0"))}));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].transport, Transport::Sctp);
  EXPECT_EQ(rec_.got[0].kind, PayloadKind::Datagram);
  EXPECT_EQ(rec_.got[0].src.to_string(), "10.0.0.1:5060");
  EXPECT_EQ(rec_.got[0].bytes, "OPTIONS sip:a SIP/2.0");
}

TEST_F(SctpTest, SeveralChunksInOnePacketBundleMessagesAndSkipOthers) {
  Bytes sack = test::sctp_chunk(3, 0, Bytes(12, 0));
  packet(sctp(5060, 5060,
              {sack, sctp_data(1, 0, kB | kE, test::text("A1")),
               sctp_data(2, 1, kB | kE, test::text("B22"), 39)}));
  ASSERT_EQ(rec_.got.size(), 2u);
  EXPECT_EQ(rec_.got[0].bytes, "A1");
  EXPECT_EQ(rec_.got[1].bytes, "B22");
}

TEST_F(SctpTest, FragmentsAreJoinedInAnyOrderInTheFrameThatCompletesThem) {
  packet(sctp(1, 2, {sctp_data(12, 0, kE, test::text("cc"))}));
  packet(sctp(1, 2, {sctp_data(10, 0, kB, test::text("aa"))}));
  EXPECT_TRUE(rec_.got.empty());
  packet(sctp(1, 2, {sctp_data(11, 0, 0, test::text("bb"))}));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].bytes, "aabbcc");
  EXPECT_EQ(rec_.got[0].frame, 3u);
  EXPECT_EQ(r_.pending_bytes(), 0u);
}

TEST_F(SctpTest, TsnWrapsAround) {
  packet(sctp(
      1, 2, {sctp_data(0xFFFFFFFF, 0, kB, test::text("x")), sctp_data(0, 0, kE, test::text("y"))}));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].bytes, "xy");
}

// packet_fuzz: a TSN exactly 2^31 behind the highest seen made the distance
// INT32_MIN, and negating it was undefined. It is too old to tell: kept.
TEST_F(SctpTest, TsnHalfTheSpaceAwayIsTooOldToTell) {
  packet(sctp(1, 2, {sctp_data(0x80000005, 0, kB | kE, test::text("A"))}));
  packet(sctp(1, 2, {sctp_data(5, 0, kB | kE, test::text("B"))}));
  ASSERT_EQ(rec_.got.size(), 2u);
  EXPECT_EQ(rec_.got[1].bytes, "B");
  EXPECT_EQ(diag_.get("sctp_duplicate_tsn"), 0u);
}

TEST_F(SctpTest, RetransmittedTsnIsNotASecondMessage) {
  Bytes p = sctp(1, 2, {sctp_data(7, 0, kB | kE, test::text("INVITE"))});
  packet(p);
  packet(p);
  EXPECT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(diag_.get("sctp_duplicate_tsn"), 1u);
}

TEST_F(SctpTest, NonSipPayloadProtocolIsSkipped) {
  packet(sctp(1, 2, {sctp_data(1, 0, kB | kE, test::text("diameter"), 46)}));
  EXPECT_TRUE(rec_.got.empty());
  EXPECT_EQ(diag_.get("sctp_non_sip_ppid"), 1u);
}

TEST_F(SctpTest, OversizedMessageIsDroppedAndCounted) {
  SctpReassembler small({8, 1 << 20, 1'000'000'000, 16}, diag_);
  Bytes p1 = sctp(1, 2, {sctp_data(1, 0, kB, test::text("12345"))});
  Bytes p2 = sctp(1, 2, {sctp_data(2, 0, kE, test::text("67890"))});
  for (const Bytes* p : {&p1, &p2})
    small.packet(IpAddress::v4(1), IpAddress::v4(2), *p, 1, {}, false, rec_);
  EXPECT_TRUE(rec_.got.empty());
  EXPECT_EQ(diag_.get("sctp_reassembly_limit"), 1u);
  EXPECT_EQ(small.pending_bytes(), 5u);
  small.finish(3);
  EXPECT_EQ(diag_.get("sctp_incomplete_message"), 1u);
  EXPECT_EQ(small.pending_bytes(), 0u);
}

TEST_F(SctpTest, BadAndTruncatedChunksAreCounted) {
  Bytes bad = sctp(1, 2, {});
  bad.insert(bad.end(), {0, 3, 0, 2});  // chunk length 2 < 4
  packet(bad);
  EXPECT_EQ(diag_.get("bad_sctp_chunk"), 1u);
  Bytes cut = sctp(1, 2, {sctp_data(1, 0, kB | kE, test::text("OPTIONS sip:a SIP/2.0"))});
  cut.resize(cut.size() - 6);
  packet(cut, true);
  EXPECT_EQ(diag_.get("truncated_sctp_chunk"), 1u);
  EXPECT_TRUE(rec_.got.empty());
}

TEST_F(SctpTest, InitStartsTheTsnSpaceOver) {
  packet(sctp(1, 2, {sctp_data(5, 0, kB | kE, test::text("one"))}));
  packet(sctp(1, 2, {test::sctp_chunk(1, 0, Bytes(16, 0))}));  // INIT
  packet(sctp(1, 2, {sctp_data(5, 0, kB | kE, test::text("two"))}));
  EXPECT_EQ(rec_.got.size(), 2u);
}

// --- through the PacketDecoder, over IPv6 ---

using testing::DecoderFixture;
class SctpDecoderTest : public DecoderFixture {};

TEST_F(SctpDecoderTest, Ipv6SctpGivesDatagrams) {
  feed(test::ipv6(1, 2, 132, sctp(5060, 5061, {sctp_data(1, 0, kB | kE, test::text("BYE"))})));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].src.to_string(), "[2001:db8::1]:5060");
  EXPECT_EQ(rec_.got[0].transport, Transport::Sctp);
}

}  // namespace
}  // namespace sipflow::capture
