#include "sipflow/capture/sctp.hpp"

#include <algorithm>

#include "flat_map.hpp"
#include "sipflow/capture/byte_reader.hpp"

namespace sipflow::capture {
namespace {

enum ChunkType : std::uint8_t {
  kData = 0,
  kInit = 1,
  kInitAck = 2,
  kAbort = 6,
  kShutdownComplete = 14,
  kIData = 64,  // RFC 8260
};
constexpr std::uint8_t kFlagEnd = 0x1;
constexpr std::uint8_t kFlagBegin = 0x2;
constexpr std::uint32_t kPpidUnspecified = 0;
constexpr std::uint32_t kPpidSip = 39;
constexpr std::uint32_t kWindow = 1024;  // TSNs remembered for duplicate detection
constexpr std::int64_t kSweepEveryNs = 10'000'000'000;

// Serial-number order of TSNs (RFC 1982): a before b.
bool tsn_before(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) < 0;
}

}  // namespace

std::size_t SctpReassembler::KeyHash::operator()(const Key& k) const noexcept {
  std::hash<Endpoint> h;
  return hash_mix(h(k.src), h(k.dst));
}

SctpReassembler::SctpReassembler(SctpLimits limits, Diagnostics& diag)
    : limits_(limits),
      diag_(diag),
      index_(std::make_unique<detail::FlatMap<Key, std::uint32_t, KeyHash>>()) {}

SctpReassembler::~SctpReassembler() = default;

SctpReassembler::Direction& SctpReassembler::direction(const Key& key, Timestamp ts,
                                                       std::uint64_t frame) {
  if (std::uint32_t* at = index_->find(key)) return directions_[*at];
  if (index_->size() >= limits_.max_directions) {
    // Keep going with the oldest direction's slot: its state is the least useful.
    auto oldest = std::min_element(directions_.begin(), directions_.end(),
                                   [](const Direction& a, const Direction& b) {
                                     return a.live != b.live ? a.live : a.last < b.last;
                                   });
    diag_.limit("sctp_association_limit", frame);
    forget(oldest->key, frame);
  }
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(directions_.size());
    directions_.emplace_back();
  }
  Direction& d = directions_[slot];
  d = Direction{};
  d.key = key;
  d.live = true;
  d.last = ts;
  index_->insert(key, slot);
  return d;
}

void SctpReassembler::forget(const Key& key, std::uint64_t frame) {
  std::uint32_t* at = index_->find(key);
  if (at == nullptr) return;
  std::uint32_t slot = *at;
  Direction& d = directions_[slot];
  if (!d.fragments.empty()) diag_.skipped("sctp_incomplete_message", frame);
  drop_fragments(d);
  d.live = false;
  index_->erase(key);
  free_.push_back(slot);
}

void SctpReassembler::drop_fragments(Direction& d) noexcept {
  pending_bytes_ -= d.bytes;
  d.bytes = 0;
  d.fragments.clear();
}

bool SctpReassembler::duplicate(Direction& d, std::uint32_t tsn) noexcept {
  auto bit = [&](std::uint32_t t) -> std::uint64_t& { return d.seen[(t % kWindow) / 64]; };
  auto mask = [](std::uint32_t t) { return std::uint64_t{1} << (t % 64); };
  if (!d.any_tsn) {
    d.any_tsn = true;
    d.max_tsn = tsn;
    bit(tsn) |= mask(tsn);
    return false;
  }
  auto ahead = static_cast<std::int32_t>(tsn - d.max_tsn);
  if (ahead > 0) {  // slide the window, forgetting what falls out of it
    if (static_cast<std::uint32_t>(ahead) >= kWindow) {
      d.seen.fill(0);
    } else {
      for (std::uint32_t t = d.max_tsn + 1; t != tsn + 1; ++t)
        bit(t) &= ~mask(t);
    }
    d.max_tsn = tsn;
    bit(tsn) |= mask(tsn);
    return false;
  }
  // Serial arithmetic (RFC 1982) in unsigned: a TSN exactly 2^31 away makes
  // `ahead` INT32_MIN, which has no negation.
  std::uint32_t behind = d.max_tsn - tsn;
  if (behind >= kWindow) return false;  // too old to tell
  if (bit(tsn) & mask(tsn)) return true;
  bit(tsn) |= mask(tsn);
  return false;
}

