#pragma once
// Cutting real captures for end-to-end tests: read a capture's records with
// sipflow's own reader, reorder / drop / duplicate them, and write a classic
// pcap (nanosecond timestamps, so nothing is rounded) into a temp dir.
// Also a minimal look at each record's TCP header, so tests can pick the
// segments to move without hard-coding frame numbers of a sample.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "sipflow/capture/byte_reader.hpp"
#include "sipflow/capture/file_source.hpp"

namespace sipflow::test {

struct Record {
  std::uint64_t number = 0;  ///< frame number in the original capture
  std::int64_t ts_ns = 0;
  std::uint32_t linktype = 0;
  std::uint32_t wire_len = 0;
  std::vector<std::uint8_t> data;
};

inline std::vector<Record> read_records(const std::string& path) {
  Diagnostics diag;
  auto src = capture::open_capture_file(path, diag);
  std::vector<Record> out;
  capture::Frame f;
  while (src->next(f) == capture::ReadStatus::Frame) {
    out.push_back({f.number, f.ts.ns, f.linktype, f.wire_len, {f.data.begin(), f.data.end()}});
  }
  return out;
}

/// Writes `records` as a little-endian nanosecond pcap with the link type of
/// the first record (all must share it).
inline void write_pcap(const std::filesystem::path& path, const std::vector<Record>& records) {
  std::ofstream out(path, std::ios::binary);
  auto le32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out.put(static_cast<char>(v >> (8 * i)));
  };
  auto le16 = [&](std::uint16_t v) {
    out.put(static_cast<char>(v));
    out.put(static_cast<char>(v >> 8));
  };
  le32(0xa1b23c4d);  // nanosecond pcap
  le16(2);
  le16(4);
  le32(0);
  le32(0);
  le32(262144);
  le32(records.empty() ? 1 : records[0].linktype);
  for (const auto& r : records) {
    le32(static_cast<std::uint32_t>(r.ts_ns / 1'000'000'000));
    le32(static_cast<std::uint32_t>(r.ts_ns % 1'000'000'000));
    le32(static_cast<std::uint32_t>(r.data.size()));
    le32(r.wire_len);
    out.write(reinterpret_cast<const char*>(r.data.data()),
              static_cast<std::streamsize>(r.data.size()));
  }
}

/// What tests need of a TCP segment in an Ethernet (or raw IP) frame.
struct TcpView {
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0;
  std::uint8_t flags = 0;
  std::size_t ip_offset = 0;       ///< in Record::data
  std::size_t tcp_offset = 0;      ///< in Record::data
  std::size_t payload_offset = 0;  ///< in Record::data
  std::size_t payload_len = 0;
};

inline std::optional<TcpView> tcp_view(const Record& rec) {
  std::span<const std::uint8_t> d = rec.data;
  std::size_t off = 0;
  if (rec.linktype == 1) {  // Ethernet
    if (d.size() < 14) return std::nullopt;
    off = 14;
  } else if (rec.linktype == 113) {  // Linux cooked v1
    off = 16;
  } else if (rec.linktype != 101) {
    return std::nullopt;
  }
  if (d.size() <= off) return std::nullopt;
  ByteReader ip(d.subspan(off));
  std::uint8_t v = ip.u8();
  std::size_t l4 = 0, l4_len = 0;
  if ((v >> 4) == 4) {
    ip.skip(1);
    std::uint16_t total = ip.be16();
    ip.skip(5);
    if (ip.u8() != 6) return std::nullopt;
    l4 = off + (v & 0x0Fu) * 4u;
    l4_len = total - (v & 0x0Fu) * 4u;
  } else if ((v >> 4) == 6) {
    ip.skip(3);
    std::uint16_t plen = ip.be16();
    if (ip.u8() != 6) return std::nullopt;  // no extension headers in the samples
    l4 = off + 40;
    l4_len = plen;
  } else {
    return std::nullopt;
  }
  if (!ip.ok() || l4 + 20 > d.size()) return std::nullopt;
  ByteReader t(d.subspan(l4));
  TcpView s;
  s.sport = t.be16();
  s.dport = t.be16();
  s.seq = t.be32();
  s.ip_offset = off;
  s.tcp_offset = l4;
  t.skip(4);
  std::size_t hl = std::size_t{t.u8()} / 16 * 4;
  s.flags = t.u8();
  s.payload_offset = l4 + hl;
  s.payload_len = l4_len >= hl ? l4_len - hl : 0;
  return s;
}

/// The payload of a TCP record as text ("" when it is not TCP).
inline std::string tcp_payload(const Record& rec) {
  auto v = tcp_view(rec);
  if (!v || v->payload_offset + v->payload_len > rec.data.size()) return {};
  return std::string(
      rec.data.begin() + static_cast<std::ptrdiff_t>(v->payload_offset),
      rec.data.begin() + static_cast<std::ptrdiff_t>(v->payload_offset + v->payload_len));
}

namespace detail {

inline void put_be16(std::vector<std::uint8_t>& d, std::size_t at, std::uint32_t v) {
  d[at] = static_cast<std::uint8_t>(v >> 8);
  d[at + 1] = static_cast<std::uint8_t>(v);
}

// RFC 1071: the ones' complement of the ones' complement sum of 16-bit words.
inline std::uint16_t inet_checksum(std::uint32_t sum, const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i + 1 < n; i += 2)
    sum += std::uint32_t{p[i]} << 8 | p[i + 1];
  if (n % 2 != 0) sum += std::uint32_t{p[n - 1]} << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace detail

/// Rewrites the TCP segment of `rec` as an editor of real captures would
/// (the options and the rest of the headers stay): its sequence number, its
/// payload and, when given, its flags. Fixes what depends on them: the IPv4
/// total length and header checksum or the IPv6 payload length, the TCP
/// checksum (RFC 9293 §3.1 pseudo-header), and the record's lengths.
/// Returns false, changing nothing, when `rec` is not a TCP segment.
inline bool set_tcp_segment(Record& rec, std::uint32_t seq, const std::string& payload,
                            std::optional<std::uint8_t> flags = std::nullopt) {
  auto v = tcp_view(rec);
  if (!v || v->payload_offset > rec.data.size()) return false;
  std::vector<std::uint8_t>& d = rec.data;
  d.resize(v->payload_offset);
  d.insert(d.end(), payload.begin(), payload.end());
  std::size_t tcp_len = d.size() - v->tcp_offset;
  bool v4 = (d[v->ip_offset] >> 4) == 4;
  if (v4) {
    std::size_t ihl = v->tcp_offset - v->ip_offset;
    detail::put_be16(d, v->ip_offset + 2, static_cast<std::uint32_t>(ihl + tcp_len));
    detail::put_be16(d, v->ip_offset + 10, 0);
    detail::put_be16(d, v->ip_offset + 10, detail::inet_checksum(0, &d[v->ip_offset], ihl));
  } else {
    detail::put_be16(d, v->ip_offset + 4, static_cast<std::uint32_t>(tcp_len));
  }
  std::size_t t = v->tcp_offset;
  for (int i = 0; i < 4; ++i)
    d[t + 4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
  if (flags) d[t + 13] = *flags;
  // Pseudo-header: source and destination addresses, protocol 6, TCP length.
  std::size_t addr = v4 ? v->ip_offset + 12 : v->ip_offset + 8, addr_len = v4 ? 8 : 32;
  std::uint32_t sum =
      6 + static_cast<std::uint32_t>(tcp_len & 0xffff) + static_cast<std::uint32_t>(tcp_len >> 16);
  for (std::size_t i = 0; i < addr_len; i += 2)
    sum += std::uint32_t{d[addr + i]} << 8 | d[addr + i + 1];
  detail::put_be16(d, t + 16, 0);
  detail::put_be16(d, t + 16, detail::inet_checksum(sum, &d[t], tcp_len));
  rec.wire_len = static_cast<std::uint32_t>(d.size());
  return true;
}

}  // namespace sipflow::test
