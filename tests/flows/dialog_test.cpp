// Dialogs (RFC 3261 §12) as the correlator follows them: forks, states,
// requests inside a dialog, early media (RFC 3959, 6228) and subscriptions
// (RFC 6665).

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "correlator_fixture.hpp"

namespace sipflow::flows {
namespace {

// The correlator tests' fixture, as a suite of its own.
class DialogTest : public CorrelatorTest {};

TEST_F(DialogTest, ForkedInviteMakesOneDialogPerToTag) {
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

TEST_F(DialogTest, DialogStatesFromInitialToTerminated) {
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

TEST_F(DialogTest, UnansweredByeLeavesTheDialogTerminatingUntilTimerF) {
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

TEST_F(DialogTest, EarlyDialogsEndWhenTheInviteTimesOut) {
  send({"INVITE sip:bob@b", "c", "1 INVITE", "ft", "", "z9hG4bK-i"}, 0);
  send({"SIP/2.0 180 Ringing", "c", "1 INVITE", "ft", "tt", "z9hG4bK-i"}, 1);
  correlator_->advance(Timestamp{1'700'000'000'000'000'000 + 400'000'000'000});
  ASSERT_EQ(calls_.calls.size(), 1u);
  ASSERT_EQ(calls_.calls[0].dialogs.size(), 1u);
  EXPECT_EQ(calls_.calls[0].dialogs[0].state, SessionState::Terminated);
}

TEST_F(DialogTest, EarlyDialogTerminatedEndsThatDialogOnly) {
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

TEST_F(DialogTest, FinalResponsesDecideTheOutcome) {
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

TEST_F(DialogTest, CaptureStartingMidCallMakesAnEstablishedDialog) {
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

TEST_F(DialogTest, MidCallCaptureIsInCallUntilItsBye) {
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

TEST_F(DialogTest, PrackAndUpdateAreCountedInTheEarlyDialog) {
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

TEST_F(DialogTest, EarlySessionSdpIsNotTheSessionOffer) {
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

TEST_F(DialogTest, EarlyMediaIsAnSdpInAProvisionalBeforeThe2xx) {
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

}  // namespace
}  // namespace sipflow::flows
