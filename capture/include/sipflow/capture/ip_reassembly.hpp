#pragma once
// IPv4 and IPv6 fragment reassembly with bounded memory.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/timestamp.hpp"

namespace sipflow::capture {

struct FragmentLimits {
  std::size_t max_pending_bytes = 64u << 20;  ///< all incomplete datagrams together
  std::uint32_t max_fragments = 256;          ///< per datagram
  std::int64_t timeout_ns =
      30'000'000'000;  ///< capture time before an incomplete datagram is dropped
};

/// Identifies the fragments of one datagram (RFC 791 §3.2, RFC 8200 §4.5).
struct FragmentKey {
  IpAddress src;
  IpAddress dst;
  std::uint32_t id = 0;
  std::uint8_t protocol = 0;  ///< IPv4 protocol; 0 for IPv6 (not part of its key)

  friend bool operator==(const FragmentKey&, const FragmentKey&) = default;
};

struct FragmentKeyHash {
  std::size_t operator()(const FragmentKey& k) const noexcept;
};

/// A datagram put back together. `payload` is borrowed from the reassembler
/// and valid until its next add().
struct Reassembled {
  std::uint8_t protocol =
      0;  ///< next protocol: IPv4 protocol, or IPv6 next header of the first fragment
  std::span<const std::uint8_t> payload;
};

/// Collects fragments until a datagram is complete. Overlapping fragments keep
/// the bytes that arrived first (counted as `fragment_overlap`). Incomplete
/// datagrams older than the timeout are dropped (`fragment_timeout`); when the
/// memory bound or the fragment count is exceeded the oldest datagram is
/// dropped (`fragment_limit`). Every drop is counted in Diagnostics.
class IpReassembler {
 public:
  IpReassembler(FragmentLimits limits, Diagnostics& diag) : limits_(limits), diag_(diag) {}

  /// Adds one fragment: `offset` in bytes, `more` = the MF flag, `protocol` =
  /// the next protocol this fragment announces. Returns the datagram when
  /// this fragment completes it.
  std::optional<Reassembled> add(const FragmentKey& key, std::uint32_t offset, bool more,
                                 std::uint8_t protocol, std::span<const std::uint8_t> data,
                                 Timestamp ts, std::uint64_t frame);

  /// Drops datagrams whose first fragment is older than the timeout at `now`.
  void expire(Timestamp now, std::uint64_t frame);
  /// Drops everything still incomplete (end of input), counting it.
  void drop_all(std::uint64_t frame);

  std::size_t pending_datagrams() const noexcept { return pending_.size(); }
  std::size_t pending_bytes() const noexcept { return pending_bytes_; }

 private:
  struct Pending {
    std::vector<std::uint8_t> data;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> covered;  // sorted, merged [begin, end)
    std::uint32_t total = 0;  // known once the last fragment arrived
    bool have_last = false;
    std::uint8_t protocol = 0;
    std::uint32_t fragments = 0;
    Timestamp first_seen;
  };
  void drop(std::unordered_map<FragmentKey, Pending, FragmentKeyHash>::iterator it);
  void evict_oldest(std::uint64_t frame);

  FragmentLimits limits_;
  Diagnostics& diag_;
  std::unordered_map<FragmentKey, Pending, FragmentKeyHash> pending_;
  std::size_t pending_bytes_ = 0;
  std::vector<std::uint8_t> done_;
  Timestamp last_sweep_;
};

}  // namespace sipflow::capture
