#include "sipflow/flows/correlator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "exact_buffer.hpp"

namespace sipflow::flows {
namespace {

// Builds SIP messages for one call between a caller (10.0.0.1) and a callee (10.0.0.2).
struct Msg {
  Msg(std::string start_line, std::string id = "call-1", std::string cseq_value = "1 INVITE",
      std::string from = "ft", std::string to = "", std::string via_branch = "z9hG4bK-1",
      std::string headers = "", std::string body = "")
      : start(std::move(start_line)),
        call_id(std::move(id)),
        cseq(std::move(cseq_value)),
        from_tag(std::move(from)),
        to_tag(std::move(to)),
        branch(std::move(via_branch)),
        extra(std::move(headers)),
        sdp(std::move(body)) {}
  std::string start;  // "INVITE sip:bob@b" or "SIP/2.0 200 OK"
  std::string call_id, cseq, from_tag, to_tag, branch;
  std::string extra;  // more header lines, each ending in \r\n
  std::string sdp;    // body (Content-Type: application/sdp when set)
};

std::string text(const Msg& m) {
  std::string s = m.start + " SIP/2.0\r\n";
  if (m.start.starts_with("SIP/2.0")) s = m.start + "\r\n";
  s += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=" + m.branch + "\r\n";
  s += "From: <sip:alice@a>;tag=" + m.from_tag + "\r\n";
  s += "To: <sip:bob@b>" + (m.to_tag.empty() ? std::string() : ";tag=" + m.to_tag) + "\r\n";
  s += "Call-ID: " + m.call_id + "\r\nCSeq: " + m.cseq + "\r\n" + m.extra;
  if (!m.sdp.empty() && m.extra.find("Content-Type:") == std::string::npos)
    s += "Content-Type: application/sdp\r\n";
  s += "Content-Length: " + std::to_string(m.sdp.size()) + "\r\n\r\n" + m.sdp;
  return s;
}

std::string sdp(const std::string& addr, int port, const std::string& dir = "sendrecv") {
  return "v=0\r\no=- 1 1 IN IP4 " + addr + "\r\ns=-\r\nc=IN IP4 " + addr + "\r\nt=0 0\r\nm=audio " +
         std::to_string(port) + " RTP/AVP 0 8\r\na=" + dir + "\r\n";
}

class Calls final : public CallSink {
 public:
  void on_call(Call& c) override { calls.push_back(std::move(c)); }
  std::vector<Call> calls;
};

class CorrelatorTest : public ::testing::Test {
 protected:
  void SetUp() override { make({}); }
  void make(CorrelatorOptions o) {
    calls_ = Calls{};
    correlator_ = std::make_unique<Correlator>(o, diag_, calls_);
  }
  // Sends `m` at `t` seconds; requests go caller → callee unless `reverse`.
  void send(const Msg& m, double t, bool reverse = false) {
    bool response = m.start.starts_with("SIP/2.0");
    bool from_callee = response != reverse;
    decode::MessageMeta meta;
    meta.frame = ++frame_;
    meta.ts = Timestamp{1'700'000'000'000'000'000 + static_cast<std::int64_t>(t * 1e9)};
    meta.src = Endpoint{IpAddress::v4(from_callee ? 0x0A000002 : 0x0A000001), 5060};
    meta.dst = Endpoint{IpAddress::v4(from_callee ? 0x0A000001 : 0x0A000002), 5060};
    test::ExactBuffer buf(text(m));
    auto parsed = decode::SipMessage::parse(buf.view());
    ASSERT_TRUE(parsed) << parsed.error().code << "\n" << text(m);
    correlator_->on_message(meta, *parsed);
  }
  const Call& only() {
    correlator_->finish();
    EXPECT_EQ(calls_.calls.size(), 1u);
    return calls_.calls.front();
  }
  void basic_call(const std::string& id = "call-1", double t0 = 0) {
    send({"INVITE sip:bob@b", id, "1 INVITE", "ft", "", "z9hG4bK-i", "", sdp("10.0.0.1", 4000)},
         t0);
    send({"SIP/2.0 100 Trying", id, "1 INVITE", "ft", "", "z9hG4bK-i"}, t0 + 0.01);
    send({"SIP/2.0 180 Ringing", id, "1 INVITE", "ft", "tt", "z9hG4bK-i"}, t0 + 0.5);
    send({"SIP/2.0 200 OK", id, "1 INVITE", "ft", "tt", "z9hG4bK-i", "", sdp("10.0.0.2", 5000)},
         t0 + 2);
    send({"ACK sip:bob@b", id, "1 ACK", "ft", "tt", "z9hG4bK-a"}, t0 + 2.01);
    send({"BYE sip:bob@b", id, "2 BYE", "ft", "tt", "z9hG4bK-b"}, t0 + 32);
    send({"SIP/2.0 200 OK", id, "2 BYE", "ft", "tt", "z9hG4bK-b"}, t0 + 32.01);
  }

