// Linking the legs of one call through a B2BUA / SBC / PBX, one signal at a
// time, each switched on and off (flows/src/linker.cpp through the Correlator).

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "exact_buffer.hpp"
#include "sipflow/flows/correlator.hpp"

namespace sipflow::flows {
namespace {

class Legs final : public CallSink {
 public:
  void on_call(Call& c) override { by_id.emplace(c.call_id, std::move(c)); }
  std::map<std::string, Call> by_id;
};

// "other-leg:signal" for each link of `c`, in the order made.
std::string links_of(const Call& c) {
  std::string out;
  for (const auto& l : c.links)
    out += (out.empty() ? "" : " ") + l.call_id + ":" + l.signal;
  return out;
}

class Linking : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void start(LinkOptions link) {
    CorrelatorOptions o;
    o.link = std::move(link);
    o.link.sdp = false;  // no SDP below; keep the signal under test alone
    legs_ = std::make_unique<Legs>();
    correlator_ = std::make_unique<Correlator>(o, diag_, *legs_);
  }
  // An initial request of leg `call_id` (no SDP) carrying `headers`, at `t` seconds.
  void leg(const std::string& call_id, const std::string& headers, double t,
           const std::string& method = "INVITE") {
    std::string text = method + " sip:bob@b.example SIP/2.0\r\n" +
                       "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + call_id +
                       "\r\nFrom: <sip:alice@a.example>;tag=f-" + call_id +
                       "\r\nTo: <sip:bob@b.example>\r\nCall-ID: " + call_id + "\r\nCSeq: 1 " +
                       method + "\r\n" + headers + "Content-Length: 0\r\n\r\n";
    decode::MessageMeta meta;
    meta.frame = ++frame_;
    meta.ts = Timestamp{1'700'000'000'000'000'000 + static_cast<std::int64_t>(t * 1e9)};
    meta.src = Endpoint{IpAddress::v4(0x0A000001), 5060};
    meta.dst = Endpoint{IpAddress::v4(0x0A000002), 5060};
    test::ExactBuffer buf(text);
    auto m = decode::SipMessage::parse(buf.view());
    ASSERT_TRUE(m) << m.error().code << "\n" << text;
    correlator_->on_message(meta, *m);
  }
  const std::map<std::string, Call>& finish() {
    correlator_->finish();
    return legs_->by_id;
  }
  std::string links(const std::string& id) {
    auto it = legs_->by_id.find(id);
    return it == legs_->by_id.end() ? "<no call " + id + ">" : links_of(it->second);
  }
  std::string group(const std::string& id) {
    auto it = legs_->by_id.find(id);
    return it == legs_->by_id.end() ? "<no call " + id + ">" : it->second.group;
  }

