#pragma once
// The fixture of the correlator tests: SIP messages for one call between a
// caller (10.0.0.1) and a callee (10.0.0.2), built by hand, and a sink that
// keeps the calls the correlator hands over.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "exact_buffer.hpp"
#include "sipflow/flows/correlator.hpp"

namespace sipflow::flows {
namespace {

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

}  // namespace
}  // namespace sipflow::flows
