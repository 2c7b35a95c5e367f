#include "sipflow/capture/tcp_reassembly.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

namespace sipflow::capture {
namespace {

// Records what a stream delivers: "text" for bytes and "|" for a gap, with frames.
class Recorder final : public TcpStreamSink {
 public:
  void on_stream_bytes(std::span<const std::uint8_t> b, std::uint64_t frame, Timestamp) override {
    out.append(b.begin(), b.end());
    frames.push_back(frame);
    last_data = b.data();
  }
  void on_stream_gap(std::uint64_t frame, Timestamp) override {
    out += '|';
    frames.push_back(frame);
  }
  std::string out;
  std::vector<std::uint64_t> frames;
  const std::uint8_t* last_data = nullptr;
};

class TcpStreamTest : public ::testing::Test {
 protected:
  void add(std::uint32_t seq, const std::string& s, std::uint64_t frame, std::int64_t ts_ns = 0) {
    data_.push_back(s);
    const std::string& kept = data_.back();
    TcpStream::Segment seg;
    seg.seq = seq;
    seg.data = {reinterpret_cast<const std::uint8_t*>(kept.data()), kept.size()};
    seg.frame = frame;
    seg.ts = Timestamp{ts_ns};
    stream_.add(seg, ctx());
  }
  TcpStreamContext ctx() { return TcpStreamContext{limits_, budget_, diag_, rec_}; }

