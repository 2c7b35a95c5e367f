// End-to-end: damaged and wrong inputs give one clear line and the documented
// exit status; partly readable files give partial results.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "packet_builder.hpp"
#include "pcap_edit.hpp"
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

TEST_F(BadInput, TruncatedFileIsOneErrorLineExitTwoAndKeepsWhatCameBefore) {
  std::string path = write("cut.pcap", good_.substr(0, good_.size() - 30));
  auto r = run({sipflow(), "messages", "--json", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.out).size(), 6u);  // 7 messages, the last one cut
  auto err = lines(r.err);
  ASSERT_EQ(err.size(), 2u) << r.err;  // the error, then the summary
  EXPECT_EQ(
      err[0].rfind(
          "sipflow: error: " + path + ": file is truncated: it ends inside frame 7 (offset ", 0),
      0u)
      << r.err;
  EXPECT_NE(err[1].find("truncated_record=1"), std::string::npos) << r.err;
}

TEST_F(BadInput, PcapngCutInsideABlockIsTruncatedToo) {
  std::string pcapng = slurp(sample("call_pcapng.pcapng"));
  auto r = run({sipflow(), "calls", "--json", write("cut.pcapng", pcapng.substr(0, 100))});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("file is truncated"), std::string::npos) << r.err;
}

// The real call with its 100 Trying made unparseable (Content-Length: 9 and
// no body) and a CRLF keep-alive datagram after it.
TEST_F(BadInput, UnparseableMessageIsNamedWithItsFrameAndCounted) {
  auto records = read_records(sample("udp_call.pcap"));
  ASSERT_EQ(records.size(), 7u);
  std::string trying(records[1].data.begin(), records[1].data.end());
  std::size_t cl = trying.find("Content-Length: 0");
  ASSERT_NE(cl, std::string::npos);
  records[1].data[cl + 16] = '9';
  Record keepalive = records[1];
  keepalive.ts_ns += 1000;
  keepalive.data =
      ethernet(0x0800, ipv4({127, 0, 0, 1}, {127, 0, 0, 1}, 17, udp(5060, 5061, text("\r\n\r\n"))));
  keepalive.wire_len = static_cast<std::uint32_t>(keepalive.data.size());
  records.insert(records.begin() + 2, keepalive);
  write_pcap(dir_ / "bad_trying.pcap", records);

  auto r = run({sipflow(), "messages", "--json", (dir_ / "bad_trying.pcap").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out).size(), 6u);  // every message but the broken one
  auto err = lines(r.err);
  ASSERT_EQ(err.size(), 2u) << r.err;
  EXPECT_EQ(
      err[0].rfind("sipflow: frame 2: unparseable SIP message (content_length_exceeds_body", 0), 0u)
      << r.err;
  EXPECT_NE(err[1].find("unparseable_sip=1 (first in frame 2)"), std::string::npos) << r.err;
  EXPECT_NE(err[1].find("crlf_keepalive=1"), std::string::npos) << r.err;
}

// A snaplen shorter than the message: named for where the cut fell, never fatal.
TEST_F(BadInput, SnaplenCutMessagesAreNamedAndKept) {
  auto records = read_records(sample("udp_call.pcap"));
  ASSERT_EQ(records.size(), 7u);
  records[0].data.resize(records[0].data.size() - 40);  // the INVITE, inside its SDP
  records[3].data.resize(120);                          // the 200 OK, inside its headers
  write_pcap(dir_ / "snaplen.pcap", records);

  auto r = run({sipflow(), "calls", "--json", (dir_ / "snaplen.pcap").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out).size(), 1u);
  EXPECT_NE(r.err.find("truncated_sip_body=1 (first in frame 1)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("truncated_sip_headers=1 (first in frame 4)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("missing_blank_line"), std::string::npos) << r.err;
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
