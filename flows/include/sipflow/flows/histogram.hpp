#pragma once
// LogHistogram: percentiles of delays in fixed memory.
//
// Buckets grow by a constant factor, so every bucket is as wide, relative to
// its values, as every other (the DDSketch idea). A percentile is answered
// with the bucket's centre, which is within kRelativeError of the true
// sample. The array is the same size whether one sample or a billion were
// added: multi-GB captures cost no more memory than small ones.
//
//   bucket 0        1            2                  i
//   [0, 1 µs) [1 µs, γ µs) [γ µs, γ² µs) ... [γ^(i-1) µs, γ^i µs)  ...  last (≥ ~11.6 days)

#include <array>
#include <cstddef>
#include <cstdint>

namespace sipflow::flows {

class LogHistogram {
 public:
  /// Growth factor of the buckets.
  static constexpr double kGamma = 1.02;
  /// Largest relative error of a reported percentile, for samples >= kMinNs: (γ-1)/(γ+1).
  static constexpr double kRelativeError = (kGamma - 1) / (kGamma + 1);
  /// Samples below this (and 0) share bucket 0; their error is at most kMinNs/2, absolute.
  static constexpr std::int64_t kMinNs = 1000;
  /// Buckets: 0, then 1 µs .. 10^6 s in steps of γ; larger samples go to the last one.
  static constexpr std::size_t kBuckets = 1400;

  /// Counts one sample, in nanoseconds. Negative samples count as 0. Never allocates.
  void add(std::int64_t ns) noexcept;
  /// Adds every sample of `other`.
  void merge(const LogHistogram& other) noexcept;

  std::uint64_t count() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  /// Exact smallest / largest sample (0 when empty).
  std::int64_t min() const noexcept { return count_ ? min_ : 0; }
  std::int64_t max() const noexcept { return count_ ? max_ : 0; }
  /// Exact arithmetic mean in nanoseconds (0 when empty).
  double mean() const noexcept;
  /// The sample at quantile `q` (0..1, nearest rank), within kRelativeError of
  /// it (kMinNs/2 below 1 µs), clamped to [min(), max()]; exact for the
  /// smallest and largest rank; 0 when empty.
  std::int64_t quantile(double q) const noexcept;

  /// The bucket a sample falls in (exposed for tests).
  static std::size_t bucket_of(std::int64_t ns) noexcept;

 private:
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;  // in ns; exact up to 2^53 ns (104 days in total)
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace sipflow::flows
