// Capture-file findings of the fuzzers, replayed as regression tests.

#include <gtest/gtest.h>

#include <string>

#include "sipflow/capture/file_source.hpp"
#include "sipflow/capture/packet_decoder.hpp"
#include "transport_fixture.hpp"

namespace sipflow::capture {
namespace {

std::string regression(const std::string& name) {
  return std::string(SIPFLOW_SOURCE_DIR) + "/tests/fuzz_regressions/pcap_file_fuzz/" + name;
}

class NullSink final : public PayloadSink {
 public:
  void on_payload(const Payload& p) override { last = p.ts; }
  Timestamp last;
};

// Reads every frame; every timestamp must lie in [0, kMaxTimestampNs).
void read_all(const std::string& path, Diagnostics& diag) {
  auto src = open_capture_file(path, diag);
  PacketDecoder decoder({}, diag);
  NullSink sink;
  Frame f;
  while (src->next(f) == ReadStatus::Frame) {
    EXPECT_GE(f.ts.ns, 0);
    EXPECT_LT(f.ts.ns, kMaxTimestampNs);
    decoder.decode(f, sink);
  }
  decoder.finish(0, sink);
}

TEST(CaptureFuzzRegression, HugeTsoffsetIsClampedAndCounted) {
  Diagnostics diag;
  read_all(regression("tsoffset_overflow.pcapng"), diag);
  EXPECT_GE(diag.get("bad_timestamp"), 1u);
}

TEST(CaptureFuzzRegression, TimestampsFarApartStayInRange) {
  Diagnostics diag;
  read_all(regression("timestamps_far_apart.pcapng"), diag);
}

TEST(TimestampFormat, NegativeTimesKeepTheirSign) {
  EXPECT_EQ(fmt::format("{}", Timestamp{-500'000'000}), "-0.500000");
  EXPECT_EQ(fmt::format("{}", Timestamp{1'700'000'000'123'456'789}), "1700000000.123456");
  EXPECT_EQ(fmt::format("{}", Timestamp{std::numeric_limits<std::int64_t>::min()}),
            "-9223372036.854775");
}

// tcp_reassembly_fuzz: data_after_fin. A FIN segment carrying "ab" ends the
// stream (StreamEnd); a later segment with "bcde" overlaps it and runs past
// the FIN. Those bytes were never part of the stream: nothing may follow its
// StreamEnd (consumers drop their state there and would start over).
class TcpAfterFinTest : public testing::DecoderFixture {};

TEST_F(TcpAfterFinTest, DataPastTheFinIsCountedNotDelivered) {
  tcp4(true, 1000, 0, test::kFin | test::kAck, "ab");
  ASSERT_EQ(rec_.got.size(), 2u);
  EXPECT_EQ(rec_.got[1].kind, PayloadKind::StreamEnd);
  tcp4(true, 1001, 0, 0, "bcde");
  decoder_->finish(frame_, rec_);
  ASSERT_EQ(rec_.got.size(), 2u);
  EXPECT_EQ(rec_.stream_text(rec_.got[0].stream), "ab");
  EXPECT_EQ(diag_.get("tcp_data_after_fin"), 1u);
}

}  // namespace
}  // namespace sipflow::capture
