#include "sipflow/capture/endpoint.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace sipflow {

IpAddress IpAddress::v4(const std::uint8_t* b) {
  IpAddress a;
  a.family_ = Family::V4;
  std::memcpy(a.bytes_.data(), b, 4);
  return a;
}

IpAddress IpAddress::v6(const std::uint8_t* b) {
  IpAddress a;
  a.family_ = Family::V6;
  std::memcpy(a.bytes_.data(), b, 16);
  return a;
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
  const std::uint8_t b[4] = {
      static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
      static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)};
  return v4(b);
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::uint8_t out[16];
  if (inet_pton(AF_INET, buf, out) == 1) return v4(out);
  if (inet_pton(AF_INET6, buf, out) == 1) return v6(out);
  return std::nullopt;
}

void IpAddress::append_to(std::string& out) const {
  if (family_ == Family::V4) {
    char buf[16];
    char* p = buf;
    for (int i = 0; i < 4; ++i) {
      unsigned v = bytes_[static_cast<std::size_t>(i)];
      if (i) *p++ = '.';
      if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
      if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
      *p++ = static_cast<char>('0' + v % 10);
    }
    out.append(buf, p);
    return;
  }
  char buf[INET6_ADDRSTRLEN];
  // glibc's inet_ntop follows RFC 5952 (lower case, longest zero run compressed).
  if (inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf)) out.append(buf);
}

std::string IpAddress::to_string() const {
  std::string s;
  append_to(s);
  return s;
}

void Endpoint::append_to(std::string& out) const {
  if (ip.is_v6()) {
    out.push_back('[');
    ip.append_to(out);
    out.push_back(']');
  } else {
    ip.append_to(out);
  }
  out.push_back(':');
  char buf[8];
  auto r = fmt::format_to_n(buf, sizeof buf, "{}", port);
  out.append(buf, r.out);
}

std::string Endpoint::to_string() const {
  std::string s;
  append_to(s);
  return s;
}

}  // namespace sipflow

std::size_t std::hash<sipflow::IpAddress>::operator()(const sipflow::IpAddress& a) const noexcept {
  std::uint64_t lo = 0, hi = 0;
  std::memcpy(&lo, a.bytes().data(), 8);
  std::memcpy(&hi, a.bytes().data() + 8, 8);
  return sipflow::hash_mix(sipflow::hash_mix(std::hash<std::uint64_t>{}(lo), hi),
                           static_cast<std::size_t>(a.family()));
}
