// The parser's hot path allocates nothing once warm: a SipMessage reused for
// message after message (as the extractor does) keeps its buffers. Global
// operator new is counted while a test asks for it.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include "run_cli.hpp"
#include "sipflow/capture/file_source.hpp"
#include "sipflow/capture/packet_decoder.hpp"
#include "sipflow/decode/extractor.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace sipflow::decode {
namespace {

// Counts the allocations made while it lives.
class AllocationCounter {
 public:
  AllocationCounter() {
    allocations = 0;
    counting = true;
  }
  ~AllocationCounter() { counting = false; }
  std::size_t count() const { return allocations.load(); }
};

class Keep final : public MessageSink {
 public:
  void on_message(const MessageMeta&, const SipMessage& m) override { raw.emplace_back(m.raw()); }
  std::vector<std::string> raw;
};

class Discard final : public MessageSink {
 public:
  void on_message(const MessageMeta&, const SipMessage& m) override { bytes += m.raw().size(); }
  std::size_t bytes = 0;
};

// Every SIP message of every bundled sample.
std::vector<std::string> sample_messages() {
  Keep keep;
  for (const auto& e : std::filesystem::directory_iterator(SIPFLOW_SOURCE_DIR "/samples")) {
    if (e.path().extension() != ".pcap" && e.path().extension() != ".pcapng") continue;
    Diagnostics diag;
    auto src = capture::open_capture_file(e.path().string(), diag);
    capture::PacketDecoder decoder({}, diag);
    SipExtractor extractor({}, diag, keep);
    capture::Frame frame;
    while (src->next(frame) == capture::ReadStatus::Frame)
      decoder.decode(frame, extractor);
    decoder.finish(0, extractor);
  }
  return keep.raw;
}

TEST(Allocation, TheCounterSeesAnAllocation) {
  AllocationCounter counter;
  std::string s(1000, 'x');  // beyond any small-string buffer
  volatile char c = s[999];  // keeps the string alive and used
  (void)c;
  EXPECT_EQ(counter.count(), 1u);
}

TEST(Allocation, ParsingAllocatesNothingOnceWarm) {
  auto messages = sample_messages();
  ASSERT_GT(messages.size(), 300u);
  SipMessage msg;
  for (const auto& m : messages)
    ASSERT_TRUE(msg.assign(m)) << m;  // warm: the buffers grow to the largest message
  std::size_t parsed = 0;
  AllocationCounter counter;
  for (const auto& m : messages) {
    parsed += msg.assign(m) ? 1u : 0u;
    parsed += looks_like_sip(m) ? 0u : 1000u;
  }
  EXPECT_EQ(counter.count(), 0u);
  EXPECT_EQ(parsed, messages.size());
}

TEST(Allocation, DatagramsThroughTheExtractorAllocateNothingOnceWarm) {
  auto messages = sample_messages();
  Diagnostics diag;
  Discard sink;
  SipExtractor extractor({}, diag, sink);
  auto feed = [&] {
    for (std::size_t i = 0; i < messages.size(); ++i) {
      capture::Payload p;
      p.frame = i + 1;
      p.kind = capture::PayloadKind::Datagram;
      p.transport = Transport::Udp;
      p.bytes = {reinterpret_cast<const std::uint8_t*>(messages[i].data()), messages[i].size()};
      extractor.on_payload(p);
    }
  };
  feed();  // warm, and the first of each diagnostic is recorded
  AllocationCounter counter;
  feed();
  EXPECT_EQ(counter.count(), 0u);
  EXPECT_EQ(extractor.messages(), 2 * messages.size());
}

}  // namespace
}  // namespace sipflow::decode
