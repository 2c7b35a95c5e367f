// End-to-end: `sipflow calls` and `sipflow flow` on the real captures in samples/.

#include <gtest/gtest.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "json_fields.hpp"
#include "pcap_edit.hpp"
#include "run_cli.hpp"
#include "scratch_dir.hpp"
#include "sipflow/render/escape.hpp"

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

// The Call-IDs `calls --json` keeps from `files` with `options`, space-separated,
// in the order written (--sort start unless `options` sorts otherwise).
std::string kept(const std::vector<std::string>& files, std::vector<std::string> options) {
  std::vector<std::string> cmd = {sipflow(), "calls", "--json", "-q"};
  bool sorted = false;
  for (const auto& o : options)
    sorted = sorted || o == "--sort";
  if (!sorted) options.insert(options.end(), {"--sort", "start"});
  for (const auto& f : files)
    cmd.push_back(sample(f));
  cmd.insert(cmd.end(), options.begin(), options.end());
  auto r = run(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string ids;
  for (const auto& line : lines(r.out))
    ids += (ids.empty() ? "" : " ") + json_field(line, "call_id").value_or("?");
  return ids;
}

TEST(CallsCommand, EachFilterKeepsExactlyTheMatchingCalls) {
  const std::vector<std::string> outcomes = {"call_rejected.pcap", "call_noanswer.pcap",
                                             "udp_call.pcap"};
  // udp_call 200 · call_rejected 486, 404 · call_noanswer 480, 487 (by start).
  EXPECT_EQ(kept(outcomes, {}),
            "1-10138@127.0.0.1 1-10303@127.0.0.1 1-10313@127.0.0.1 1-7673@127.0.0.1 "
            "1-7685@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--call-id", "1-7685@127.0.0.1"}), "1-7685@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--call-id", "103"}), "1-10303@127.0.0.1 1-10313@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--status", "486"}), "1-10303@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--status", "4xx"}),
            "1-10303@127.0.0.1 1-10313@127.0.0.1 1-7673@127.0.0.1 1-7685@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--status", "!2xx"}),
            "1-10303@127.0.0.1 1-10313@127.0.0.1 1-7673@127.0.0.1 1-7685@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--status", "404,480"}), "1-10313@127.0.0.1 1-7673@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--state", "rejected"}), "1-10313@127.0.0.1 1-7673@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--state", "busy,completed"}), "1-10138@127.0.0.1 1-10303@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--to", "nobody"}), "1-10313@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--to", "BUSY@127"}), "1-10303@127.0.0.1");  // case-insensitive
  EXPECT_EQ(kept(outcomes, {"--from", "sipp@127.0.0.1:5075"}), "1-7673@127.0.0.1 1-7685@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--host", "127.0.0.1:5063"}), "1-10303@127.0.0.1 1-10313@127.0.0.1");
  EXPECT_EQ(kept(outcomes, {"--status", "4xx", "--to", "bob", "--state", "cancelled"}),
            "1-7685@127.0.0.1");

  EXPECT_EQ(kept({"misc_methods.pcap"}, {"--method", "subscribe"}), "3-8606@127.0.0.1");
  EXPECT_EQ(kept({"misc_methods.pcap"}, {"--from", "alice"}), "4-8606@127.0.0.1");
  EXPECT_EQ(kept({"misc_methods.pcap"}, {"--from", "sipp"}),
            "1-8606@127.0.0.1 2-8606@127.0.0.1 3-8606@127.0.0.1");

  // The B2BUA's legs: alice 127.0.0.10 → B2BUA 127.0.0.20 → bob 127.0.0.30.
  const std::string a_leg = "1-8799@127.0.0.10", b_leg = "!!:VknDmjau-T4LmLD3rbzcVoz*";
  EXPECT_EQ(kept({"b2bua_legs.pcap"}, {"--host", "127.0.0.30"}), b_leg);
  EXPECT_EQ(kept({"b2bua_legs.pcap"}, {"--host", "127.0.0.20"}), a_leg + " " + b_leg);
  EXPECT_EQ(kept({"b2bua_legs.pcap"}, {"--host", "127.0.0.1"}), "");  // not 127.0.0.10
  EXPECT_EQ(kept({"b2bua_legs.pcap"}, {"--call-id", "!!:Vkn"}), b_leg);

  // call_lossy's five calls start at :02.805, :04.805, :06.805, :08.805, :10.805.
  EXPECT_EQ(kept({"call_lossy.pcap"}, {"--since", "1795479904.8", "--until", "1795479908.8"}),
            "2-8427@127.0.0.1 3-8427@127.0.0.1");
  EXPECT_EQ(kept({"call_lossy.pcap"}, {"--since", "2026-11-24T00:25:08.8Z"}),
            "4-8427@127.0.0.1 5-8427@127.0.0.1");
  EXPECT_EQ(kept({"call_lossy.pcap"}, {"--until", "2026-11-24 00:25:04.8"}), "1-8427@127.0.0.1");
  for (const char* bad : {"--since", "--until"}) {
    auto r = run({sipflow(), "calls", sample("udp_call.pcap"), bad, "yesterday"});
    EXPECT_EQ(r.exit_code, 64) << bad;
    EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  }
}

