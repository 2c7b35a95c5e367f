#pragma once
// SIP over SCTP (RFC 4168): each user message of a DATA chunk (RFC 4960
// §3.3.1) is one SIP message.
//
//   common header: src port (16) | dst port (16) | verification tag (32) | CRC32c (32)
//   chunk:         type (8) | flags (8) | length (16) | value, padded to 4 bytes
//   DATA value:    TSN (32) | stream id (16) | stream seq (16) | PPID (32) | user data
//   DATA flags:    U (unordered) 0x4, B (beginning) 0x2, E (end) 0x1
//
// A message split over several DATA chunks has consecutive TSNs from the B
// chunk to the E chunk (a sender never interleaves fragments of different
// messages, §6.9), so fragments are joined by TSN, in any arrival order.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/payload.hpp"
#include "sipflow/capture/timestamp.hpp"

namespace sipflow::capture {

namespace detail {
template <class Key, class Value, class Hash>
class FlatMap;
}

struct SctpLimits {
  std::size_t max_message = 1u << 20;              ///< bytes of one reassembled user message
  std::size_t max_pending_total = 16u << 20;       ///< fragment bytes held by all associations
  std::int64_t idle_timeout_ns = 300'000'000'000;  ///< capture time before a direction's state goes
  std::size_t max_directions = 1u << 16;           ///< association directions tracked at once
};

/// Reassembles SCTP user messages, per direction of each association.
/// Delivers those with payload protocol id 0 (unspecified) or 39 (SIP) as
/// Datagrams with Transport::Sctp; a message in one chunk goes out as a view
/// of the input. Duplicate TSNs (retransmissions) are dropped. Counts
/// `sctp_duplicate_tsn`, `sctp_non_sip_ppid`, `sctp_idata_unsupported`,
/// `sctp_reassembly_limit`, `sctp_incomplete_message`, `bad_sctp_chunk`,
/// `truncated_sctp_chunk`.
class SctpReassembler {
 public:
  SctpReassembler(SctpLimits limits, Diagnostics& diag);
  ~SctpReassembler();
  SctpReassembler(const SctpReassembler&) = delete;
  SctpReassembler& operator=(const SctpReassembler&) = delete;

  /// One SCTP packet (common header and chunks, borrowed) from `src` to
  /// `dst`. `truncated`: the capture cut the packet short.
  void packet(const IpAddress& src, const IpAddress& dst, std::span<const std::uint8_t> sctp,
              std::uint64_t frame, Timestamp ts, bool truncated, PayloadSink& sink);
  /// Drops the state of directions idle for longer than the timeout.
  void expire(Timestamp now, std::uint64_t frame);
  /// End of input: counts incomplete messages and drops all state.
  void finish(std::uint64_t frame);

  std::size_t pending_bytes() const noexcept { return pending_bytes_; }

 private:
  struct Key {
    Endpoint src;
    Endpoint dst;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Fragment {
    std::uint32_t tsn = 0;
    std::uint16_t stream = 0;
    std::uint8_t flags = 0;
    std::vector<std::uint8_t> data;
  };
  struct Direction {
    Key key;
    std::vector<Fragment> fragments;  // sorted by TSN (serial-number order)
    std::size_t bytes = 0;
    std::array<std::uint64_t, 16> seen{};  // TSNs max_tsn-1023 .. max_tsn
    std::uint32_t max_tsn = 0;
    bool any_tsn = false;
    bool live = false;
    Timestamp last;
  };
  struct Data {
    std::uint32_t tsn;
    std::uint16_t stream;
    std::uint8_t flags;
    std::span<const std::uint8_t> bytes;
  };

  Direction& direction(const Key& key, Timestamp ts, std::uint64_t frame);
  void forget(const Key& key, std::uint64_t frame);
  bool duplicate(Direction& d, std::uint32_t tsn) noexcept;
  void data_chunk(Direction& d, const Data& c, std::uint64_t frame, Timestamp ts,
                  PayloadSink& sink);
  void drop_fragments(Direction& d) noexcept;

  SctpLimits limits_;
  Diagnostics& diag_;
  std::vector<Direction> directions_;
  std::vector<std::uint32_t> free_;
  std::unique_ptr<detail::FlatMap<Key, std::uint32_t, KeyHash>> index_;
  std::vector<std::uint8_t> message_;  // reused for joined fragments
  std::size_t pending_bytes_ = 0;
  Timestamp next_sweep_;
};

}  // namespace sipflow::capture
