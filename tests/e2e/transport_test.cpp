// End-to-end: TCP and WebSocket reassembly on real captures that a helper
// cuts and reorders (segments swapped, dropped, duplicated), so the hard
// cases are tested on bytes a real stack sent, not on hand-made segments.

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "json_fields.hpp"
#include "pcap_edit.hpp"
#include "run_cli.hpp"
#include "tshark.hpp"

namespace sipflow::test {
namespace {

// (frame, Call-ID, method or status) of one message.
using Key = std::tuple<std::uint64_t, std::string, std::string>;

struct Output {
  std::vector<Key> keys;
  std::vector<std::string> lines;
  std::string err;
};

Output messages(const std::string& path) {
  auto r = run({sipflow(), "messages", "--json", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Output o;
  o.err = r.err;
  o.lines = lines(r.out);
  for (const auto& line : o.lines) {
    auto what = json_field(line, "method");
    if (!what) what = json_field(line, "status");
    o.keys.emplace_back(std::stoull(json_field(line, "frame").value_or("0")),
                        json_field(line, "call_id").value_or("?"), what.value_or("?"));
  }
  return o;
}

// Our messages as tshark reports them: (frame, Call-ID, method or code), sorted.
std::vector<TsharkMessage> as_tshark(const std::vector<Key>& keys) {
  std::vector<TsharkMessage> out;
  for (const auto& [frame, id, what] : keys)
    out.emplace_back(std::to_string(frame), id, what);
  std::sort(out.begin(), out.end());
  return out;
}

// A message's JSON line without its frame number (which edits shift).
std::string without_frame(const std::string& line) {
  std::size_t at = line.find("\"frame\":");
  if (at == std::string::npos) return line;
  return line.substr(0, at) + line.substr(line.find(',', at));
}

constexpr std::uint8_t kTcpRstAck = 0x14;

bool is_start_line(const std::string& payload) {
  return !payload.empty() && payload[0] >= 'A' && payload[0] <= 'Z';
}

class Transport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sipflow_transport_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// Loads a sample (skips the test when it is missing) and its messages.
  bool load(const std::string& name) {
    path_ = sample(name);
    if (!std::filesystem::exists(path_)) return false;
    records_ = read_records(path_);
    original_ = messages(path_);
    for (const auto& k : original_.keys)
      completes_.insert(std::get<0>(k));
    return !records_.empty();
  }
  std::string write(const std::vector<Record>& recs) {
    auto p = dir_ / "edited.pcap";
    write_pcap(p, recs);
    return p.string();
  }
  /// Index (0-based) of the first pair of consecutive records of one
  /// direction, both with TCP payload, that continue a message and complete
  /// none (so swapping them should change nothing at all).
  std::size_t inner_pair() const {
    for (std::size_t i = 0; i + 1 < records_.size(); ++i) {
      auto a = tcp_view(records_[i]), b = tcp_view(records_[i + 1]);
      if (!a || !b || a->payload_len == 0 || b->payload_len == 0 || a->sport != b->sport) continue;
      if (completes_.count(records_[i].number) || completes_.count(records_[i + 1].number))
        continue;
      if (is_start_line(tcp_payload(records_[i + 1]))) continue;
      return i;
    }
    ADD_FAILURE() << "no inner segment pair in " << path_;
    return 0;
  }
  /// The keys of the original run without the messages `drop` selects, with
  /// frame numbers after `removed_at` (1-based) shifted by `shift`.
  template <class Drop>
  std::vector<Key> expected(Drop drop, std::uint64_t removed_at, int shift) const {
    std::vector<Key> out;
    for (const auto& k : original_.keys) {
      if (drop(k)) continue;
      auto f = std::get<0>(k);
      if (f > removed_at) f = static_cast<std::uint64_t>(static_cast<std::int64_t>(f) + shift);
      out.emplace_back(f, std::get<1>(k), std::get<2>(k));
    }
    return out;
  }
  /// The first message of the original run completed at or after `frame`
  /// whose direction is `sport` (source port).
  Key first_message_from(std::uint64_t frame, std::uint16_t sport) const {
    for (const auto& k : original_.keys) {
      auto f = std::get<0>(k);
      auto v = tcp_view(records_[f - 1]);
      if (f >= frame && v && v->sport == sport) return k;
    }
    ADD_FAILURE() << "no message after frame " << frame;
    return {};
  }

  /// With tshark installed, expects it to dissect the same messages in the
  /// same frames from the capture at `path` as `got`.
  static void expect_tshark_agrees(const std::string& path, const Output& got) {
    if (!have_command("tshark")) return;
    EXPECT_EQ(as_tshark(got.keys), tshark_messages(path));
  }
  /// Source port of record `i` (0 when it is not TCP).
  std::uint16_t sport(std::size_t i) const {
    auto v = tcp_view(records_[i]);
    return v ? v->sport : 0;
  }
  std::size_t payload_len(std::size_t i) const {
    auto v = tcp_view(records_[i]);
    return v ? v->payload_len : 0;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::vector<Record> records_;
  Output original_;
  std::set<std::uint64_t> completes_;
};

TEST_F(Transport, SwappingTwoInnerSegmentsOfAMessageChangesNothing) {
  if (!load("tcp_segmented.pcap")) GTEST_SKIP() << "sample missing";
  std::size_t i = inner_pair();
  auto recs = records_;
  std::swap(recs[i], recs[i + 1]);
  Output got = messages(write(recs));
  EXPECT_EQ(got.lines, original_.lines);  // every field, timestamps included
  EXPECT_EQ(got.err.find("tcp_gap"), std::string::npos) << got.err;
}

TEST_F(Transport, SwappingTheLastTwoSegmentsCompletesTheMessageInTheLaterFrame) {
  if (!load("tcp_segmented.pcap")) GTEST_SKIP() << "sample missing";
  // The first message that spans segments: its last segment and the one before.
  std::size_t last = 0;
  for (const auto& k : original_.keys) {
    std::size_t at = std::get<0>(k) - 1;
    if (at > 0 && !is_start_line(tcp_payload(records_[at])) && tcp_view(records_[at - 1]) &&
        tcp_view(records_[at - 1])->sport == tcp_view(records_[at])->sport) {
      last = at;
      break;
    }
  }
  ASSERT_GT(last, 0u);
  auto recs = records_;
  std::swap(recs[last - 1], recs[last]);
  Output got = messages(write(recs));
  // Same messages in the same frames: the hole is filled by the record now
  // at the later position, which completes the message there (as tshark
  // with tcp.reassemble_out_of_order reports it).
  EXPECT_EQ(got.keys, original_.keys);
  if (have_command("tshark")) {
    auto t = run({"tshark", "-n", "-r", write(recs), "-o", "tcp.reassemble_out_of_order:TRUE", "-Y",
                  "sip", "-T", "fields", "-e", "frame.number"});
    std::vector<std::string> theirs = lines(t.out), ours;
    for (const auto& k : got.keys)
      ours.push_back(std::to_string(std::get<0>(k)));
    ours.erase(std::unique(ours.begin(), ours.end()), ours.end());
    EXPECT_EQ(ours, theirs);
  }
}

TEST_F(Transport, DroppingASegmentLosesOnlyItsMessageAndCountsAGap) {
  if (!load("tcp_segmented.pcap")) GTEST_SKIP() << "sample missing";
  std::size_t i = inner_pair();
  std::uint64_t dropped = records_[i].number;
  Key lost = first_message_from(dropped, tcp_view(records_[i])->sport);
  auto recs = records_;
  recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(i));
  Output got = messages(write(recs));
  EXPECT_EQ(got.keys, expected([&](const Key& k) { return k == lost; }, dropped, -1));
  EXPECT_NE(got.err.find("tcp_gap=1"), std::string::npos) << got.err;
}

TEST_F(Transport, DuplicatedSegmentIsARetransmissionNotASecondMessage) {
  if (!load("tcp_segmented.pcap")) GTEST_SKIP() << "sample missing";
  std::size_t i = inner_pair();
  auto recs = records_;
  recs.insert(recs.begin() + static_cast<std::ptrdiff_t>(i) + 3, recs[i]);  // resent later
  Output got = messages(write(recs));
  EXPECT_EQ(got.keys, expected([](const Key&) { return false; }, i + 3, +1));
  EXPECT_NE(got.err.find("tcp_retransmission=1"), std::string::npos) << got.err;
}

TEST_F(Transport, DuplicatedWholeMessageSegmentGivesOneMessage) {
  if (!load("tcp_call.pcap")) GTEST_SKIP() << "sample missing";
  std::size_t first = std::get<0>(original_.keys[0]) - 1;  // the first INVITE's record
  auto recs = records_;
  recs.insert(recs.begin() + static_cast<std::ptrdiff_t>(first) + 2, recs[first]);
  Output got = messages(write(recs));
  EXPECT_EQ(got.keys, expected([](const Key&) { return false; }, first + 2, +1));
}

TEST_F(Transport, DroppedWholeMessageIsMissingAndTheNextOneFound) {
  if (!load("tcp_call.pcap")) GTEST_SKIP() << "sample missing";
  // The third message (the first call's 180): the next one on its
  // connection direction (the 200) must still be found.
  Key lost = original_.keys[2];
  std::uint64_t dropped = std::get<0>(lost);
  auto recs = records_;
  recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(dropped) - 1);
  Output got = messages(write(recs));
  EXPECT_EQ(got.keys, expected([&](const Key& k) { return k == lost; }, dropped, -1));
  EXPECT_NE(got.err.find("tcp_gap=1"), std::string::npos) << got.err;
}

TEST_F(Transport, MessageArrivingBeforeThePreviousOneWaitsForIt) {
  if (!load("tcp_call.pcap")) GTEST_SKIP() << "sample missing";
  // Move a client message in front of the previous client message: the
  // later one is held until the hole before it is filled, then both are
  // delivered in the frame that filled it.
  std::size_t a = 0, b = 0;
  for (std::size_t k = 0; k + 1 < original_.keys.size() && b == 0; ++k) {
    std::size_t x = std::get<0>(original_.keys[k]) - 1, y = std::get<0>(original_.keys[k + 1]) - 1;
    auto vx = tcp_view(records_[x]), vy = tcp_view(records_[y]);
    if (vx && vy && vx->sport == vy->sport && y > x + 1) a = x, b = y;
  }
  ASSERT_GT(b, 0u);
  auto recs = records_;
  Record moved = recs[b];
  recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(b));
  recs.insert(recs.begin() + static_cast<std::ptrdiff_t>(a), moved);
  Output got = messages(write(recs));
  ASSERT_EQ(got.keys.size(), original_.keys.size());
  std::uint64_t fill = a + 2;  // the original record a, one position later
  std::size_t held = 0;
  for (const auto& k : got.keys)
    held += std::get<0>(k) == fill;
  EXPECT_EQ(held, 2u);
}

TEST_F(Transport, WebSocketFramesSwappedStillGiveTheSplitInvite) {
  if (!load("ws_sip.pcap")) GTEST_SKIP() << "sample missing";
  // The INVITE of ws_sip.pcap is two WebSocket frames in two segments:
  // the first one is a record that completes nothing and is not a start.
  std::size_t i = 0;
  for (std::size_t k = 1; k + 1 < records_.size(); ++k) {
    if (tcp_view(records_[k]) && tcp_view(records_[k])->payload_len > 0 &&
        !completes_.count(records_[k].number) && tcp_payload(records_[k])[0] == 0x01) {
      i = k;  // a text frame without FIN (0x01): the first fragment
      break;
    }
  }
  ASSERT_GT(i, 0u);
  auto recs = records_;
  std::swap(recs[i], recs[i + 1]);
  Output got = messages(write(recs));
  EXPECT_EQ(got.keys, original_.keys);
}

TEST_F(Transport, WebSocketSegmentDroppedLosesOneMessageAndResynchronises) {
  if (!load("ws_sip.pcap")) GTEST_SKIP() << "sample missing";
  std::size_t i = 0;
  for (std::size_t k = 1; k < records_.size(); ++k) {
    auto p = tcp_payload(records_[k]);
    if (!p.empty() && static_cast<std::uint8_t>(p[0]) == 0x01) {
      i = k;
      break;
    }
  }
  ASSERT_GT(i, 0u);
  Key lost = first_message_from(records_[i].number, tcp_view(records_[i])->sport);
  auto recs = records_;
  recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(i));
  Output got = messages(write(recs));
  EXPECT_EQ(got.keys, expected([&](const Key& k) { return k == lost; }, i + 1, -1));
}

