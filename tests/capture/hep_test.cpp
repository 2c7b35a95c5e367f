#include "sipflow/capture/hep.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <charconv>

#include "exact_buffer.hpp"
#include "sipflow/capture/hep_listener.hpp"
#include "transport_fixture.hpp"

namespace sipflow::capture {
namespace {

using test::Bytes;

// Parses from an exactly sized buffer that lives as long as the result
// (the payload is a view into it).
struct Parsed {
  explicit Parsed(const Bytes& b)
      : buf(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())),
        r(parse_hep(buf.bytes())) {}
  test::ExactBuffer buf;
  Result<HepPacket> r;
  explicit operator bool() const { return r.ok(); }
  const HepPacket* operator->() const { return &r.value(); }
  const Error& error() const { return r.error(); }
};

Parsed parse(const Bytes& b) {
  return Parsed(b);
}

const std::string kSip = "OPTIONS sip:b@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n";

TEST(Hep, Version3CarriesTheOriginalAddressesTimeAndTransport) {
  auto h = parse(test::hep3_v4({192, 168, 1, 10}, {192, 168, 1, 20}, 5062, 5060, 6, 1700000000,
                               123456, test::text(kSip)));
  ASSERT_TRUE(h) << h.error().code;
  EXPECT_EQ(h->version, 3);
  EXPECT_EQ(h->src.to_string(), "192.168.1.10:5062");
  EXPECT_EQ(h->dst.to_string(), "192.168.1.20:5060");
  EXPECT_EQ(h->transport, Transport::Tcp);
  ASSERT_TRUE(h->ts);
  EXPECT_EQ(h->ts->ns, 1700000000'123456000);
  EXPECT_EQ(h->capture_id, 2001u);
  EXPECT_EQ(std::string(h->payload.begin(), h->payload.end()), kSip);
}

TEST(Hep, Version3Ipv6AndVendorChunks) {
  Bytes src6(16, 0), dst6(16, 0);
  src6[0] = 0x20, src6[1] = 0x01, src6[15] = 1;
  dst6[0] = 0x20, dst6[1] = 0x01, dst6[15] = 2;
  auto b = test::hep3({test::hep3_chunk(1, test::u8(10)), test::hep3_chunk(2, test::u8(17)),
                       test::hep3_chunk(5, src6), test::hep3_chunk(6, dst6),
                       test::hep3_chunk(7, test::be16(5060)), test::hep3_chunk(8, test::be16(5070)),
                       test::hep3_chunk(99, test::text("vendor"), 0x0020),
                       test::hep3_chunk(15, test::text(kSip))});
  auto h = parse(b);
  ASSERT_TRUE(h) << h.error().code;
  EXPECT_EQ(h->src.to_string(), "[2001::1]:5060");
  EXPECT_EQ(h->transport, Transport::Udp);
  EXPECT_FALSE(h->ts);
}

TEST(Hep, Version2HasLittleEndianTimeAndAPaddedTimeHeader) {
  auto h = parse(test::hep2_v4({10, 1, 1, 1}, {10, 1, 1, 2}, 5060, 5080, 17, 1600000000, 42,
                               test::text(kSip)));
  ASSERT_TRUE(h) << h.error().code;
  EXPECT_EQ(h->version, 2);
  EXPECT_EQ(h->dst.to_string(), "10.1.1.2:5080");
  EXPECT_EQ(h->ts->ns, 1600000000'000042000);
  EXPECT_EQ(std::string(h->payload.begin(), h->payload.end()), kSip);
}

// Kamailio's siptrace marks TLS, WS and WSS alike with protocol 22: the top
// Via of the inner message names the hop's transport (RFC 3261 §20.42).
Transport protocol22(const std::string& sip) {
  auto h = parse(test::hep3_v4({1, 2, 3, 4}, {5, 6, 7, 8}, 1, 2, 22, 1, 1, test::text(sip)));
  EXPECT_TRUE(h) << h.error().code;
  return h ? h->transport : Transport::Udp;
}

TEST(Hep, Protocol22TakesTheTransportOfTheTopVia) {
  EXPECT_EQ(
      protocol22("INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9\r\n"
                 "Via: SIP/2.0/UDP 10.0.0.1\r\n\r\n"),
      Transport::Wss);
  EXPECT_EQ(protocol22("SIP/2.0 200 OK\r\nFrom: <sip:a@x>\r\nv : sip / 2.0 / ws h.invalid\r\n\r\n"),
            Transport::Ws);
  EXPECT_EQ(protocol22("BYE sip:b@x SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.1:5061\r\n\r\n"),
            Transport::Tls);
}

TEST(Hep, Protocol22WithoutAUsableViaIsTls) {
  EXPECT_EQ(protocol22("OPTIONS sip:b@x SIP/2.0\r\nContent-Length: 0\r\n\r\n"), Transport::Tls);
  // A Via after the blank line is body, not a header.
  EXPECT_EQ(protocol22("MESSAGE sip:b@x SIP/2.0\r\n\r\nVia: SIP/2.0/WSS h\r\n"), Transport::Tls);
  EXPECT_EQ(protocol22("OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/3.0/WSS h\r\n\r\n"), Transport::Tls);
  EXPECT_EQ(protocol22("OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n"), Transport::Tls);
  EXPECT_EQ(protocol22("OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/WSS"), Transport::Wss);
}

TEST(Hep, EveryTruncationOfVersion3IsAnError) {
  Bytes full = test::hep3_v4({1, 2, 3, 4}, {5, 6, 7, 8}, 1, 2, 17, 1, 1, test::text(kSip));
  for (std::size_t n = 0; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(parse(cut)) << n;
  }
}

TEST(Hep, BadChunkLengthAndMissingAddressesAreErrors) {
  Bytes bad = test::hep3({test::hep3_chunk(3, Bytes{1, 2, 3})});  // IPv4 of 3 bytes
  EXPECT_EQ(parse(bad).error().code, "bad_hep");
  Bytes no_addr = test::hep3({test::hep3_chunk(15, test::text(kSip))});
  EXPECT_EQ(parse(no_addr).error().code, "bad_hep");
  EXPECT_EQ(parse(test::text("INVITE sip:x SIP/2.0")).error().code, "not_hep");
}

// --- through the PacketDecoder ---

using testing::DecoderFixture;
class HepDecoderTest : public DecoderFixture {};

TEST_F(HepDecoderTest, UdpToPort9060IsDecapsulated) {
  auto hep = test::hep3_v4({192, 168, 1, 10}, {192, 168, 1, 20}, 5062, 5060, 17, 1700000000, 5,
                           test::text(kSip));
  feed(test::ipv4({10, 9, 9, 1}, {10, 9, 9, 2}, 17, test::udp(40000, 9060, hep)));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].src.to_string(), "192.168.1.10:5062");
  EXPECT_EQ(rec_.got[0].ts.ns, 1700000000'000005000);
  EXPECT_EQ(rec_.got[0].frame, 1u);
  EXPECT_EQ(rec_.got[0].bytes, kSip);
}

TEST_F(HepDecoderTest, Hep3IsFoundOnAnyPortByItsMagic) {
  auto hep = test::hep3_v4({1, 1, 1, 1}, {2, 2, 2, 2}, 5060, 5060, 17, 1, 0, test::text(kSip));
  feed(test::ipv4({10, 9, 9, 1}, {10, 9, 9, 2}, 17, test::udp(40000, 7777, hep)));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].dst.to_string(), "2.2.2.2:5060");
}

