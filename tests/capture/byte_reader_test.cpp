#include "sipflow/capture/byte_reader.hpp"

#include <gtest/gtest.h>

#include "exact_buffer.hpp"

namespace sipflow {
namespace {

TEST(ByteReader, ReadsBigAndLittleEndianFields) {
  test::ExactBuffer buf(std::string_view("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  ByteReader r(buf.bytes());
  EXPECT_EQ(r.be16(), 0x0102);
  EXPECT_EQ(r.le16(), 0x0403);
  EXPECT_EQ(r.be32(), 0x05060708u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReader, ReadPastEndFailsForGoodAndReturnsZero) {
  test::ExactBuffer buf(std::string_view("\x01\x02\x03", 3));
  ByteReader r(buf.bytes());
  EXPECT_EQ(r.be32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0u);  // sticky: even a 1-byte read now fails
  EXPECT_TRUE(r.take(1).empty());
}

TEST(ByteReader, TakeAndSkipRespectBounds) {
  test::ExactBuffer buf("abcdef");
  ByteReader r(buf.bytes());
  EXPECT_TRUE(r.skip(2));
  auto s = r.take(3);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], 'c');
  EXPECT_EQ(r.rest().size(), 1u);
  EXPECT_FALSE(r.skip(2));
}

}  // namespace
}  // namespace sipflow