  Diagnostics diag_;
  Calls calls_;
  std::unique_ptr<Correlator> correlator_;
  std::uint64_t frame_ = 0;
};

TEST_F(CorrelatorTest, AnsweredCallCompletesWithTimings) {
  basic_call();
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Completed);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.messages, 7u);
  EXPECT_EQ(c.retransmissions, 0u);
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Terminated);
  EXPECT_NEAR(*c.post_dial_delay(), 0.5, 1e-6);
  EXPECT_NEAR(*c.time_to_answer(), 2.0, 1e-6);
  EXPECT_NEAR(*c.setup_time(), 2.01, 1e-6);
  EXPECT_NEAR(*c.talk_duration(), 30.0, 1e-6);
  EXPECT_EQ(c.hangup_by, "caller");
  EXPECT_EQ(c.from, "sip:alice@a");
  EXPECT_EQ(c.index, 1u);
  ASSERT_EQ(c.dialogs[0].offer.size(), 1u);
  EXPECT_EQ(c.dialogs[0].offer[0].address, "10.0.0.1:4000");
  ASSERT_EQ(c.dialogs[0].answer.size(), 1u);
  EXPECT_EQ(c.dialogs[0].answer[0].codecs, "PCMU,PCMA");
}

TEST_F(CorrelatorTest, FinishedCallIsHandedOverBeforeTheEndOfInput) {
  basic_call("first", 0);
  EXPECT_TRUE(calls_.calls.empty());  // still lingering for late retransmissions
  send({"OPTIONS sip:bob@b", "later", "1 OPTIONS", "x", "", "z9hG4bK-o"}, 60);
  ASSERT_EQ(calls_.calls.size(), 1u);
  EXPECT_EQ(calls_.calls[0].call_id, "first");
  EXPECT_EQ(correlator_->open_calls(), 1u);
}

TEST_F(CorrelatorTest, RetransmissionsAndCaptureDuplicatesAreTold) {
  Msg invite{"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"};
  send(invite, 0);
  send(invite, 0.002);  // the same packet seen on a second interface
  send(invite, 0.5);    // Timer A fired
  Msg ok{"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"};
  send(ok, 1);
  send(ok, 1.5);  // 2xx retransmitted until the ACK comes
  const Call& c = only();
  EXPECT_EQ(c.duplicates, 1u);
  EXPECT_EQ(c.retransmissions, 2u);
  EXPECT_EQ(c.messages, 5u);
}

TEST_F(CorrelatorTest, AckOfAFailureBelongsToTheInviteTransaction) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 486 Busy Here", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "z9hG4bK-i"}, 1.01);
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Busy);
  EXPECT_EQ(c.status, 486);
  EXPECT_EQ(c.retransmissions, 0u);
  EXPECT_TRUE(c.dialogs.empty());
}

TEST_F(CorrelatorTest, CancelledCall) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  send({"CANCEL sip:bob@b", "c", "1 CANCEL", "ft", "", "z9hG4bK-i", "Reason: Q.850;cause=16\r\n"},
       5);
  send({"SIP/2.0 200 OK", "c", "1 CANCEL", "ft", "tt", "z9hG4bK-i"}, 5.01);
  send({"SIP/2.0 487 Request Terminated", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 5.02);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "z9hG4bK-i"}, 5.03);
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Cancelled);
  EXPECT_EQ(c.q850_cause, 16);
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Terminated);
}

TEST_F(CorrelatorTest, AnsweredCancelEndsTheCallWithoutA487) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 100 Trying", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0.01);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  send({"CANCEL sip:bob@b", "c", "1 CANCEL", "ft", "", "z9hG4bK-i"}, 5);
  send({"SIP/2.0 200 OK", "c", "1 CANCEL", "ft", "tt", "z9hG4bK-i"}, 5.01);
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Cancelled);
  ASSERT_TRUE(c.end);
  EXPECT_NEAR(seconds_between(c.start, *c.end), 5.01, 1e-6);
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Terminated);
}

TEST_F(CorrelatorTest, CancelOfAnotherBranchDoesNotCancelTheCall) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  // RFC 3261 §9.2: a CANCEL matches only the INVITE with its branch.
  send({"CANCEL sip:bob@b", "c", "1 CANCEL", "ft", "", "z9hG4bK-other"}, 5);
  send({"SIP/2.0 200 OK", "c", "1 CANCEL", "ft", "tt", "z9hG4bK-other"}, 5.01);
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Ringing);
  EXPECT_FALSE(c.end);
}

TEST_F(CorrelatorTest, Rfc2543AckOfTheAnswerIsItsOwnTransaction) {
  // No magic cookie: transactions match by CSeq, From tag and top Via, which
  // the ACK of the 2xx shares with the INVITE.
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "old-1"}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "tt", "old-1"}, 0.5);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "tt", "old-1"}, 1);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "old-1"}, 1.01);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "old-1"}, 1.6);  // for a resent 2xx
  send({"BYE sip:bob@b", "c", "2 BYE", "ft", "tt", "old-1"}, 5);
  send({"SIP/2.0 200 OK", "c", "2 BYE", "ft", "tt", "old-1"}, 5.01);
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Completed);
  ASSERT_TRUE(c.setup_time());
  EXPECT_NEAR(*c.setup_time(), 1.01, 1e-6);
  EXPECT_EQ(c.retransmissions, 1u);
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Terminated);
}

