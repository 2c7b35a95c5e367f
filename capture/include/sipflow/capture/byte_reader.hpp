#pragma once
// ByteReader: the one bounds-checked way capture code reads wire fields.

#include <cstddef>
#include <cstdint>
#include <span>

namespace sipflow {

/// Reads fixed-size fields from a borrowed byte span. A read past the end
/// returns 0 (or an empty span) and makes the reader fail for good; callers
/// check ok() once after a group of reads instead of before each one.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> data) noexcept : data_(data) {}

  bool ok() const noexcept { return ok_; }
  std::size_t offset() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return data_.size() - pos_; }

  std::uint8_t u8() noexcept {
    if (!need(1)) return 0;
    return data_[pos_++];
  }
  std::uint16_t be16() noexcept {
    if (!need(2)) return 0;
    auto v = static_cast<std::uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::uint32_t be32() noexcept {
    if (!need(4)) return 0;
    std::uint32_t v = std::uint32_t{data_[pos_]} << 24 | std::uint32_t{data_[pos_ + 1]} << 16 |
                      std::uint32_t{data_[pos_ + 2]} << 8 | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  std::uint16_t le16() noexcept {
    if (!need(2)) return 0;
    auto v = static_cast<std::uint16_t>(data_[pos_] | data_[pos_ + 1] << 8);
    pos_ += 2;
    return v;
  }
  std::uint32_t le32() noexcept {
    if (!need(4)) return 0;
    std::uint32_t v = std::uint32_t{data_[pos_]} | std::uint32_t{data_[pos_ + 1]} << 8 |
                      std::uint32_t{data_[pos_ + 2]} << 16 | std::uint32_t{data_[pos_ + 3]} << 24;
    pos_ += 4;
    return v;
  }
  std::uint16_t u16(bool big_endian) noexcept { return big_endian ? be16() : le16(); }
  std::uint32_t u32(bool big_endian) noexcept { return big_endian ? be32() : le32(); }

  /// The next `n` bytes (borrowed), or an empty span and failure if fewer remain.
  std::span<const std::uint8_t> take(std::size_t n) noexcept {
    if (!need(n)) return {};
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  bool skip(std::size_t n) noexcept {
    if (!need(n)) return false;
    pos_ += n;
    return true;
  }
  /// Everything not yet read (borrowed).
  std::span<const std::uint8_t> rest() const noexcept { return data_.subspan(pos_); }

 private:
  bool need(std::size_t n) noexcept {
    if (!ok_ || n > data_.size() - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace sipflow