TEST(CallsCommand, SortOrdersByEveryKey) {
  const std::vector<std::string> outcomes = {"call_rejected.pcap", "call_noanswer.pcap",
                                             "udp_call.pcap"};
  EXPECT_EQ(kept(outcomes, {"--sort", "status"}),
            "1-10138@127.0.0.1 1-10313@127.0.0.1 1-7673@127.0.0.1 1-10303@127.0.0.1 "
            "1-7685@127.0.0.1");
  // completed, cancelled, rejected (two, in the order they finished), busy.
  EXPECT_EQ(kept(outcomes, {"--sort", "state"}),
            "1-10138@127.0.0.1 1-7685@127.0.0.1 1-10313@127.0.0.1 1-7673@127.0.0.1 "
            "1-10303@127.0.0.1");
  // Talk durations 1.004, 1.004, 1.508, 1.004, 1.004 s: longest first.
  EXPECT_EQ(kept({"call_lossy.pcap"}, {"--sort", "duration"}),
            "3-8427@127.0.0.1 5-8427@127.0.0.1 4-8427@127.0.0.1 1-8427@127.0.0.1 "
            "2-8427@127.0.0.1");
  // 8, 7, 8, 7, 10 messages (retransmissions included): most first, ties as they finished.
  EXPECT_EQ(kept({"call_lossy.pcap"}, {"--sort", "messages"}),
            "5-8427@127.0.0.1 1-8427@127.0.0.1 3-8427@127.0.0.1 2-8427@127.0.0.1 "
            "4-8427@127.0.0.1");
  auto table = run({sipflow(), "calls", "--color", "never", "--sort", "duration", "-q",
                    sample("call_lossy.pcap")});
  auto rows = lines(table.out);
  ASSERT_EQ(rows.size(), 7u) << table.out;
  EXPECT_TRUE(rows[1].ends_with("3-8427@127.0.0.1")) << rows[1];
  EXPECT_TRUE(rows[5].ends_with("2-8427@127.0.0.1")) << rows[5];
  auto bad = run({sipflow(), "calls", sample("udp_call.pcap"), "--sort", "size"});
  EXPECT_EQ(bad.exit_code, 64);
}

// b2bua_legs.pcap with its X-Call-ID header renamed X-Leg-Ref (same length:
// every other byte of the real capture stays).
class LinkHeaderTest : public ScratchDirTest {};

TEST_F(LinkHeaderTest, LinkHeaderNamesACorrelationHeaderOnARealB2bua) {
  auto records = read_records(sample("b2bua_legs.pcap"));
  std::size_t renamed = 0;
  for (auto& r : records) {
    std::string bytes(r.data.begin(), r.data.end());
    for (std::size_t at = bytes.find("X-Call-ID:"); at != std::string::npos;
         at = bytes.find("X-Call-ID:", at + 1)) {
      std::copy_n("X-Leg-Ref:", 10, r.data.begin() + static_cast<std::ptrdiff_t>(at));
      ++renamed;
    }
  }
  ASSERT_EQ(renamed, 1u);
  std::string pcap = path("b2bua_renamed.pcap");
  write_pcap(pcap, records);
  auto legs = [&](std::vector<std::string> options) {
    std::vector<std::string> cmd = {sipflow(), "calls", "--json",         "--sort",       "start",
                                    "-q",      pcap,    "--no-link-icid", "--no-link-sdp"};
    cmd.insert(cmd.end(), options.begin(), options.end());
    auto r = run(cmd);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return lines(r.out);
  };
  auto unnamed = legs({});
  ASSERT_EQ(unnamed.size(), 2u);
  EXPECT_EQ(json_field(unnamed[1], "linked").value_or("?"), "[]");
  auto named = legs({"--link-header", "X-Leg-Ref"});
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(json_field(named[1], "linked").value_or("?"),
            R"([{"call_id":"1-8799@127.0.0.10","signal":"header:X-Leg-Ref"}])");
  EXPECT_EQ(json_field(named[1], "group").value_or("?"), "1-8799@127.0.0.10");
  EXPECT_EQ(json_field(named[0], "group").value_or("?"), "1-8799@127.0.0.10");
  auto off = legs({"--link-header", "X-Leg-Ref", "--no-link-headers"});
  ASSERT_EQ(off.size(), 2u);
  EXPECT_EQ(json_field(off[1], "linked").value_or("?"), "[]");
}

