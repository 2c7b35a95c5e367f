#include "sipflow/flows/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace sipflow::flows {
namespace {

const double kLogGamma = std::log(LogHistogram::kGamma);

// Lower bound of bucket i >= 1, in ns.
double lower_bound_of(std::size_t i) {
  return static_cast<double>(LogHistogram::kMinNs) *
         std::pow(LogHistogram::kGamma, static_cast<double>(i - 1));
}

}  // namespace

std::size_t LogHistogram::bucket_of(std::int64_t ns) noexcept {
  if (ns < kMinNs) return 0;
  double steps = std::log(static_cast<double>(ns) / static_cast<double>(kMinNs)) / kLogGamma;
  auto i = static_cast<std::size_t>(steps) + 1;
  return std::min(i, kBuckets - 1);
}

void LogHistogram::add(std::int64_t ns) noexcept {
  ns = std::max<std::int64_t>(ns, 0);
  ++buckets_[bucket_of(ns)];
  if (count_ == 0 || ns < min_) min_ = ns;
  if (count_ == 0 || ns > max_) max_ = ns;
  ++count_;
  sum_ += static_cast<double>(ns);
}

void LogHistogram::merge(const LogHistogram& other) noexcept {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBuckets; ++i)
    buckets_[i] += other.buckets_[i];
  min_ = count_ ? std::min(min_, other.min_) : other.min_;
  max_ = count_ ? std::max(max_, other.max_) : other.max_;
  count_ += other.count_;
  sum_ += other.sum_;
}

double LogHistogram::mean() const noexcept {
  return count_ ? sum_ / static_cast<double>(count_) : 0.0;
}

std::int64_t LogHistogram::quantile(double q) const noexcept {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Nearest rank: the smallest sample with at least q·count samples at or below it.
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  if (rank == 1) return min_;  // the extremes are known exactly
  if (rank == count_) return max_;
  std::uint64_t seen = 0;
  std::size_t i = 0;
  for (; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) break;
  }
  // Bucket 0 is [0, kMinNs): its middle is within kMinNs/2 of both ends. The
  // harmonic centre of [lo, lo·γ) is within (γ-1)/(γ+1) of both ends.
  double value =
      i == 0 ? static_cast<double>(kMinNs) / 2 : lower_bound_of(i) * 2 * kGamma / (1 + kGamma);
  auto ns = static_cast<std::int64_t>(std::llround(value));
  return std::clamp(ns, min_, max_);
}

}  // namespace sipflow::flows
