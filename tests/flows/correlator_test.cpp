#include "sipflow/flows/correlator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "correlator_fixture.hpp"

namespace sipflow::flows {
namespace {

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