// The frame time of the first SIP packet, as tshark prints it, cut to microseconds.
std::string tshark_first_time(const std::string& file) {
  auto r = run({"tshark", "-r", sample(file), "-Y", "sip", "-T", "fields", "-e", "frame.time_epoch",
                "-c", "1"});
  std::string t = lines(r.out).empty() ? "" : lines(r.out)[0];
  std::size_t dot = t.find('.');
  return dot == std::string::npos ? t : t.substr(0, dot + 7);
}

TEST(CallsCommand, JsonTimesEndpointsAndDurationOfEachOutcome) {
  struct Want {
    std::string file, call_id, from, to, start, answer, end, duration, messages, dialogs;
  };
  // Frame times from the captures: start = the INVITE, answer = its 200, end
  // = the final response that ended the call (BYE's 200, 487, 486, 404);
  // duration = 200 to BYE.
  const std::vector<Want> want = {
      {"udp_call.pcap", "1-10138@127.0.0.1", "sip:sipp@127.0.0.1:5061", "sip:alice@127.0.0.1:5060",
       "1795476732.357424", "1795476732.512832", "1795476732.717743", "0.204835", "7", "1"},
      {"call_cancel.pcap", "1-7540@127.0.0.1", "sip:sipp@127.0.0.1:5073", "sip:bob@127.0.0.1:5060",
       "1795479830.893438", "null", "1795479831.954938", "null", "7", "1"},
      {"call_rejected.pcap", "1-10303@127.0.0.1", "sip:sipp@127.0.0.1:5063",
       "sip:busy@127.0.0.1:5060", "1795476741.365541", "null", "1795476741.473562", "null", "4",
       "0"},  // 100 then 486: only a 1xx or 2xx with a To tag creates a dialog (RFC 3261 §12.1)
  };
  for (const auto& w : want) {
    SCOPED_TRACE(w.file);
    auto got = calls_json(w.file);
    ASSERT_FALSE(got.empty());
    const std::string& c = got[0];
    EXPECT_EQ(json_field(c, "call_id").value_or("?"), w.call_id);
    EXPECT_EQ(json_field(c, "from").value_or("?"), w.from);
    EXPECT_EQ(json_field(c, "to").value_or("?"), w.to);
    EXPECT_EQ(json_field(c, "start").value_or("?"), w.start);
    EXPECT_EQ(json_field(c, "answer").value_or("?"), w.answer);
    EXPECT_EQ(json_field(c, "end").value_or("?"), w.end);
    EXPECT_EQ(json_field(c, "duration").value_or("?"), w.duration);
    EXPECT_EQ(json_field(c, "messages").value_or("?"), w.messages);
    EXPECT_EQ(json_field(c, "dialogs").value_or("?"), w.dialogs);
    if (have_command("tshark")) {
      EXPECT_EQ(tshark_first_time(w.file), w.start);
    }
  }
}

// Runs `args` on a pseudo-terminal `cols` wide, as a user at a terminal
// would (TERM set, NO_COLOR unset); returns what the terminal received.
std::string run_on_terminal(const std::vector<std::string>& args, unsigned short cols) {
  int master = -1;
  winsize ws{};
  ws.ws_col = cols;
  ws.ws_row = 40;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid == 0) {
    ::unsetenv("NO_COLOR");
    ::unsetenv("COLUMNS");
    ::setenv("TERM", "xterm-256color", 1);
    exec_or_exit(args);
  }
  EXPECT_GT(pid, 0) << "forkpty failed";
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO: the child closed the terminal
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  out.erase(std::remove(out.begin(), out.end(), '\r'), out.end());  // the terminal's CR LF
  return out;
}

