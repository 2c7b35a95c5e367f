#include "sipflow/capture/tls.hpp"

#include <gtest/gtest.h>

#include "exact_buffer.hpp"
#include "sipflow/capture/conversation.hpp"
#include "transport_fixture.hpp"

namespace sipflow::capture {
namespace {

using test::Bytes;

Result<TlsHello> parse(const Bytes& b) {
  test::ExactBuffer buf(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  return parse_tls_hello(buf.bytes());
}

TEST(TlsHello, ClientHelloGivesSniAlpnAndHighestVersion) {
  auto h = parse(test::tls_client_hello("sip.example.com", {"h2", "sip"},
                                        {0x2a2a, 0x0304, 0x0303}));  // 0x2a2a: GREASE
  ASSERT_TRUE(h) << h.error().code;
  EXPECT_TRUE(h->client);
  EXPECT_EQ(h->sni, "sip.example.com");
  EXPECT_EQ(h->alpn, (std::vector<std::string>{"h2", "sip"}));
  EXPECT_EQ(h->version, 0x0304);
  EXPECT_EQ(h->legacy_version, 0x0303);
}

TEST(TlsHello, ServerHelloGivesSelectedVersion) {
  auto h = parse(test::tls_server_hello(0x0304));
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->client);
  EXPECT_EQ(h->version, 0x0304);
  auto old = parse(test::tls_server_hello(0, "sip"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->version, 0x0303);
  EXPECT_EQ(old->alpn, (std::vector<std::string>{"sip"}));
}

TEST(TlsHello, EveryTruncationIsAnErrorNotAnOverRead) {
  Bytes full = test::tls_client_hello("a.example", {"sip"}, {0x0304});
  for (std::size_t n = 0; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(parse(cut)) << n;
  }
}

TEST(TlsHello, OtherHandshakeMessagesAreRejected) {
  auto h = parse(test::tls_handshake(11, Bytes(10, 0)));  // Certificate
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, "not_a_hello");
}

TEST(TlsHello, CollectorJoinsAHelloSplitOverRecordsAndSegments) {
  Bytes hello = test::tls_client_hello("split.example", {}, {});
  Bytes r1 = test::tls_record(22, Bytes(hello.begin(), hello.begin() + 20));
  Bytes r2 = test::tls_record(22, Bytes(hello.begin() + 20, hello.end()));
  Bytes stream = test::cat({r1, r2});
  TlsHelloCollector c;
  std::optional<Result<TlsHello>> got;
  for (std::size_t i = 0; i < stream.size(); i += 7) {
    auto part = std::span<const std::uint8_t>(stream).subspan(
        i, std::min<std::size_t>(7, stream.size() - i));
    auto r = c.feed(part);
    if (r) got = r;
  }
  ASSERT_TRUE(got);
  ASSERT_TRUE(*got);
  EXPECT_EQ((*got)->sni, "split.example");
  EXPECT_EQ(c.state(), TlsHelloCollector::State::Done);
}

TEST(TlsHello, CollectorStopsAtApplicationData) {
  TlsHelloCollector c;
  EXPECT_FALSE(c.feed(test::tls_record(23, Bytes(40, 1))));
  EXPECT_EQ(c.state(), TlsHelloCollector::State::NotHandshake);
}

TEST(TlsHello, VersionNames) {
  EXPECT_EQ(tls_version_name(0x0303), "TLS 1.2");
  EXPECT_EQ(tls_version_name(0x0304), "TLS 1.3");
  EXPECT_EQ(tls_version_name(0), "");
  EXPECT_EQ(tls_version_name(0x7f1c), "0x7f1c");
}

// --- over TCP, through the PacketDecoder ---

using testing::DecoderFixture;
class TlsOverTcp : public DecoderFixture {
 protected:
  // Runs a ClientHello (offering `client_alpn`) and a ServerHello (selecting
  // `server_alpn`, "" for none) over a connection that is then reset.
  Transport transport_after(const std::vector<std::string>& client_alpn,
                            const std::string& server_alpn) {
    tcp4(true, 100, 0, test::kSyn);
    tcp4(false, 900, 101, test::kSyn | test::kAck);
    Bytes ch = test::tls_record(22, test::tls_client_hello("ws.example", client_alpn, {}));
    Bytes sh = test::tls_record(22, test::tls_server_hello(0, server_alpn));
    tcp4(true, 101, 901, test::kAck, std::string(ch.begin(), ch.end()));
    tcp4(false, 901, 101 + static_cast<std::uint32_t>(ch.size()), test::kAck,
         std::string(sh.begin(), sh.end()));
    tcp4(true, 101 + static_cast<std::uint32_t>(ch.size()), 901, test::kRst);
    EXPECT_EQ(conversations_.got.size(), 1u);
    return conversations_.got.empty() ? Transport::Udp : conversations_.got.back().transport;
  }
};

std::string str(const Bytes& b) {
  return {b.begin(), b.end()};
}

TEST_F(TlsOverTcp, HandshakeIsReportedAsAnEncryptedConversation) {
  tcp4(true, 100, 0, test::kSyn);
  tcp4(false, 900, 101, test::kSyn | test::kAck);
  std::string ch =
      str(test::tls_record(22, test::tls_client_hello("pbx.example", {"sip"}, {0x0304, 0x0303})));
  std::string sh = str(test::tls_record(22, test::tls_server_hello(0x0304)));
  std::string app = str(test::tls_record(23, Bytes(100, 0x55)));
  tcp4(true, 101, 901, test::kAck, ch);
  tcp4(false, 901, 101 + static_cast<std::uint32_t>(ch.size()), test::kAck, sh);
  tcp4(true, 101 + static_cast<std::uint32_t>(ch.size()), 901, test::kAck, app);
  EXPECT_TRUE(rec_.got.empty());  // nothing readable is passed on
  EXPECT_TRUE(conversations_.got.empty());
  tcp4(true, 101 + static_cast<std::uint32_t>(ch.size() + app.size()), 901, test::kRst);
  ASSERT_EQ(conversations_.got.size(), 1u);
  const EncryptedConversation& c = conversations_.got[0];
  EXPECT_EQ(c.client.to_string(), "10.0.0.1:40000");
  EXPECT_EQ(c.server.to_string(), "10.0.0.2:5060");
  EXPECT_EQ(c.sni, "pbx.example");
  EXPECT_EQ(c.version, 0x0304);
  EXPECT_EQ(c.alpn, "sip");
  EXPECT_EQ(c.bytes_client_to_server, ch.size() + app.size());
  EXPECT_EQ(c.bytes_server_to_client, sh.size());
  EXPECT_EQ(c.frames, 6u);
  EXPECT_EQ(c.first_frame, 1u);
  EXPECT_EQ(c.last_frame, 6u);
  EXPECT_EQ(c.end, ConversationEnd::Reset);
  EXPECT_EQ(diag_.get("tls_conversation"), 1u);
}

TEST_F(TlsOverTcp, TheAckOfTheLastFinIsTheConversationsLastFrame) {
  tcp4(true, 100, 0, test::kSyn);
  tcp4(false, 900, 101, test::kSyn | test::kAck);
  Bytes ch = test::tls_record(22, test::tls_client_hello("pbx.example", {"sip"}, {}));
  auto n = static_cast<std::uint32_t>(ch.size());
  tcp4(true, 101, 901, test::kAck, std::string(ch.begin(), ch.end()));
  tcp4(false, 901, 101 + n, test::kFin | test::kAck);
  tcp4(true, 101 + n, 902, test::kFin | test::kAck);
  EXPECT_TRUE(conversations_.got.empty());  // the last ACK is still to come
  tcp4(false, 902, 102 + n, test::kAck, {}, 42'000'000);
  ASSERT_EQ(conversations_.got.size(), 1u);
  const EncryptedConversation& c = conversations_.got[0];
  EXPECT_EQ(c.frames, 6u);  // as tshark's conversations count them
  EXPECT_EQ(c.last_frame, 6u);
  EXPECT_EQ(c.last_seen.ns, 42'000'000);
  EXPECT_EQ(c.end, ConversationEnd::Closed);
}

TEST_F(TlsOverTcp, BothFinsWithoutTheLastAckStillEndClosed) {
  tcp4(true, 100, 0, test::kSyn);
  Bytes ch = test::tls_record(22, test::tls_client_hello("pbx.example", {"sip"}, {}));
  auto n = static_cast<std::uint32_t>(ch.size());
  tcp4(true, 101, 0, 0, std::string(ch.begin(), ch.end()));
  tcp4(false, 901, 101 + n, test::kFin | test::kAck);
  tcp4(true, 101 + n, 902, test::kFin | test::kAck);
  decoder_->finish(0, rec_);
  ASSERT_EQ(conversations_.got.size(), 1u);
  EXPECT_EQ(conversations_.got[0].frames, 4u);
  EXPECT_EQ(conversations_.got[0].end, ConversationEnd::Closed);
}

TEST_F(TlsOverTcp, HttpAlpnOfferedByTheClientIsWss) {
  EXPECT_EQ(transport_after({"http/1.1"}, ""), Transport::Wss);
}

TEST_F(TlsOverTcp, H2AlpnIsWss) {
  EXPECT_EQ(transport_after({"h2", "http/1.1"}, "h2"), Transport::Wss);
}

TEST_F(TlsOverTcp, SipAlpnIsTls) {
  EXPECT_EQ(transport_after({"sip"}, ""), Transport::Tls);
}

TEST_F(TlsOverTcp, NoAlpnIsTls) {
  EXPECT_EQ(transport_after({}, ""), Transport::Tls);
}

TEST_F(TlsOverTcp, TheServersChoiceOfAnotherProtocolIsTls) {
  EXPECT_EQ(transport_after({"http/1.1", "sip"}, "sip"), Transport::Tls);
}

TEST_F(TlsOverTcp, TlsPortWithoutHandshakeIsStillEncrypted) {
  auto seg = test::tcp(40000, 5061, 1, 1, test::kAck, Bytes(50, 0x9c));
  feed(test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 6, seg));
  decoder_->finish(0, rec_);
  EXPECT_TRUE(rec_.got.empty());
  ASSERT_EQ(conversations_.got.size(), 1u);
  EXPECT_EQ(conversations_.got[0].version, 0);
  EXPECT_EQ(conversations_.got[0].end, ConversationEnd::EndOfCapture);
}

TEST_F(TlsOverTcp, SipOnTheTlsPortIsStillSip) {
  auto seg = test::tcp(40000, 5061, 1, 1, test::kAck, test::text("OPTIONS sip:a SIP/2.0\r\n"));
  feed(test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 6, seg));
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0].kind, PayloadKind::StreamData);
}

}  // namespace
}  // namespace sipflow::capture