TEST_F(CorrelatorTest, Rfc2543AckOfAFailureStaysInTheInviteTransaction) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "old-1"}, 0);
  send({"SIP/2.0 486 Busy Here", "c", "1 INVITE", "ft", "tt", "old-1"}, 1);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "old-1"}, 1.01);
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Busy);
  EXPECT_EQ(c.retransmissions, 0u);
  EXPECT_FALSE(c.acked);
}

TEST_F(CorrelatorTest, ForkedInviteMakesOneDialogPerToTag) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i", "", sdp("10.0.0.1", 4000)}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "A", "z9hG4bK-i"}, 0.5);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "B", "z9hG4bK-i"}, 0.6);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "B", "z9hG4bK-i", "", sdp("10.0.0.3", 6000)}, 2);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "B", "z9hG4bK-a"}, 2.01);
  const Call& c = only();
  ASSERT_EQ(c.dialogs.size(), 2u);
  EXPECT_TRUE(c.dialogs[0].early);
  EXPECT_FALSE(c.dialogs[1].early);
  EXPECT_EQ(c.dialogs[1].to_tag, "B");
  // B's 2xx confirmed B and ended A's early dialog (RFC 3261 §13.2.2.4).
  EXPECT_EQ(c.dialogs[0].state, SessionState::Terminated);
  EXPECT_EQ(c.dialogs[0].terminated, c.answer);
  EXPECT_EQ(c.dialogs[1].state, SessionState::Established);
  EXPECT_EQ(c.retransmissions, 0u);  // two 180s with different tags are not retransmissions
  EXPECT_EQ(c.state, CallState::InCall);
}

TEST_F(CorrelatorTest, DialogStatesFromInitialToTerminated) {
  // The state of the first dialog after each message.
  std::vector<SessionState> states;
  class Watch final : public MessageObserver {
   public:
    explicit Watch(std::vector<SessionState>& s) : states_(s) {}
    void on_correlated(const decode::MessageMeta&, const decode::SipMessage&,
                       const Correlation& c) override {
      states_.push_back(c.call->dialogs.empty() ? SessionState::Terminated
                                                : c.call->dialogs[0].state);
    }

   private:
    std::vector<SessionState>& states_;
  } watch(states);
  correlator_ = std::make_unique<Correlator>(CorrelatorOptions{}, diag_, calls_, &watch);
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  // RFC 3261 §8.2.6.2: a 100 may carry the To tag, but it creates no dialog yet.
  send({"SIP/2.0 100 Trying", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 0.01);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 0.5);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "z9hG4bK-a"}, 1.01);
  send({"BYE sip:bob@b", "c", "2 BYE", "ft", "tt", "z9hG4bK-b"}, 5);
  send({"SIP/2.0 200 OK", "c", "2 BYE", "ft", "tt", "z9hG4bK-b"}, 5.01);
  EXPECT_EQ(states,
            (std::vector<SessionState>{
                SessionState::Terminated,  // the INVITE: no dialog at all yet
                SessionState::Initial, SessionState::Establishing, SessionState::Established,
                SessionState::Established, SessionState::Terminating, SessionState::Terminated}));
}

TEST_F(CorrelatorTest, UnansweredByeLeavesTheDialogTerminatingUntilTimerF) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "z9hG4bK-a"}, 1.01);
  send({"BYE sip:bob@b", "c", "2 BYE", "ft", "tt", "z9hG4bK-b"}, 5);
  correlator_->advance(Timestamp{1'700'000'000'000'000'000 + 20'000'000'000});
  EXPECT_TRUE(calls_.calls.empty());
  correlator_->advance(Timestamp{1'700'000'000'000'000'000 + 40'000'000'000});
  ASSERT_EQ(calls_.calls.size(), 1u);
  const Call& c = calls_.calls[0];
  EXPECT_EQ(c.state, CallState::Completed);
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Terminated);
  EXPECT_EQ(c.dialogs[0].terminated, c.bye);

  make({});
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  send({"BYE sip:bob@b", "c", "2 BYE", "ft", "tt", "z9hG4bK-b"}, 5);
  EXPECT_EQ(only().dialogs[0].state, SessionState::Terminating);  // input ended first
}

TEST_F(CorrelatorTest, EarlyDialogsEndWhenTheInviteTimesOut) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  correlator_->advance(Timestamp{1'700'000'000'000'000'000 + 400'000'000'000});
  ASSERT_EQ(calls_.calls.size(), 1u);
  ASSERT_EQ(calls_.calls[0].dialogs.size(), 1u);
  EXPECT_EQ(calls_.calls[0].dialogs[0].state, SessionState::Terminated);
}

TEST_F(CorrelatorTest, EarlyDialogTerminatedEndsThatDialogOnly) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "A", "z9hG4bK-i"}, 0.5);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "B", "z9hG4bK-i"}, 0.6);
  // RFC 6228: the forking proxy tells the caller that fork A is gone.
  send({"SIP/2.0 199 Early Dialog Terminated", "c", "1 INVITE", "ft", "A", "z9hG4bK-i"}, 1);
  const Call& c = only();
  ASSERT_EQ(c.dialogs.size(), 2u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Terminated);
  EXPECT_EQ(c.dialogs[1].state, SessionState::Establishing);
  EXPECT_EQ(c.state, CallState::Ringing);
  EXPECT_NEAR(*c.post_dial_delay(), 0.5, 1e-6);  // a 199 is not ringing
}

