#pragma once
// Timestamp: capture time with nanosecond resolution.

#include <compare>
#include <cstdint>

#include <fmt/format.h>

namespace sipflow {

/// Timestamps sipflow's sources hand out lie in [0, kMaxTimestampNs) (about
/// the year 2116), so that the difference of two never overflows.
inline constexpr std::int64_t kMaxTimestampNs = std::int64_t{1} << 62;

/// Nanoseconds since the Unix epoch, as recorded in the capture (pcap time,
/// never the wall clock of the machine running sipflow).
struct Timestamp {
  std::int64_t ns = 0;

  static constexpr Timestamp from_us(std::int64_t us) { return {us * 1000}; }
  static constexpr Timestamp from_seconds(double s) { return {static_cast<std::int64_t>(s * 1e9)}; }
  constexpr std::int64_t seconds() const {
    return ns >= 0 ? ns / 1'000'000'000 : -((-ns + 999'999'999) / 1'000'000'000);
  }
  constexpr std::int64_t micros() const { return ns / 1000; }
  constexpr double as_seconds() const { return static_cast<double>(ns) / 1e9; }

  friend constexpr auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

/// Signed difference in seconds.
constexpr double seconds_between(Timestamp from, Timestamp to) {
  return static_cast<double>(to.ns - from.ns) / 1e9;
}

}  // namespace sipflow

/// Formats as epoch seconds with microsecond precision: "1700000000.123456".
template <>
struct fmt::formatter<sipflow::Timestamp> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class Ctx>
  auto format(const sipflow::Timestamp& t, Ctx& ctx) const {
    // Truncates to microseconds toward zero; the sign is printed on its own
    // so -0.5 s reads "-0.500000" (and the most negative value cannot overflow).
    std::uint64_t mag =
        t.ns < 0 ? 0 - static_cast<std::uint64_t>(t.ns) : static_cast<std::uint64_t>(t.ns);
    std::uint64_t us = mag / 1000;
    return fmt::format_to(ctx.out(), "{}{}.{:06}", t.ns < 0 ? "-" : "", us / 1'000'000,
                          us % 1'000'000);
  }
};
