#include "sipflow/flows/stats.hpp"

#include <gtest/gtest.h>

#include <string>

#include "exact_buffer.hpp"

namespace sipflow::flows {
namespace {

constexpr std::uint32_t kCaller = 0x0A000001;  // 10.0.0.1
constexpr std::uint32_t kCallee = 0x0A000002;  // 10.0.0.2

// One SIP message of a test call. Requests go caller → callee, responses back.
struct Msg {
  Msg(std::string start_line, std::string id = "call-1", std::string cseq_value = "1 INVITE",
      std::string to = "", std::string via_branch = "z9hG4bK-1", std::string headers = "")
      : start(std::move(start_line)),
        call_id(std::move(id)),
        cseq(std::move(cseq_value)),
        to_tag(std::move(to)),
        branch(std::move(via_branch)),
        extra(std::move(headers)) {}
  std::string start;  // "INVITE sip:bob@b" or "SIP/2.0 200 OK"
  std::string call_id, cseq, to_tag, branch;
  std::string extra;  // more header lines, each ending in \r\n
};

std::string text(const Msg& m) {
  bool response = m.start.starts_with("SIP/2.0");
  std::string s = response ? m.start + "\r\n" : m.start + " SIP/2.0\r\n";
  s += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=" + m.branch + "\r\n";
  s += "From: <sip:alice@a>;tag=ft\r\n";
  s += "To: <sip:bob@b>" + (m.to_tag.empty() ? std::string() : ";tag=" + m.to_tag) + "\r\n";
  s += "Call-ID: " + m.call_id + "\r\nCSeq: " + m.cseq + "\r\n" + m.extra;
  s += "Content-Length: 0\r\n\r\n";
  return s;
}

class StatsTest : public ::testing::Test {
 protected:
  void SetUp() override { make({}); }
  void make(StatsOptions o) {
    correlator_.reset();
    stats_ = std::make_unique<Stats>(std::move(o), diag_);
    correlator_ = std::make_unique<Correlator>(CorrelatorOptions{}, diag_, *stats_, stats_.get());
  }
  // Sends `m` at `t` seconds.
  void send(const Msg& m, double t) {
    bool response = m.start.starts_with("SIP/2.0");
    decode::MessageMeta meta;
    meta.frame = ++frame_;
    meta.ts = at(t);
    meta.src = Endpoint{IpAddress::v4(response ? kCallee : kCaller), 5060};
    meta.dst = Endpoint{IpAddress::v4(response ? kCaller : kCallee), 5060};
    test::ExactBuffer buf(text(m));
    auto parsed = decode::SipMessage::parse(buf.view());
    ASSERT_TRUE(parsed) << parsed.error().code << "\n" << text(m);
    correlator_->on_message(meta, *parsed);
  }
  static Timestamp at(double t) {
    return Timestamp{1'700'000'000'000'000'000 + static_cast<std::int64_t>(t * 1e9)};
  }
  StatsReport finish() {
    correlator_->finish();
    return stats_->report();
  }
  // INVITE → 100 → 180 → `final`; a 2xx is ACKed and hung up 30 s later.
  void call(const std::string& id, const std::string& final, double t0 = 0,
            const std::string& final_extra = "") {
    send({"INVITE sip:bob@b", id, "1 INVITE", "", "z9hG4bK-i" + id}, t0);
    send({"SIP/2.0 100 Trying", id, "1 INVITE", "", "z9hG4bK-i" + id}, t0 + 0.01);
    send({"SIP/2.0 180 Ringing", id, "1 INVITE", "tt", "z9hG4bK-i" + id}, t0 + 0.5);
    send({"SIP/2.0 " + final, id, "1 INVITE", "tt", "z9hG4bK-i" + id, final_extra}, t0 + 2);
    if (final.starts_with("2")) {
      send({"ACK sip:bob@b", id, "1 ACK", "tt", "z9hG4bK-a" + id}, t0 + 2.01);
      send({"BYE sip:bob@b", id, "2 BYE", "tt", "z9hG4bK-b" + id}, t0 + 32);
      send({"SIP/2.0 200 OK", id, "2 BYE", "tt", "z9hG4bK-b" + id}, t0 + 32.01);
    } else {
      send({"ACK sip:bob@b", id, "1 ACK", "tt", "z9hG4bK-i" + id}, t0 + 2.01);
    }
  }
  static const StatsReport::MethodRow* method(const StatsReport& r, std::string_view m) {
    for (const auto& row : r.methods) {
      if (row.method == m) return &row;
    }
    return nullptr;
  }
  static const StatsReport::CodeRow* code(const StatsReport& r, int c) {
    for (const auto& row : r.codes) {
      if (row.code == c) return &row;
    }
    return nullptr;
  }