  TcpLimits limits_;
  TcpBudget budget_;
  Diagnostics diag_;
  Recorder rec_;
  TcpStream stream_;
  std::deque<std::string> data_;
};

TEST_F(TcpStreamTest, InOrderSegmentsPassThroughWithoutCopy) {
  stream_.start(1000);
  add(1000, "hello ", 1);
  EXPECT_EQ(rec_.last_data, reinterpret_cast<const std::uint8_t*>(data_.back().data()));
  add(1006, "world", 2);
  EXPECT_EQ(rec_.out, "hello world");
  EXPECT_EQ(rec_.frames, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(stream_.next_offset(), 11u);
}

TEST_F(TcpStreamTest, OutOfOrderSegmentIsHeldUntilTheHoleIsFilled) {
  stream_.start(1);
  add(7, "world", 1);
  EXPECT_EQ(rec_.out, "");
  EXPECT_EQ(stream_.held_bytes(), 5u);
  EXPECT_EQ(budget_.held, 5u);
  add(1, "hello ", 2);
  EXPECT_EQ(rec_.out, "hello world");
  // The held bytes were made available by frame 2, which filled the hole.
  EXPECT_EQ(rec_.frames, (std::vector<std::uint64_t>{2, 2}));
  EXPECT_EQ(budget_.held, 0u);
}

TEST_F(TcpStreamTest, RetransmissionIsDroppedAndCounted) {
  stream_.start(1);
  add(1, "abc", 1);
  add(1, "abc", 2);
  EXPECT_EQ(rec_.out, "abc");
  EXPECT_EQ(diag_.get("tcp_retransmission"), 1u);
}

TEST_F(TcpStreamTest, KeepAliveProbeIsNotARetransmission) {
  stream_.start(1);
  add(1, "abc", 1);
  add(3, "c", 2);  // seq = next - 1, one byte
  EXPECT_EQ(diag_.get("tcp_keepalive"), 1u);
  EXPECT_EQ(rec_.out, "abc");
}

TEST_F(TcpStreamTest, PartialOverlapWithDeliveredDataKeepsTheFirstBytes) {
  stream_.start(1);
  add(1, "abcd", 1);
  add(3, "XYef", 2);
  EXPECT_EQ(rec_.out, "abcdef");
  EXPECT_EQ(diag_.get("tcp_overlap"), 1u);
}

TEST_F(TcpStreamTest, OverlappingHeldSegmentsKeepTheFirstAndCountConflicts) {
  stream_.start(1);
  add(5, "efgh", 1);
  add(3, "cdXYghij", 2);  // overlaps the held "efgh", "ef" with different bytes
  add(1, "ab", 3);
  EXPECT_EQ(rec_.out, "abcdefghij");
  EXPECT_EQ(diag_.get("tcp_overlap_conflict"), 1u);
}

TEST_F(TcpStreamTest, SequenceNumbersWrapAround) {
  stream_.start(0xFFFFFFFC);
  add(0xFFFFFFFC, "abcd", 1);
  add(4, "ijkl", 2);  // after the wrap, out of order
  add(0, "efgh", 3);
  EXPECT_EQ(rec_.out, "abcdefghijkl");
  EXPECT_EQ(stream_.next_offset(), 12u);
}

TEST_F(TcpStreamTest, AckPastAHoleDeclaresItLostAndDeliversTheRest) {
  stream_.start(1);
  add(1, "aaa", 1);
  add(7, "ccc", 2);  // "bbb" at 4 never captured
  stream_.ack(10, 3, {}, ctx());
  EXPECT_EQ(rec_.out, "aaa|ccc");
  EXPECT_EQ(diag_.get("tcp_gap"), 1u);
  // After a gap the held bytes keep the frame they arrived in.
  EXPECT_EQ(rec_.frames, (std::vector<std::uint64_t>{1, 3, 2}));
}

TEST_F(TcpStreamTest, AckSeenBeforeTheDataMakesTheNextSegmentGoThroughAtOnce) {
  stream_.start(1);
  add(1, "aaa", 1);
  stream_.ack(7, 2, {}, ctx());  // the receiver got "bbb"; the capture did not
  EXPECT_EQ(rec_.out, "aaa");
  add(7, "ccc", 3);
  EXPECT_EQ(rec_.out, "aaa|ccc");
}

TEST_F(TcpStreamTest, AckOfDataNotSeenYetWithNothingHeldIsHarmless) {
  stream_.start(1);
  stream_.ack(4, 1, {}, ctx());  // an ACK that the file put before its data
  add(1, "abc", 2);
  EXPECT_EQ(rec_.out, "abc");
  EXPECT_EQ(diag_.get("tcp_gap"), 0u);
}

TEST_F(TcpStreamTest, HoldLimitSkipsToTheHeldDataWithAGap) {
  limits_.max_held_per_direction = 8;
  stream_.start(1);
  add(11, "12345", 1);
  add(21, "67890", 2);  // 10 bytes would be held: over the limit
  EXPECT_EQ(diag_.get("tcp_reassembly_limit"), 1u);
  EXPECT_EQ(rec_.out, "|12345");
  EXPECT_EQ(stream_.held_bytes(), 5u);
  add(16, "abcde", 3);
  EXPECT_EQ(rec_.out, "|12345abcde67890");
}

TEST_F(TcpStreamTest, TotalBudgetIsSharedByStreams) {
  limits_.max_held_total = 6;
  TcpStream other;
  other.start(1);
  Recorder rec2;
  TcpStreamContext ctx2{limits_, budget_, diag_, rec2};
  std::string held = "zzzz";
  other.add({50, {reinterpret_cast<const std::uint8_t*>(held.data()), held.size()}, 0, 1, {}},
            ctx2);
  EXPECT_EQ(budget_.held, 4u);
  stream_.start(1);
  add(11, "abc", 2);  // 4 + 3 > 6: this stream gives up its hole
  EXPECT_EQ(rec_.out, "|abc");
  EXPECT_EQ(diag_.get("tcp_reassembly_limit"), 1u);
  other.reset(budget_);
  EXPECT_EQ(budget_.held, 0u);
}

TEST_F(TcpStreamTest, HoldTimeoutGivesUpOnTheHole) {
  limits_.hold_timeout_ns = 1000;
  stream_.start(1);
  add(5, "late", 1, 0);
  stream_.expire(Timestamp{500}, 2, ctx());
  EXPECT_EQ(rec_.out, "");
  stream_.expire(Timestamp{2000}, 3, ctx());
  EXPECT_EQ(rec_.out, "|late");
}

TEST_F(TcpStreamTest, FlushDeliversEverythingHeldWithGaps) {
  stream_.start(1);
  add(3, "cc", 1);
  add(7, "ee", 2);
  stream_.flush(9, {}, ctx());
  EXPECT_EQ(rec_.out, "|cc|ee");
  EXPECT_EQ(budget_.held, 0u);
}

TEST_F(TcpStreamTest, SnaplenCutSegmentDeliversItsPrefixThenAGap) {
  stream_.start(1);
  std::string s = "abc";
  TcpStream::Segment seg{1, {reinterpret_cast<const std::uint8_t*>(s.data()), 3}, 5, 1, {}};
  stream_.add(seg, ctx());
  add(9, "next", 2);
  EXPECT_EQ(rec_.out, "abc|next");
  EXPECT_EQ(diag_.get("truncated_tcp_segment"), 1u);
}

TEST_F(TcpStreamTest, FinEndsTheStreamOnceEverythingBeforeItArrived) {
  stream_.start(1);
  add(4, "def", 1);
  stream_.fin(7);
  EXPECT_FALSE(stream_.finished());
  add(1, "abc", 2);
  EXPECT_TRUE(stream_.finished());
  EXPECT_EQ(rec_.out, "abcdef");
}

TEST_F(TcpStreamTest, FirstSegmentStartsAStreamPickedUpMidConnection) {
  add(123456, "mid", 1);  // no start(): the first segment seen defines offset 0
  add(123459, "dle", 2);
  EXPECT_EQ(rec_.out, "middle");
  EXPECT_EQ(stream_.base(), 123456u);
}

}  // namespace
}  // namespace sipflow::capture
