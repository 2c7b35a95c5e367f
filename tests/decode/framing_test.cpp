#include "sipflow/decode/framing.hpp"

#include <gtest/gtest.h>

#include "exact_buffer.hpp"

namespace sipflow::decode {
namespace {

using test::crlf;

const std::string kMsg = crlf("MESSAGE sip:a@b SIP/2.0\nCall-ID: 1\nl: 5\n\n") + "hello";

FrameResult frame(std::string_view s, std::size_t max = 65536) {
  test::ExactBuffer buf(s);
  return frame_message(buf.view(), max);
}

TEST(StreamFraming, CompleteMessageByContentLength) {
  auto r = frame(kMsg + "INVITE");
  EXPECT_EQ(r.status, FrameStatus::Complete);
  EXPECT_EQ(r.length, kMsg.size());
}

TEST(StreamFraming, NeedsMoreUntilHeadersAndBodyArrive) {
  for (std::size_t cut = 1; cut < kMsg.size(); ++cut) {
    EXPECT_EQ(frame(kMsg.substr(0, cut)).status, FrameStatus::NeedMore) << cut;
  }
}

TEST(StreamFraming, MissingContentLengthMeansEmptyBody) {
  std::string m = crlf("SIP/2.0 200 OK\nCall-ID: 1\n\n");
  auto r = frame(m + "SIP/2.0 180 Ringing\r\n");
  EXPECT_EQ(r.status, FrameStatus::Complete);
  EXPECT_EQ(r.length, m.size());
}

TEST(StreamFraming, FoldedLinesAreNotMistakenForContentLength) {
  std::string m =
      crlf("MESSAGE sip:a@b SIP/2.0\nSubject: x\n Content-Length: 99\nContent-Length: 0\n\n");
  auto r = frame(m);
  EXPECT_EQ(r.status, FrameStatus::Complete);
  EXPECT_EQ(r.length, m.size());
}

TEST(StreamFraming, InvalidLengthAndOversizeAreReported) {
  EXPECT_EQ(frame(crlf("MESSAGE sip:a@b SIP/2.0\nContent-Length: x\n\n")).error.code,
            "bad_content_length");
  EXPECT_EQ(frame(crlf("MESSAGE sip:a@b SIP/2.0\nContent-Length: 100000\n\n"), 1000).error.code,
            "message_too_large");
  EXPECT_EQ(frame(std::string(2000, 'a'), 1000).status, FrameStatus::Invalid);
}

TEST(StreamFraming, FindsTheNextStartLine) {
  std::string junk = "garbage\r\nmore junk\r\n";
  EXPECT_EQ(find_start_line(junk + kMsg), junk.size());
  EXPECT_EQ(find_start_line(kMsg), 0u);
  EXPECT_EQ(find_start_line("no sip here\r\n"), std::string_view::npos);
}

}  // namespace
}  // namespace sipflow::decode
