#include "sipflow/capture/tcp_reassembly.hpp"

#include <algorithm>
#include <cstring>

namespace sipflow::capture {
namespace {

// An ACK more than this far ahead of what we have seen is not a sign of lost
// segments but of a confused capture (or a different connection).
constexpr std::int64_t kMaxAckAhead = std::int64_t{1} << 30;

}  // namespace

void TcpStream::start(std::uint32_t seq) noexcept {
  base_ = seq;
  next_ = 0;
  acked_ = 0;
  fin_off_ = 0;
  fin_known_ = false;
  started_ = true;
}

std::int64_t TcpStream::offset_of(std::uint32_t seq) const noexcept {
  // Serial-number arithmetic (RFC 1982): the signed 32-bit distance from the
  // next expected sequence number, so wraparound needs no special case.
  auto expected = static_cast<std::uint32_t>(base_ + static_cast<std::uint32_t>(next_));
  return static_cast<std::int64_t>(next_) + static_cast<std::int32_t>(seq - expected);
}

void TcpStream::add(const Segment& s, const TcpStreamContext& ctx) {
  if (!started_) start(s.seq);
  std::int64_t off = offset_of(s.seq);
  std::uint64_t wire = s.data.size() + std::uint64_t{s.missing};
  if (wire == 0) return;
  auto next = static_cast<std::int64_t>(next_);
  std::int64_t end = off + static_cast<std::int64_t>(wire);
  if (end <= next) {
    // Everything was seen already. A keep-alive probe re-sends the last byte
    // (or nothing) at next-1 (RFC 9293 §3.8.4).
    ctx.diag.info(end == next && wire <= 1 ? "tcp_keepalive" : "tcp_retransmission", s.frame);
    return;
  }
  std::span<const std::uint8_t> data = s.data;
  std::uint32_t missing = s.missing;
  if (off < next) {  // partly seen: the bytes delivered first win
    ctx.diag.info("tcp_overlap", s.frame);
    auto skip = static_cast<std::uint64_t>(next - off);
    if (skip >= data.size()) {
      missing -= static_cast<std::uint32_t>(skip - data.size());
      data = {};
    } else {
      data = data.subspan(skip);
    }
    off = next;
  }
  auto uoff = static_cast<std::uint64_t>(off);
  std::uint64_t uend = uoff + data.size() + missing;
  if (uoff == next_ && (held_.empty() || held_.front().off >= uend)) {
    // Fast path: in order and not overlapping anything held. No copy.
    if (!data.empty()) ctx.sink.on_stream_bytes(data, s.frame, s.ts);
    next_ += data.size();
    if (missing > 0) {
      ctx.diag.skipped("truncated_tcp_segment", s.frame);
      ctx.sink.on_stream_gap(s.frame, s.ts);
      next_ += missing;
    }
    if (!held_.empty()) deliver_held(s.frame, s.ts, false, ctx);
  } else {
    hold(uoff, data, missing, s.frame, s.ts, ctx);
    deliver_held(s.frame, s.ts, false, ctx);
    resolve_acked(s.frame, s.ts, ctx);
  }
  if (!held_.empty()) expire(s.ts, s.frame, ctx);
}

void TcpStream::hold(std::uint64_t off, std::span<const std::uint8_t> data, std::uint32_t lost,
                     std::uint64_t frame, Timestamp ts, const TcpStreamContext& ctx) {
  // Out-of-order data waits within the limits; beyond them the stream skips
  // to the next data it has, with a gap (the hole is given up).
  while (off > next_) {
    bool over_direction = held_bytes_ + data.size() > ctx.limits.max_held_per_direction;
    bool over_total = ctx.budget.held + data.size() > ctx.limits.max_held_total;
    if (!over_direction && !over_total) break;
    ctx.diag.limit("tcp_reassembly_limit", frame);
    skip_to(held_.empty() ? off : std::min(off, held_.front().off), frame, ts, ctx);
  }
  if (off < next_) {
    std::uint64_t skip = next_ - off;
    if (skip >= data.size() + lost) return;
    if (skip >= data.size()) {
      lost -= static_cast<std::uint32_t>(skip - data.size());
      data = {};
    } else {
      data = data.subspan(skip);
    }
    off = next_;
  }

  // Insert the parts of [off, end) that no held segment covers: the bytes
  // that arrived first win (as for IP fragments), and conflicts are counted.
  std::uint64_t cur = off;
  const std::uint64_t end = off + data.size();
  auto piece = [&](std::size_t at, std::uint64_t from, std::uint64_t to, std::uint32_t tail) {
    Held h;
    h.off = from;
    if (to > from) {
      auto bytes = data.subspan(from - off, to - from);
      h.bytes.assign(bytes.begin(), bytes.end());
    }
    h.lost = tail;
    h.frame = frame;
    h.ts = ts;
    held_bytes_ += h.bytes.size();
    ctx.budget.held += h.bytes.size();
    held_.insert(held_.begin() + static_cast<std::ptrdiff_t>(at), std::move(h));
  };
  std::size_t i = 0;
  while (i < held_.size() && held_[i].end() <= cur)
    ++i;
  bool overlap = false;
  for (; i < held_.size() && cur < end; ++i) {
    const Held& h = held_[i];
    if (h.off >= end) break;
    if (h.off > cur) {
      piece(i, cur, h.off, 0);
      ++i;
    }
    const Held& g = held_[i];
    std::uint64_t from = std::max(cur, g.off);
    std::uint64_t to = std::min(end, g.off + g.bytes.size());
    if (to > from &&
        std::memcmp(g.bytes.data() + (from - g.off), data.data() + (from - off), to - from) != 0) {
      ctx.diag.warning("tcp_overlap_conflict", frame);
    }
    overlap = true;
    cur = std::max(cur, g.end());
  }
  if (overlap) ctx.diag.info("tcp_overlap", frame);
  // The snaplen-cut tail may not run into the next held segment.
  std::uint64_t limit = i < held_.size() ? held_[i].off : UINT64_MAX;
  std::uint64_t tail_end = std::min(end + lost, limit);
  if (cur < end) {
    piece(i, cur, end, static_cast<std::uint32_t>(tail_end - end));
  } else if (tail_end > cur) {
    piece(i, cur, cur, static_cast<std::uint32_t>(tail_end - cur));
  }
}

void TcpStream::deliver_held(std::uint64_t frame, Timestamp ts, bool own_frames,
                             const TcpStreamContext& ctx) {
  while (!held_.empty() && held_.front().off <= next_) {
    Held& h = held_.front();
    std::uint64_t bytes_end = h.off + h.bytes.size();
    if (bytes_end > next_) {
      auto part = std::span<const std::uint8_t>(h.bytes).subspan(next_ - h.off);
      ctx.sink.on_stream_bytes(part, own_frames ? h.frame : frame, own_frames ? h.ts : ts);
      next_ = bytes_end;
    }
    if (h.lost > 0 && h.end() > next_) {
      ctx.diag.skipped("truncated_tcp_segment", h.frame);
      ctx.sink.on_stream_gap(frame, ts);
      next_ = h.end();
    }
    held_bytes_ -= h.bytes.size();
    ctx.budget.held -= h.bytes.size();
    held_.erase(held_.begin());
  }
}

void TcpStream::skip_to(std::uint64_t off, std::uint64_t frame, Timestamp ts,
                        const TcpStreamContext& ctx) {
  if (off > next_) {
    ctx.diag.skipped("tcp_gap", frame);
    ctx.sink.on_stream_gap(frame, ts);
    next_ = off;
  }
  // After a gap nothing "completes" the held data: each part keeps the frame
  // it arrived in, as a dissector without reassembly would show it.
  deliver_held(frame, ts, true, ctx);
}

void TcpStream::resolve_acked(std::uint64_t frame, Timestamp ts, const TcpStreamContext& ctx) {
  while (!held_.empty() && acked_ > next_)
    skip_to(std::min(acked_, held_.front().off), frame, ts, ctx);
}

void TcpStream::ack(std::uint32_t ack, std::uint64_t frame, Timestamp ts,
                    const TcpStreamContext& ctx) {
  if (!started_) return;
  std::int64_t a = offset_of(ack);
  auto next = static_cast<std::int64_t>(next_);
  if (a <= next || a - next > kMaxAckAhead) return;
  acked_ = std::max(acked_, static_cast<std::uint64_t>(a));
  resolve_acked(frame, ts, ctx);
}

void TcpStream::fin(std::uint32_t seq) noexcept {
  if (!started_) start(seq);
  std::int64_t off = offset_of(seq);
  fin_off_ = off < 0 ? 0 : static_cast<std::uint64_t>(off);
  fin_known_ = true;
}

void TcpStream::expire(Timestamp now, std::uint64_t frame, const TcpStreamContext& ctx) {
  while (!held_.empty() && now.ns - held_.front().ts.ns > ctx.limits.hold_timeout_ns)
    skip_to(held_.front().off, frame, now, ctx);
}

void TcpStream::flush(std::uint64_t frame, Timestamp ts, const TcpStreamContext& ctx) {
  while (!held_.empty())
    skip_to(held_.front().off, frame, ts, ctx);
}

void TcpStream::reset(TcpBudget& budget) noexcept {
  budget.held -= held_bytes_;
  held_bytes_ = 0;
  held_.clear();
}

}  // namespace sipflow::capture