TEST_F(Transport, HandshakeCutOffGivesEveryMessage) {
  if (!load("tcp_call.pcap")) GTEST_SKIP() << "sample missing";
  // As `editcap -r` would: the capture starts after SYN, SYN-ACK and ACK, on
  // a connection already open.
  ASSERT_TRUE(tcp_view(records_[0]) && (tcp_view(records_[0])->flags & 0x02)) << "no SYN first";
  std::size_t cut = 0;
  while (cut < records_.size() && payload_len(cut) == 0)
    ++cut;
  ASSERT_GE(cut, 3u);
  std::vector<Record> recs(records_.begin() + static_cast<std::ptrdiff_t>(cut), records_.end());
  std::string path = write(recs);
  Output got = messages(path);
  EXPECT_EQ(got.keys, expected([](const Key&) { return false; }, 0, -static_cast<int>(cut)));
  EXPECT_EQ(got.keys.size(), original_.keys.size());
  expect_tshark_agrees(path, got);
}

TEST_F(Transport, OverlappingResendChangesNothing) {
  if (!load("tcp_segmented.pcap")) GTEST_SKIP() << "sample missing";
  // Between two inner segments A and B of a message, a resend that repeats
  // the second half of A and carries the first half of B: B then overlaps
  // it with the same bytes.
  std::size_t i = inner_pair();
  auto a = tcp_view(records_[i]), b = tcp_view(records_[i + 1]);
  ASSERT_EQ(a->seq + a->payload_len, b->seq);
  std::string pa = tcp_payload(records_[i]), pb = tcp_payload(records_[i + 1]);
  Record resend = records_[i + 1];
  ASSERT_TRUE(set_tcp_segment(resend, a->seq + static_cast<std::uint32_t>(pa.size() / 2),
                              pa.substr(pa.size() / 2) + pb.substr(0, pb.size() / 2)));
  auto recs = records_;
  recs.insert(recs.begin() + static_cast<std::ptrdiff_t>(i) + 1, resend);
  std::string path = write(recs);
  Output got = messages(path);
  EXPECT_EQ(got.keys, expected([](const Key&) { return false; }, i + 1, +1));
  ASSERT_EQ(got.lines.size(), original_.lines.size());
  for (std::size_t k = 0; k < got.lines.size(); ++k)
    EXPECT_EQ(without_frame(got.lines[k]), without_frame(original_.lines[k]));
  EXPECT_EQ(got.err.find("tcp_overlap_conflict"), std::string::npos) << got.err;
  EXPECT_EQ(got.err.find("tcp_gap"), std::string::npos) << got.err;
  expect_tshark_agrees(path, got);
}

