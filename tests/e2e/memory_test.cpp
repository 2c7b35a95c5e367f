// Memory is bounded by the calls that are open, not by the capture's length.
// These tests generate their workloads at run time (the reference generator
// and a scanner-flood generator) and measure the child's peak RSS.

#include <gtest/gtest.h>

#include <filesystem>

#include "run_cli.hpp"

namespace sipflow::test {
namespace {

// Peak RSS limits measure the product, not a sanitizer's shadow memory.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("sipflow_mem_" + std::to_string(::getpid()) + "_" + name);
}

bool generate(const std::string& cmd) {
  return std::system(cmd.c_str()) == 0;
}

TEST(Memory, PeakIsFlatWhenTheCaptureIsTenTimesLonger) {
  if (kSanitized) GTEST_SKIP() << "RSS limits are meaningless under AddressSanitizer";
  const std::string gen = std::string(SIPFLOW_SOURCE_DIR) + "/../shared/perf/gen_sip_pcap.py";
  if (!std::filesystem::exists(gen)) GTEST_SKIP() << "reference generator not found at " << gen;
  auto small = scratch("small.pcap"), large = scratch("large.pcap");
  ASSERT_TRUE(generate("python3 " + gen + " --calls 2000 --seed 7 --out " + small.string() +
                       " 2>/dev/null"));
  ASSERT_TRUE(generate("python3 " + gen + " --calls 20000 --seed 7 --out " + large.string() +
                       " 2>/dev/null"));
  for (const char* command : {"calls", "flow"}) {
    SCOPED_TRACE(command);
    std::vector<std::string> extra;
    if (std::string(command) == "flow")
      extra = {"--each", "-o", scratch("each").string(), "--status", "503"};
    auto args = [&](const std::filesystem::path& f) {
      std::vector<std::string> a = {sipflow(), command, "-q", f.string()};
      if (std::string(command) == "calls") a.push_back("--json");
      a.insert(a.end(), extra.begin(), extra.end());
      return a;
    };
    auto a = run_measured(args(small));
    auto b = run_measured(args(large));
    ASSERT_EQ(a.exit_code, 0) << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.err;
    // Ten times the calls; the same open calls at any moment: the peak may
    // not grow with the length of the capture.
    EXPECT_LT(b.peak_rss_kib, a.peak_rss_kib * 3 / 2 + 8 * 1024)
        << "small " << a.peak_rss_kib << " KiB, large " << b.peak_rss_kib << " KiB";
    EXPECT_LT(b.peak_rss_kib, 64 * 1024);
  }
  std::filesystem::remove(small);
  std::filesystem::remove(large);
  std::filesystem::remove_all(scratch("each"));
}

TEST(Memory, AMillionDistinctCallIdsStayUnderTheOpenCallCap) {
  if (kSanitized) GTEST_SKIP() << "RSS limits are meaningless under AddressSanitizer";
  auto flood = scratch("flood.pcap");
  ASSERT_TRUE(generate("python3 " + std::string(SIPFLOW_SOURCE_DIR) +
                       "/tests/tools/gen_flood.py 1000000 " + flood.string()));
  auto r = run_measured({sipflow(), "calls", "--json", "--max-calls", "20000", flood.string()});
  std::filesystem::remove(flood);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1000000 SIP messages"), std::string::npos) << r.err;
  // 1,000,000 requests 100 us apart span 100 s; with a 32 s request timeout
  // about 320,000 would be open at once: the cap of 20,000 must evict and say so.
  EXPECT_NE(r.err.find("open_call_limit="), std::string::npos) << r.err;
  EXPECT_LT(r.peak_rss_kib, 64 * 1024) << "peak " << r.peak_rss_kib << " KiB";
}

}  // namespace
}  // namespace sipflow::test
