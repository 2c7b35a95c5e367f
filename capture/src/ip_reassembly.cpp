#include "sipflow/capture/ip_reassembly.hpp"

#include <algorithm>
#include <cstring>

namespace sipflow::capture {
namespace {
// An IP datagram cannot exceed 65535 bytes (IPv6 jumbograms are not fragmented).
constexpr std::uint32_t kMaxDatagram = 65535;
constexpr std::int64_t kSweepEveryNs = 1'000'000'000;
}  // namespace

std::size_t FragmentKeyHash::operator()(const FragmentKey& k) const noexcept {
  std::hash<IpAddress> h;
  return hash_mix(hash_mix(hash_mix(h(k.src), h(k.dst)), k.id), k.protocol);
}

void IpReassembler::drop(std::unordered_map<FragmentKey, Pending, FragmentKeyHash>::iterator it) {
  pending_bytes_ -= it->second.data.capacity();
  pending_.erase(it);
}

void IpReassembler::evict_oldest(std::uint64_t frame) {
  auto oldest = std::min_element(pending_.begin(), pending_.end(), [](auto& a, auto& b) {
    return a.second.first_seen < b.second.first_seen;
  });
  if (oldest == pending_.end()) return;
  diag_.limit("fragment_limit", frame);
  drop(oldest);
}

std::optional<Reassembled> IpReassembler::add(const FragmentKey& key, std::uint32_t offset,
                                              bool more, std::uint8_t protocol,
                                              std::span<const std::uint8_t> data, Timestamp ts,
                                              std::uint64_t frame) {
  if (ts.ns - last_sweep_.ns > kSweepEveryNs || ts < last_sweep_) expire(ts, frame);

  auto end64 = std::uint64_t{offset} + data.size();
  if (end64 > kMaxDatagram || (more && data.size() % 8 != 0)) {
    diag_.skipped("bad_fragment", frame);
    return std::nullopt;
  }
  auto end = static_cast<std::uint32_t>(end64);

  auto [it, inserted] = pending_.try_emplace(key);
  Pending& p = it->second;
  if (inserted) p.first_seen = ts;
  if (++p.fragments > limits_.max_fragments) {
    diag_.limit("fragment_limit", frame);
    drop(it);
    return std::nullopt;
  }
  if (!more) {
    if (p.have_last && p.total != end) diag_.skipped("fragment_overlap", frame);
    if (!p.have_last) {
      p.have_last = true;
      p.total = end;
    }
  }
  if (offset == 0) p.protocol = protocol;

  if (end > p.data.size()) {
    std::size_t before = p.data.capacity();
    p.data.resize(end);
    pending_bytes_ += p.data.capacity() - before;
  }
  // Copy only into the holes: the bytes that arrived first win.
  std::uint32_t cur = offset;
  bool overlap = false;
  for (auto [b, e] : p.covered) {
    if (e <= cur) continue;
    if (b >= end) break;
    if (b > cur) std::memcpy(p.data.data() + cur, data.data() + (cur - offset), b - cur);
    overlap = true;
    cur = std::max(cur, e);
    if (cur >= end) break;
  }
  if (cur < end) std::memcpy(p.data.data() + cur, data.data() + (cur - offset), end - cur);
  if (overlap) diag_.skipped("fragment_overlap", frame);

  // Merge [offset, end) into the sorted coverage list.
  auto& cv = p.covered;
  cv.emplace_back(offset, end);
  std::sort(cv.begin(), cv.end());
  std::size_t w = 0;
  for (std::size_t r = 1; r < cv.size(); ++r) {
    if (cv[r].first <= cv[w].second) {
      cv[w].second = std::max(cv[w].second, cv[r].second);
    } else {
      cv[++w] = cv[r];
    }
  }
  cv.resize(w + 1);

  while (pending_bytes_ > limits_.max_pending_bytes && pending_.size() > 1) {
    evict_oldest(frame);
    it = pending_.find(key);
    if (it == pending_.end()) return std::nullopt;
  }

  Pending& q = it->second;
  if (q.have_last && q.covered.size() == 1 && q.covered[0].first == 0 &&
      q.covered[0].second >= q.total) {
    done_.assign(q.data.begin(), q.data.begin() + q.total);
    std::uint8_t proto = q.protocol;
    drop(it);
    return Reassembled{proto, done_};
  }
  return std::nullopt;
}

void IpReassembler::expire(Timestamp now, std::uint64_t frame) {
  last_sweep_ = now;
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto next = std::next(it);
    if (now.ns - it->second.first_seen.ns > limits_.timeout_ns) {
      diag_.skipped("fragment_timeout", frame);
      drop(it);
    }
    it = next;
  }
}

void IpReassembler::drop_all(std::uint64_t frame) {
  while (!pending_.empty()) {
    diag_.skipped("fragment_incomplete", frame);
    drop(pending_.begin());
  }
}

}  // namespace sipflow::capture
