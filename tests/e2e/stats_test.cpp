// End-to-end: `sipflow stats` on the real captures in samples/ — against
// tshark's own SIP statistics, against golden files, and for the numbers we
// know each capture holds; --fail-on exit statuses.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "json_value.hpp"
#include "run_cli.hpp"
#include "tshark.hpp"

namespace sipflow::test {
namespace {

std::vector<std::string> all_samples() {
  std::vector<std::string> names;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(SIPFLOW_SOURCE_DIR) + "/samples")) {
    auto ext = e.path().extension().string();
    if (ext == ".pcap" || ext == ".pcapng") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

JsonValue stats_json(const std::string& file, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {sipflow(), "stats", "--json", "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(sample(file));
  auto r = run(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out).size(), 1u) << "the report is ONE JSON line";
  return JsonValue::parse(r.out);
}

std::uint64_t method_count(const JsonValue& j, const std::string& method,
                           const std::string& field = "count") {
  const JsonValue* row = j["methods"].find_in("method", method);
  return row ? (*row)[field].u64() : 0;
}

std::uint64_t code_count(const JsonValue& j, int code, const std::string& field = "count") {
  const JsonValue* row = j["codes"].find_in("code", code);
  return row ? (*row)[field].u64() : 0;
}

std::uint64_t matrix_count(const JsonValue& j, const std::string& method, int code) {
  for (const auto& cell : j["matrix"].array()) {
    if (!cell["method"].is_null() && cell["method"].str() == method &&
        cell["code"].number() == code)
      return cell["count"].u64();
  }
  return 0;
}

class StatsSample : public ::testing::TestWithParam<std::string> {};

TEST_P(StatsSample, JsonMatchesGolden) {
  auto r = run({sipflow(), "stats", "--json", "-q", sample(GetParam())});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string golden = GetParam() + ".stats.json";
  auto path = std::filesystem::path(SIPFLOW_SOURCE_DIR) / "tests" / "golden" / golden;
  const char* update = std::getenv("SIPFLOW_UPDATE_GOLDEN");
  if (JsonValue::parse(r.out)["messages"].u64() == 0 && !std::filesystem::exists(path) &&
      (update == nullptr || std::string(update) != "1")) {
    // e.g. TLS without its keys: a report of nothing is not worth a golden file.
    GTEST_SKIP() << "sipflow reads no SIP message from " << GetParam();
  }
  EXPECT_TRUE(matches_golden(golden, r.out));
}

// tshark's sip,stat counts every SIP message once per sighting: its numbers
// per method and per code are our first sightings + retransmissions +
// duplicates ("total"). Its "resent" count is narrower than our repeats: only
// UDP, never ACK or CANCEL, and only final responses (docs/STATS.md).
TEST_P(StatsSample, CountsAgreeWithTsharkSipStat) {
  if (!have_command("tshark")) GTEST_SKIP() << "tshark not installed";
  TsharkSipStat theirs = tshark_sip_stat(GetParam());
  if (theirs.messages == 0) GTEST_SKIP() << "tshark dissects no SIP in " << GetParam();
  JsonValue ours = stats_json(GetParam());
  EXPECT_EQ(ours["messages"].u64(), theirs.messages);

  std::map<std::string, std::uint64_t> methods;
  for (const auto& m : ours["methods"].array())
    methods[m["method"].str()] = m["total"].u64();
  EXPECT_EQ(methods, theirs.methods);
  std::map<int, std::uint64_t> codes;
  for (const auto& c : ours["codes"].array())
    codes[static_cast<int>(c["code"].number())] = c["total"].u64();
  EXPECT_EQ(codes, theirs.codes);

  std::uint64_t resent = 0;
  for (const auto& m : ours["methods"].array()) {
    if (m["method"].str() != "ACK" && m["method"].str() != "CANCEL")
      resent += m["retransmissions"].u64() + m["duplicates"].u64();
  }
  for (const auto& c : ours["codes"].array()) {
    if (c["code"].number() >= 200) resent += c["retransmissions"].u64() + c["duplicates"].u64();
  }
  EXPECT_EQ(resent, theirs.resent);
  EXPECT_EQ(ours["requests"].u64() + ours["responses"].u64() + ours["retransmissions"].u64() +
                ours["duplicates"].u64(),
            ours["messages"].u64());
}

TEST_P(StatsSample, TextAndCsvSayTheSameAsJson) {
  JsonValue j = stats_json(GetParam());
  auto text = run({sipflow(), "stats", "--color", "never", "-q", sample(GetParam())});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("messages         " + std::to_string(j["messages"].u64()) + " ("),
            std::string::npos)
      << text.out;
  EXPECT_EQ(text.out.find('\x1b'), std::string::npos);
  auto csv = run({sipflow(), "stats", "--csv", "-q", sample(GetParam())});
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_NE(csv.out.find("summary,messages," + std::to_string(j["messages"].u64()) + "\n"),
            std::string::npos);
  for (const auto& line : lines(csv.out)) {
    static const std::vector<std::string> kSections = {
        "summary", "unparseable", "method",    "code",       "matrix",
        "host",    "agent",       "host_code", "agent_code", "failure",
        "reason",  "warning",     "encrypted", "session",    "delay"};
    std::string section = line.substr(0, line.find(','));
    EXPECT_NE(std::find(kSections.begin(), kSections.end(), section), kSections.end()) << line;
  }
}

// Every first response is sent by one host and received by one: per code,
// the host breakdown adds up to the code's count twice over; the agent
// breakdown holds at most that many (responses without Server/User-Agent).
TEST_P(StatsSample, HostAndAgentCodesAddUpToTheCodes) {
  JsonValue j = stats_json(GetParam());
  std::map<int, std::uint64_t> codes, sent, received, by_agent;
  for (const auto& c : j["codes"].array())
    codes[static_cast<int>(c["code"].number())] = c["count"].u64();
  for (const auto& h : j["host_codes"].array()) {
    sent[static_cast<int>(h["code"].number())] += h["sent"].u64();
    received[static_cast<int>(h["code"].number())] += h["received"].u64();
  }
  for (const auto& a : j["agent_codes"].array())
    by_agent[static_cast<int>(a["code"].number())] += a["count"].u64();
  std::erase_if(codes, [](const auto& kv) { return kv.second == 0; });
  EXPECT_EQ(sent, codes);
  EXPECT_EQ(received, codes);
  for (const auto& [code, n] : by_agent)
    EXPECT_LE(n, codes[code]) << code;
}

INSTANTIATE_TEST_SUITE_P(Samples, StatsSample, ::testing::ValuesIn(all_samples()),
                         [](const auto& p) {
                           std::string n = p.param;
                           std::replace_if(
                               n.begin(), n.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return n;
                         });

// ---- Numbers we know each capture holds (samples/README.md) ----

TEST(StatsE2E, RegisterDigestIsTwoRegistersA401AndA200) {
  auto j = stats_json("register_digest.pcap");
  EXPECT_EQ(method_count(j, "REGISTER"), 2u);
  EXPECT_EQ(code_count(j, 401), 1u);
  EXPECT_EQ(code_count(j, 200), 1u);
  EXPECT_EQ(matrix_count(j, "REGISTER", 401), 1u);
  EXPECT_EQ(j["requests"].u64(), 2u);
  EXPECT_EQ(j["responses"].u64(), 2u);
  EXPECT_EQ(j["sessions"]["register_attempts"].u64(), 1u);  // one Call-ID, challenge included
  EXPECT_EQ(j["sessions"]["registered"].u64(), 1u);
  EXPECT_DOUBLE_EQ(j["sessions"]["ira"].number(), 0.0);
  EXPECT_EQ(j["delays"]["rrd"]["count"].u64(), 1u);
  EXPECT_GT(j["delays"]["rrd"]["avg"].number(), 0.0);
  EXPECT_TRUE(j["sessions"]["ser"].is_null());  // no INVITE: undefined, not 0
  EXPECT_TRUE(j["failures"].array().empty());   // the 401 was answered: not a failure
}

TEST(StatsE2E, ResponsesPerHostAndUserAgentOnTheB2bua) {
  // alice 127.0.0.10 → B2BUA (kamailio) 127.0.0.20 → bob 127.0.0.30; alice hangs up.
  auto j = stats_json("b2bua_legs.pcap");
  std::map<std::string, std::string> hosts;
  for (const auto& h : j["host_codes"].array()) {
    hosts[h["host"].str()] += std::to_string(static_cast<int>(h["code"].number())) + ":" +
                              std::to_string(h["sent"].u64()) + "/" +
                              std::to_string(h["received"].u64()) + " ";
  }
  EXPECT_EQ(hosts["127.0.0.10"], "100:0/1 180:0/1 200:1/1 ");  // the BYE's 200 is alice's
  EXPECT_EQ(hosts["127.0.0.20"], "100:1/1 180:1/1 200:2/2 ");
  EXPECT_EQ(hosts["127.0.0.30"], "100:1/0 180:1/0 200:1/1 ");  // and the 200 to its BYE
  std::map<std::string, std::string> agents;
  for (const auto& a : j["agent_codes"].array()) {
    agents[a["agent"].str()] += std::to_string(static_cast<int>(a["code"].number())) + ":" +
                                std::to_string(a["count"].u64()) + " ";
  }
  EXPECT_EQ(agents,
            (std::map<std::string, std::string>{{"sipflow-samples callee (SIPp)", "200:2 "},
                                                {"sipflow-samples B2BUA (kamailio)", "100:1 "}}));
  auto csv = run({sipflow(), "stats", "--csv", "-q", sample("b2bua_legs.pcap")});
  EXPECT_NE(csv.out.find("\nhost_code,127.0.0.20,200,2,2\n"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("\nagent_code,sipflow-samples B2BUA (kamailio),100,1\n"),
            std::string::npos)
      << csv.out;
  auto text = run({sipflow(), "stats", "--color", "never", "-q", sample("b2bua_legs.pcap")});
  EXPECT_NE(text.out.find("  127.0.0.30  100:1  180:1  200:1"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Responses by user agent"), std::string::npos) << text.out;
  // With a filter the breakdowns count only the selected calls' responses.
  auto only_404 = stats_json("call_rejected.pcap", {"--status", "404"});
  ASSERT_EQ(only_404["host_codes"].array().size(), 1u);
  EXPECT_EQ(only_404["host_codes"].array()[0]["code"].number(), 404);
  EXPECT_EQ(only_404["host_codes"].array()[0]["sent"].u64(), 1u);
  ASSERT_EQ(only_404["agent_codes"].array().size(), 1u);
  EXPECT_EQ(only_404["agent_codes"].array()[0]["agent"].str(), "sipflow-samples UAS (SIPp)");
}

TEST(StatsE2E, CallRejectedFailsWith486And404) {
  auto j = stats_json("call_rejected.pcap");
  EXPECT_EQ(method_count(j, "INVITE"), 2u);
  EXPECT_EQ(method_count(j, "ACK"), 2u);
  EXPECT_EQ(code_count(j, 100), 1u);
  EXPECT_EQ(code_count(j, 486), 1u);
  EXPECT_EQ(code_count(j, 404), 1u);
  EXPECT_EQ(matrix_count(j, "INVITE", 486), 1u);
  const auto& failures = j["failures"].array();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0]["code"].number(), 404);  // equal counts: by code
  EXPECT_EQ(failures[0]["reason"].str(), "Not Found");
  EXPECT_EQ(failures[1]["code"].number(), 486);
  EXPECT_EQ(failures[1]["reason"].str(), "Busy Here");
  const auto& s = j["sessions"];
  EXPECT_EQ(s["invite_attempts"].u64(), 2u);
  EXPECT_EQ(s["answered"].u64(), 0u);
  EXPECT_DOUBLE_EQ(s["ser"].number(), 0.0);
  EXPECT_DOUBLE_EQ(s["seer"].number(), 0.5);  // 486 shows the user was reached; 404 does not
  EXPECT_DOUBLE_EQ(s["isa"].number(), 0.0);
  EXPECT_EQ(j["delays"]["srd_failed"]["count"].u64(), 2u);
}

TEST(StatsE2E, UdpCallIsOneCompletedSession) {
  auto j = stats_json("udp_call.pcap");
  EXPECT_EQ(j["messages"].u64(), 7u);
  EXPECT_EQ(code_count(j, 200), 2u);
  EXPECT_EQ(matrix_count(j, "INVITE", 200), 1u);
  EXPECT_EQ(matrix_count(j, "BYE", 200), 1u);
  const auto& s = j["sessions"];
  EXPECT_DOUBLE_EQ(s["ser"].number(), 1.0);
  EXPECT_DOUBLE_EQ(s["scr"].number(), 1.0);
  const auto& d = j["delays"];
  // The UAS rings 50 ms after the INVITE; the UAC hangs up 200 ms after its ACK.
  EXPECT_NEAR(d["srd"]["p50"].number(), 0.05, 0.02);
  EXPECT_NEAR(d["sdt"]["p50"].number(), 0.2, 0.03);
  EXPECT_EQ(d["sdd"]["count"].u64(), 1u);
  ASSERT_EQ(j["hosts"].array().size(), 1u);
  EXPECT_EQ(j["hosts"].array()[0]["host"].str(), "127.0.0.1");
}

TEST(StatsE2E, PcapngCopiesAreDuplicatesNotRetransmissions) {
  auto j = stats_json("call_pcapng.pcapng");
  EXPECT_EQ(j["messages"].u64(), 14u);
  EXPECT_EQ(j["duplicates"].u64(), 7u);
  EXPECT_EQ(j["retransmissions"].u64(), 0u);
  EXPECT_EQ(method_count(j, "INVITE"), 1u);
  EXPECT_EQ(method_count(j, "INVITE", "duplicates"), 1u);
  EXPECT_EQ(code_count(j, 200), 2u);
  EXPECT_EQ(j["hosts"].array()[0]["requests_sent"].u64(), 3u);  // each packet once
  EXPECT_DOUBLE_EQ(j["sessions"]["ser"].number(), 1.0);
}

TEST(StatsE2E, LossyCallSeparatesRetransmissions) {
  if (!std::filesystem::exists(sample("call_lossy.pcap"))) GTEST_SKIP();
  auto j = stats_json("call_lossy.pcap");
  EXPECT_EQ(method_count(j, "INVITE"), 5u);
  EXPECT_EQ(method_count(j, "INVITE", "retransmissions"), 1u);
  EXPECT_EQ(method_count(j, "BYE", "retransmissions"), 1u);
  EXPECT_EQ(code_count(j, 200), 10u);
  EXPECT_EQ(code_count(j, 200, "retransmissions"), 2u);
  EXPECT_EQ(j["retransmissions"].u64(), 5u);
  EXPECT_EQ(j["sessions"]["invite_attempts"].u64(), 5u);
  EXPECT_DOUBLE_EQ(j["sessions"]["scr"].number(), 1.0);
  // A BYE whose 200 was lost waits 500 ms (T1) for its retransmission's answer.
  EXPECT_NEAR(j["delays"]["sdd"]["max"].number(), 0.5, 0.05);
}

TEST(StatsE2E, CancelledCallIsAFailureWithoutAFailedSetupDelay) {
  if (!std::filesystem::exists(sample("call_cancel.pcap"))) GTEST_SKIP();
  auto j = stats_json("call_cancel.pcap");
  EXPECT_EQ(method_count(j, "CANCEL"), 1u);
  EXPECT_EQ(matrix_count(j, "CANCEL", 200), 1u);
  EXPECT_EQ(matrix_count(j, "INVITE", 487), 1u);
  EXPECT_EQ(j["sessions"]["cancelled"].u64(), 1u);
  EXPECT_EQ(j["delays"]["srd_failed"]["count"].u64(), 0u);
}

TEST(StatsE2E, NoAnswerCountsTheUserAsReached) {
  if (!std::filesystem::exists(sample("call_noanswer.pcap"))) GTEST_SKIP();
  auto j = stats_json("call_noanswer.pcap");
  EXPECT_EQ(code_count(j, 480), 1u);
  EXPECT_EQ(code_count(j, 487), 1u);
  EXPECT_DOUBLE_EQ(j["sessions"]["seer"].number(), 0.5);  // 480 is effective, 487 is not
}

TEST(StatsE2E, FailedRegistrationIsAnIneffectiveRegistrationAttempt) {
  if (!std::filesystem::exists(sample("register_failed.pcap"))) GTEST_SKIP();
  auto j = stats_json("register_failed.pcap");
  EXPECT_EQ(code_count(j, 401), 1u);
  EXPECT_EQ(code_count(j, 403), 1u);
  EXPECT_DOUBLE_EQ(j["sessions"]["ira"].number(), 1.0);
  EXPECT_EQ(j["delays"]["rrd"]["count"].u64(), 0u);
  ASSERT_EQ(j["failures"].array().size(), 1u);
  EXPECT_EQ(j["failures"].array()[0]["code"].number(), 403);
}

TEST(StatsE2E, FilterRestrictsTheCounts) {
  auto j = stats_json("call_rejected.pcap", {"--status", "486"});
  EXPECT_TRUE(j["filtered"].boolean());
  EXPECT_EQ(j["calls"].u64(), 2u);
  EXPECT_EQ(j["calls_matched"].u64(), 1u);
  EXPECT_EQ(j["messages"].u64(), 4u);  // INVITE, 100, 486, ACK
  EXPECT_EQ(code_count(j, 404), 0u);
  EXPECT_EQ(code_count(j, 486), 1u);
  auto none = stats_json("call_rejected.pcap", {"--method", "REGISTER"});
  EXPECT_EQ(none["messages"].u64(), 0u);
}

// ---- --fail-on: a CI gate ----

TEST(StatsFailOn, NothingBreachedExitsZero) {
  auto r =
      run({sipflow(), "stats", "-q", "--fail-on", "5xx>0,4xx>0,ser<1", sample("udp_call.pcap")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("breached"), std::string::npos) << r.err;
}

TEST(StatsFailOn, BreachExitsOneAndSaysWhich) {
  auto r = run({sipflow(), "stats", "-q", "--json", "--fail-on", "5xx>0, 4xx>=2 ,code:486>0",
                sample("call_rejected.pcap")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.find("5xx>0"), std::string::npos) << r.err;  // held: not mentioned
  EXPECT_NE(r.err.find("--fail-on breached: 4xx>=2: 4xx is 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--fail-on breached: code:486>0: code:486 is 1"), std::string::npos);
  EXPECT_EQ(lines(r.out).size(), 1u);  // the report is still printed
}

TEST(StatsFailOn, RatioThresholds) {
  EXPECT_EQ(run({sipflow(), "stats", "-q", "--fail-on", "ser<0.95", sample("call_rejected.pcap")})
                .exit_code,
            1);
  EXPECT_EQ(run({sipflow(), "stats", "-q", "--fail-on", "seer<0.5", sample("call_rejected.pcap")})
                .exit_code,
            0);
  EXPECT_EQ(run({sipflow(), "stats", "-q", "--fail-on", "isa>0.05", sample("call_rejected.pcap")})
                .exit_code,
            0);
}

TEST(StatsFailOn, MissingTrafficIsCaughtAndUndefinedRatiosAreReported) {
  auto r = run({sipflow(), "stats", "-q", "--fail-on", "method:INVITE<1,ser<0.95",
                sample("register_digest.pcap")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("breached: method:INVITE<1: method:INVITE is 0"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("not evaluated: ser<0.95: ser is undefined"), std::string::npos) << r.err;
}

TEST(StatsFailOn, BadExpressionIsAUsageError) {
  for (const char* expr : {"5xx>>0", "ser<95", "bogus>1", "5xx>0,", "code:999>0"}) {
    auto r = run({sipflow(), "stats", "-q", "--fail-on", expr, sample("udp_call.pcap")});
    EXPECT_EQ(r.exit_code, 64) << expr << ": " << r.err;
    EXPECT_NE(r.err.find("--fail-on"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << "nothing is read before the options are checked";
  }
}

TEST(StatsFailOn, UnreadableInputWinsOverThresholds) {
  auto r =
      run({sipflow(), "stats", "-q", "--fail-on", "messages<1", sample("no_such_capture.pcap")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(StatsE2E, JsonAndCsvExcludeEachOther) {
  auto r = run({sipflow(), "stats", "--json", "--csv", sample("udp_call.pcap")});
  EXPECT_EQ(r.exit_code, 64);
}

}  // namespace
}  // namespace sipflow::test