TEST_F(Transport, TwoMessagesCoalescedInOneSegment) {
  if (!load("tcp_call.pcap")) GTEST_SKIP() << "sample missing";
  // Two messages in a row of one direction, with no data of that direction
  // between them: the second one's bytes are appended to the first's segment
  // (as a sender that coalesces writes would) and its record dropped.
  std::size_t k = 0, x = 0, y = 0;
  for (; k + 1 < original_.keys.size(); ++k) {
    x = std::get<0>(original_.keys[k]) - 1;
    y = std::get<0>(original_.keys[k + 1]) - 1;
    bool clean = sport(x) == sport(y);
    for (std::size_t j = x + 1; clean && j < y; ++j)
      clean = sport(j) != sport(x) || payload_len(j) == 0;
    if (clean && y > x + 1) break;
  }
  ASSERT_LT(k + 1, original_.keys.size());
  auto recs = records_;
  ASSERT_TRUE(set_tcp_segment(recs[x], tcp_view(recs[x])->seq,
                              tcp_payload(records_[x]) + tcp_payload(records_[y])));
  recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(y));
  std::string path = write(recs);
  Output got = messages(path);
  auto want = expected([](const Key&) { return false; }, y + 1, -1);
  std::get<0>(want[k + 1]) = x + 1;  // both completed by the one segment
  EXPECT_EQ(got.keys, want);
  expect_tshark_agrees(path, got);
  if (have_command("tshark")) {  // the helper's IPv4 and TCP checksums are right
    auto t = run({"tshark", "-n", "-r", path, "-o", "ip.check_checksum:TRUE", "-o",
                  "tcp.check_checksum:TRUE", "-Y", "frame.number==" + std::to_string(x + 1), "-T",
                  "fields", "-e", "ip.checksum.status", "-e", "tcp.checksum.status"});
    EXPECT_EQ(t.out, "1\t1\n");  // 1: good
  }
}