  Diagnostics diag_;
  std::unique_ptr<Stats> stats_;
  std::unique_ptr<Correlator> correlator_;
  std::uint64_t frame_ = 0;
};

TEST_F(StatsTest, CountsRequestsByMethodAndResponsesByCode) {
  call("a", "200 OK");
  auto r = finish();
  ASSERT_EQ(r.methods.size(), 3u);
  EXPECT_EQ(r.methods[0].method, "INVITE");  // ties in call-flow order
  EXPECT_EQ(r.methods[1].method, "ACK");
  EXPECT_EQ(r.methods[2].method, "BYE");
  EXPECT_EQ(r.requests, 3u);
  EXPECT_EQ(r.responses, 4u);
  EXPECT_EQ(r.messages, 7u);
  ASSERT_NE(code(r, 200), nullptr);
  EXPECT_EQ(code(r, 200)->n.first, 2u);
  EXPECT_EQ(code(r, 200)->reason, "OK");
  EXPECT_EQ(code(r, 180)->n.first, 1u);
  EXPECT_EQ(r.calls, 1u);
}

TEST_F(StatsTest, ResponsesCountUnderTheirCSeqMethodInTheMatrix) {
  call("a", "200 OK");
  auto r = finish();
  std::vector<std::tuple<std::string, int, std::uint64_t>> cells;
  for (const auto& m : r.matrix)
    cells.emplace_back(m.method, m.code, m.count);
  std::vector<std::tuple<std::string, int, std::uint64_t>> expected = {
      {"INVITE", 100, 1}, {"INVITE", 180, 1}, {"INVITE", 200, 1}, {"BYE", 200, 1}};
  EXPECT_EQ(cells, expected);
}

TEST_F(StatsTest, RetransmissionsAndDuplicatesAreNotNewRequests) {
  send({"INVITE sip:bob@b"}, 0);
  send({"INVITE sip:bob@b"}, 0.001);  // same packet again at once: a capture duplicate
  send({"INVITE sip:bob@b"}, 0.5);    // Timer A: a retransmission
  send({"SIP/2.0 486 Busy Here", "call-1", "1 INVITE", "tt"}, 1);
  send({"SIP/2.0 486 Busy Here", "call-1", "1 INVITE", "tt"}, 1.5);
  auto r = finish();
  const auto* invite = method(r, "INVITE");
  ASSERT_NE(invite, nullptr);
  EXPECT_EQ(invite->n.first, 1u);
  EXPECT_EQ(invite->n.retransmissions, 1u);
  EXPECT_EQ(invite->n.duplicates, 1u);
  EXPECT_EQ(code(r, 486)->n.first, 1u);
  EXPECT_EQ(code(r, 486)->n.retransmissions, 1u);
  EXPECT_EQ(r.requests, 1u);
  EXPECT_EQ(r.retransmissions, 2u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.messages, 5u);
  // Hosts count what was sent on the wire: the duplicate is left out.
  ASSERT_EQ(r.hosts.size(), 2u);
  const auto& caller = r.hosts[0].host == "10.0.0.1" ? r.hosts[0] : r.hosts[1];
  EXPECT_EQ(caller.requests_sent, 2u);
  EXPECT_EQ(caller.retransmissions_sent, 1u);
  EXPECT_EQ(caller.responses_received, 2u);
}

TEST_F(StatsTest, ResponsesPerHostAndAgentCountFirstSightingsByCode) {
  call("ok", "200 OK", 0, "Server: PBX 1.0\r\n");
  call("busy", "486 Busy Here", 100, "Server: PBX 1.0\r\n");
  // The 486 again: a retransmission, not a second busy response.
  send({"SIP/2.0 486 Busy Here", "busy", "1 INVITE", "tt", "z9hG4bK-ibusy", "Server: PBX 1.0\r\n"},
       102.5);
  auto r = finish();
  std::string hosts;
  for (const auto& h : r.host_codes) {
    hosts += h.host + " " + std::to_string(h.code) + ":" + std::to_string(h.sent) + "/" +
             std::to_string(h.received) + "; ";
  }
  // The callee answers everything (the BYE's 200 included); the caller receives it.
  EXPECT_EQ(hosts,
            "10.0.0.1 100:0/2; 10.0.0.1 180:0/2; 10.0.0.1 200:0/2; 10.0.0.1 486:0/1; "
            "10.0.0.2 100:2/0; 10.0.0.2 180:2/0; 10.0.0.2 200:2/0; 10.0.0.2 486:1/0; ");
  ASSERT_EQ(r.agent_codes.size(), 2u);  // only the responses with a Server header
  EXPECT_EQ(r.agent_codes[0].agent, "PBX 1.0");
  EXPECT_EQ(r.agent_codes[0].code, 200);
  EXPECT_EQ(r.agent_codes[0].count, 1u);
  EXPECT_EQ(r.agent_codes[1].code, 486);
  EXPECT_EQ(r.agent_codes[1].count, 1u);
}

TEST_F(StatsTest, SessionRatiosFollowRfc6076) {
  call("ok", "200 OK", 0);
  call("redirect", "302 Moved Temporarily", 100);
  call("busy", "486 Busy Here", 200);
  call("down", "503 Service Unavailable", 300);
  auto r = finish();
  const auto& s = r.sessions;
  EXPECT_EQ(s.invite_attempts, 4u);
  EXPECT_EQ(s.answered, 1u);
  EXPECT_EQ(s.redirected, 1u);
  EXPECT_EQ(s.effective, 2u);    // 200 and 486
  EXPECT_EQ(s.ineffective, 1u);  // 503
  EXPECT_EQ(s.failed, 2u);
  EXPECT_EQ(s.completed, 1u);
  ASSERT_TRUE(s.ser && s.seer && s.isa && s.scr);
  EXPECT_DOUBLE_EQ(*s.ser, 1.0 / 3);  // 3xx left out of the denominator
  EXPECT_DOUBLE_EQ(*s.seer, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*s.isa, 1.0 / 4);  // ... but not out of this one
  EXPECT_DOUBLE_EQ(*s.scr, 1.0 / 4);
  EXPECT_FALSE(s.ira);  // no REGISTER: undefined, not 0
}

TEST_F(StatsTest, DelaysOfAnAnsweredCall) {
  call("a", "200 OK");
  auto r = finish();
  ASSERT_EQ(r.srd.count, 1u);
  EXPECT_NEAR(r.srd.p50, 0.5, 1e-9);  // to the 180, not the 100 (§4.3.1)
  ASSERT_EQ(r.sdt.count, 1u);
  EXPECT_NEAR(r.sdt.avg, 30.0, 1e-9);  // 2xx → BYE
  ASSERT_EQ(r.sdd.count, 1u);
  EXPECT_NEAR(r.sdd.max, 0.01, 1e-9);  // BYE → its 200
  EXPECT_EQ(r.srd_failed.count, 0u);
  EXPECT_EQ(r.rrd.count, 0u);
}

TEST_F(StatsTest, FailedSetupDelayLeavesOutCancelledCalls) {
  call("busy", "486 Busy Here");
  send({"INVITE sip:bob@b", "c", "1 INVITE", "", "z9hG4bK-c"}, 10);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "tt", "z9hG4bK-c"}, 10.2);
  send({"CANCEL sip:bob@b", "c", "1 CANCEL", "", "z9hG4bK-c"}, 14);
  send({"SIP/2.0 200 OK", "c", "1 CANCEL", "tt", "z9hG4bK-c"}, 14.01);
  send({"SIP/2.0 487 Request Terminated", "c", "1 INVITE", "tt", "z9hG4bK-c"}, 14.02);
  auto r = finish();
  EXPECT_EQ(r.sessions.cancelled, 1u);
  EXPECT_EQ(r.sessions.failed, 2u);
  ASSERT_EQ(r.srd_failed.count, 1u);  // only the 486: 2 s after its INVITE
  EXPECT_NEAR(r.srd_failed.avg, 2.0, 1e-9);
  ASSERT_NE(code(r, 200), nullptr);  // the CANCEL's 200 is a 200 like any other...
  bool cancel_200 = false;           // ... counted under CANCEL in the matrix
  for (const auto& m : r.matrix)
    cancel_200 = cancel_200 || (m.method == "CANCEL" && m.code == 200);
  EXPECT_TRUE(cancel_200);
}

