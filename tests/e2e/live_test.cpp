// End-to-end: live sources. Capture on loopback while sipp makes a real
// call (each stop signal, each command, a snaplen, a BPF filter), and the HEP
// collector fed by a real HEP sender (sngrep replaying a sample); each run
// stops on a signal and reports what it saw.

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "json_fields.hpp"
#include "run_cli.hpp"

namespace sipflow::test {
namespace {

/// A UDP port pair (P, P + 1) of this test process: tests run in parallel
/// processes, each capturing on lo, so every one filters on its own ports.
int base_port(int offset) {
  return 20000 + static_cast<int>(::getpid() % 2000) * 8 + offset;
}

struct LiveRun {
  std::string out;      ///< sipflow's stdout
  std::string summary;  ///< sipflow's stderr
  std::string script;   ///< the shell's own output ("exit=N")
};

/// Starts `sipflow args...` in the background, runs the shell lines
/// `traffic` once it is listening, then sends it `signal` and waits for it.
LiveRun run_live(const std::vector<std::string>& args, const std::string& traffic,
                 const std::string& signal) {
  std::string tag = std::to_string(::getpid()) + "_" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(tag.begin(), tag.end(), '/', '_');  // parameterised names have one
  auto dir = std::filesystem::temp_directory_path();
  std::string out = (dir / ("live_out_" + tag)).string(),
              err = (dir / ("live_err_" + tag)).string(),
              script = (dir / ("live_" + tag + ".sh")).string();
  std::string cmd = shell_quote(sipflow());
  for (const auto& a : args)
    cmd += " " + shell_quote(a);
  std::ofstream(script) << cmd << " > " << shell_quote(out) << " 2> " << shell_quote(err)
                        << " & pid=$!\n"
                        << "sleep 0.7\n"
                        << traffic << "sleep 0.3\n"
                        << "kill -" << signal << " $pid; wait $pid; echo \"exit=$?\"\n";
  auto r = run({"timeout", "60", "sh", script});
  LiveRun got{slurp(out), slurp(err), r.out + r.err};
  for (const auto& f : {out, err, script})
    std::filesystem::remove(f);
  return got;
}

/// Shell lines for one sipp call from 127.0.0.1:P+1 to a sipp UAS on
/// 127.0.0.1:P (its built-in scenarios: INVITE 180 200 ACK BYE 200).
std::string sipp_call(int port) {
  const std::string p = std::to_string(port), uac = std::to_string(port + 1);
  return "uas=$(sipp -sn uas -i 127.0.0.1 -p " + p +
         " -m 1 -bg 2>&1 | sed -n 's/.*PID=\\[\\([0-9]*\\)\\].*/\\1/p')\n"
         "timeout 20 sipp -sn uac 127.0.0.1:" +
         p + " -i 127.0.0.1 -p " + uac +
         " -m 1 -d 100 -timeout 15s >/dev/null 2>&1\n"
         "[ -n \"$uas\" ] && kill \"$uas\" 2>/dev/null\n";
}

bool can_capture_live(std::string& why) {
  if (::geteuid() != 0) {
    why = "live capture needs root";
  } else if (!have_command("sipp")) {
    why = "sipp (Debian package sip-tester) not installed";
  }
  return why.empty();
}

// (stop signal, command)
class LiveStop : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(LiveStop, SeesASippCallAndStopsCleanly) {
  std::string why;
  if (!can_capture_live(why)) GTEST_SKIP() << why;
  const auto& [signal, command] = GetParam();
  int port = base_port(0);
  auto r = run_live(
      {command, "--json", "-i", "lo", "-f", "udp port " + std::to_string(port), "-Z", "nobody"},
      sipp_call(port), signal);
  EXPECT_NE(r.script.find("exit=0"), std::string::npos) << r.script << r.summary;
  auto found = lines(r.out);
  if (command == "calls") {
    ASSERT_EQ(found.size(), 1u) << r.out << r.summary;
    EXPECT_EQ(json_field(found[0], "state").value_or("?"), "completed");
    EXPECT_EQ(json_field(found[0], "messages").value_or("?"), "6");  // sipp's uas sends no 100
  } else {
    ASSERT_EQ(found.size(), 6u) << r.out << r.summary;
    EXPECT_EQ(json_field(found[0], "method").value_or("?"), "INVITE");
    EXPECT_EQ(json_field(found[5], "status").value_or("?"), "200");
  }
  EXPECT_NE(r.summary.find("received"), std::string::npos) << r.summary;
  EXPECT_NE(r.summary.find("dropped by kernel"), std::string::npos) << r.summary;
  EXPECT_NE(r.summary.find("interrupted"), std::string::npos) << r.summary;
}

INSTANTIATE_TEST_SUITE_P(SignalsAndCommands, LiveStop,
                         ::testing::Combine(::testing::Values("INT", "TERM"),
                                            ::testing::Values("messages", "calls")),
                         [](const auto& param_info) {
                           return std::get<0>(param_info.param) + "_" +
                                  std::get<1>(param_info.param);
                         });

TEST(LiveCapture, SnaplenCutsEveryMessageInItsHeaders) {
  std::string why;
  if (!can_capture_live(why)) GTEST_SKIP() << why;
  int port = base_port(2);
  // 100 bytes: Ethernet, IPv4 and UDP headers leave 58 bytes of SIP, the
  // start line and part of the first header.
  auto r = run_live(
      {"messages", "--json", "-i", "lo", "-s", "100", "-f", "udp port " + std::to_string(port)},
      sipp_call(port), "INT");
  auto found = lines(r.out);
  ASSERT_EQ(found.size(), 6u) << r.out << r.summary;
  EXPECT_EQ(json_field(found[0], "method").value_or("?"), "INVITE");
  EXPECT_EQ(json_field(found[0], "call_id").value_or("?"), "");  // cut off
  EXPECT_NE(r.summary.find("truncated_sip_headers=6"), std::string::npos) << r.summary;
  EXPECT_EQ(r.summary.find("truncated_sip_body"), std::string::npos) << r.summary;
}

TEST(LiveCapture, BpfFilterKeepsOnlyItsPort) {
  std::string why;
  if (!can_capture_live(why)) GTEST_SKIP() << why;
  int port = base_port(4), other = base_port(6);
  auto r = run_live({"calls", "--json", "-i", "lo", "-f", "udp port " + std::to_string(port)},
                    sipp_call(other) + sipp_call(port), "INT");
  auto found = lines(r.out);
  ASSERT_EQ(found.size(), 1u) << r.out << r.summary;
  EXPECT_EQ(json_field(found[0], "callee").value_or("?"), "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(json_field(found[0], "state").value_or("?"), "completed");
}

// --hep-listen: a real HEP sender, sngrep, replays samples/udp_call.pcap
// (HEPv3 by default, HEPv2 with eep.send.version 2 in an rc file).
class HepListen : public ::testing::TestWithParam<int> {};

TEST_P(HepListen, CollectsTheReplayedCallWithItsOriginalTimes) {
  if (!have_command("sngrep")) GTEST_SKIP() << "sngrep not installed";
  auto from_file = lines(run({sipflow(), "calls", "--json", sample("udp_call.pcap")}).out);
  ASSERT_EQ(from_file.size(), 1u);
  const std::string& file = from_file[0];
  int port = base_port(0);
  auto rc = std::filesystem::temp_directory_path() /
            ("sipflow_hep_" + std::to_string(::getpid()) + ".sngreprc");
  std::ofstream(rc) << "set eep.send.version " << GetParam() << "\n";
  const std::string to = "udp:127.0.0.1:" + std::to_string(port);
  auto r = run_live({"calls", "--json", "--hep-listen", to},
                    "timeout 20 sngrep -F -f " + shell_quote(rc.string()) + " -I " +
                        shell_quote(sample("udp_call.pcap")) + " -H " + to +
                        " -N -q </dev/null >/dev/null 2>&1\n",
                    "INT");
  std::filesystem::remove(rc);
  EXPECT_NE(r.script.find("exit=0"), std::string::npos) << r.script << r.summary;
  auto found = lines(r.out);
  ASSERT_EQ(found.size(), 1u) << r.out << r.summary;
  EXPECT_EQ(json_field(found[0], "state").value_or("?"), "completed");
  EXPECT_EQ(json_field(found[0], "messages").value_or("?"), "7");
  EXPECT_EQ(json_field(found[0], "call_id"), json_field(file, "call_id"));
  EXPECT_EQ(json_field(found[0], "start"), json_field(file, "start"));
  EXPECT_EQ(json_field(found[0], "end"), json_field(file, "end"));
}

INSTANTIATE_TEST_SUITE_P(Versions, HepListen, ::testing::Values(3, 2), [](const auto& param_info) {
  return "v" + std::to_string(param_info.param);
});

TEST(LiveCapture, MissingInterfaceIsAClearError) {
  auto r = run({sipflow(), "messages", "-i", "no-such-if0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-such-if0"), std::string::npos) << r.err;
}

TEST(LiveCapture, BadFilterIsAClearError) {
  if (::geteuid() != 0) GTEST_SKIP() << "opening an interface needs root";
  auto r = run({sipflow(), "messages", "-i", "lo", "-f", "this is not bpf"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad capture filter"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sipflow::test
