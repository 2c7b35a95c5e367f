#include "sipflow/flows/filter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipflow::flows {
namespace {

// 2023-11-14T22:13:20Z, the epoch of every timestamp below.
constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;

Call call(std::string id, int status, CallState state, double start_s = 0) {
  Call c;
  c.call_id = std::move(id);
  c.method = "INVITE";
  c.from = "sip:alice@atlanta.example.com";
  c.from_display = "Alice Liddell";
  c.to = "sip:bob@biloxi.example.com";
  c.status = status;
  c.state = state;
  c.caller = Endpoint{IpAddress::v4(0x0A000001), 5060};  // 10.0.0.1
  c.callee = Endpoint{IpAddress::v4(0x0A00000C), 5080};  // 10.0.0.12
  c.start = Timestamp{kT0 + static_cast<std::int64_t>(start_s * 1e9)};
  return c;
}

std::vector<int> kept(const StatusFilter& f, const std::vector<int>& codes) {
  std::vector<int> out;
  for (int code : codes) {
    if (f.matches(code)) out.push_back(code);
  }
  return out;
}

// The Call-IDs of `calls` that `f` keeps, space-separated.
std::string ids(const CallFilter& f, const std::vector<Call>& calls) {
  std::string out;
  for (const auto& c : calls) {
    if (f.matches(c)) out += (out.empty() ? "" : " ") + c.call_id;
  }
  return out;
}

const std::vector<int> kCodes = {0, 100, 180, 200, 202, 302, 404, 486, 487, 503, 603};

TEST(StatusFilter, OneCodeAClassANegationAndAList) {
  EXPECT_EQ(kept(*parse_status_filter("486"), kCodes), (std::vector<int>{486}));
  EXPECT_EQ(kept(*parse_status_filter("4xx"), kCodes), (std::vector<int>{404, 486, 487}));
  EXPECT_EQ(kept(*parse_status_filter("4XX"), kCodes), (std::vector<int>{404, 486, 487}));
  EXPECT_EQ(kept(*parse_status_filter("!2xx"), kCodes),
            (std::vector<int>{0, 100, 180, 302, 404, 486, 487, 503, 603}));
  EXPECT_EQ(kept(*parse_status_filter("486, 5xx,603"), kCodes), (std::vector<int>{486, 503, 603}));
  // Negations subtract from the positive terms: every failure but 487.
  EXPECT_EQ(kept(*parse_status_filter("4xx,5xx,6xx,!487"), kCodes),
            (std::vector<int>{404, 486, 503, 603}));
  EXPECT_EQ(kept(*parse_status_filter("0"), kCodes), (std::vector<int>{0}));
  EXPECT_EQ(kept(*parse_status_filter("none"), kCodes), (std::vector<int>{0}));
}

TEST(StatusFilter, MalformedTextIsAnError) {
  for (const char* bad : {"", "9xx", "0xx", "4x", "4xxx", "48", "700", "099", "abc", "486,", "!"}) {
    auto f = parse_status_filter(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_EQ(f.error().code, "bad_status_filter") << bad;
  }
}

TEST(ParseTime, EpochSecondsAndIso8601InUtc) {
  EXPECT_EQ(parse_time("1700000000")->ns, kT0);
  EXPECT_EQ(parse_time("1700000000.25")->ns, kT0 + 250'000'000);
  EXPECT_EQ(parse_time("2023-11-14T22:13:20Z")->ns, kT0);
  EXPECT_EQ(parse_time("2023-11-14 22:13:20")->ns, kT0);
  EXPECT_EQ(parse_time("2023-11-14T22:13:20.5Z")->ns, kT0 + 500'000'000);
  EXPECT_EQ(parse_time("2023-11-14T22:13:20.123456789Z")->ns, kT0 + 123'456'789);
  EXPECT_EQ(parse_time("2023-11-14T22:13")->ns, kT0 - 20'000'000'000);
  for (const char* bad : {"", "yesterday", "2023-11-14", "2023-11-14T22:13:20+01:00",
                          "2023/11/14 22:13:20", "1700000000.2.5"}) {
    EXPECT_FALSE(parse_time(bad)) << bad;
  }
}

TEST(CallFilter, EmptyMatchesEverything) {
  CallFilter f;
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.matches(call("a", 0, CallState::Setup)));
  f.method = "INVITE";
  EXPECT_FALSE(f.empty());
}

TEST(CallFilter, CallIdIsExactOrASubstring) {
  CallFilter f;
  f.call_id = "42-7@host";
  EXPECT_TRUE(f.matches(call("42-7@host", 200, CallState::Completed)));
  f.call_id = "7@ho";
  EXPECT_TRUE(f.matches(call("42-7@host", 200, CallState::Completed)));
  f.call_id = "42-7@HOST";  // Call-IDs compare case-sensitively (RFC 3261 §20.8)
  EXPECT_FALSE(f.matches(call("42-7@host", 200, CallState::Completed)));
}

TEST(CallFilter, FromAndToMatchTheUriOrTheDisplayNameIgnoringCase) {
  Call c = call("a", 200, CallState::Completed);
  CallFilter f;
  for (const char* hit : {"alice", "ALICE@atlanta", "sip:alice", "liddell"}) {
    f.from = hit;
    EXPECT_TRUE(f.matches(c)) << hit;
  }
  f.from = "bob";
  EXPECT_FALSE(f.matches(c));
  f.from.clear();
  f.to = "BOB@biloxi";
  EXPECT_TRUE(f.matches(c));
  f.to = "alice";
  EXPECT_FALSE(f.matches(c));
}

TEST(CallFilter, MethodIgnoresCase) {
  CallFilter f;
  f.method = "invite";
  EXPECT_TRUE(f.matches(call("a", 200, CallState::Completed)));
  f.method = "REGISTER";
  EXPECT_FALSE(f.matches(call("a", 200, CallState::Completed)));
  f.method = "INV";  // a method is a whole word, not a substring
  EXPECT_FALSE(f.matches(call("a", 200, CallState::Completed)));
}

TEST(CallFilter, HostIsAnExactAddressAnEndpointOrAPart) {
  Call c = call("a", 200, CallState::Completed);
  CallFilter f;
  auto host = [&](const char* h) {
    f.host = h;
    return f.matches(c);
  };
  EXPECT_TRUE(host("10.0.0.1"));   // the caller
  EXPECT_TRUE(host("10.0.0.12"));  // the callee
  EXPECT_FALSE(host("10.0.0.2"));  // exact: not a prefix of 10.0.0.12...
  EXPECT_FALSE(host("0.0.0.1"));   // ...nor a suffix of 10.0.0.1
  EXPECT_TRUE(host("10.0.0.12:5080"));
  EXPECT_FALSE(host("10.0.0.12:5060"));  // the callee's port is 5080
  EXPECT_TRUE(host("10.0.0."));          // not an address: a part of "ip:port"
  EXPECT_TRUE(host(":5080"));
  EXPECT_FALSE(host("192.168."));
  c.caller = Endpoint{*IpAddress::parse("2001:db8::1"), 5060};
  EXPECT_TRUE(host("2001:db8::1"));
  EXPECT_TRUE(host("[2001:db8::1]:5060"));
  EXPECT_FALSE(host("[2001:db8::1]:5061"));
  EXPECT_FALSE(host("2001:db8::"));
}

TEST(CallFilter, StatusAndStates) {
  std::vector<Call> calls = {
      call("ok", 200, CallState::Completed), call("busy", 486, CallState::Busy),
      call("gone", 404, CallState::Rejected), call("cancel", 487, CallState::Cancelled),
      call("open", 0, CallState::Ringing)};
  CallFilter f;
  f.status = *parse_status_filter("!2xx");
  EXPECT_EQ(ids(f, calls), "busy gone cancel open");
  f.states = {CallState::Busy, CallState::Cancelled};
  EXPECT_EQ(ids(f, calls), "busy cancel");
  f.status = *parse_status_filter("486");
  EXPECT_EQ(ids(f, calls), "busy");
  f.status.reset();
  f.states = {CallState::Ringing};
  EXPECT_EQ(ids(f, calls), "open");
}

TEST(CallFilter, SinceIsInclusiveUntilIsExclusive) {
  std::vector<Call> calls = {call("t0", 200, CallState::Completed, 0),
                             call("t10", 200, CallState::Completed, 10),
                             call("t20", 200, CallState::Completed, 20)};
  CallFilter f;
  f.since = Timestamp{kT0 + 10'000'000'000};
  EXPECT_EQ(ids(f, calls), "t10 t20");
  f.until = Timestamp{kT0 + 20'000'000'000};
  EXPECT_EQ(ids(f, calls), "t10");
  f.since.reset();
  EXPECT_EQ(ids(f, calls), "t0 t10");
}

TEST(CallFilter, EveryCriterionMustMatch) {
  Call c = call("a", 486, CallState::Busy);
  CallFilter f;
  f.from = "alice";
  f.to = "bob";
  f.method = "INVITE";
  f.status = *parse_status_filter("4xx");
  f.states = {CallState::Busy};
  f.host = "10.0.0.1";
  f.since = Timestamp{kT0};
  f.until = Timestamp{kT0 + 1};
  EXPECT_TRUE(f.matches(c));
  f.to = "carol";  // one criterion off is enough
  EXPECT_FALSE(f.matches(c));
}

}  // namespace
}  // namespace sipflow::flows