void SctpReassembler::packet(const IpAddress& src, const IpAddress& dst,
                             std::span<const std::uint8_t> sctp, std::uint64_t frame, Timestamp ts,
                             bool truncated, PayloadSink& sink) {
  if (ts.ns - next_sweep_.ns >= 0) {
    expire(ts, frame);
    next_sweep_.ns = ts.ns + kSweepEveryNs;
  }
  ByteReader r(sctp);
  std::uint16_t sport = r.be16();
  std::uint16_t dport = r.be16();
  r.skip(8);  // verification tag, CRC32c (not verified: offloading)
  if (!r.ok()) {
    diag_.skipped("truncated_frame", frame);
    return;
  }
  Key key{Endpoint{src, sport}, Endpoint{dst, dport}};
  while (r.remaining() >= 4) {
    std::uint8_t type = r.u8();
    std::uint8_t flags = r.u8();
    std::uint16_t len = r.be16();
    if (len < 4) {
      diag_.skipped("bad_sctp_chunk", frame);
      return;
    }
    ByteReader value(r.take(len - 4u));
    if (!r.ok()) {
      diag_.skipped(truncated ? "truncated_sctp_chunk" : "bad_sctp_chunk", frame);
      return;
    }
    r.skip((4u - len % 4u) % 4u);  // padding; the last chunk may omit it
    switch (type) {
      case kData: {
        Data c{};
        c.tsn = value.be32();
        c.stream = value.be16();
        value.skip(2);  // stream sequence number
        std::uint32_t ppid = value.be32();
        c.flags = flags;
        c.bytes = value.rest();
        if (!value.ok() || c.bytes.empty()) {  // §3.3.1: DATA needs user data
          diag_.skipped("bad_sctp_chunk", frame);
          break;
        }
        if (ppid != kPpidUnspecified && ppid != kPpidSip) {
          diag_.info("sctp_non_sip_ppid", frame);
          break;
        }
        data_chunk(direction(key, ts, frame), c, frame, ts, sink);
        break;
      }
      case kIData:
        diag_.skipped("sctp_idata_unsupported", frame);
        break;
      case kInit:
      case kInitAck:
      case kAbort:
      case kShutdownComplete:
        // A new association (TSNs start over) or the end of one.
        forget(key, frame);
        forget(Key{key.dst, key.src}, frame);
        break;
      default:
        break;
    }
  }
}

void SctpReassembler::data_chunk(Direction& d, const Data& c, std::uint64_t frame, Timestamp ts,
                                 PayloadSink& sink) {
  d.last = ts;
  if (duplicate(d, c.tsn)) {
    diag_.info("sctp_duplicate_tsn", frame);
    return;
  }
  Payload p;
  p.frame = frame;
  p.ts = ts;
  p.src = d.key.src;
  p.dst = d.key.dst;
  p.transport = Transport::Sctp;
  p.kind = PayloadKind::Datagram;
  if ((c.flags & (kFlagBegin | kFlagEnd)) == (kFlagBegin | kFlagEnd)) {
    p.bytes = c.bytes;  // a whole message: no copy
    sink.on_payload(p);
    return;
  }

  if (d.bytes + c.bytes.size() > limits_.max_message ||
      pending_bytes_ + c.bytes.size() > limits_.max_pending_total) {
    diag_.limit("sctp_reassembly_limit", frame);
    drop_fragments(d);
    if (c.bytes.size() > limits_.max_message) return;
  }
  auto pos =
      std::lower_bound(d.fragments.begin(), d.fragments.end(), c.tsn,
                       [](const Fragment& f, std::uint32_t t) { return tsn_before(f.tsn, t); });
  auto at = pos - d.fragments.begin();
  Fragment f;
  f.tsn = c.tsn;
  f.stream = c.stream;
  f.flags = c.flags;
  f.data.assign(c.bytes.begin(), c.bytes.end());
  d.bytes += f.data.size();
  pending_bytes_ += f.data.size();
  d.fragments.insert(pos, std::move(f));

  // Walk to the B chunk and the E chunk through consecutive TSNs of the
  // same stream; the message is complete when both are there.
  auto& fr = d.fragments;
  auto linked = [&](std::ptrdiff_t i, std::ptrdiff_t j) {
    return fr[static_cast<std::size_t>(j)].tsn == fr[static_cast<std::size_t>(i)].tsn + 1 &&
           fr[static_cast<std::size_t>(j)].stream == fr[static_cast<std::size_t>(i)].stream;
  };
  std::ptrdiff_t lo = at;
  while (!(fr[static_cast<std::size_t>(lo)].flags & kFlagBegin)) {
    if (lo == 0 || !linked(lo - 1, lo)) return;
    --lo;
  }
  std::ptrdiff_t hi = at;
  auto last = static_cast<std::ptrdiff_t>(fr.size()) - 1;
  while (!(fr[static_cast<std::size_t>(hi)].flags & kFlagEnd)) {
    if (hi == last || !linked(hi, hi + 1)) return;
    ++hi;
  }
  message_.clear();
  std::size_t joined = 0;
  for (std::ptrdiff_t i = lo; i <= hi; ++i) {
    const auto& part = fr[static_cast<std::size_t>(i)].data;
    message_.insert(message_.end(), part.begin(), part.end());
    joined += part.size();
  }
  d.bytes -= joined;
  pending_bytes_ -= joined;
  fr.erase(fr.begin() + lo, fr.begin() + hi + 1);
  p.bytes = message_;
  sink.on_payload(p);
}

void SctpReassembler::expire(Timestamp now, std::uint64_t frame) {
  std::vector<Key> idle;
  index_->for_each([&](const Key& k, std::uint32_t slot) {
    if (now.ns - directions_[slot].last.ns > limits_.idle_timeout_ns) idle.push_back(k);
  });
  for (const Key& k : idle)
    forget(k, frame);
}

void SctpReassembler::finish(std::uint64_t frame) {
  std::vector<Key> all;
  index_->for_each([&](const Key& k, std::uint32_t) { all.push_back(k); });
  for (const Key& k : all)
    forget(k, frame);
}

}  // namespace sipflow::capture