TEST_F(HepDecoderTest, Hep2OnlyOnConfiguredPorts) {
  auto hep = test::hep2_v4({1, 1, 1, 1}, {2, 2, 2, 2}, 5060, 5060, 17, 1, 0, test::text(kSip));
  feed(test::ipv4({10, 9, 9, 1}, {10, 9, 9, 2}, 17, test::udp(40000, 7777, hep)));
  EXPECT_EQ(rec_.got[0].src.to_string(), "10.9.9.1:40000");  // not HEP here: plain UDP
  DecoderOptions o;
  o.hep_ports = {7777};
  reset(o);
  feed(test::ipv4({10, 9, 9, 1}, {10, 9, 9, 2}, 17, test::udp(40000, 7777, hep)));
  EXPECT_EQ(rec_.got.back().src.to_string(), "1.1.1.1:5060");
}

TEST_F(HepDecoderTest, PlainSipOnTheHepPortStaysSip) {
  feed(test::ipv4({10, 9, 9, 1}, {10, 9, 9, 2}, 17, test::udp(9060, 5060, test::text(kSip))));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].src.to_string(), "10.9.9.1:9060");
}

TEST_F(HepDecoderTest, NonSipPayloadTypesAreCounted) {
  auto hep = test::hep3_v4({1, 1, 1, 1}, {2, 2, 2, 2}, 1, 2, 17, 1, 0, test::text("rtcp"), 5);
  feed(test::ipv4({10, 9, 9, 1}, {10, 9, 9, 2}, 17, test::udp(40000, 9060, hep)));
  EXPECT_TRUE(rec_.got.empty());
  EXPECT_EQ(diag_.get("hep_not_sip"), 1u);
}

