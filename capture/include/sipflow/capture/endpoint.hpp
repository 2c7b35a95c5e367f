#pragma once
// Network vocabulary shared by every module: IP addresses, endpoints, transports.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace sipflow {

/// An IPv4 or IPv6 address, stored by value (16 bytes, v4 in the first 4).
class IpAddress {
 public:
  enum class Family : std::uint8_t { V4 = 4, V6 = 6 };

  constexpr IpAddress() = default;
  static IpAddress v4(const std::uint8_t* b);  ///< copies 4 bytes
  static IpAddress v6(const std::uint8_t* b);  ///< copies 16 bytes
  static IpAddress v4(std::uint32_t host_order);
  /// Parses dotted-quad or RFC 4291 text (brackets not accepted); nullopt if invalid.
  static std::optional<IpAddress> parse(std::string_view text);

  Family family() const noexcept { return family_; }
  bool is_v6() const noexcept { return family_ == Family::V6; }
  const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }

  /// Appends the text form (RFC 5952 for IPv6, no brackets) to `out`.
  void append_to(std::string& out) const;
  std::string to_string() const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

/// An IP address and a transport port.
struct Endpoint {
  IpAddress ip;
  std::uint16_t port = 0;

  /// "1.2.3.4:5060", or "[2001:db8::1]:5060" for IPv6.
  void append_to(std::string& out) const;
  std::string to_string() const;

  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

/// How a SIP message travelled. Text names are part of the JSON contract.
enum class Transport : std::uint8_t { Udp, Tcp, Tls, Sctp, Ws, Wss };

/// "udp", "tcp", "tls", "sctp", "ws", "wss".
constexpr std::string_view to_string(Transport t) noexcept {
  switch (t) {
    case Transport::Udp:
      return "udp";
    case Transport::Tcp:
      return "tcp";
    case Transport::Tls:
      return "tls";
    case Transport::Sctp:
      return "sctp";
    case Transport::Ws:
      return "ws";
    case Transport::Wss:
      return "wss";
  }
  return "?";
}

/// Combines a hash into a seed (boost-style), for the key types of all modules.
constexpr std::size_t hash_mix(std::size_t seed, std::size_t value) noexcept {
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace sipflow

template <>
struct std::hash<sipflow::IpAddress> {
  std::size_t operator()(const sipflow::IpAddress& a) const noexcept;
};
template <>
struct std::hash<sipflow::Endpoint> {
  std::size_t operator()(const sipflow::Endpoint& e) const noexcept {
    return sipflow::hash_mix(std::hash<sipflow::IpAddress>{}(e.ip), e.port);
  }
};

template <>
struct fmt::formatter<sipflow::IpAddress> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const sipflow::IpAddress& a, Ctx& ctx) const {
    std::string s;
    a.append_to(s);
    return fmt::formatter<std::string_view>::format(s, ctx);
  }
};
template <>
struct fmt::formatter<sipflow::Endpoint> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const sipflow::Endpoint& e, Ctx& ctx) const {
    std::string s;
    e.append_to(s);
    return fmt::formatter<std::string_view>::format(s, ctx);
  }
};
template <>
struct fmt::formatter<sipflow::Transport> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(sipflow::Transport t, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(sipflow::to_string(t), ctx);
  }
};