TEST_F(CorrelatorTest, FinalResponsesDecideTheOutcome) {
  struct Case {
    int status;
    const char* reason;
    CallState state;
  };
  const Case cases[] = {
      {302, "Moved Temporarily", CallState::Redirected},
      {404, "Not Found", CallState::Rejected},
      {408, "Request Timeout", CallState::TimedOut},
      {480, "Temporarily Unavailable", CallState::Rejected},
      {486, "Busy Here", CallState::Busy},
      {487, "Request Terminated", CallState::Cancelled},
      {500, "Server Internal Error", CallState::Failed},
      {503, "Service Unavailable", CallState::Failed},
      {600, "Busy Everywhere", CallState::Busy},
      {603, "Decline", CallState::Rejected},
      {604, "Does Not Exist Anywhere", CallState::Failed},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.status);
    make({});
    send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
    send({"SIP/2.0 " + std::to_string(k.status) + " " + k.reason, "c", "1 INVITE", "ft", "tt",
          "z9hG4bK-i"},
         1);
    const Call& c = only();
    EXPECT_EQ(c.state, k.state);
    EXPECT_EQ(c.status, k.status);
    EXPECT_EQ(c.reason, k.reason);
    ASSERT_TRUE(c.end);
    EXPECT_NEAR(seconds_between(c.start, *c.end), 1.0, 1e-6);
  }
}

TEST_F(CorrelatorTest, AFloodOfToTagsStopsMakingDialogsAndIsCounted) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  for (int i = 0; i < 70; ++i)
    send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "t" + std::to_string(i), "z9hG4bK-i"},
         0.5 + 0.01 * i);
  const Call& c = only();
  EXPECT_EQ(c.dialogs.size(), 64u);
  EXPECT_EQ(diag_.get("dialog_limit"), 6u);
  EXPECT_EQ(c.messages, 71u);  // the messages still count
  EXPECT_EQ(c.state, CallState::Ringing);
}

TEST_F(CorrelatorTest, ReInviteOnHoldAndResume) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i", "", sdp("10.0.0.1", 4000)}, 0);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i", "", sdp("10.0.0.2", 5000)}, 1);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "z9hG4bK-a"}, 1.01);
  send({"INVITE sip:bob@b", "c", "2 INVITE", "ft", "tt", "z9hG4bK-h", "",
        sdp("10.0.0.1", 4000, "sendonly")},
       5);
  send({"SIP/2.0 200 OK", "c", "2 INVITE", "ft", "tt", "z9hG4bK-h", "",
        sdp("10.0.0.2", 5000, "recvonly")},
       5.1);
  send({"INVITE sip:bob@b", "c", "3 INVITE", "ft", "tt", "z9hG4bK-r", "", sdp("10.0.0.1", 4000)},
       9);
  const Call& c = only();
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].hold_events, 1);
  EXPECT_FALSE(c.dialogs[0].on_hold);
  EXPECT_EQ(*c.answer,
            Timestamp{1'700'000'001'000'000'000});  // the re-INVITE's 200 is not the answer
}

TEST_F(CorrelatorTest, CaptureStartingMidCallMakesAnEstablishedDialog) {
  send({"INVITE sip:bob@b", "c", "2 INVITE", "ft", "tt", "z9hG4bK-r", "", sdp("10.0.0.1", 4000)},
       0);
  send({"SIP/2.0 200 OK", "c", "2 INVITE", "ft", "tt", "z9hG4bK-r", "", sdp("10.0.0.2", 5000)},
       0.1);
  send({"ACK sip:bob@b", "c", "2 ACK", "ft", "tt", "z9hG4bK-a"}, 0.11);
  send({"INFO sip:alice@a", "c", "1 INFO", "tt", "ft", "z9hG4bK-n"}, 1, true);  // from the callee
  send({"SIP/2.0 200 OK", "c", "1 INFO", "tt", "ft", "z9hG4bK-n"}, 1.01, true);
  send({"UPDATE sip:bob@b", "c", "3 UPDATE", "ft", "tt", "z9hG4bK-u"}, 2);
  send({"SIP/2.0 200 OK", "c", "3 UPDATE", "ft", "tt", "z9hG4bK-u"}, 2.01);
  send({"INVITE sip:bob@b", "c", "4 INVITE", "ft", "tt", "z9hG4bK-r2"}, 3);
  send({"BYE sip:bob@b", "c", "5 BYE", "ft", "tt", "z9hG4bK-b"}, 10);
  send({"SIP/2.0 200 OK", "c", "5 BYE", "ft", "tt", "z9hG4bK-b"}, 10.01);
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Completed);
  ASSERT_EQ(c.dialogs.size(), 1u);
  const Dialog& d = c.dialogs[0];
  EXPECT_EQ(d.state, SessionState::Terminated);
  EXPECT_FALSE(d.early);
  EXPECT_EQ(d.requests, (std::map<std::string, std::uint32_t, std::less<>>{
                            {"INFO", 1}, {"INVITE", 2}, {"UPDATE", 1}}));
  ASSERT_EQ(d.offer.size(), 1u);
  EXPECT_EQ(d.offer[0].address, "10.0.0.1:4000");
  ASSERT_EQ(d.answer.size(), 1u);
  EXPECT_EQ(d.answer[0].address, "10.0.0.2:5000");
}

