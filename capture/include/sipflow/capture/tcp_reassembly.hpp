#pragma once
// TcpStream: one direction of a TCP connection put back in order.
//
// Sequence numbers are mapped to 64-bit stream offsets relative to the first
// byte (after the SYN, or the first segment seen when the capture started
// mid-connection), so wraparound at 2^32 needs no special case:
//
//   offset(seq) = next + (int32)(seq - seq(next))
//
//   delivered ─────────┐ next      held out of order (bounded)
//   [=================]|   [....]     [......]
//                       ^ hole: filled by a later segment, or declared lost
//                         (StreamGap) when the peer ACKed past it, when the
//                         hold timeout or a limit is hit, or at the end.
//
// In-order segments with nothing held go straight to the sink as views into
// the caller's buffer: no copy, no allocation.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/timestamp.hpp"

namespace sipflow::capture {

/// Bounds of TCP reassembly (and of the connection table).
struct TcpLimits {
  std::size_t max_held_per_direction = 1u << 20;   ///< out-of-order bytes held per direction
  std::size_t max_held_total = 64u << 20;          ///< out-of-order bytes held by all connections
  std::int64_t hold_timeout_ns = 10'000'000'000;   ///< capture time a hole may block held data
  std::int64_t idle_timeout_ns = 300'000'000'000;  ///< capture time without a segment: StreamEnd
  std::size_t max_connections = 1u << 20;          ///< tracked at once; more are counted, ignored
};

/// Receives what a TcpStream makes available, synchronously.
class TcpStreamSink {
 public:
  virtual ~TcpStreamSink() = default;
  /// The next in-order bytes (borrowed for the call), made available by `frame`.
  virtual void on_stream_bytes(std::span<const std::uint8_t> bytes, std::uint64_t frame,
                               Timestamp ts) = 0;
  /// Bytes before the next on_stream_bytes() were lost.
  virtual void on_stream_gap(std::uint64_t frame, Timestamp ts) = 0;
};

/// Bytes held out of order by all streams together (shared budget).
struct TcpBudget {
  std::size_t held = 0;
};

/// What every TcpStream call needs from its owner; all references must stay
/// valid for the duration of the call only.
struct TcpStreamContext {
  const TcpLimits& limits;
  TcpBudget& budget;
  Diagnostics& diag;
  TcpStreamSink& sink;
};

/// One direction's reassembly state. Counts `tcp_gap`, `tcp_retransmission`,
/// `tcp_keepalive`, `tcp_overlap`, `tcp_overlap_conflict`,
/// `tcp_reassembly_limit` and `truncated_tcp_segment` in the context's
/// Diagnostics. Call reset() before discarding a stream that holds data, so
/// the shared budget is given back.
class TcpStream {
 public:
  struct Segment {
    std::uint32_t seq = 0;               ///< sequence number of data[0]
    std::span<const std::uint8_t> data;  ///< captured payload (borrowed)
    std::uint32_t missing = 0;           ///< payload bytes after `data` cut off by the snaplen
    std::uint64_t frame = 0;
    Timestamp ts;
  };

  /// Sets the sequence number of stream offset 0 (ISN + 1, or the first
  /// segment of a connection already open when the capture started).
  void start(std::uint32_t seq) noexcept;
  bool started() const noexcept { return started_; }
  /// Sequence number of offset 0.
  std::uint32_t base() const noexcept { return base_; }
  /// Offset of the next byte expected (everything before was delivered or lost).
  std::uint64_t next_offset() const noexcept { return next_; }
  std::size_t held_bytes() const noexcept { return held_bytes_; }

  /// Adds a data segment and delivers whatever became contiguous.
  void add(const Segment& s, const TcpStreamContext& ctx);
  /// The peer acknowledged everything before `ack`: holes below it were lost
  /// by the capture (the receiver got them), so held data behind them is
  /// delivered after a gap.
  void ack(std::uint32_t ack, std::uint64_t frame, Timestamp ts, const TcpStreamContext& ctx);
  /// Records the FIN: the stream ends at `seq` (the FIN's own sequence number).
  void fin(std::uint32_t seq) noexcept;
  /// True once every byte up to the FIN was delivered or skipped.
  bool finished() const noexcept { return fin_known_ && next_ >= fin_off_; }
  /// Declares holes older than the hold timeout lost.
  void expire(Timestamp now, std::uint64_t frame, const TcpStreamContext& ctx);
  /// Delivers everything held, with a gap before each hole (end of stream).
  void flush(std::uint64_t frame, Timestamp ts, const TcpStreamContext& ctx);
  /// Drops held data without delivering it and gives back its budget.
  void reset(TcpBudget& budget) noexcept;

 private:
  struct Held {
    std::uint64_t off = 0;
    std::vector<std::uint8_t> bytes;
    std::uint32_t lost = 0;  // bytes after `bytes` that the capture cut off
    std::uint64_t frame = 0;
    Timestamp ts;
    std::uint64_t end() const noexcept { return off + bytes.size() + lost; }
  };
  std::int64_t offset_of(std::uint32_t seq) const noexcept;
  void hold(std::uint64_t off, std::span<const std::uint8_t> data, std::uint32_t lost,
            std::uint64_t frame, Timestamp ts, const TcpStreamContext& ctx);
  void deliver_held(std::uint64_t frame, Timestamp ts, bool own_frames,
                    const TcpStreamContext& ctx);
  void skip_to(std::uint64_t off, std::uint64_t frame, Timestamp ts, const TcpStreamContext& ctx);
  void resolve_acked(std::uint64_t frame, Timestamp ts, const TcpStreamContext& ctx);

  std::vector<Held> held_;  // sorted by offset, never overlapping
  std::size_t held_bytes_ = 0;
  std::uint64_t next_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t fin_off_ = 0;
  std::uint32_t base_ = 0;
  bool started_ = false;
  bool fin_known_ = false;
};

}  // namespace sipflow::capture