TEST_F(Transport, StartMidMessageResyncsAtNextStartLine) {
  if (!load("tcp_segmented.pcap")) GTEST_SKIP() << "sample missing";
  // The capture starts inside the first message, after its first two
  // segments: its other segments are not SIP until the next start line.
  Key lost = original_.keys[0];
  std::size_t done = std::get<0>(lost) - 1;
  std::uint16_t dir = sport(done);
  std::size_t cut = 0, seen = 0;
  while (cut < done && seen < 2)
    seen += sport(cut) == dir && payload_len(cut) > 0, ++cut;
  ASSERT_EQ(seen, 2u);
  // non_sip_stream_bytes counts the bytes skipped: every byte of the lost
  // message's remaining segments (none of them has a start line).
  std::size_t skipped = 0;
  for (std::size_t j = cut; j <= done; ++j)
    skipped += sport(j) == dir ? payload_len(j) : 0;
  ASSERT_GT(skipped, 1000u);
  std::vector<Record> recs(records_.begin() + static_cast<std::ptrdiff_t>(cut), records_.end());
  std::string path = write(recs);
  Output got = messages(path);
  EXPECT_EQ(got.keys, expected([&](const Key& k) { return k == lost; }, 0, -static_cast<int>(cut)));
  EXPECT_NE(got.err.find("non_sip_stream_bytes=" + std::to_string(skipped)), std::string::npos)
      << got.err;
  expect_tshark_agrees(path, got);
}