TEST_F(CorrelatorTest, MidCallCaptureIsInCallUntilItsBye) {
  send({"INVITE sip:bob@b", "c", "2 INVITE", "ft", "tt", "z9hG4bK-r"}, 0);
  send({"SIP/2.0 200 OK", "c", "2 INVITE", "ft", "tt", "z9hG4bK-r"}, 0.1);
  // An answered call stays open well past Timer F (request timeout).
  correlator_->advance(Timestamp{1'700'000'000'000'000'000 + 100'000'000'000});
  EXPECT_TRUE(calls_.calls.empty());
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::InCall);
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Established);
}

TEST_F(CorrelatorTest, PrackAndUpdateAreCountedInTheEarlyDialog) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 183 Session Progress", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i", "RSeq: 1\r\n"},
       0.1);
  Msg prack{"PRACK sip:bob@b", "c", "2 PRACK", "ft", "tt", "z9hG4bK-p", "RAck: 1 1 INVITE\r\n"};
  send(prack, 0.2);
  send(prack, 0.7);  // a retransmission is not counted again
  send({"SIP/2.0 200 OK", "c", "2 PRACK", "ft", "tt", "z9hG4bK-p"}, 0.71);
  const Call& c = only();
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Establishing);
  EXPECT_EQ(c.dialogs[0].requests,
            (std::map<std::string, std::uint32_t, std::less<>>{{"PRACK", 1}}));
}

std::string two_parts(const std::string& first_disposition, const std::string& first,
                      const std::string& second_disposition, const std::string& second) {
  auto part = [](const std::string& disposition, const std::string& body) {
    return "--b1\r\nContent-Type: application/sdp\r\nContent-Disposition: " + disposition +
           "\r\n\r\n" + body;
  };
  return part(first_disposition, first) + part(second_disposition, second) + "--b1--\r\n";
}

TEST_F(CorrelatorTest, EarlySessionSdpIsNotTheSessionOffer) {
  // RFC 3959: the INVITE offers a session and, apart, an early session.
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i",
        "Content-Type: multipart/mixed;boundary=b1\r\n",
        two_parts("early-session;handling=required", sdp("10.0.0.1", 7000), "session",
                  sdp("10.0.0.1", 4000))},
       0);
  send({"SIP/2.0 183 Session Progress", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i",
        "Content-Type: application/sdp\r\nContent-Disposition: early-session\r\n",
        sdp("10.0.0.2", 7002)},
       0.5);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i", "", sdp("10.0.0.2", 5000)}, 2);
  const Call& c = only();
  ASSERT_EQ(c.dialogs.size(), 1u);
  const Dialog& d = c.dialogs[0];
  ASSERT_EQ(d.offer.size(), 1u);
  EXPECT_EQ(d.offer[0].address, "10.0.0.1:4000");
  ASSERT_EQ(d.answer.size(), 1u);
  EXPECT_EQ(d.answer[0].address, "10.0.0.2:5000");
  EXPECT_TRUE(d.early_media);
}

TEST_F(CorrelatorTest, EarlyMediaIsAnSdpInAProvisionalBeforeThe2xx) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i", "", sdp("10.0.0.1", 4000)}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "A", "z9hG4bK-i"}, 0.4);
  send({"SIP/2.0 183 Session Progress", "c", "1 INVITE", "ft", "B", "z9hG4bK-i", "",
        sdp("10.0.0.3", 6000)},
       0.5);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "B", "z9hG4bK-i", "", sdp("10.0.0.3", 6000)}, 2);
  const Call& c = only();
  ASSERT_EQ(c.dialogs.size(), 2u);
  EXPECT_FALSE(c.dialogs[0].early_media);  // a 180 without SDP
  EXPECT_TRUE(c.dialogs[1].early_media);

  make({});
  basic_call();  // SDP only in the INVITE and the 200
  EXPECT_FALSE(only().dialogs[0].early_media);
}

TEST_F(CorrelatorTest, OfferInTheAnswerWhenTheInviteHasNoSdp) {
  CorrelatorOptions o;
  o.keep_messages = true;
  make(o);
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 200 OK", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i", "", sdp("10.0.0.2", 5000)}, 1);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "tt", "z9hG4bK-a", "", sdp("10.0.0.1", 4000)}, 1.01);
  const Call& c = only();
  ASSERT_EQ(c.history.size(), 3u);
  EXPECT_EQ(c.history[1].sdp, SdpRole::Offer);
  EXPECT_EQ(c.history[2].sdp, SdpRole::Answer);
  EXPECT_FALSE(c.history[2].raw.empty());
}

