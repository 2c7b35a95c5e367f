#include "sipflow/flows/ladder.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace sipflow::flows {
namespace {

Endpoint ep(const char* ip, std::uint16_t port) {
  return Endpoint{*IpAddress::parse(ip), port};
}

// A message at `frame` ms from `src` to `dst`, without text yet.
MessageRecord message(std::uint64_t frame, Endpoint src, Endpoint dst) {
  MessageRecord m;
  m.frame = frame;
  m.ts = Timestamp{static_cast<std::int64_t>(frame) * 1'000'000};
  m.src = src;
  m.dst = dst;
  return m;
}

// A request from `src` to `dst`; `vias` are sent-by values, top first.
MessageRecord request(std::uint64_t frame, Endpoint src, Endpoint dst, const std::string& method,
                      const std::vector<std::string>& vias, const std::string& extra = "") {
  MessageRecord m = message(frame, src, dst);
  m.method = method;
  m.raw = method + " sip:b@example.com SIP/2.0\r\n";
  for (const auto& v : vias)
    m.raw += "Via: SIP/2.0/UDP " + v + ";branch=z9hG4bK" + std::to_string(frame) + "\r\n";
  m.raw += "Call-ID: c1\r\nCSeq: 1 " + method + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
  return m;
}

MessageRecord response(std::uint64_t frame, Endpoint src, Endpoint dst, int status,
                       const std::string& reason, const std::string& to_tag = "") {
  MessageRecord m = message(frame, src, dst);
  m.request = false;
  m.method = "INVITE";
  m.status = status;
  m.reason = reason;
  m.to_tag = to_tag;
  m.raw = fmt::format("SIP/2.0 {} {}\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n\r\n", status, reason);
  return m;
}

Call call_of(std::vector<MessageRecord> history) {
  Call c;
  c.call_id = "c1";
  c.method = "INVITE";
  c.from = "sip:alice@example.com";
  c.to = "sip:bob@example.com";
  c.group = "c1";
  c.history = std::move(history);
  return c;
}

std::vector<std::string> labels(const Ladder& l) {
  std::vector<std::string> out;
  for (const auto& c : l.columns)
    out.push_back(c.label);
  return out;
}

const Endpoint kUa = ep("10.0.0.1", 5070), kUaOther = ep("10.0.0.1", 5080),
               kProxyIn = ep("10.0.0.2", 5060), kProxyOut = ep("10.0.0.3", 5060),
               kCallee = ep("10.0.0.4", 5060);

TEST(Ladder, MergeElementsJoinsAContactOfTheRequestsOriginator) {
  // The UA sends from 5070 but its Contact (where the BYE goes) is 5080.
  Call c = call_of({request(1, kUa, kCallee, "INVITE", {"10.0.0.1:5070"},
                            "Contact: <sip:alice@10.0.0.1:5080>\r\n"),
                    response(2, kCallee, kUa, 200, "OK", "t1"),
                    request(3, kCallee, kUaOther, "BYE", {"10.0.0.4:5060"})});
  Ladder apart = build_ladder({&c}, {});
  EXPECT_EQ(apart.columns.size(), 3u);
  LadderOptions o;
  o.merge_elements = true;
  Ladder merged = build_ladder({&c}, o);
  ASSERT_EQ(merged.columns.size(), 2u);
  EXPECT_EQ(merged.columns[0].addresses,
            (std::vector<std::string>{"10.0.0.1:5070", "10.0.0.1:5080"}));
  EXPECT_EQ(merged.rows[2].to, merged.rows[0].from);
}

TEST(Ladder, MergeElementsIgnoresTheContactAProxyForwards) {
  // Forwarded (two Vias): the Contact is the UA's, not the proxy's.
  Call c = call_of({request(1, kUa, kProxyIn, "INVITE", {"10.0.0.1:5070"},
                            "Contact: <sip:alice@10.0.0.1:5070>\r\n"),
                    request(2, kProxyOut, kCallee, "INVITE", {"10.0.0.3:5060", "10.0.0.1:5070"},
                            "Contact: <sip:alice@10.0.0.1:5070>\r\n")});
  LadderOptions o;
  o.merge_elements = true;
  Ladder l = build_ladder({&c}, o);
  EXPECT_EQ(labels(l), (std::vector<std::string>{"10.0.0.1:5070", "10.0.0.2:5060", "10.0.0.3:5060",
                                                 "10.0.0.4:5060"}));
}

TEST(Ladder, MergeElementsJoinsBothSidesOfADoubleRecordRoute) {
  std::string rr = "Record-Route: <sip:10.0.0.3:5060;lr;r2=on>, <sip:10.0.0.2:5060;lr;r2=on>\r\n";
  Call c =
      call_of({request(1, kUa, kProxyIn, "INVITE", {"10.0.0.1:5070"}),
               request(2, kProxyOut, kCallee, "INVITE", {"10.0.0.3:5060", "10.0.0.1:5070"}, rr)});
  LadderOptions o;
  o.merge_elements = true;
  Ladder l = build_ladder({&c}, o);
  ASSERT_EQ(l.columns.size(), 3u);
  EXPECT_EQ(l.columns[1].addresses, (std::vector<std::string>{"10.0.0.2:5060", "10.0.0.3:5060"}));
  EXPECT_EQ(build_ladder({&c}, {}).columns.size(), 4u);
}

TEST(Ladder, AdjacentSwapsShortenTheArrows) {
  // First seen A, B, C; but six arrows join A-C and C-B, one A-B: C belongs in the middle.
  const Endpoint a = ep("10.0.0.1", 5060), b = ep("10.0.0.2", 5060), cc = ep("10.0.0.3", 5060);
  std::vector<MessageRecord> h = {request(1, a, b, "OPTIONS", {"10.0.0.1"})};
  for (std::uint64_t i = 0; i < 3; ++i) {
    h.push_back(request(2 + 2 * i, a, cc, "MESSAGE", {"10.0.0.1"}));
    h.push_back(request(3 + 2 * i, cc, b, "MESSAGE", {"10.0.0.3"}));
  }
  Call c = call_of(h);
  Ladder l = build_ladder({&c}, {});
  EXPECT_EQ(labels(l),
            (std::vector<std::string>{"10.0.0.1:5060", "10.0.0.3:5060", "10.0.0.2:5060"}));
  EXPECT_EQ(l.rows[0].from, 0u);
  EXPECT_EQ(l.rows[0].to, 2u);  // rows follow their columns
}

TEST(Ladder, LabelsAreWrittenAsPeopleWriteThem) {
  MessageRecord invite = request(1, kUa, kCallee, "INVITE", {"10.0.0.1:5070"});
  invite.sdp = SdpRole::Offer;
  MessageRecord ok = response(3, kCallee, kUa, 200, "OK", "t1");
  ok.sdp = SdpRole::Answer;
  MessageRecord reinvite = request(5, kUa, kCallee, "INVITE", {"10.0.0.1:5070"});
  reinvite.to_tag = "t1";
  Call c = call_of({invite, response(2, kCallee, kUa, 100, "Trying"), ok, reinvite,
                    response(6, kCallee, kUa, 486, "Busy Here", "t1")});
  Ladder l = build_ladder({&c}, {});
  std::vector<std::string> got;
  for (const auto& r : l.rows)
    got.push_back(r.label);
  EXPECT_EQ(got, (std::vector<std::string>{"INVITE (SDP offer)", "100 Trying",
                                           "200 OK (SDP answer)", "re-INVITE", "486 Busy Here"}));
  EXPECT_EQ(l.rows[4].kind, ArrowKind::ClientError);
  EXPECT_EQ(l.title, "INVITE alice → bob · setup");
}

TEST(Ladder, ForkedResponsesAreNumberedByDialog) {
  Call c = call_of({request(1, kUa, kProxyIn, "INVITE", {"10.0.0.1:5070"}),
                    response(2, kProxyIn, kUa, 100, "Trying"),
                    response(3, kProxyIn, kUa, 180, "Ringing", "x"),
                    response(4, kProxyIn, kUa, 180, "Ringing", "y"),
                    response(5, kProxyIn, kUa, 200, "OK", "y")});
  Ladder l = build_ladder({&c}, {});
  EXPECT_EQ(l.rows[1].label, "100 Trying");
  EXPECT_EQ(l.rows[2].label, "180 Ringing [fork 1]");
  EXPECT_EQ(l.rows[3].label, "180 Ringing [fork 2]");
  EXPECT_EQ(l.rows[4].label, "200 OK [fork 2]");
  Call single = call_of({request(1, kUa, kProxyIn, "INVITE", {"10.0.0.1:5070"}),
                         response(2, kProxyIn, kUa, 180, "Ringing", "x")});
  EXPECT_EQ(build_ladder({&single}, {}).rows[1].label, "180 Ringing");
}

TEST(Ladder, ParseAliasTrimsAndRejectsHalves) {
  auto a = parse_alias(" 10.0.0.1:5060 = PBX ");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "10.0.0.1:5060");
  EXPECT_EQ(a->second, "PBX");
  for (const char* bad : {"10.0.0.1", "=PBX", "10.0.0.1=", " = "}) {
    auto r = parse_alias(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, std::string_view("bad_alias"));
  }
  auto file = parse_alias_file("# names\n10.0.0.1=PBX\n\n10.0.0.2 Carrier  # the trunk\n");
  ASSERT_TRUE(file);
  EXPECT_EQ(*file,
            (std::map<std::string, std::string>{{"10.0.0.1", "PBX"}, {"10.0.0.2", "Carrier"}}));
  auto bad = parse_alias_file("10.0.0.1=PBX\n\nlonely\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().offset, 3u);
}

TEST(Ladder, AliasesNameColumnsByPortFirstThenHost) {
  Call c = call_of({request(1, kUa, kCallee, "INVITE", {"10.0.0.1:5070"})});
  LadderOptions o;
  o.aliases = {{"10.0.0.1", "Alice"}, {"10.0.0.4", "host"}, {"10.0.0.4:5060", "Bob"}};
  EXPECT_EQ(labels(build_ladder({&c}, o)), (std::vector<std::string>{"Alice", "Bob"}));
}

}  // namespace
}  // namespace sipflow::flows