TEST_F(StatsTest, UnansweredInviteIsIneffectiveOnlyAfterTheSetupTimeout) {
  send({"INVITE sip:bob@b", "lost"}, 0);
  correlator_->advance(at(200));  // past the 180 s setup timeout
  send({"INVITE sip:bob@b", "late", "1 INVITE", "", "z9hG4bK-late"}, 300);
  auto r = finish();  // "late" is still waiting when the capture ends
  EXPECT_EQ(r.sessions.invite_attempts, 1u);
  EXPECT_EQ(r.sessions.timed_out, 1u);
  EXPECT_EQ(r.sessions.ineffective, 1u);
  EXPECT_EQ(r.sessions.unfinished, 1u);
  ASSERT_TRUE(r.sessions.isa);
  EXPECT_DOUBLE_EQ(*r.sessions.isa, 1.0);
}

TEST_F(StatsTest, RegistrationDelayRunsThroughTheChallenge) {
  send({"REGISTER sip:reg", "r", "1 REGISTER", "", "z9hG4bK-r1"}, 0);
  send({"SIP/2.0 401 Unauthorized", "r", "1 REGISTER", "rt", "z9hG4bK-r1"}, 0.1);
  send({"REGISTER sip:reg", "r", "2 REGISTER", "", "z9hG4bK-r2"}, 0.2);
  send({"SIP/2.0 200 OK", "r", "2 REGISTER", "rt", "z9hG4bK-r2"}, 0.3);
  send({"REGISTER sip:reg", "bad", "1 REGISTER", "", "z9hG4bK-b1"}, 10);
  send({"SIP/2.0 403 Forbidden", "bad", "1 REGISTER", "rt", "z9hG4bK-b1"}, 10.05);
  auto r = finish();
  EXPECT_EQ(method(r, "REGISTER")->n.first, 3u);
  EXPECT_EQ(r.sessions.register_attempts, 2u);
  EXPECT_EQ(r.sessions.registered, 1u);
  EXPECT_EQ(r.sessions.register_failed, 1u);
  ASSERT_TRUE(r.sessions.ira);
  EXPECT_DOUBLE_EQ(*r.sessions.ira, 0.5);
  ASSERT_EQ(r.rrd.count, 1u);
  EXPECT_NEAR(r.rrd.avg, 0.3, 1e-9);  // first REGISTER → 200, the 401 round trip included
  EXPECT_EQ(r.sessions.invite_attempts, 0u);
  EXPECT_FALSE(r.sessions.ser);
}

