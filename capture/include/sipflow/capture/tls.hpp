#pragma once
// TLS handshake sniffing: the parts of ClientHello / ServerHello that are
// sent in clear (RFC 8446 §4.1.2-4.1.3, RFC 5246 §7.4.1). Nothing is
// decrypted.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sipflow/capture/result.hpp"

namespace sipflow::capture {

/// What a hello message reveals. Owning.
struct TlsHello {
  bool client = true;  ///< ClientHello (true) or ServerHello (false)
  std::uint16_t legacy_version = 0;
  /// ClientHello: highest of supported_versions (GREASE ignored), else
  /// legacy_version. ServerHello: selected_version, else legacy_version.
  std::uint16_t version = 0;
  std::string sni;                ///< ClientHello server_name host_name; ""
  std::vector<std::string> alpn;  ///< offered (client) or selected (server) protocols
};

/// True when `bytes` start like a TLS record: content type 20-23 and major
/// version 3 (SSL 3.0 to TLS 1.3; TLS 1.3 records still say 0x0301/0x0303).
bool looks_like_tls_record(std::span<const std::uint8_t> bytes) noexcept;

/// Parses one handshake message (4-byte header: type, 24-bit length, then
/// the body) holding a ClientHello or a ServerHello. Errors (stable codes):
/// `not_a_hello`, `truncated_hello`, `bad_hello`.
Result<TlsHello> parse_tls_hello(std::span<const std::uint8_t> handshake);

/// Collects the first handshake message of one direction from its stream of
/// TLS records (it may span records and TCP segments), up to a bound.
class TlsHelloCollector {
 public:
  enum class State : std::uint8_t { Collecting, Done, NotHandshake, TooLarge };

  /// Feeds in-order stream bytes (borrowed, copied only while collecting).
  /// Returns the parse result when this call completes the first handshake
  /// message, nullopt otherwise. Once the state is not Collecting, bytes are
  /// ignored. At most 64 KiB are collected (then the state is TooLarge).
  std::optional<Result<TlsHello>> feed(std::span<const std::uint8_t> bytes);
  State state() const noexcept { return state_; }

 private:
  std::vector<std::uint8_t> records_;    // raw record bytes not yet consumed
  std::vector<std::uint8_t> handshake_;  // handshake payload collected so far
  State state_ = State::Collecting;
};

}  // namespace sipflow::capture
