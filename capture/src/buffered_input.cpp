#include "buffered_input.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sipflow::capture {

BufferedInput::BufferedInput(int fd, std::size_t buffer_size)
    : fd_(fd), buf_(new std::uint8_t[buffer_size]), capacity_(buffer_size) {}

BufferedInput::~BufferedInput() {
  if (fd_ > 0) ::close(fd_);
}

std::size_t BufferedInput::fill(std::size_t n) {
  if (available() >= n || eof_) return available();
  if (pos_ + n > capacity_) {  // not enough room after pos_: move the tail to the front
    std::size_t keep = end_ - pos_;
    if (n > capacity_) {  // a record larger than the buffer: grow it
      std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[n]);
      std::memcpy(bigger.get(), buf_.get() + pos_, keep);
      buf_ = std::move(bigger);
      capacity_ = n;
    } else {
      std::memmove(buf_.get(), buf_.get() + pos_, keep);
    }
    end_ = keep;
    pos_ = 0;
  }
  while (available() < n && !eof_) {
    ssize_t got = ::read(fd_, buf_.get() + end_, capacity_ - end_);
    if (got > 0) {
      end_ += static_cast<std::size_t>(got);
    } else if (got == 0) {
      eof_ = true;
    } else if (errno != EINTR) {
      error_ = std::strerror(errno);
      eof_ = true;
    }
  }
  return available();
}

void BufferedInput::consume(std::size_t n) noexcept {
  if (n > available()) n = available();
  pos_ += n;
  consumed_ += n;
}

}  // namespace sipflow::capture