TEST_F(HepDecoderTest, Hep3OverTcpIsFramedByItsLength) {
  auto h1 = test::hep3_v4({1, 1, 1, 1}, {2, 2, 2, 2}, 1, 2, 6, 1, 0, test::text(kSip));
  auto h2 = test::hep3_v4({2, 2, 2, 2}, {1, 1, 1, 1}, 2, 1, 6, 2, 0, test::text(kSip));
  auto both = test::cat({h1, h2});
  std::string wire(both.begin(), both.end());
  tcp4(true, 1, 1, test::kAck, wire.substr(0, 30));
  tcp4(true, 31, 1, test::kAck, wire.substr(30));
  ASSERT_EQ(rec_.got.size(), 2u);
  EXPECT_EQ(rec_.got[1].src.to_string(), "2.2.2.2:2");
  EXPECT_EQ(rec_.got[1].transport, Transport::Tcp);
}

// --- the live collector ---

TEST(HepListener, ReceivesADatagramOverLoopback) {
  std::atomic<bool> stop{false};
  auto src = open_hep_listener("udp:127.0.0.1:0", &stop, 50);
  std::string name(src->name());
  ASSERT_EQ(name.substr(0, 14), "udp:127.0.0.1:");
  unsigned port = 0;
  std::from_chars(name.data() + 14, name.data() + name.size(), port);
  ASSERT_NE(port, 0u);

  Bytes hep = test::hep3_v4({192, 0, 2, 1}, {192, 0, 2, 2}, 5060, 5060, 17, 1700000000, 0,
                            test::text(kSip));
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::sendto(fd, hep.data(), hep.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(hep.size()));
  ::close(fd);

  Frame f;
  ReadStatus st = ReadStatus::Idle;
  for (int i = 0; i < 100 && st == ReadStatus::Idle; ++i)
    st = src->next(f);
  ASSERT_EQ(st, ReadStatus::Frame);
  EXPECT_EQ(f.linktype, kLinktypeHepDatagram);
  EXPECT_EQ(f.number, 1u);

  Diagnostics diag;
  PacketDecoder decoder({}, diag);
  testing::Recorder rec;
  decoder.decode(f, rec);
  ASSERT_EQ(rec.got.size(), 1u);
  EXPECT_EQ(rec.got[0].src.to_string(), "192.0.2.1:5060");
  EXPECT_EQ(rec.got[0].ts.ns, 1700000000'000000000);
  EXPECT_EQ(rec.got[0].bytes, kSip);

  stop = true;
  EXPECT_EQ(src->next(f), ReadStatus::End);
}

TEST(HepListener, BadSpecsAreInputErrors) {
  EXPECT_THROW(open_hep_listener("udp:localhost:9060"), InputError);
  EXPECT_THROW(open_hep_listener("udp:127.0.0.1"), InputError);
  EXPECT_THROW(open_hep_listener("tcp:127.0.0.1:9060"), InputError);
  EXPECT_THROW(open_hep_listener("udp:127.0.0.1:70000"), InputError);
  EXPECT_THROW(open_hep_listener("udp:192.0.2.55:9060"), InputError);  // not a local address
}

}  // namespace
}  // namespace sipflow::capture
