// Readers for classic pcap and pcapng files.
//
// pcap:    [global header 24][record header 16][data caplen] ...
// pcapng:  [block: type 4 | total length 4 | body ... | total length 4] ...
//          a Section Header Block (SHB) starts each section and fixes its byte
//          order; Interface Description Blocks (IDB) give each interface its
//          link type and time resolution; packets come in EPB, SPB or OPB.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>
#include <vector>

#include "buffered_input.hpp"
#include "sipflow/capture/byte_reader.hpp"
#include "sipflow/capture/file_source.hpp"

namespace sipflow::capture {
namespace {

// libpcap accepts records up to max(snaplen, 256 KiB); anything larger than
// this is a corrupt length field, not a packet.
constexpr std::uint32_t kMaxRecord = 16u << 20;

// The file ends inside a record: what came before it was read (exit code 2).
std::string truncation_error(std::uint64_t frame, std::uint64_t offset) {
  return "file is truncated: it ends inside frame " + std::to_string(frame) + " (offset " +
         std::to_string(offset) + "); the frames before it were read";
}

__extension__ using u128 = unsigned __int128;

constexpr std::uint32_t kPcapMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapNano = 0xa1b23c4d;
constexpr std::uint32_t kPcapModified = 0xa1b2cd34;  // Kuznetzov's patched format
constexpr std::uint32_t kPcapngShb = 0x0A0D0D0A;
constexpr std::uint32_t kPcapngBom = 0x1A2B3C4D;

std::uint32_t bswap32(std::uint32_t v) {
  return __builtin_bswap32(v);
}

std::uint32_t load_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

class PcapReader final : public PacketSource {
 public:
  PcapReader(std::string name, std::unique_ptr<BufferedInput> in, Diagnostics& diag)
      : name_(std::move(name)), in_(std::move(in)), diag_(diag) {}

  /// Reads the global header; returns false if it is not a classic pcap.
  bool open() {
    if (in_->fill(24) < 24) return false;
    ByteReader r({in_->data(), 24});
    std::uint32_t magic = r.le32();
    switch (magic) {
      case kPcapMicro:
        big_ = false;
        break;
      case kPcapNano:
        big_ = false;
        nano_ = true;
        break;
      case kPcapModified:
        big_ = false;
        record_header_ = 24;
        break;
      default:
        if (bswap32(magic) == kPcapMicro) {
          big_ = true;
        } else if (bswap32(magic) == kPcapNano) {
          big_ = true;
          nano_ = true;
        } else if (bswap32(magic) == kPcapModified) {
          big_ = true;
          record_header_ = 24;
        } else {
          return false;
        }
    }
    r.skip(12);  // version, thiszone, sigfigs
    snaplen_ = r.u32(big_);
    linktype_ = r.u32(big_) & 0xFFFF;  // upper bits: FCS length flags
    in_->consume(24);
    return true;
  }

  ReadStatus next(Frame& out) override {
    in_->consume(pending_consume_);  // the previous frame's bytes stayed valid until now
    pending_consume_ = 0;
    std::size_t have = in_->fill(record_header_);
    if (have == 0) return finish();
    if (have < record_header_) return truncated();
    ByteReader r({in_->data(), record_header_});
    std::uint32_t sec = r.u32(big_);
    std::uint32_t frac = r.u32(big_);
    std::uint32_t caplen = r.u32(big_);
    std::uint32_t wirelen = r.u32(big_);
    if (caplen > kMaxRecord) {
      diag_.skipped("bad_record_length", number_ + 1);
      error_ = "record length " + std::to_string(caplen) + " at offset " +
               std::to_string(in_->offset()) + " is corrupt; stopped reading";
      return ReadStatus::Error;
    }
    if (in_->fill(record_header_ + caplen) < record_header_ + caplen) return truncated();
    out.number = ++number_;
    out.ts.ns = static_cast<std::int64_t>(sec) * 1'000'000'000 +
                static_cast<std::int64_t>(frac) * (nano_ ? 1 : 1000);
    out.linktype = linktype_;
    out.wire_len = wirelen < caplen ? caplen : wirelen;
    out.interface = 0;
    out.data = {in_->data() + record_header_, caplen};
    pending_consume_ = record_header_ + caplen;
    return ReadStatus::Frame;
  }

  std::string_view error() const override { return error_; }
  std::string_view name() const override { return name_; }

 private:
  ReadStatus finish() {
    if (!in_->error().empty()) {
      error_ = "read error: " + in_->error();
      return ReadStatus::Error;
    }
    return ReadStatus::End;
  }
  ReadStatus truncated() {
    diag_.skipped("truncated_record", number_ + 1);
    error_ = truncation_error(number_ + 1, in_->offset());
    in_->consume(in_->available());
    return ReadStatus::Error;
  }

  std::string name_;
  std::unique_ptr<BufferedInput> in_;
  Diagnostics& diag_;
  bool big_ = false;
  bool nano_ = false;
  std::size_t record_header_ = 16;
  std::uint32_t snaplen_ = 0;
  std::uint32_t linktype_ = 0;
  std::uint64_t number_ = 0;
  std::size_t pending_consume_ = 0;
  std::string error_;
};

class PcapngReader final : public PacketSource {
 public:
  PcapngReader(std::string name, std::unique_ptr<BufferedInput> in, Diagnostics& diag)
      : name_(std::move(name)), in_(std::move(in)), diag_(diag) {}