TEST(CallsCommand, OnATerminalTheTableFitsAndIsColoured) {
  for (const char* sort : {"", "start"}) {
    SCOPED_TRACE(std::string("--sort ") + sort);
    std::vector<std::string> cmd = {sipflow(),
                                    "calls",
                                    "-q",
                                    sample("misc_methods.pcap"),
                                    sample("b2bua_legs.pcap"),
                                    sample("call_noanswer.pcap")};
    if (*sort) cmd.insert(cmd.end(), {"--sort", sort});
    std::string out = run_on_terminal(cmd, 70);
    EXPECT_NE(out.find("\x1b[32mcompleted\x1b[0m"), std::string::npos) << out;  // green
    EXPECT_NE(out.find("\x1b[2mcancelled\x1b[0m"), std::string::npos) << out;   // dim
    EXPECT_NE(out.find("\x1b[1mSTART"), std::string::npos) << out;              // bold header
    std::string plain = std::regex_replace(out, std::regex("\x1b\\[[0-9;]*m"), "");
    auto rows = lines(plain);
    ASSERT_EQ(rows.size(), 1u + 8u + 1u) << plain;  // header, 8 calls, summary
    for (const auto& row : rows)
      EXPECT_LE(render::display_width(row), 70u) << row;
    // From, To and Call-ID are cut, visibly; the start and the outcome are whole.
    EXPECT_NE(rows[1].find("…"), std::string::npos) << rows[1];
    EXPECT_NE(plain.find("unavai…"), std::string::npos) << plain;
    EXPECT_EQ(plain.find("unavailable@127.0.0.1:5060"), std::string::npos) << plain;
    EXPECT_TRUE(std::regex_search(plain, std::regex(R"(\n00:24:05 +- rejected +480 INVITE )")))
        << plain;
    EXPECT_NE(plain.find("8 calls: 6 completed, 1 cancelled, 1 rejected"), std::string::npos);
  }
  // Wide enough, nothing is cut.
  std::string wide = run_on_terminal(
      {sipflow(), "calls", "-q", "--color", "never", sample("call_noanswer.pcap")}, 200);
  EXPECT_EQ(wide.find("…"), std::string::npos) << wide;
  EXPECT_NE(wide.find("unavailable@127.0.0.1:5060"), std::string::npos) << wide;
  EXPECT_EQ(wide.find('\x1b'), std::string::npos) << wide;
  // Piped, colour is off by itself.
  auto piped = run({sipflow(), "calls", "-q", sample("call_noanswer.pcap")});
  EXPECT_EQ(piped.out.find('\x1b'), std::string::npos) << piped.out;
  EXPECT_NE(piped.out.find("unavailable@127.0.0.1:5060"), std::string::npos) << piped.out;
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

// START and CALL-ID of each row of a table (its first and last words).
std::vector<std::pair<std::string, std::string>> table_rows(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& line : lines(out)) {
    if (line.rfind("START", 0) == 0 || line.find("call") == line.size() - 4) continue;
    std::size_t sp = line.find(' '), last = line.rfind(' ');
    if (sp == std::string::npos || line.find(" calls") != std::string::npos) continue;
    rows.emplace_back(line.substr(0, sp), line.substr(last + 1));
  }
  return rows;
}

TEST(CallsCommand, TableRowsAreWrittenAsCallsFinishUnlessSorted) {
  // 40 scenarios of the reference workload overlap: short calls that start
  // later finish first.
  auto pcap = std::filesystem::temp_directory_path() /
              ("sipflow_calls_order_" + std::to_string(::getpid()) + ".pcap");
  ASSERT_EQ(std::system(("python3 " SIPFLOW_SOURCE_DIR "/tests/tools/gen_sip_pcap.py --calls 40 "
                         "--seed 3 --out " +
                         pcap.string() + " 2>/dev/null")
                            .c_str()),
            0);
  auto streamed = run({sipflow(), "calls", "--color", "never", "-q", pcap.string()});
  auto sorted =
      run({sipflow(), "calls", "--color", "never", "--sort", "start", "-q", pcap.string()});
  std::filesystem::remove(pcap);
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  auto by_finish = table_rows(streamed.out), by_start = table_rows(sorted.out);
  ASSERT_EQ(by_finish.size(), 44u) << streamed.out;  // 40 scenarios and 4 OPTIONS pings
  EXPECT_FALSE(std::is_sorted(by_finish.begin(), by_finish.end())) << streamed.out;
  EXPECT_TRUE(std::is_sorted(by_start.begin(), by_start.end())) << sorted.out;
  std::sort(by_finish.begin(), by_finish.end());
  EXPECT_EQ(by_finish, by_start);  // the same rows, in another order
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