TEST_F(CorrelatorTest, RegisterWithDigestChallenge) {
  send({"REGISTER sip:b", "r", "1 REGISTER", "ft", "", "z9hG4bK-1",
        "Contact: <sip:alice@10.0.0.1>\r\nExpires: 3600\r\n"},
       0);
  send({"SIP/2.0 401 Unauthorized", "r", "1 REGISTER", "ft", "x", "z9hG4bK-1"}, 0.01);
  send({"REGISTER sip:b", "r", "2 REGISTER", "ft", "", "z9hG4bK-2",
        "Contact: <sip:alice@10.0.0.1>\r\nAuthorization: Digest x\r\n"},
       0.02);
  send({"SIP/2.0 200 OK", "r", "2 REGISTER", "ft", "y", "z9hG4bK-2",
        "Contact: <sip:alice@10.0.0.1>;expires=1800\r\n"},
       0.03);
  const Call& c = only();
  EXPECT_EQ(c.method, "REGISTER");
  EXPECT_EQ(c.state, CallState::Completed);
  EXPECT_EQ(c.auth_challenges, 1u);
  EXPECT_EQ(c.contact, "sip:alice@10.0.0.1");
  EXPECT_EQ(c.expires.value_or(0), 1800u);
}

class SubscriptionTest : public CorrelatorTest {
 protected:
  static Timestamp at(double t) {
    return Timestamp{1'700'000'000'000'000'000 + static_cast<std::int64_t>(t * 1e9)};
  }
  void subscribe_and_notify() {
    send({"SUBSCRIBE sip:bob@b", "s", "1 SUBSCRIBE", "ft", "", "z9hG4bK-s",
          "Event: presence\r\nExpires: 600\r\n"},
         0);
    send({"SIP/2.0 200 OK", "s", "1 SUBSCRIBE", "ft", "nt", "z9hG4bK-s", "Expires: 600\r\n"}, 0.01);
    notify("1", "active;expires=600", 0.05);
  }
  // A NOTIFY from the notifier inside the subscription's dialog, and its 200.
  void notify(const std::string& cseq, const std::string& state, double t) {
    std::string extra = "Event: presence\r\nSubscription-State: " + state + "\r\n";
    send({"NOTIFY sip:alice@a", "s", cseq + " NOTIFY", "nt", "ft", "z9hG4bK-n" + cseq, extra}, t,
         true);
    send({"SIP/2.0 200 OK", "s", cseq + " NOTIFY", "nt", "ft", "z9hG4bK-n" + cseq}, t + 0.01, true);
  }
};

TEST_F(SubscriptionTest, AnActiveSubscriptionStaysOpen) {
  subscribe_and_notify();
  correlator_->advance(at(600));
  EXPECT_TRUE(calls_.calls.empty());
}

TEST_F(SubscriptionTest, TerminatedNotifyEndsItAfterTheLinger) {
  subscribe_and_notify();
  notify("2", "terminated;reason=timeout", 30);
  correlator_->advance(at(32));
  EXPECT_TRUE(calls_.calls.empty());  // still lingering for retransmissions
  correlator_->advance(at(40));
  ASSERT_EQ(calls_.calls.size(), 1u);
  const Call& c = calls_.calls[0];
  EXPECT_FALSE(c.timed_out);
  EXPECT_EQ(c.state, CallState::Completed);
  ASSERT_EQ(c.dialogs.size(), 1u);
  EXPECT_EQ(c.dialogs[0].state, SessionState::Terminated);
  ASSERT_TRUE(c.end);
  EXPECT_NEAR(seconds_between(c.start, *c.end), 30.0, 1e-6);
}

TEST_F(SubscriptionTest, UnsubscribeEndsItOnceAnswered) {
  subscribe_and_notify();
  send({"SUBSCRIBE sip:bob@b", "s", "2 SUBSCRIBE", "ft", "nt", "z9hG4bK-u",
        "Event: presence\r\nExpires: 0\r\n"},
       20);
  correlator_->advance(at(30));
  EXPECT_TRUE(calls_.calls.empty());  // not answered yet: the dialog is terminating
  send({"SIP/2.0 200 OK", "s", "2 SUBSCRIBE", "ft", "nt", "z9hG4bK-u", "Expires: 0\r\n"}, 30.01);
  correlator_->advance(at(40));
  ASSERT_EQ(calls_.calls.size(), 1u);
  EXPECT_EQ(calls_.calls[0].dialogs.at(0).state, SessionState::Terminated);
  EXPECT_EQ(calls_.calls[0].dialogs.at(0).requests.at("SUBSCRIBE"), 1u);
}