  ReadStatus next(Frame& out) override {
    in_->consume(pending_consume_);
    pending_consume_ = 0;
    for (;;) {
      std::size_t have = in_->fill(12);
      if (have == 0) return finish();
      if (have < 12) return truncated();
      // The section header's type reads the same in both byte orders; every
      // other block's type is in the section's order.
      std::uint32_t type = raw32(in_->data());
      if (type != kPcapngShb) type = read32(in_->data());
      if (type == kPcapngShb) {
        // The byte-order magic decides how to read even this block's length.
        if (in_->fill(12) < 12) return truncated();
        std::uint32_t bom = load_le32(in_->data() + 8);
        if (bom == kPcapngBom) {
          big_ = false;
        } else if (bswap32(bom) == kPcapngBom) {
          big_ = true;
        } else {
          return corrupt("section header with a bad byte-order magic");
        }
        interfaces_.clear();
      } else if (!seen_shb_) {
        return corrupt("first block is not a section header");
      }
      std::uint32_t total = read32(in_->data() + 4);
      if (total < 12 || total % 4 != 0 || total > kMaxRecord + 64) {
        diag_.skipped("bad_block_length", number_ + 1);
        return corrupt("block length " + std::to_string(total) + " is corrupt");
      }
      if (in_->fill(total) < total) return truncated();
      std::span<const std::uint8_t> body{in_->data() + 8, total - 12};
      if (read32(in_->data() + total - 4) != total) {
        diag_.skipped("bad_block_length", number_ + 1);
        return corrupt("block trailer length does not match its header");
      }
      if (type == kPcapngShb) {
        seen_shb_ = true;
        in_->consume(total);
        continue;
      }
      bool is_packet = false;
      switch (type) {
        case 1:
          add_interface(body);
          break;
        case 6:
          is_packet = enhanced_packet(body, out);
          break;
        case 3:
          is_packet = simple_packet(body, out);
          break;
        case 2:
          is_packet = obsolete_packet(body, out);
          break;
        case 4:
        case 5:
        case 0x0A:
        case 0x0BAD:
        case 0x40000BAD:
          break;  // names, stats, secrets, custom
        default:
          diag_.info("pcapng_unknown_block", number_ + 1);
          break;
      }
      if (is_packet) {
        pending_consume_ = total;
        return ReadStatus::Frame;
      }
      in_->consume(total);
    }
  }

  std::string_view error() const override { return error_; }
  std::string_view name() const override { return name_; }

 private:
  struct Interface {
    std::uint32_t linktype = 0;
    std::uint32_t snaplen = 0;
    bool binary_resolution = false;  // if_tsresol MSB: units are 2^-n seconds
    std::uint8_t resolution = 6;     // default: microseconds
    std::int64_t offset_s = 0;       // if_tsoffset
  };

  std::uint32_t raw32(const std::uint8_t* p) const { return load_le32(p); }
  std::uint32_t read32(const std::uint8_t* p) const {
    std::uint32_t v = load_le32(p);
    return big_ ? bswap32(v) : v;
  }

  void add_interface(std::span<const std::uint8_t> body) {
    ByteReader r(body);
    Interface itf;
    itf.linktype = r.u16(big_);
    r.skip(2);
    itf.snaplen = r.u32(big_);
    while (r.ok() && r.remaining() >= 4) {  // options: code, length, value padded to 4
      std::uint16_t code = r.u16(big_);
      std::uint16_t len = r.u16(big_);
      auto value = r.take(len);
      r.skip((4u - len % 4u) % 4u);
      if (!r.ok() || code == 0) break;
      if (code == 9 && len >= 1) {
        itf.binary_resolution = (value[0] & 0x80) != 0;
        itf.resolution = value[0] & 0x7F;
      } else if (code == 14 && len >= 8) {
        ByteReader v(value);
        auto hi = v.u32(big_), lo = v.u32(big_);
        itf.offset_s = static_cast<std::int64_t>(big_ ? (std::uint64_t{hi} << 32 | lo)
                                                      : (std::uint64_t{lo} << 32 | hi));
      }
    }
    if (!r.ok()) diag_.skipped("bad_pcapng_option", number_ + 1);
    interfaces_.push_back(itf);
  }