TEST_F(StatsTest, FailuresAreGroupedByFinalCodeAndReason) {
  call("a", "486 Busy Here", 0);
  call("b", "486 Busy Here", 10);
  call("c", "404 Not Found", 20);
  call("d", "200 OK", 30);
  auto r = finish();
  ASSERT_EQ(r.failures.size(), 2u);
  EXPECT_EQ(r.failures[0].code, 486);
  EXPECT_EQ(r.failures[0].reason, "Busy Here");
  EXPECT_EQ(r.failures[0].method, "INVITE");
  EXPECT_EQ(r.failures[0].count, 2u);
  EXPECT_EQ(r.failures[1].code, 404);
  EXPECT_EQ(r.failures[1].count, 1u);
}

TEST_F(StatsTest, ReasonHeadersAreDecoded) {
  call("a", "200 OK");
  send({"BYE sip:bob@b", "b", "2 BYE", "tt", "z9hG4bK-x",
        "Reason: Q.850;cause=16;text=\"Normal call clearing\", SIP;cause=200\r\n"},
       100);
  auto r = finish();
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0].protocol, "Q.850");
  EXPECT_EQ(r.reasons[0].cause, 16);
  EXPECT_EQ(r.reasons[0].text, "Normal call clearing");
  EXPECT_EQ(r.reasons[1].protocol, "SIP");
  EXPECT_EQ(r.reasons[1].cause, 200);
}

TEST_F(StatsTest, WarningHeadersAreListedWithCodeAgentAndText) {
  std::string warning =
      "Warning: 304 gw.example \"Media type not available\", 399 gw.example \"x, y\"\r\n";
  call("a", "488 Not Acceptable Here", 0, warning);
  call("b", "488 Not Acceptable Here", 10, warning);
  auto r = finish();
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0].code, 304);
  EXPECT_EQ(r.warnings[0].agent, "gw.example");
  EXPECT_EQ(r.warnings[0].text, "Media type not available");
  EXPECT_EQ(r.warnings[0].count, 2u);
  EXPECT_EQ(r.warnings[1].code, 399);
  EXPECT_EQ(r.warnings[1].text, "x, y");  // the comma inside quotes splits nothing
}

