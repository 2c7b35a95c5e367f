// End-to-end: `sipflow calls` and `sipflow flow` on the real captures in samples/.

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "json_fields.hpp"
#include "run_cli.hpp"

namespace sipflow::test {
namespace {

struct Expected {
  std::string method, state, status;
  std::string messages = "";
  std::string retransmissions = "";
};

std::vector<std::string> calls_json(const std::string& file, std::vector<std::string> extra = {}) {
  std::vector<std::string> cmd = {sipflow(), "calls", "--json",    "--sort",
                                  "start",   "-q",    sample(file)};
  cmd.insert(cmd.end(), extra.begin(), extra.end());
  auto r = run(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return lines(r.out);
}

void expect_calls(const std::string& file, const std::vector<Expected>& want) {
  SCOPED_TRACE(file);
  auto got = calls_json(file);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("call " + std::to_string(i + 1));
    EXPECT_EQ(json_field(got[i], "method").value_or("?"), want[i].method);
    EXPECT_EQ(json_field(got[i], "state").value_or("?"), want[i].state);
    EXPECT_EQ(json_field(got[i], "status").value_or("?"), want[i].status);
    if (!want[i].messages.empty()) {
      EXPECT_EQ(json_field(got[i], "messages").value_or("?"), want[i].messages);
    }
    if (!want[i].retransmissions.empty()) {
      EXPECT_EQ(json_field(got[i], "retransmissions").value_or("?"), want[i].retransmissions);
    }
  }
}

TEST(CallsCommand, OutcomesOfEveryKindOfCall) {
  expect_calls("udp_call.pcap", {{"INVITE", "completed", "200", "7", "0"}});
  expect_calls("call_busy.pcap", {{"INVITE", "busy", "486", "5"}});
  expect_calls("call_cancel.pcap", {{"INVITE", "cancelled", "487", "7"}});
  expect_calls("call_notfound.pcap", {{"INVITE", "rejected", "404", "4"}});
  expect_calls("call_noanswer.pcap",
               {{"INVITE", "rejected", "480"}, {"INVITE", "cancelled", "487"}});
  expect_calls("call_rejected.pcap", {{"INVITE", "busy", "486"}, {"INVITE", "rejected", "404"}});
  expect_calls("register_digest.pcap", {{"REGISTER", "completed", "200", "4"}});
  expect_calls("register_failed.pcap", {{"REGISTER", "rejected", "403", "4"}});
  expect_calls("misc_methods.pcap", {{"OPTIONS", "completed", "200", "2"},
                                     {"MESSAGE", "completed", "200", "2"},
                                     {"SUBSCRIBE", "completed", "200", "4"},
                                     {"PUBLISH", "completed", "200", "2"}});
}

TEST(CallsCommand, RetransmissionsAreCountedPerCall) {
  expect_calls("call_lossy.pcap", {{"INVITE", "completed", "200", "8", "1"},
                                   {"INVITE", "completed", "200", "7", "0"},
                                   {"INVITE", "completed", "200", "8", "1"},
                                   {"INVITE", "completed", "200", "7", "0"},
                                   {"INVITE", "completed", "200", "10", "3"}});
}

TEST(CallsCommand, AFileOlderThanTheOneBeforeItIsNotTimedOut) {
  // call_busy.pcap was captured after udp_call.pcap: read first, it moves the
  // clock past every message of the second file, whose call must still come
  // out whole, not as one timed-out call per message.
  auto got = calls_json("call_busy.pcap", {sample("udp_call.pcap")});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(json_field(got[0], "state").value_or("?"), "completed");
  EXPECT_EQ(json_field(got[0], "messages").value_or("?"), "7");
  EXPECT_EQ(json_field(got[1], "state").value_or("?"), "busy");
}

TEST(CallsCommand, CaptureDuplicatesAreNotRetransmissions) {
  auto got = calls_json("call_pcapng.pcapng");  // every packet seen on lo and on any
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(json_field(got[0], "duplicates").value_or("?"), "7");
  EXPECT_EQ(json_field(got[0], "retransmissions").value_or("?"), "0");
}

TEST(CallsCommand, ForkedCallHasTwoDialogs) {
  auto got = calls_json("call_forked.pcap");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(json_field(got[0], "dialogs").value_or("?"), "2");
  EXPECT_EQ(json_field(got[0], "state").value_or("?"), "completed");
}

TEST(CallsCommand, HoldIsSeenInTheReInvite) {
  auto got = calls_json("call_reinvite.pcap");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find("\"hold_events\":1"), std::string::npos) << got[0];
}

TEST(CallsCommand, TimingsOfAnAnsweredCall) {
  auto got = calls_json("udp_call.pcap");
  ASSERT_EQ(got.size(), 1u);
  double pdd = std::stod(json_field(got[0], "pdd").value_or("-1"));
  double answer = std::stod(json_field(got[0], "time_to_answer").value_or("-1"));
  double talk = std::stod(json_field(got[0], "duration").value_or("-1"));
  EXPECT_GT(pdd, 0.0);
  EXPECT_GT(answer, pdd);
  EXPECT_GT(talk, 0.1);
  EXPECT_EQ(json_field(got[0], "hangup_by").value_or("?"), "caller");
}

TEST(CallsCommand, B2buaLegsAreLinkedByEverySignal) {
  auto got = calls_json("b2bua_legs.pcap");
  ASSERT_EQ(got.size(), 2u);
  const std::string& b = got[1];
  for (const char* signal : {"header:X-Call-ID", "icid", "sdp"}) {
    EXPECT_NE(b.find(signal), std::string::npos) << signal << " in " << b;
  }
  EXPECT_EQ(json_field(got[0], "group"), json_field(got[1], "group"));
  auto off =
      calls_json("b2bua_legs.pcap", {"--no-link-headers", "--no-link-icid", "--no-link-sdp"});
  ASSERT_EQ(off.size(), 2u);
  EXPECT_NE(json_field(off[0], "group"), json_field(off[1], "group"));
}

TEST(CallsCommand, FiltersCompose) {
  auto two = run({sipflow(), "calls", "--json", "-q", sample("call_noanswer.pcap"),
                  sample("call_busy.pcap"), "--status", "4xx", "--state", "cancelled,busy"});
  EXPECT_EQ(lines(two.out).size(), 2u);
  auto none =
      run({sipflow(), "calls", "--json", "-q", sample("call_noanswer.pcap"), "--status", "!4xx"});
  EXPECT_EQ(lines(none.out).size(), 0u);
  auto to = run(
      {sipflow(), "calls", "--json", "-q", sample("call_noanswer.pcap"), "--to", "UNAVAILABLE"});
  EXPECT_EQ(lines(to.out).size(), 1u);
  auto method = run(
      {sipflow(), "calls", "--json", "-q", sample("misc_methods.pcap"), "--method", "subscribe"});
  EXPECT_EQ(lines(method.out).size(), 1u);
  auto bad = run({sipflow(), "calls", sample("udp_call.pcap"), "--status", "9xx"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("--status"), std::string::npos);
}

TEST(CallsCommand, TableShowsEveryCallAndASummary) {
  auto r = run({sipflow(), "calls", "--color", "never", "-q", sample("call_noanswer.pcap")});
  EXPECT_EQ(r.exit_code, 0);
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].rfind("START", 0), 0u);
  EXPECT_NE(out[3].find("2 calls"), std::string::npos);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

// Column 5 of each row of a table: the method.
std::vector<std::string> table_methods(const std::string& out) {
  std::vector<std::string> methods;
  for (const auto& line : lines(out)) {
    std::stringstream words(line);
    std::string w[5];
    for (auto& x : w)
      words >> x;
    if (line.rfind("START", 0) != 0 && !w[4].empty()) methods.push_back(w[4]);
  }
  return methods;
}

TEST(CallsCommand, TableRowsAreWrittenAsCallsFinishUnlessSorted) {
  // The SUBSCRIBE dialog ends with its NOTIFY, after the PUBLISH has finished.
  auto streamed = run({sipflow(), "calls", "--color", "never", "-q", sample("misc_methods.pcap")});
  EXPECT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_EQ(table_methods(streamed.out),
            (std::vector<std::string>{"OPTIONS", "MESSAGE", "PUBLISH", "SUBSCRIBE"}))
      << streamed.out;
  auto sorted = run({sipflow(), "calls", "--color", "never", "--sort", "start", "-q",
                     sample("misc_methods.pcap")});
  EXPECT_EQ(table_methods(sorted.out),
            (std::vector<std::string>{"OPTIONS", "MESSAGE", "SUBSCRIBE", "PUBLISH"}))
      << sorted.out;
  // Off a terminal nothing is cut: every Call-ID is whole, even a long one.
  auto hostile =
      run({sipflow(), "calls", "--color", "never", "-q", sample("hostile_headers.pcap")});
  EXPECT_NE(hostile.out.find("1-hostile call-id; with spaces \"q\" <b>9903</b> %%{init}%% -->> "
                             "#@127.0.0.1"),
            std::string::npos)
      << hostile.out;
  EXPECT_EQ(hostile.out.find("…"), std::string::npos);
}

TEST(CallsCommand, OpenCallCapIsReported) {
  auto r = run({sipflow(), "calls", "--json", sample("call_lossy.pcap"), "--max-calls", "1"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(lines(r.out).size(), 5u);  // evicted calls are still reported, marked
  EXPECT_NE(r.err.find("open_call_limit="), std::string::npos) << r.err;
}

class FlowSample : public ::testing::TestWithParam<std::string> {};

TEST_P(FlowSample, AsciiLadderMatchesGolden) {
  for (bool ascii : {false, true}) {
    std::vector<std::string> cmd = {sipflow(), "flow", "-q", "--sdp", sample(GetParam())};
    if (ascii) cmd.push_back("--ascii");
    auto r = run(cmd);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(matches_golden(GetParam() + (ascii ? ".flow.ascii.txt" : ".flow.txt"), r.out));
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, FlowSample,
                         ::testing::Values("udp_call.pcap", "call_cancel.pcap", "call_forked.pcap",
                                           "call_prack.pcap", "call_reinvite.pcap",
                                           "register_digest.pcap", "call_lossy.pcap",
                                           "fragmented_udp6.pcap"),
                         [](const auto& p) {
                           std::string n = p.param;
                           for (auto& ch : n)
                             ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return n;
                         });

TEST(FlowCommand, RelatedDrawsBothLegsOfTheB2bua) {
  auto r = run({sipflow(), "flow", "-q", "--related", "--index", "1", sample("b2bua_legs.pcap")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(matches_golden("b2bua_legs.pcap.flow.related.txt", r.out));
  auto alone = run({sipflow(), "flow", "-q", "--index", "1", sample("b2bua_legs.pcap")});
  EXPECT_LT(lines(alone.out).size(), lines(r.out).size());
}

TEST(FlowCommand, SelectionAndAliases) {
  auto r = run({sipflow(), "flow", "-q", "--call-id", "1-", "--alias", "127.0.0.20=B2BUA",
                "--alias", "127.0.0.10:5060=Alice", "--related", sample("b2bua_legs.pcap")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("B2BUA"), std::string::npos);
  EXPECT_NE(r.out.find("Alice"), std::string::npos);
  auto none = run({sipflow(), "flow", "-q", "--call-id", "no-such-call", sample("udp_call.pcap")});
  EXPECT_EQ(none.exit_code, 3);
  auto by_host =
      run({sipflow(), "flow", "-q", "--by-host", "--format", "json", sample("udp_call.pcap")});
  EXPECT_NE(by_host.out.find("\"label\":\"127.0.0.1\""), std::string::npos) << by_host.out;
}

TEST(FlowCommand, EachWritesOneFilePerCall) {
  auto dir =
      std::filesystem::temp_directory_path() / ("sipflow_each_" + std::to_string(::getpid()));
  auto r = run({sipflow(), "flow", "-q", "--each", "-o", dir.string(), sample("call_lossy.pcap")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().extension(), ".txt");
    EXPECT_NE(slurp(e.path()).find("INVITE"), std::string::npos);
  }
  EXPECT_EQ(files, 5u);
  std::filesystem::remove_all(dir);
}

TEST(FlowCommand, NarrowWidthMovesLabelsAboveArrowsWithoutCuttingThem) {
  auto r = run({sipflow(), "flow", "-q", "--width", "30", sample("call_prack.pcap")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("183 Session"), std::string::npos);  // folded, not cut
  EXPECT_NE(r.out.find("answer)"), std::string::npos);
}

}  // namespace
}  // namespace sipflow::test