  // Capture time in ns. Every timestamp sipflow hands out lies in
  // [0, kMaxTimestampNs) so that differences never overflow; a file that
  // claims otherwise (a huge if_tsoffset or tick count) is clamped and counted.
  std::int64_t to_ns(const Interface& itf, std::uint64_t units) {
    u128 ns;
    if (itf.binary_resolution) {
      ns = (u128{units} * 1'000'000'000u) >> (itf.resolution > 100 ? 100 : itf.resolution);
    } else if (itf.resolution <= 9) {
      u128 mul = 1;
      for (int i = itf.resolution; i < 9; ++i)
        mul *= 10;
      ns = u128{units} * mul;
    } else {
      u128 div = 1;
      for (int i = 9; i < itf.resolution && i < 40; ++i)
        div *= 10;
      ns = u128{units} / div;
    }
    __extension__ using i128 = __int128;
    constexpr i128 kMax = kMaxTimestampNs;
    i128 total = (ns > static_cast<u128>(kMax) ? kMax : static_cast<i128>(ns)) +
                 static_cast<i128>(itf.offset_s) * 1'000'000'000;
    if (total < 0 || total >= kMax) {
      diag_.warning("bad_timestamp", number_);
      total = total < 0 ? 0 : kMax - 1;
    }
    return static_cast<std::int64_t>(total);
  }

  bool packet(std::uint32_t iface, std::uint64_t units, std::uint32_t caplen, std::uint32_t wirelen,
              std::span<const std::uint8_t> data, Frame& out) {
    ++number_;
    if (iface >= interfaces_.size()) {
      diag_.skipped("packet_without_interface", number_);
      return false;
    }
    const Interface& itf = interfaces_[iface];
    if (caplen > data.size()) {
      diag_.skipped("truncated_record", number_);
      return false;
    }
    out.number = number_;
    out.ts.ns = to_ns(itf, units);
    out.linktype = itf.linktype;
    out.wire_len = wirelen < caplen ? caplen : wirelen;
    out.interface = iface;
    out.data = data.first(caplen);
    return true;
  }

  bool enhanced_packet(std::span<const std::uint8_t> body, Frame& out) {
    ByteReader r(body);
    std::uint32_t iface = r.u32(big_);
    std::uint64_t hi = r.u32(big_), lo = r.u32(big_);
    std::uint32_t caplen = r.u32(big_);
    std::uint32_t wirelen = r.u32(big_);
    if (!r.ok()) {
      ++number_;
      diag_.skipped("truncated_record", number_);
      return false;
    }
    return packet(iface, hi << 32 | lo, caplen, wirelen, r.rest(), out);
  }

  bool simple_packet(std::span<const std::uint8_t> body, Frame& out) {
    ByteReader r(body);
    std::uint32_t wirelen = r.u32(big_);
    auto data = r.rest();
    std::uint32_t caplen = wirelen;
    if (!interfaces_.empty() && interfaces_[0].snaplen != 0 && interfaces_[0].snaplen < caplen) {
      caplen = interfaces_[0].snaplen;
    }
    if (caplen > data.size()) caplen = static_cast<std::uint32_t>(data.size());
    return packet(0, 0, caplen, wirelen, data, out);  // SPB has no timestamp
  }

  bool obsolete_packet(std::span<const std::uint8_t> body, Frame& out) {
    ByteReader r(body);
    std::uint16_t iface = r.u16(big_);
    r.skip(2);  // drops count
    std::uint64_t hi = r.u32(big_), lo = r.u32(big_);
    std::uint32_t caplen = r.u32(big_);
    std::uint32_t wirelen = r.u32(big_);
    if (!r.ok()) {
      ++number_;
      diag_.skipped("truncated_record", number_);
      return false;
    }
    return packet(iface, hi << 32 | lo, caplen, wirelen, r.rest(), out);
  }

  ReadStatus finish() {
    if (!in_->error().empty()) {
      error_ = "read error: " + in_->error();
      return ReadStatus::Error;
    }
    return ReadStatus::End;
  }
  ReadStatus truncated() {
    diag_.skipped("truncated_record", number_ + 1);
    error_ = truncation_error(number_ + 1, in_->offset());
    in_->consume(in_->available());
    return ReadStatus::Error;
  }
  ReadStatus corrupt(std::string why) {
    error_ = why + " at offset " + std::to_string(in_->offset()) + "; stopped reading";
    return ReadStatus::Error;
  }

  std::string name_;
  std::unique_ptr<BufferedInput> in_;
  Diagnostics& diag_;
  bool big_ = false;
  bool seen_shb_ = false;
  std::vector<Interface> interfaces_;
  std::uint64_t number_ = 0;
  std::size_t pending_consume_ = 0;
  std::string error_;
};

}  // namespace

std::unique_ptr<PacketSource> open_capture_file(const std::string& path, Diagnostics& diag) {
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  auto in = std::make_unique<BufferedInput>(fd);
  std::size_t have = in->fill(4);
  if (have == 0) {
    if (!in->error().empty()) throw InputError(path + ": cannot read: " + in->error());
    throw InputError(path + ": empty file, not a pcap or pcapng capture");
  }
  if (have < 4) throw InputError(path + ": too short to be a pcap or pcapng capture");
  if (load_le32(in->data()) == kPcapngShb) {
    if (in->fill(28) < 28) throw InputError(path + ": truncated pcapng section header");
    return std::make_unique<PcapngReader>(path, std::move(in), diag);
  }
  auto reader = std::make_unique<PcapReader>(path, std::move(in), diag);
  if (!reader->open()) {
    throw InputError(path + ": not a pcap or pcapng capture (unknown magic number or " +
                     "truncated file header)");
  }
  return reader;
}

}  // namespace sipflow::capture