  Diagnostics diag_;
  std::unique_ptr<Legs> legs_;
  std::unique_ptr<Correlator> correlator_;
  std::uint64_t frame_ = 0;
};

TEST_F(Linking, XCidNamesTheOtherLeg) {
  leg("a-leg", "", 0);
  leg("b-leg", "X-CID: a-leg\r\n", 0.1);
  finish();
  EXPECT_EQ(links("b-leg"), "a-leg:header:X-CID");
  EXPECT_EQ(links("a-leg"), "b-leg:header:X-CID");  // recorded on both legs
  EXPECT_EQ(group("a-leg"), "a-leg");
  EXPECT_EQ(group("b-leg"), "a-leg");  // the group is named by its first leg
}

TEST_F(Linking, AHeaderNamedWithLinkHeaderIsUsedInAnySpelling) {
  leg("a", "", 0);
  leg("b", "X-Leg-Ref: a\r\n", 0.1);
  finish();
  EXPECT_EQ(links("b"), "");  // not a correlation header unless named

  LinkOptions o;
  o.header_names.push_back("X-Leg-Ref");  // --link-header X-Leg-Ref
  start(o);
  leg("a", "", 0);
  leg("b", "x-leg-ref: a\r\n", 0.1);  // header names are case-insensitive (RFC 3261 §7.3.1)
  finish();
  EXPECT_EQ(links("b"), "a:header:X-Leg-Ref");
  EXPECT_EQ(group("b"), "a");
}

TEST_F(Linking, TheHeaderMayComeBeforeTheLegItNames) {
  // A B2BUA may send the new leg's INVITE before the capture sees the first one.
  leg("b", "X-Call-ID: a\r\n", 0);
  leg("a", "", 0.1);
  finish();
  EXPECT_EQ(links("a"), "b:header:X-Call-ID");
  EXPECT_EQ(links("b"), "a:header:X-Call-ID");
  EXPECT_EQ(group("a"), "b");  // b started first
}

TEST_F(Linking, NoLinkHeadersSwitchesOffEveryCorrelationHeader) {
  LinkOptions o;
  o.headers = false;  // --no-link-headers
  o.header_names.push_back("X-Leg-Ref");
  start(o);
  leg("a", "", 0);
  leg("b", "X-Call-ID: a\r\n", 0.1);
  leg("c", "X-CID: a\r\n", 0.2);
  leg("d", "X-Leg-Ref: a\r\n", 0.3);
  finish();
  for (const char* id : {"a", "b", "c", "d"}) {
    EXPECT_EQ(links(id), "") << id;
    EXPECT_EQ(group(id), id);
  }
}

TEST_F(Linking, ReplacesLinksTheCallToTheOneItReplaces) {
  // RFC 3891: an attended transfer's INVITE replaces the consultation call.
  leg("consult", "", 0);
  leg("transfer", "Replaces: consult;to-tag=t1;from-tag=f1\r\n", 5);
  finish();
  EXPECT_EQ(links("transfer"), "consult:replaces");
  EXPECT_EQ(links("consult"), "transfer:replaces");
  EXPECT_EQ(group("transfer"), "consult");
}

TEST_F(Linking, ReferToWithAnEscapedReplacesLinksTheReferredCall) {
  leg("consult", "", 0);
  leg("refer", "Refer-To: <sip:carol@c.example?Replaces=consult%3Bto-tag%3D7%3Bfrom-tag%3D8>\r\n",
      1, "REFER");
  finish();
  EXPECT_EQ(links("refer"), "consult:refer-to");
}

TEST_F(Linking, NoLinkReplacesSwitchesOffReplacesAndReferTo) {
  LinkOptions o;
  o.replaces = false;  // --no-link-replaces
  start(o);
  leg("consult", "", 0);
  leg("transfer", "Replaces: consult;to-tag=t1;from-tag=f1\r\n", 5);
  leg("refer", "Refer-To: <sip:carol@c.example?Replaces=consult%3Bto-tag%3D7>\r\n", 6, "REFER");
  leg("other", "X-Call-ID: consult\r\n", 7);  // the headers signal still works
  finish();
  EXPECT_EQ(links("transfer"), "");
  EXPECT_EQ(links("refer"), "");
  EXPECT_EQ(links("other"), "consult:header:X-Call-ID");
}

TEST_F(Linking, ACallNamingItselfIsNotLinked) {
  leg("self", "X-Call-ID: self\r\nReplaces: self;to-tag=a;from-tag=b\r\n", 0);
  finish();
  EXPECT_EQ(links("self"), "");
  EXPECT_EQ(group("self"), "self");
}

TEST_F(Linking, CallIdRegexJoinsTheLegsOfAPbxThatAddsASuffix) {
  LinkOptions o;
  o.callid_regex = "^([^;]+)";  // --link-callid-regex: "abc@pbx;leg=2" shares "abc@pbx"
  start(o);
  leg("abc@pbx", "", 0);
  leg("abc@pbx;leg=2", "", 0.1);
  leg("abc@pbx;leg=3", "", 0.2);
  leg("xyz@pbx;leg=2", "", 0.3);
  finish();
  EXPECT_EQ(links("abc@pbx;leg=2"), "abc@pbx:callid-regex");
  EXPECT_EQ(group("abc@pbx;leg=3"), "abc@pbx");
  EXPECT_EQ(links("xyz@pbx;leg=2"), "");  // its own shared part: alone
  EXPECT_EQ(group("xyz@pbx;leg=2"), "xyz@pbx;leg=2");
}

TEST_F(Linking, CallIdRegexIsOffByDefaultAndAnEmptyCaptureLinksNothing) {
  leg("abc-1", "", 0);
  leg("abc-2", "", 0.1);
  finish();
  EXPECT_EQ(links("abc-2"), "");

  LinkOptions o;
  o.callid_regex = "^(x*)";  // matches every Call-ID with an empty group 1
  start(o);
  leg("abc-1", "", 0);
  leg("abc-2", "", 0.1);
  finish();
  EXPECT_EQ(links("abc-2"), "");
}

TEST_F(Linking, EverySignalThatAgreesIsRecorded) {
  LinkOptions o;
  o.callid_regex = "^([a-z]+)-";
  start(o);
  leg("call-a", "", 0);
  leg("call-b", "X-Call-ID: call-a\r\n", 0.1);
  finish();
  EXPECT_EQ(links("call-b"), "call-a:callid-regex call-a:header:X-Call-ID");
}

}  // namespace
}  // namespace sipflow::flows
