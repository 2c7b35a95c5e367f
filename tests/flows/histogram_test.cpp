#include "sipflow/flows/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace sipflow::flows {
namespace {

// The exact nearest-rank quantile of `sorted`.
std::int64_t exact(const std::vector<std::int64_t>& sorted, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

TEST(LogHistogram, EmptyReportsZeros) {
  LogHistogram h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.5), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(LogHistogram, OneSampleIsReportedExactly) {
  LogHistogram h;
  h.add(123'456'789);
  for (double q : {0.0, 0.5, 0.99, 1.0})
    EXPECT_EQ(h.quantile(q), 123'456'789) << q;  // clamped to [min, max]
  EXPECT_EQ(h.mean(), 123'456'789.0);
}

TEST(LogHistogram, PercentilesAreWithinOnePercentOfTheTrueSample) {
  std::mt19937_64 rng(42);
  // Log-uniform from 1 ms to 100 s: the range of SIP delays.
  std::uniform_real_distribution<double> exponent(6.0, 11.0);
  LogHistogram h;
  std::vector<std::int64_t> samples;
  for (int i = 0; i < 100'000; ++i) {
    auto v = static_cast<std::int64_t>(std::pow(10.0, exponent(rng)));
    h.add(v);
    samples.push_back(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double q : {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999}) {
    double truth = static_cast<double>(exact(samples, q));
    double got = static_cast<double>(h.quantile(q));
    EXPECT_LE(std::abs(got - truth) / truth, LogHistogram::kRelativeError + 1e-9)
        << "q=" << q << " truth=" << truth << " got=" << got;
  }
  EXPECT_LT(LogHistogram::kRelativeError, 0.01);
  EXPECT_EQ(h.min(), samples.front());
  EXPECT_EQ(h.max(), samples.back());
}

TEST(LogHistogram, MeanIsExact) {
  LogHistogram h;
  for (std::int64_t v : {1'000'000, 2'000'000, 6'000'000})
    h.add(v);
  EXPECT_DOUBLE_EQ(h.mean(), 3'000'000.0);
}

TEST(LogHistogram, SubMicrosecondSamplesShareTheFirstBucket) {
  LogHistogram h;
  h.add(0);
  h.add(10);
  h.add(999);
  EXPECT_EQ(LogHistogram::bucket_of(0), 0u);
  EXPECT_EQ(LogHistogram::bucket_of(999), 0u);
  EXPECT_EQ(LogHistogram::bucket_of(1000), 1u);
  EXPECT_LE(std::abs(h.quantile(0.5) - 10), LogHistogram::kMinNs / 2);  // absolute error
  EXPECT_EQ(h.quantile(1.0), 999);
}

TEST(LogHistogram, NegativeSamplesCountAsZero) {
  LogHistogram h;
  h.add(-5'000);  // e.g. a capture that is not in time order
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.quantile(0.5), 0);
}

TEST(LogHistogram, HugeSamplesGoToTheLastBucketAndMaxStaysExact) {
  LogHistogram h;
  h.add(4'000'000'000'000'000'000);  // 127 years
  EXPECT_EQ(LogHistogram::bucket_of(4'000'000'000'000'000'000), LogHistogram::kBuckets - 1);
  EXPECT_EQ(h.max(), 4'000'000'000'000'000'000);
  EXPECT_EQ(h.quantile(1.0), 4'000'000'000'000'000'000);
}

TEST(LogHistogram, BucketsGrowMonotonically) {
  std::size_t last = 0;
  for (std::int64_t v = 1; v < 1'000'000'000'000'000; v = v * 11 / 10 + 1) {
    std::size_t b = LogHistogram::bucket_of(v);
    EXPECT_GE(b, last) << v;
    last = b;
  }
  EXPECT_LT(last, LogHistogram::kBuckets - 1);  // 11.6 days still has its own bucket
}

TEST(LogHistogram, MergeEqualsAddingEverySample) {
  LogHistogram a, b, all;
  for (std::int64_t v = 1'000; v < 50'000'000; v *= 3) {
    a.add(v);
    all.add(v);
    b.add(v + 7);
    all.add(v + 7);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double q : {0.1, 0.5, 0.9})
    EXPECT_EQ(a.quantile(q), all.quantile(q));
  LogHistogram empty;
  empty.merge(all);
  EXPECT_EQ(empty.min(), all.min());
}

TEST(LogHistogram, MemoryDoesNotDependOnTheNumberOfSamples) {
  static_assert(sizeof(LogHistogram) < 12 * 1024);
  LogHistogram h;
  for (int i = 0; i < 1'000'000; ++i)
    h.add(i * 997);
  EXPECT_EQ(h.count(), 1'000'000u);
}

}  // namespace
}  // namespace sipflow::flows
