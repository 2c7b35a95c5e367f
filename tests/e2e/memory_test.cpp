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

std::string tool(const std::string& name) {
  return std::string(SIPFLOW_SOURCE_DIR) + "/tests/tools/" + name;
}

TEST(Memory, PeakIsFlatWhenTheCaptureIsTenTimesLonger) {
  if (kSanitized) GTEST_SKIP() << "RSS limits are meaningless under AddressSanitizer";
  // The project's reference workload: ~1,500 dialogs open at any time once
  // it runs (after a couple of minutes of traffic). 5,000 scenarios are
  // already past that ramp (18 MB of pcap); 50,000 are ten times the calls
  // and the bytes (185 MB) with the same calls open at any moment.
  const std::string gen = tool("gen_sip_pcap.py");
  ASSERT_TRUE(std::filesystem::exists(gen)) << gen << " is part of the repository";
  auto small = scratch("small.pcap"), large = scratch("large.pcap");
  ASSERT_TRUE(generate("python3 " + gen + " --calls 5000 --seed 7 --out " + small.string() +
                       " 2>/dev/null"));
  ASSERT_TRUE(generate("python3 " + gen + " --calls 50000 --seed 7 --out " + large.string() +
                       " 2>/dev/null"));
  struct Case {
    const char* name;
    std::vector<std::string> args;
  };
  const std::vector<Case> cases = {
      {"calls --json", {"calls", "--json"}},
      {"calls (table)", {"calls", "--color", "always"}},  // rows written as calls finish
      {"stats", {"stats", "--json"}},
      {"flow --each", {"flow", "--each", "-o", scratch("each").string(), "--status", "503"}},
  };
  long table_peak = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto args = [&](const std::filesystem::path& f) {
      std::vector<std::string> a = {sipflow(), "-q", f.string()};
      a.insert(a.begin() + 1, c.args.begin(), c.args.end());
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
    if (c.args.size() == 3 && c.args[1] == "--color") table_peak = b.peak_rss_kib;
  }
  // --sort has to hold every row (documented): the same table buffered is
  // measurably bigger, so the flat peaks above are not a blind measurement.
  auto sorted = run_measured(
      {sipflow(), "calls", "--color", "always", "--sort", "start", "-q", large.string()});
  ASSERT_EQ(sorted.exit_code, 0) << sorted.err;
  EXPECT_GT(sorted.peak_rss_kib, table_peak + 8 * 1024)
      << "sorted " << sorted.peak_rss_kib << " KiB, streamed " << table_peak << " KiB";
  std::filesystem::remove(small);
  std::filesystem::remove(large);
  std::filesystem::remove_all(scratch("each"));
}

TEST(Memory, AMillionDistinctCallIdsStayUnderTheOpenCallCap) {
  if (kSanitized) GTEST_SKIP() << "RSS limits are meaningless under AddressSanitizer";
  auto flood = scratch("flood.pcap");
  ASSERT_TRUE(generate("python3 " + tool("gen_flood.py") + " 1000000 " + flood.string()));
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
