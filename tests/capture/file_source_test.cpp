// sipflow's own pcap / pcapng reader on small files built here byte by byte:
// each byte order and time resolution, every pcapng packet block, several
// sections and interfaces. (The end-to-end tests read the real samples.)

#include "sipflow/capture/file_source.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "scratch_dir.hpp"

namespace sipflow::capture {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Appends integers in one byte order.
struct Writer {
  bool big = false;
  Bytes out;
  void u8(std::uint8_t v) { out.push_back(v); }
  void u16(std::uint16_t v) {
    for (int i = 0; i < 2; ++i)
      out.push_back(static_cast<std::uint8_t>(v >> (big ? 8 * (1 - i) : 8 * i)));
  }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out.push_back(static_cast<std::uint8_t>(v >> (big ? 8 * (3 - i) : 8 * i)));
  }
  void bytes(const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); }
  void pad4() {
    while (out.size() % 4 != 0)
      out.push_back(0);
  }
};

struct Read {
  std::uint64_t number;
  std::int64_t ns;
  std::uint32_t linktype;
  std::uint32_t interface;
  std::uint32_t wire_len;
  Bytes data;
};

class FileSourceTest : public test::ScratchDirTest {
 protected:
  std::vector<Read> read(const Bytes& file, ReadStatus expect_end = ReadStatus::End) {
    auto src = open_capture_file(write("f.cap", std::string(file.begin(), file.end())), diag_);
    std::vector<Read> out;
    Frame f;
    ReadStatus st;
    while ((st = src->next(f)) == ReadStatus::Frame) {
      out.push_back({f.number, f.ts.ns, f.linktype, f.interface, f.wire_len,
                     Bytes(f.data.begin(), f.data.end())});
    }
    EXPECT_EQ(st, expect_end) << src->error();
    return out;
  }
  Diagnostics diag_;
};

Bytes pcap(bool big, bool nano, const std::vector<Bytes>& packets) {
  Writer w{big, {}};
  w.u32(nano ? 0xa1b23c4d : 0xa1b2c3d4);
  w.u16(2);
  w.u16(4);
  w.u32(0);
  w.u32(0);
  w.u32(65535);
  w.u32(101);  // raw IP
  std::uint32_t sec = 1700000000;
  for (const auto& p : packets) {
    w.u32(sec++);
    w.u32(nano ? 123456789 : 123456);
    w.u32(static_cast<std::uint32_t>(p.size()));
    w.u32(static_cast<std::uint32_t>(p.size() + 10));  // as if cut by a snaplen
    w.bytes(p);
  }
  return w.out;
}