TEST_F(CorrelatorTest, InviteWithoutFinalResponseTimesOut) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  correlator_->advance(Timestamp{1'700'000'000'000'000'000 + 400'000'000'000});
  ASSERT_EQ(calls_.calls.size(), 1u);
  EXPECT_EQ(calls_.calls[0].state, CallState::TimedOut);
  EXPECT_TRUE(calls_.calls[0].timed_out);
}

TEST_F(CorrelatorTest, OpenCallCapEvictsTheLeastRecentlyActive) {
  CorrelatorOptions o;
  o.max_open_calls = 2;
  make(o);
  for (int i = 0; i < 5; ++i) {
    send({"INVITE sip:bob@b", "c" + std::to_string(i), "1 INVITE", "ft", "",
          "z9hG4bK-" + std::to_string(i)},
         i);
  }
  EXPECT_EQ(correlator_->open_calls(), 2u);
  EXPECT_EQ(diag_.get("open_call_limit"), 3u);
  ASSERT_EQ(calls_.calls.size(), 3u);
  EXPECT_EQ(calls_.calls[0].call_id, "c0");
  EXPECT_TRUE(calls_.calls[0].evicted);
}

TEST_F(CorrelatorTest, MessagesWithoutCallIdOrCSeqAreCountedNotCorrelated) {
  decode::MessageMeta meta;
  auto m = decode::SipMessage::parse(
      "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n");
  ASSERT_TRUE(m);
  correlator_->on_message(meta, *m);
  correlator_->finish();
  EXPECT_TRUE(calls_.calls.empty());
  EXPECT_EQ(diag_.get("uncorrelated_message"), 1u);
}

TEST_F(CorrelatorTest, ANewReliableProvisionalIsNotARetransmission) {
  CorrelatorOptions o;
  o.keep_messages = true;
  make(o);
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i", "Supported: 100rel\r\n",
        sdp("10.0.0.1", 4000)},
       0);
  send({"SIP/2.0 183 Session Progress", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i",
        "Require: 100rel\r\nRSeq: 1\r\n", sdp("10.0.0.2", 5000)},
       0.1);
  send({"PRACK sip:bob@b", "c", "2 PRACK", "ft", "tt", "z9hG4bK-p1", "RAck: 1 1 INVITE\r\n"}, 0.2);
  send({"SIP/2.0 200 OK", "c", "2 PRACK", "ft", "tt", "z9hG4bK-p1"}, 0.21);
  // RFC 3262 §3: a second reliable 183 with a new RSeq and a new SDP.
  send({"SIP/2.0 183 Session Progress", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i",
        "Require: 100rel\r\nRSeq: 2\r\n", sdp("10.0.0.2", 5002)},
       1);
  // The same 183 again (its PRACK was lost): a retransmission.
  send({"SIP/2.0 183 Session Progress", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i",
        "Require: 100rel\r\nRSeq: 2\r\n", sdp("10.0.0.2", 5002)},
       1.5);
  const Call& c = only();
  ASSERT_EQ(c.history.size(), 6u);
  EXPECT_EQ(c.history[4].repeat, Repeat::First);
  EXPECT_EQ(c.history[4].sdp, SdpRole::Answer);
  EXPECT_EQ(c.history[5].repeat, Repeat::Retransmission);
  EXPECT_EQ(c.retransmissions, 1u);
  ASSERT_EQ(c.dialogs.size(), 1u);
  ASSERT_EQ(c.dialogs[0].answer.size(), 1u);
  EXPECT_EQ(c.dialogs[0].answer[0].address, "10.0.0.2:5002");
}

TEST_F(CorrelatorTest, ChallengedInviteEndsWithTheByeNotTheChallenge) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-1"}, 0);
  send({"SIP/2.0 407 Proxy Authentication Required", "c", "1 INVITE", "ft", "p", "z9hG4bK-1"},
       0.01);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "p", "z9hG4bK-1"}, 0.02);
  send({"INVITE sip:bob@b", "c", "2 INVITE", "ft", "", "z9hG4bK-2",
        "Proxy-Authorization: Digest x\r\n"},
       0.03);
  send({"SIP/2.0 180 Ringing", "c", "2 INVITE", "ft", "tt", "z9hG4bK-2"}, 0.5);
  send({"SIP/2.0 200 OK", "c", "2 INVITE", "ft", "tt", "z9hG4bK-2"}, 1);
  send({"ACK sip:bob@b", "c", "2 ACK", "ft", "tt", "z9hG4bK-a"}, 1.01);
  send({"BYE sip:bob@b", "c", "3 BYE", "ft", "tt", "z9hG4bK-b"}, 10);
  send({"SIP/2.0 200 OK", "c", "3 BYE", "ft", "tt", "z9hG4bK-b"}, 10.01);
  const Call& c = only();
  EXPECT_EQ(c.state, CallState::Completed);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.auth_challenges, 1u);
  ASSERT_TRUE(c.end);
  EXPECT_NEAR(seconds_between(c.start, *c.end), 10.01, 1e-6);
}

