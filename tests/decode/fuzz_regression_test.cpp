// Bugs the fuzzers found in decode (fuzz/README.md). Each test loads its
// input from tests/fuzz_regressions/<target>/<name>, runs it from exactly
// sized heap buffers, and checks the result, not only that nothing crashed.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "exact_buffer.hpp"
#include "sipflow/decode/extractor.hpp"

namespace sipflow::decode {
namespace {

std::string load(const std::string& name) {
  std::string path = std::string(SIPFLOW_SOURCE_DIR) + "/tests/fuzz_regressions/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), {}};
}

struct Collect final : MessageSink {
  std::vector<std::string> start_lines;
  void on_message(const MessageMeta&, const SipMessage& m) override {
    start_lines.emplace_back(m.start_line());
  }
};

// Start lines of what the extractor delivers when one TCP stream carries
// `stream`, cut into segments at `cuts` (ascending offsets).
std::vector<std::string> extract(std::string_view stream, const std::vector<std::size_t>& cuts) {
  Diagnostics diag;
  Collect sink;
  SipExtractor extractor({}, diag, sink);
  capture::Payload p;
  p.transport = Transport::Tcp;
  p.kind = capture::PayloadKind::StreamData;
  p.stream = 1;
  std::size_t pos = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(stream.size());
  for (std::size_t end : ends) {
    test::ExactBuffer segment(stream.substr(pos, end - pos));
    p.bytes = segment.bytes();
    ++p.frame;
    extractor.on_payload(p);
    pos = end;
  }
  return sink.start_lines;
}

// framing_fuzz: after bytes that are not SIP (the rest of a body longer than
// its Content-Length), a segment ending inside the next start line made the
// extractor drop that partial line with the junk, and so lose the message.
TEST(ExtractorFuzzRegression, StartLineCutAfterNonSipBytesIsKept) {
  std::string stream = load("framing_fuzz/start_line_cut_after_junk");
  ASSERT_EQ(extract(stream, {}), std::vector<std::string>{"INVITE sip:bob@example.com SIP/2.0"});
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    EXPECT_EQ(extract(stream, {cut}), extract(stream, {})) << "cut at " << cut;
  }
}

// framing_fuzz: the same loss when resynchronising after a message rejected
// for its Content-Length.
TEST(ExtractorFuzzRegression, StartLineCutAfterInvalidMessageIsKept) {
  std::string stream = load("framing_fuzz/start_line_cut_after_invalid");
  ASSERT_EQ(extract(stream, {}), std::vector<std::string>{"SIP/2.0 200 OK"});
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    EXPECT_EQ(extract(stream, {cut}), extract(stream, {})) << "cut at " << cut;
  }
}

// Stress input for framing_fuzz: a message with 200 KB of headers arriving
// one byte per TCP segment. Every segment made frame_message() read all the
// headers again, O(n^2): about 20 s for this message, minutes for 1 MiB.
TEST(ExtractorFuzzRegression, ByteSizedSegmentsAreFramedInLinearTime) {
  std::string msg = load("framing_fuzz/start_line_cut_after_junk");
  msg.erase(0, msg.find("INVITE"));
  std::string pad;
  for (int i = 0; i < 100; ++i)
    pad += "X-Pad-" + std::to_string(i) + ": " + std::string(2000, 'a') + "\r\n";
  msg.insert(msg.find("Content-Length"), pad);
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < msg.size(); ++i)
    cuts.push_back(i);
  auto started = std::chrono::steady_clock::now();
  auto found = extract(msg, cuts);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(found, std::vector<std::string>{"INVITE sip:bob@example.com SIP/2.0"});
  EXPECT_LT(seconds, 10.0);  // linear: a few hundred ms even under sanitizers
}

}  // namespace
}  // namespace sipflow::decode
