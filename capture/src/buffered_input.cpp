#include "buffered_input.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sipflow::capture {

BufferedInput::BufferedInput(int fd, std::size_t buffer_size) : fd_(fd), buf_(buffer_size) {}

BufferedInput::~BufferedInput() {
  if (fd_ > 0) ::close(fd_);
}

std::size_t BufferedInput::fill(std::size_t n) {
  if (available() >= n || eof_) return available();
  if (n > buf_.size()) buf_.resize(n);
  if (pos_ + n > buf_.size()) {  // not enough room after pos_: move the tail to the front
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  while (available() < n && !eof_) {
    ssize_t got = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
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
