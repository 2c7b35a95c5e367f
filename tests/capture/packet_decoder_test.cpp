#include "sipflow/capture/packet_decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "packet_builder.hpp"

namespace sipflow::capture {
namespace {

using test::Bytes;
using test::cat;

struct Collected {
  Endpoint src, dst;
  std::string bytes;
  std::uint64_t frame;
  bool truncated;
};

class Collector final : public PayloadSink {
 public:
  void on_payload(const Payload& p) override {
    got.push_back(
        {p.src, p.dst, std::string(p.bytes.begin(), p.bytes.end()), p.frame, p.truncated});
  }
  std::vector<Collected> got;
};

class PacketDecoderTest : public ::testing::Test {
 protected:
  void feed(std::uint32_t linktype, const Bytes& data, std::uint32_t wire_len = 0) {
    Frame f;
    f.number = ++frame_;
    f.ts.ns = static_cast<std::int64_t>(frame_) * 1000;
    f.linktype = linktype;
    f.data = data;
    f.wire_len = wire_len ? wire_len : static_cast<std::uint32_t>(data.size());
    decoder_.decode(f, sink_);
  }
  Bytes sip_udp4() {
    return test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17,
                      test::udp(5060, 5080, test::text(test::kInvite)));
  }

  Diagnostics diag_;
  PacketDecoder decoder_{{}, diag_};
  Collector sink_;
  std::uint64_t frame_ = 0;
};

TEST_F(PacketDecoderTest, EthernetIpv4UdpGivesPayloadWithAddresses) {
  feed(1, test::ethernet(0x0800, sip_udp4()));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0].src.to_string(), "10.0.0.1:5060");
  EXPECT_EQ(sink_.got[0].dst.to_string(), "10.0.0.2:5080");
  EXPECT_EQ(sink_.got[0].bytes, test::kInvite);
}

TEST_F(PacketDecoderTest, EthernetPaddingIsNotPartOfThePayload) {
  Bytes tiny = test::ipv4({1, 1, 1, 1}, {2, 2, 2, 2}, 17, test::udp(1, 2, test::text("x")));
  Bytes frame = test::ethernet(0x0800, tiny);
  frame.resize(64, 0);  // minimum Ethernet frame plus FCS-like trailer
  feed(1, frame);
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0].bytes, "x");
}

TEST_F(PacketDecoderTest, VlanAndQinQTagsAreSkipped) {
  feed(1, test::ethernet(0x8100, test::vlan(100, 0x0800, sip_udp4())));
  feed(1, test::ethernet(0x88A8, test::vlan(200, 0x8100, test::vlan(100, 0x0800, sip_udp4()))));
  EXPECT_EQ(sink_.got.size(), 2u);
}

TEST_F(PacketDecoderTest, MplsLabelStackThenIp) {
  feed(1, test::ethernet(0x8847, test::mpls(16, false, test::mpls(17, true, sip_udp4()))));
  ASSERT_EQ(sink_.got.size(), 1u);
}

TEST_F(PacketDecoderTest, LinuxCookedV1AndV2) {
  Bytes sll = {0, 0, 3, 4, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0};
  test::put16(sll, 0x0800);
  feed(113, cat({sll, sip_udp4()}));
  Bytes sll2;
  test::put16(sll2, 0x0800);
  sll2.resize(20, 0);
  feed(276, cat({sll2, sip_udp4()}));
  EXPECT_EQ(sink_.got.size(), 2u);
}

TEST_F(PacketDecoderTest, BsdNullInBothByteOrdersAndLoop) {
  feed(0, cat({Bytes{2, 0, 0, 0}, sip_udp4()}));    // little-endian AF_INET
  feed(0, cat({Bytes{0, 0, 0, 2}, sip_udp4()}));    // written on a big-endian host
  feed(108, cat({Bytes{0, 0, 0, 2}, sip_udp4()}));  // LOOP: network order
  EXPECT_EQ(sink_.got.size(), 3u);
}

TEST_F(PacketDecoderTest, RawIpLinktypes) {
  feed(101, sip_udp4());
  feed(228, sip_udp4());
  feed(12, sip_udp4());
  EXPECT_EQ(sink_.got.size(), 3u);
}

TEST_F(PacketDecoderTest, Ipv6ExtensionHeadersAreWalked) {
  Bytes udp = test::udp(5060, 5060, test::text(test::kInvite));
  feed(229, test::ipv6(1, 2, 0, test::ipv6_ext8(60, test::ipv6_ext8(17, udp))));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0].src.to_string(), "[2001:db8::1]:5060");
}

TEST_F(PacketDecoderTest, Ipv4FragmentsReassembleInTheLastFrame) {
  Bytes udp = test::udp(5060, 5060, test::text(test::kInvite));
  Bytes first(udp.begin(), udp.begin() + 104), second(udp.begin() + 104, udp.end());
  feed(101, test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17, second, 77, 104, false));
  EXPECT_TRUE(sink_.got.empty());
  feed(101, test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17, first, 77, 0, true));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0].frame, 2u);
  EXPECT_EQ(sink_.got[0].bytes, test::kInvite);
}