TEST_F(Transport, RstMidMessageCountsStreamEndedMidMessage) {
  if (!load("tcp_call.pcap")) GTEST_SKIP() << "sample missing";
  // The first message of the second call is cut after half its bytes and
  // the connection reset there; the capture ends with the RST.
  std::size_t m = 0;
  while (m < original_.keys.size() &&
         std::get<1>(original_.keys[m]) == std::get<1>(original_.keys[0]))
    ++m;
  ASSERT_LT(m, original_.keys.size());
  std::size_t x = std::get<0>(original_.keys[m]) - 1;
  std::string p = tcp_payload(records_[x]);
  std::uint32_t seq = tcp_view(records_[x])->seq;
  std::vector<Record> recs(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(x) + 1);
  ASSERT_TRUE(set_tcp_segment(recs[x], seq, p.substr(0, p.size() / 2)));
  Record rst = recs[x];
  ASSERT_TRUE(set_tcp_segment(rst, seq + static_cast<std::uint32_t>(p.size() / 2), "", kTcpRstAck));
  rst.ts_ns += 1000;
  recs.push_back(rst);
  std::string path = write(recs);
  Output got = messages(path);
  std::vector<Key> want(original_.keys.begin(),
                        original_.keys.begin() + static_cast<std::ptrdiff_t>(m));
  EXPECT_EQ(got.keys, want);
  EXPECT_NE(got.err.find("stream_ended_mid_message=1"), std::string::npos) << got.err;
  expect_tshark_agrees(path, got);
}

TEST_F(Transport, TlsConnectionsAreCountedNotDecoded) {
  if (!load("tls_sip.pcap")) GTEST_SKIP() << "sample missing";
  EXPECT_TRUE(original_.keys.empty());
  EXPECT_NE(original_.err.find("tls_conversation=1"), std::string::npos) << original_.err;
}

// --- TLS conversations in `calls`, against tshark's view of the handshake ---

// One line of `tshark -T fields` with `fields` for the frames `filter` selects.
std::vector<std::string> tshark_fields(const std::string& path, const std::string& filter,
                                       const std::vector<std::string>& fields) {
  std::vector<std::string> cmd = {"tshark", "-n", "-r", path, "-Y", filter, "-T", "fields"};
  for (const auto& f : fields)
    cmd.insert(cmd.end(), {"-e", f});
  return lines(run(cmd).out);
}

