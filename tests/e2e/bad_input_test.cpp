// End-to-end: damaged and wrong inputs give one clear line and the documented
// exit status; partly readable files give partial results.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "run_cli.hpp"

namespace sipflow::test {
namespace {

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sipflow_bad_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    good_ = slurp(sample("udp_call.pcap"));
    ASSERT_GT(good_.size(), 100u);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
  std::filesystem::path dir_;
  std::string good_;
};

TEST_F(BadInput, MissingFileIsExit2WithOneLine) {
  auto r = run({sipflow(), "messages", (dir_ / "nope.pcap").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err).size(), 2u);  // the error and the summary
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
}

TEST_F(BadInput, NotACaptureIsExit2) {
  auto r = run({sipflow(), "messages", write("text.pcap", "hello, this is not a pcap\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a pcap or pcapng capture"), std::string::npos) << r.err;
}

TEST_F(BadInput, EmptyFileIsExit2) {
  auto r = run({sipflow(), "messages", write("empty.pcap", "")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("empty file"), std::string::npos) << r.err;
}

TEST_F(BadInput, TruncatedGlobalHeaderIsExit2) {
  auto r = run({sipflow(), "messages", write("short.pcap", good_.substr(0, 10))});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(BadInput, TruncatedLastRecordGivesPartialResultsAndIsCounted) {
  auto r =
      run({sipflow(), "messages", "--json", write("cut.pcap", good_.substr(0, good_.size() - 30))});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(lines(r.out).size(), 6u);  // 7 messages, the last one cut
  EXPECT_NE(r.err.find("truncated_record=1"), std::string::npos) << r.err;
}

TEST_F(BadInput, AbsurdRecordLengthStopsWithAClearMessage) {
  std::string bad = good_;
  // First record header starts at byte 24; its caplen field is bytes 32..35 (little endian).
  bad[32] = '\xff';
  bad[33] = '\xff';
  bad[34] = '\xff';
  bad[35] = '\x7f';
  auto r = run({sipflow(), "messages", write("absurd.pcap", bad)});
  EXPECT_NE(r.err.find("bad_record_length"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("corrupt"), std::string::npos) << r.err;
}

TEST_F(BadInput, StdinIsReadWithDash) {
  auto r = run(
      {"sh", "-c", sipflow() + " messages --json -q - < " + shell_quote(sample("udp_call.pcap"))});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(lines(r.out).size(), 7u);
}

TEST_F(BadInput, SeveralFilesAreReadInOrderAndNamed) {
  auto r = run({sipflow(), "messages", "--json", "-q", sample("udp_call.pcap"),
                sample("register_digest.pcap")});
  EXPECT_EQ(r.exit_code, 0);
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 11u);
  EXPECT_NE(out[0].find("\"file\":"), std::string::npos);
}

TEST_F(BadInput, OneBadFileAmongGoodOnesStillReadsTheOthers) {
  auto r = run(
      {sipflow(), "messages", "--json", "-q", write("junk.pcap", "junk"), sample("udp_call.pcap")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.out).size(), 7u);
}

TEST(Cli, VersionAndHelp) {
  auto v = run({sipflow(), "--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("sipflow "), std::string::npos);
  auto h = run({sipflow(), "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("EXIT STATUS"), std::string::npos);
  auto bad = run({sipflow(), "messages", "--no-such-option"});
  EXPECT_EQ(bad.exit_code, 64);
  auto none = run({sipflow(), "messages"});
  EXPECT_EQ(none.exit_code, 64);
}

}  // namespace
}  // namespace sipflow::test