TEST_F(PacketDecoderTest, Ipv6FragmentsReassemble) {
  Bytes udp = test::udp(5060, 5060, test::text(test::kInvite));
  Bytes first(udp.begin(), udp.begin() + 96), second(udp.begin() + 96, udp.end());
  feed(229, test::ipv6(1, 2, 44, test::ipv6_fragment(17, 0, true, 9, first)));
  feed(229, test::ipv6(1, 2, 44, test::ipv6_fragment(17, 96, false, 9, second)));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0].bytes, test::kInvite);
}

TEST_F(PacketDecoderTest, IpInIpTunnels) {
  Bytes inner4 = sip_udp4();
  Bytes inner6 = test::ipv6(1, 2, 17, test::udp(5060, 5060, test::text(test::kInvite)));
  feed(101, test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 4, inner4));   // 4in4
  feed(101, test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 41, inner6));  // 6in4
  feed(101, test::ipv6(7, 8, 4, inner4));                             // 4in6
  ASSERT_EQ(sink_.got.size(), 3u);
  EXPECT_EQ(sink_.got[0].src.to_string(), "10.0.0.1:5060");  // inner addresses
  EXPECT_EQ(sink_.got[2].src.to_string(), "10.0.0.1:5060");
}

TEST_F(PacketDecoderTest, GreWithKeyCarryingIpAndEthernet) {
  feed(101,
       test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 47, test::gre(0x2000, 0x0800, sip_udp4(), 1)));
  feed(101, test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 47,
                       test::gre(0, 0x6558, test::ethernet(0x0800, sip_udp4()))));
  EXPECT_EQ(sink_.got.size(), 2u);
}

TEST_F(PacketDecoderTest, ErspanTypeTwoAndThree) {
  Bytes inner = test::ethernet(0x0800, sip_udp4());
  Bytes erspan2(8, 0);
  feed(101, test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 47,
                       test::gre(0x1000, 0x88BE, cat({erspan2, inner}), 1)));
  Bytes erspan3(12, 0);
  feed(101,
       test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 47, test::gre(0, 0x22EB, cat({erspan3, inner}))));
  Bytes erspan3_sub(20, 0);
  erspan3_sub[11] = 0x01;  // O flag: 8-byte platform sub-header follows
  feed(101, test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 47,
                       test::gre(0, 0x22EB, cat({erspan3_sub, inner}))));
  EXPECT_EQ(sink_.got.size(), 3u);
}

TEST_F(PacketDecoderTest, VxlanIsDecapsulated) {
  Bytes vx = {0x08, 0, 0, 0, 0, 0, 42, 0};
  Bytes outer = test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 17,
                           test::udp(40000, 4789, cat({vx, test::ethernet(0x0800, sip_udp4())})));
  feed(1, test::ethernet(0x0800, outer));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_EQ(sink_.got[0].dst.to_string(), "10.0.0.2:5080");
}

TEST_F(PacketDecoderTest, SnaplenCutPacketIsDeliveredAsTruncated) {
  Bytes full = test::ethernet(0x0800, sip_udp4());
  Bytes cut(full.begin(), full.begin() + 120);
  feed(1, cut, static_cast<std::uint32_t>(full.size()));
  ASSERT_EQ(sink_.got.size(), 1u);
  EXPECT_TRUE(sink_.got[0].truncated);
}

TEST_F(PacketDecoderTest, DamagedHeadersAreCountedNotFatal) {
  feed(1, Bytes{1, 2, 3});  // shorter than Ethernet
  Bytes bad = sip_udp4();
  bad[0] = 0x41;  // IHL 1
  feed(101, bad);
  Bytes lying = sip_udp4();
  lying[2] = 0x0F;  // total length > frame
  feed(101, lying);
  feed(147, Bytes{1, 2, 3, 4});  // a user DLT
  EXPECT_TRUE(sink_.got.empty());
  EXPECT_EQ(diag_.get("truncated_frame"), 1u);
  EXPECT_EQ(diag_.get("bad_ipv4_header"), 1u);
  EXPECT_EQ(diag_.get("bad_ipv4_length"), 1u);
  EXPECT_EQ(diag_.get("unsupported_linktype"), 1u);
}

TEST_F(PacketDecoderTest, NestedTunnelsStopAtTheDepthLimit) {
  Bytes p = sip_udp4();
  for (int i = 0; i < 12; ++i)
    p = test::ipv4({192, 0, 2, 1}, {192, 0, 2, 2}, 4, p);
  feed(101, p);
  EXPECT_TRUE(sink_.got.empty());
  EXPECT_EQ(diag_.get("encapsulation_too_deep"), 1u);
}

}  // namespace
}  // namespace sipflow::capture
