// The HEP collector socket. Socket headers stay in this file.

#include "sipflow/capture/hep_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <vector>

#include "sipflow/capture/endpoint.hpp"
#include "sipflow/capture/hep.hpp"

namespace sipflow::capture {
namespace {

constexpr std::size_t kMaxDatagram = 65535;

Endpoint parse_spec(const std::string& spec) {
  std::string_view s = spec;
  if (s.substr(0, 4) == "udp:") s.remove_prefix(4);
  auto bad = [&](std::string_view why) {
    return InputError("--hep-listen " + spec + ": " + std::string(why) +
                      " (expected udp:HOST:PORT, e.g. udp:127.0.0.1:9060 or udp:[::1]:9060)");
  };
  if (s.substr(0, 4) == "tcp:") throw bad("only UDP is supported");
  std::string_view host, port;
  if (!s.empty() && s.front() == '[') {
    std::size_t close = s.find(']');
    if (close == std::string_view::npos || s.substr(close + 1, 1) != ":") throw bad("bad address");
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) throw bad("no port");
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  auto ip = IpAddress::parse(host);
  if (!ip) throw bad("not a numeric IP address");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || port.empty() || value > 65535) {
    throw bad("bad port");
  }
  return Endpoint{*ip, static_cast<std::uint16_t>(value)};
}

class HepListener final : public PacketSource {
 public:
  HepListener(int fd, std::string name, const std::atomic<bool>* stop, int poll_ms)
      : fd_(fd), name_(std::move(name)), stop_(stop), poll_ms_(poll_ms), buffer_(kMaxDatagram) {}
  ~HepListener() override { ::close(fd_); }
  HepListener(const HepListener&) = delete;
  HepListener& operator=(const HepListener&) = delete;

  ReadStatus next(Frame& out) override {
    if (stop_ != nullptr && stop_->load(std::memory_order_relaxed)) return ReadStatus::End;
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, poll_ms_);
    if (rc < 0 && errno != EINTR) return fail("poll");
    out.ts = now();
    if (rc <= 0) return ReadStatus::Idle;  // timeout, or a signal: let the caller check `stop`
    ssize_t n = ::recv(fd_, buffer_.data(), buffer_.size(), MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return ReadStatus::Idle;
      return fail("recv");
    }
    auto size = static_cast<std::size_t>(n);
    out.number = ++number_;
    out.linktype = kLinktypeHepDatagram;
    out.wire_len = static_cast<std::uint32_t>(size);  // MSG_TRUNC: the real size
    out.interface = 0;
    out.data = std::span<const std::uint8_t>(buffer_).first(std::min(size, buffer_.size()));
    return ReadStatus::Frame;
  }
  std::string_view error() const override { return error_; }
  std::string_view name() const override { return name_; }

 private:
  static Timestamp now() {
    auto t = std::chrono::system_clock::now().time_since_epoch();
    return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(t).count()};
  }
  ReadStatus fail(const char* what) {
    error_ = std::string(what) + ": " + std::strerror(errno);
    return ReadStatus::Error;
  }

  int fd_;
  std::string name_;
  const std::atomic<bool>* stop_;
  int poll_ms_;
  std::vector<std::uint8_t> buffer_;
  std::uint64_t number_ = 0;
  std::string error_;
};

}  // namespace

std::unique_ptr<PacketSource> open_hep_listener(const std::string& spec,
                                                const std::atomic<bool>* stop, int poll_ms) {
  Endpoint at = parse_spec(spec);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (at.ip.is_v6()) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);  // the sockets API's own type pun
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(at.port);
    std::memcpy(&a->sin6_addr, at.ip.bytes().data(), 16);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(at.port);
    std::memcpy(&a->sin_addr, at.ip.bytes().data(), 4);
    len = sizeof(sockaddr_in);
  }
  int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw InputError("--hep-listen " + spec + ": socket: " + std::strerror(errno));
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    throw InputError("--hep-listen " + spec + ": cannot bind: " + why);
  }
  int rcvbuf = 4 << 20;  // bursts from busy proxies; the kernel caps it at rmem_max
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  std::uint16_t port = at.ip.is_v6() ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  at.port = port;
  return std::make_unique<HepListener>(fd, "udp:" + at.to_string(), stop, poll_ms);
}

}  // namespace sipflow::capture