TEST_F(CorrelatorTest, ChallengedInviteIsSetupAgainUntilItsNewAnswer) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-1"}, 0);
  send({"SIP/2.0 401 Unauthorized", "c", "1 INVITE", "ft", "p", "z9hG4bK-1"}, 0.01);
  send({"ACK sip:bob@b", "c", "1 ACK", "ft", "p", "z9hG4bK-1"}, 0.02);
  send({"INVITE sip:bob@b", "c", "2 INVITE", "ft", "", "z9hG4bK-2"}, 0.03);
  correlator_->finish();
  ASSERT_EQ(calls_.calls.size(), 1u);
  const Call& c = calls_.calls[0];
  EXPECT_EQ(c.state, CallState::Setup);
  EXPECT_EQ(c.status, 0);
  EXPECT_FALSE(c.end);
}

class LinkTest : public CorrelatorTest {
 protected:
  void leg(const std::string& id, const std::string& extra, int port, double t) {
    send({"INVITE sip:bob@b", id, "1 INVITE", "ft-" + id, "", "z9hG4bK-" + id, extra,
          sdp("10.0.0.9", port)},
         t);
  }
  const Call& by_id(const std::string& id) {
    for (const auto& c : calls_.calls) {
      if (c.call_id == id) return c;
    }
    ADD_FAILURE() << "no call " << id;
    return calls_.calls.front();
  }
};

TEST_F(LinkTest, CorrelationHeaderLinksLegs) {
  leg("a-leg", "", 4000, 0);
  leg("b-leg", "X-Call-ID: a-leg\r\n", 4002, 0.1);
  correlator_->finish();
  const Call& b = by_id("b-leg");
  ASSERT_EQ(b.links.size(), 1u);
  EXPECT_EQ(b.links[0].call_id, "a-leg");
  EXPECT_EQ(b.links[0].signal, "header:X-Call-ID");
  EXPECT_EQ(b.group, "a-leg");
  EXPECT_EQ(by_id("a-leg").group, "a-leg");
}

TEST_F(LinkTest, IcidLinksLegs) {
  leg("a", "P-Charging-Vector: icid-value=abc123;orig-ioi=home.net\r\n", 4000, 0);
  leg("b", "P-Charging-Vector: icid-value=abc123\r\n", 4002, 0.1);
  correlator_->finish();
  ASSERT_EQ(by_id("b").links.size(), 1u);
  EXPECT_EQ(by_id("b").links[0].signal, "icid");
}

TEST_F(LinkTest, AGroupHoldsAtMostMaxLegsAndTheRestIsCounted) {
  CorrelatorOptions o;
  o.link.max_legs = 3;
  o.link.sdp = false;
  make(o);
  for (int i = 0; i < 5; ++i)
    leg("leg" + std::to_string(i), "P-Charging-Vector: icid-value=flood\r\n", 4000 + 2 * i,
        0.1 * i);
  correlator_->finish();
  ASSERT_EQ(calls_.calls.size(), 5u);
  EXPECT_EQ(by_id("leg2").group, "leg0");  // three legs in one group
  EXPECT_EQ(by_id("leg3").group, "leg3");  // the fourth and fifth are not linked...
  EXPECT_EQ(by_id("leg4").group, "leg4");
  EXPECT_TRUE(by_id("leg4").links.empty());
  EXPECT_EQ(diag_.get("link_limit"), 2u);  // ...and counted
}

TEST_F(LinkTest, SharedSdpAddressLinksLegsButNotWhenSwitchedOff) {
  leg("a", "", 4000, 0);
  leg("b", "", 4000, 0.1);
  correlator_->finish();
  ASSERT_EQ(by_id("b").links.size(), 1u);
  EXPECT_EQ(by_id("b").links[0].signal, "sdp");

  CorrelatorOptions o;
  o.link.sdp = false;
  make(o);
  leg("a", "", 4000, 0);
  leg("b", "", 4000, 0.1);
  correlator_->finish();
  EXPECT_TRUE(by_id("b").links.empty());
}

TEST_F(LinkTest, CallIdRegexLinksLegsWithASharedPart) {
  CorrelatorOptions o;
  o.link.sdp = false;
  o.link.callid_regex = "^([0-9a-f]+)";
  make(o);
  leg("abc123-leg1", "", 4000, 0);
  leg("abc123-leg2", "", 4002, 0.1);
  leg("def456-leg1", "", 4004, 0.2);
  correlator_->finish();
  ASSERT_EQ(by_id("abc123-leg2").links.size(), 1u);
  EXPECT_EQ(by_id("abc123-leg2").links[0].signal, "callid-regex");
  EXPECT_TRUE(by_id("def456-leg1").links.empty());
}

TEST_F(LinkTest, ReferToWithReplacesLinksTheCalls) {
  leg("consult", "", 4000, 0);
  send({"REFER sip:bob@b", "transfer", "1 REFER", "x", "", "z9hG4bK-r",
        "Refer-To: <sip:carol@c?Replaces=consult%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n"},
       1);
  correlator_->finish();
  ASSERT_EQ(by_id("transfer").links.size(), 1u);
  EXPECT_EQ(by_id("transfer").links[0].signal, "refer-to");
}

}  // namespace
}  // namespace sipflow::flows