TEST(ParseWarning, SplitsCodeAgentAndQuotedText) {
  auto w = parse_warning("370 [2001:db8::1]:5060 \"Insufficient bandwidth\"");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->code, 370);
  EXPECT_EQ(w->agent, "[2001:db8::1]:5060");
  EXPECT_EQ(w->text, "Insufficient bandwidth");
  EXPECT_FALSE(parse_warning("37 host \"x\""));
  EXPECT_FALSE(parse_warning("370 host unquoted"));
  EXPECT_FALSE(parse_warning("370"));
  EXPECT_FALSE(parse_warning(""));
}

TEST_F(StatsTest, TablesAreCappedWithAnOtherRowAndALimitDiagnostic) {
  StatsOptions o;
  o.max_keys = 2;
  make(o);
  for (int i = 0; i < 5; ++i) {
    std::string id = "c" + std::to_string(i);
    send({"OPTIONS sip:bob@b", id, "1 OPTIONS", "", "z9hG4bK-" + id,
          "User-Agent: phone/" + std::to_string(i) + "\r\n"},
         i);
  }
  auto r = finish();
  ASSERT_EQ(r.agents.size(), 3u);
  EXPECT_FALSE(r.agents[0].other);
  EXPECT_TRUE(r.agents[2].other);
  EXPECT_EQ(r.agents[2].requests, 3u);  // phone/2, phone/3, phone/4
  EXPECT_EQ(diag_.get("stats_agent_limit"), 3u);
}

TEST_F(StatsTest, LongValuesAreCutVisibly) {
  send({"OPTIONS sip:bob@b", "o", "1 OPTIONS", "", "z9hG4bK-o",
        "User-Agent: " + std::string(400, 'u') + "\r\n"},
       0);
  auto r = finish();
  ASSERT_EQ(r.agents.size(), 1u);
  EXPECT_EQ(r.agents[0].agent, std::string(256, 'u') + "...");
  EXPECT_EQ(diag_.get("stats_value_truncated"), 1u);
}

TEST_F(StatsTest, FilterRestrictsEveryCountToTheSelectedCalls) {
  StatsOptions o;
  o.filter.status = *parse_status_filter("486");
  make(o);
  call("ok", "200 OK", 0);
  call("busy", "486 Busy Here", 100);
  auto r = finish();
  EXPECT_TRUE(r.filtered);
  EXPECT_EQ(r.calls, 2u);
  EXPECT_EQ(r.calls_matched, 1u);
  EXPECT_EQ(method(r, "INVITE")->n.first, 1u);
  EXPECT_EQ(method(r, "BYE"), nullptr);
  EXPECT_EQ(code(r, 200), nullptr);
  EXPECT_EQ(code(r, 486)->n.first, 1u);
  EXPECT_EQ(r.messages, 5u);  // INVITE 100 180 486 ACK
  EXPECT_EQ(r.sessions.invite_attempts, 1u);
  EXPECT_EQ(r.sessions.answered, 0u);
}

TEST_F(StatsTest, UnparseableMessagesAreCountedByError) {
  decode::MessageMeta meta;
  meta.ts = at(1);
  stats_->on_unparseable(meta, Error{"bad_start_line", 0});
  stats_->on_unparseable(meta, Error{"bad_start_line", 3});
  stats_->on_unparseable(meta, Error{"bad_header_line", 9});
  auto r = finish();
  EXPECT_EQ(r.unparseable, 3u);
  ASSERT_EQ(r.unparseable_by_error.size(), 2u);
  EXPECT_EQ(r.unparseable_by_error[0].error, "bad_start_line");
  EXPECT_EQ(r.unparseable_by_error[0].count, 2u);
  EXPECT_EQ(r.messages, 0u);
}

TEST_F(StatsTest, EmptyCaptureHasUndefinedRatiosAndNoDelays) {
  auto r = finish();
  EXPECT_EQ(r.messages, 0u);
  EXPECT_FALSE(r.sessions.ser || r.sessions.seer || r.sessions.isa || r.sessions.scr);
  EXPECT_EQ(r.srd.count, 0u);
  EXPECT_FALSE(r.first_message);
}

}  // namespace
}  // namespace sipflow::flows
