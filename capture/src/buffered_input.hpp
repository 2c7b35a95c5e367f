#pragma once
// BufferedInput: sequential reads from a file descriptor through one large
// buffer, so a record can be handed out as a borrowed span without copying.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sipflow::capture {

class BufferedInput {
 public:
  /// Takes ownership of `fd` (closed in the destructor unless it is stdin).
  explicit BufferedInput(int fd, std::size_t buffer_size = 4u << 20);
  ~BufferedInput();
  BufferedInput(const BufferedInput&) = delete;
  BufferedInput& operator=(const BufferedInput&) = delete;

  /// Makes at least `n` bytes available from the current position, reading as
  /// needed. Returns how many are available (fewer than `n` only at end of
  /// input or on a read error, see error()).
  std::size_t fill(std::size_t n);
  /// The bytes from the current position (borrowed until the next fill()).
  const std::uint8_t* data() const noexcept { return buf_.get() + pos_; }
  std::size_t available() const noexcept { return end_ - pos_; }
  void consume(std::size_t n) noexcept;
  /// Offset in the input of the current position.
  std::uint64_t offset() const noexcept { return consumed_; }
  /// errno text of a failed read, "" if none.
  const std::string& error() const noexcept { return error_; }

 private:
  int fd_;
  // Not a std::vector: resizing one zero-fills megabytes that read() overwrites.
  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t capacity_ = 0;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t consumed_ = 0;
  bool eof_ = false;
  std::string error_;
};

}  // namespace sipflow::capture