std::vector<std::string> tab_split(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == '\t') {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

// "1795480690.502878000" -> "1795480690.502878" (sipflow prints microseconds).
std::string micros(const std::string& epoch) {
  return epoch.substr(0, epoch.find('.') + 7);
}

// "1795480690.502878000" -> "00:38:10.502878" (UTC).
std::string time_of_day(const std::string& epoch) {
  auto s = static_cast<std::time_t>(std::stoll(epoch.substr(0, epoch.find('.'))));
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return std::string(buf) + epoch.substr(epoch.find('.'), 7);
}

class TlsConversation : public ::testing::TestWithParam<std::string> {};

TEST_P(TlsConversation, CallsListsItAsTsharkSeesIt) {
  if (!have_command("tshark")) GTEST_SKIP() << "tshark not installed";
  const std::string path = sample(GetParam());
  // tshark: the ClientHello's endpoints and SNI, the ServerHello's version,
  // first and last frame times, payload bytes per direction, frames.
  auto hello = tshark_fields(path, "tls.handshake.type==1",
                             {"ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
                              "tcp.dstport", "tls.handshake.extensions_server_name"});
  ASSERT_EQ(hello.size(), 1u);
  auto h = tab_split(hello[0]);
  ASSERT_EQ(h.size(), 7u);
  auto endpoint = [](const std::string& v4, const std::string& v6, const std::string& port) {
    return (v6.empty() ? v4 : "[" + v6 + "]") + ":" + port;
  };
  std::string client = endpoint(h[0], h[1], h[2]), server = endpoint(h[3], h[4], h[5]), sni = h[6];
  auto sh = tshark_fields(path, "tls.handshake.type==2",
                          {"tls.handshake.extensions.supported_version", "tls.handshake.version"});
  ASSERT_EQ(sh.size(), 1u);
  auto v = tab_split(sh[0]);
  std::string version = !v[0].empty() ? v[0] : v.at(1);
  std::string version_name = version == "0x0304"   ? "TLS 1.3"
                             : version == "0x0303" ? "TLS 1.2"
                                                   : "?";
  auto frames = tshark_fields(path, "tcp", {"frame.time_epoch", "tcp.srcport", "tcp.len"});
  ASSERT_FALSE(frames.empty());
  std::string start = tab_split(frames.front())[0], end = tab_split(frames.back())[0];
  std::uint64_t up = 0, down = 0;
  for (const auto& f : frames) {
    auto cols = tab_split(f);
    (cols[1] == h[2] ? up : down) += std::stoull(cols[2]);
  }
  // `tshark -z conv,tcp` counts the frames of the conversation, the last ACK included.
  std::string conv = run({"tshark", "-n", "-q", "-r", path, "-z", "conv,tcp"}).out;
  std::size_t row = conv.find("<->");
  ASSERT_NE(row, std::string::npos) << conv;
  std::istringstream cells(conv.substr(row + 3));
  std::string peer, unit;
  std::uint64_t in_frames = 0, in_bytes = 0, out_frames = 0, out_bytes = 0, total_frames = 0;
  cells >> peer >> in_frames >> in_bytes >> unit >> out_frames >> out_bytes >> unit >> total_frames;
  ASSERT_GT(total_frames, 0u) << conv;

  auto json = run({sipflow(), "calls", "--json", path});
  auto found = lines(json.out);
  ASSERT_EQ(found.size(), 1u) << json.out;
  const std::string& j = found[0];
  EXPECT_EQ(json_field(j, "kind").value_or("?"), "tls");
  EXPECT_EQ(json_field(j, "client").value_or("?"), client);
  EXPECT_EQ(json_field(j, "server").value_or("?"), server);
  EXPECT_EQ(json_field(j, "sni").value_or("?"), sni);
  EXPECT_EQ(json_field(j, "tls_version").value_or("?"), version_name);
  EXPECT_EQ(json_field(j, "start").value_or("?"), micros(start));
  EXPECT_EQ(json_field(j, "end").value_or("?"), micros(end));
  EXPECT_EQ(json_field(j, "frames").value_or("?"), std::to_string(total_frames));
  EXPECT_EQ(json_field(j, "bytes_client_to_server").value_or("?"), std::to_string(up));
  EXPECT_EQ(json_field(j, "bytes_server_to_client").value_or("?"), std::to_string(down));

  auto text = run({sipflow(), "calls", path});
  std::string want = client + " → " + server + "  " + version_name + "  sni=" + sni + "  start " +
                     time_of_day(start) + "  end " + time_of_day(end) + "  " +
                     std::to_string(up + down) + " bytes  " + std::to_string(total_frames) +
                     " frames";
  EXPECT_NE(text.out.find("1 encrypted conversation"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  " + want + "\n"), std::string::npos) << text.out << "\nwant: " << want;
}

INSTANTIATE_TEST_SUITE_P(Samples, TlsConversation,
                         ::testing::Values("tls_sip.pcap", "tls13_sip.pcap", "tls_sip6.pcap"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           return n.substr(0, n.find('.'));
                         });

}  // namespace
}  // namespace sipflow::test
