// End-to-end: live capture on loopback while sipp makes a real call, then a
// clean stop on SIGINT that reports what was seen and the kernel's counters.

#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "json_fields.hpp"
#include "run_cli.hpp"

namespace sipflow::test {
namespace {

TEST(LiveCapture, SeesASippCallAndStopsCleanlyOnSigint) {
  if (::geteuid() != 0) GTEST_SKIP() << "live capture needs root";
  if (!have_command("sipp")) GTEST_SKIP() << "sipp (Debian package sip-tester) not installed";
  const std::string port = std::to_string(16000 + ::getpid() % 1000);
  auto dir = std::filesystem::temp_directory_path();
  std::string out = (dir / ("live_out_" + port)).string(),
              err = (dir / ("live_err_" + port)).string();
  std::string script_path = (dir / ("live_" + port + ".sh")).string();
  std::ofstream(script_path)
      << "P=" << port << "\n"
      << shell_quote(sipflow()) << " calls --json -i lo -f \"udp port $P\" -Z nobody > "
      << shell_quote(out) << " 2> " << shell_quote(err) << " & pid=$!\n"
      << "sleep 1.5\n"
      << "sipp -sn uas -i 127.0.0.1 -p $P -m 1 -bg >/dev/null 2>&1\n"
      << "timeout 20 sipp -sn uac 127.0.0.1:$P -i 127.0.0.1 -p $((P + 1)) -m 1 -d 100 "
         "-timeout 15s >/dev/null 2>&1\n"
      << "sleep 1; pkill -f \"sipp -sn uas -i 127.0.0.1 -p $P\"\n"
      << "kill -INT $pid; wait $pid; echo \"exit=$?\"\n";
  auto r = run({"timeout", "60", "sh", script_path});
  std::string calls = slurp(out), summary = slurp(err);
  for (const auto& f : {out, err, script_path})
    std::filesystem::remove(f);
  EXPECT_NE(r.out.find("exit=0"), std::string::npos) << r.out << r.err << summary;
  auto found = lines(calls);
  ASSERT_EQ(found.size(), 1u) << calls << summary;
  EXPECT_EQ(json_field(found[0], "state").value_or("?"), "completed");
  EXPECT_EQ(json_field(found[0], "messages").value_or("?"), "6");  // sipp's uas sends no 100
  EXPECT_NE(summary.find("received"), std::string::npos) << summary;
  EXPECT_NE(summary.find("dropped by kernel"), std::string::npos) << summary;
  EXPECT_NE(summary.find("interrupted"), std::string::npos) << summary;
}

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
