#include "sipflow/capture/ip_reassembly.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sipflow::capture {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

FragmentKey key(std::uint32_t id) {
  return FragmentKey{IpAddress::v4(0x0A000001), IpAddress::v4(0x0A000002), id, 17};
}

TEST(IpReassembler, ReassemblesOutOfOrderFragments) {
  Diagnostics diag;
  IpReassembler r({}, diag);
  std::string a(16, 'a'), b(16, 'b'), c(5, 'c');
  EXPECT_FALSE(r.add(key(1), 32, false, 17, bytes(c), {1}, 1));
  EXPECT_FALSE(r.add(key(1), 0, true, 17, bytes(a), {2}, 2));
  auto done = r.add(key(1), 16, true, 17, bytes(b), {3}, 3);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->protocol, 17);
  EXPECT_EQ(std::string(done->payload.begin(), done->payload.end()), a + b + c);
  EXPECT_EQ(r.pending_datagrams(), 0u);
  EXPECT_EQ(r.pending_bytes(), 0u);
}

TEST(IpReassembler, OverlapKeepsFirstBytesAndIsCounted) {
  Diagnostics diag;
  IpReassembler r({}, diag);
  std::string a(16, 'a'), x(16, 'x'), b(8, 'b');
  EXPECT_FALSE(r.add(key(2), 0, true, 17, bytes(a), {1}, 1));
  EXPECT_FALSE(r.add(key(2), 8, true, 17, bytes(x), {2}, 2));  // overlaps a's second half
  auto done = r.add(key(2), 24, false, 17, bytes(b), {3}, 3);
  ASSERT_TRUE(done);
  EXPECT_EQ(std::string(done->payload.begin(), done->payload.end()),
            std::string(16, 'a') + std::string(8, 'x') + b);
  EXPECT_EQ(diag.get("fragment_overlap"), 1u);
}

TEST(IpReassembler, IncompleteDatagramTimesOutAndIsCounted) {
  Diagnostics diag;
  FragmentLimits limits;
  limits.timeout_ns = 1'000'000'000;
  IpReassembler r(limits, diag);
  std::string a(16, 'a');
  EXPECT_FALSE(r.add(key(3), 0, true, 17, bytes(a), {0}, 1));
  r.expire({5'000'000'000}, 9);
  EXPECT_EQ(r.pending_datagrams(), 0u);
  EXPECT_EQ(diag.get("fragment_timeout"), 1u);
}

TEST(IpReassembler, MemoryBoundEvictsOldestDatagram) {
  Diagnostics diag;
  FragmentLimits limits;
  limits.max_pending_bytes = 3000;
  IpReassembler r(limits, diag);
  std::string chunk(1600, 'z');
  for (std::uint32_t id = 0; id < 4; ++id)
    r.add(key(id), 0, true, 17, bytes(chunk), {id}, id + 1);
  EXPECT_LE(r.pending_bytes(), 3000u + 1600u);
  EXPECT_GE(diag.get("fragment_limit"), 2u);
}

TEST(IpReassembler, FragmentBeyond64KiBIsRejected) {
  Diagnostics diag;
  IpReassembler r({}, diag);
  std::string a(16, 'a');
  EXPECT_FALSE(r.add(key(4), 65528, false, 17, bytes(a), {0}, 1));
  EXPECT_EQ(diag.get("bad_fragment"), 1u);
}

TEST(IpReassembler, TooManyFragmentsDropsDatagram) {
  Diagnostics diag;
  FragmentLimits limits;
  limits.max_fragments = 4;
  IpReassembler r(limits, diag);
  std::string a(8, 'a');
  for (std::uint32_t i = 0; i < 6; ++i)
    r.add(key(5), i * 8, true, 17, bytes(a), {0}, i + 1);
  EXPECT_GE(diag.get("fragment_limit"), 1u);
}

}  // namespace
}  // namespace sipflow::capture