TEST_F(FileSourceTest, PcapInEitherByteOrderAndResolution) {
  const Bytes a = {1, 2, 3}, b = {4, 5, 6, 7, 8};
  for (bool big : {false, true}) {
    for (bool nano : {false, true}) {
      SCOPED_TRACE(testing::Message() << "big=" << big << " nano=" << nano);
      auto frames = read(pcap(big, nano, {a, b}));
      ASSERT_EQ(frames.size(), 2u);
      EXPECT_EQ(frames[0].number, 1u);
      EXPECT_EQ(frames[1].number, 2u);
      EXPECT_EQ(frames[0].ns, 1700000000LL * 1'000'000'000 + (nano ? 123456789 : 123456000));
      EXPECT_EQ(frames[1].ns - frames[0].ns, 1'000'000'000);
      EXPECT_EQ(frames[0].linktype, 101u);
      EXPECT_EQ(frames[1].data, b);
      EXPECT_EQ(frames[1].wire_len, 15u);
    }
  }
}

// pcapng blocks, in one byte order.
struct Pcapng {
  Writer w;
  void block(std::uint32_t type, const Bytes& body) {
    Writer b{w.big, body};
    b.pad4();
    auto total = static_cast<std::uint32_t>(b.out.size() + 12);
    w.u32(type);
    w.u32(total);
    w.bytes(b.out);
    w.u32(total);
  }
  void section() {
    Writer b{w.big, {}};
    b.u32(0x1A2B3C4D);
    b.u16(1);
    b.u16(0);
    b.u32(0xFFFFFFFF);  // section length unknown
    b.u32(0xFFFFFFFF);
    block(0x0A0D0D0A, b.out);
  }
  // An interface; `tsresol` < 0 leaves the option out (microseconds).
  void interface(std::uint16_t linktype, int tsresol = -1, std::uint32_t snaplen = 0) {
    Writer b{w.big, {}};
    b.u16(linktype);
    b.u16(0);
    b.u32(snaplen);
    if (tsresol >= 0) {
      b.u16(9);
      b.u16(1);
      b.u8(static_cast<std::uint8_t>(tsresol));
      b.pad4();
      b.u16(0);
      b.u16(0);
    }
    block(1, b.out);
  }
  void enhanced(std::uint32_t iface, std::uint64_t units, const Bytes& data) {
    Writer b{w.big, {}};
    b.u32(iface);
    b.u32(static_cast<std::uint32_t>(units >> 32));
    b.u32(static_cast<std::uint32_t>(units));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.bytes(data);
    block(6, b.out);
  }
  void simple(const Bytes& data) {
    Writer b{w.big, {}};
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.bytes(data);
    block(3, b.out);
  }
  void obsolete(std::uint16_t iface, std::uint64_t units, const Bytes& data) {
    Writer b{w.big, {}};
    b.u16(iface);
    b.u16(0);
    b.u32(static_cast<std::uint32_t>(units >> 32));
    b.u32(static_cast<std::uint32_t>(units));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.bytes(data);
    block(2, b.out);
  }
};

TEST_F(FileSourceTest, PcapngEveryPacketBlockInEitherByteOrder) {
  const Bytes a = {1, 2, 3, 4, 5}, b = {6}, c = {7, 8};
  for (bool big : {false, true}) {
    SCOPED_TRACE(big ? "big endian" : "little endian");
    Pcapng f{{big, {}}};
    f.section();
    f.interface(1);            // Ethernet, microseconds
    f.interface(113, 9);       // Linux cooked, nanoseconds
    f.block(4, {0, 0, 0, 0});  // a name resolution block: skipped silently
    f.enhanced(1, 1'000'000'000'123ULL, a);
    f.simple(b);  // interface 0, no timestamp
    f.obsolete(0, 2'000'000, c);
    auto frames = read(f.w.out);
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].interface, 1u);
    EXPECT_EQ(frames[0].linktype, 113u);
    EXPECT_EQ(frames[0].ns, 1'000'000'000'123LL);
    EXPECT_EQ(frames[0].data, a);
    EXPECT_EQ(frames[1].linktype, 1u);
    EXPECT_EQ(frames[1].data, b);
    EXPECT_EQ(frames[2].ns, 2'000'000'000LL);  // microsecond units
    EXPECT_EQ(frames[2].data, c);
    EXPECT_EQ(frames[2].number, 3u);
  }
}

TEST_F(FileSourceTest, PcapngBinaryTimeResolution) {
  Pcapng f{{false, {}}};
  f.section();
  f.interface(101, 0x80 | 10);  // 2^-10 s ticks
  f.enhanced(0, 3 * 1024 + 512, {9});
  auto frames = read(f.w.out);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].ns, 3'500'000'000LL);
}

// A second section starts over: its interface 0 is its own, possibly in the
// other byte order, and frame numbers keep counting across sections.
TEST_F(FileSourceTest, PcapngSeveralSectionsEachWithItsOwnInterfaces) {
  Pcapng first{{false, {}}};
  first.section();
  first.interface(1);
  first.enhanced(0, 1, {1});
  Pcapng second{{true, {}}};
  second.section();
  second.interface(101, 9);
  second.enhanced(0, 5, {2});
  Bytes file = first.w.out;
  file.insert(file.end(), second.w.out.begin(), second.w.out.end());
  auto frames = read(file);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].linktype, 1u);
  EXPECT_EQ(frames[0].ns, 1000);
  EXPECT_EQ(frames[1].linktype, 101u);
  EXPECT_EQ(frames[1].ns, 5);
  EXPECT_EQ(frames[1].number, 2u);
}

TEST_F(FileSourceTest, PcapngPacketOfAnUnknownInterfaceIsCountedAndSkipped) {
  Pcapng f{{false, {}}};
  f.section();
  f.interface(1);
  f.enhanced(3, 1, {1});
  f.enhanced(0, 2, {2});
  auto frames = read(f.w.out);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].number, 2u);
  EXPECT_EQ(diag_.get("packet_without_interface"), 1u);
}

}  // namespace
}  // namespace sipflow::capture
