#pragma once
// Typed SIP header values, parsed by pure functions (RFC 3261 §19, §20, §25).
// Every string_view returned is borrowed from the input and lives as long
// as it does. None of these allocate, but unescape_quoted_pairs, which
// returns an owning copy.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sipflow/capture/result.hpp"

namespace sipflow::decode {

/// A URI. sip:, sips: and tel: are split into parts; other schemes keep only
/// `scheme` and `opaque`.
struct Uri {
  std::string_view text;    ///< the whole URI
  std::string_view scheme;  ///< as written ("sip", "SIPS", "tel", "urn", ...)
  std::string_view user;    ///< sip: user part (escaped as on the wire); tel: the number
  std::string_view password;
  std::string_view host;   ///< IPv6 references without the brackets
  std::uint16_t port = 0;  ///< 0 when absent
  bool ipv6_host = false;
  std::string_view params;   ///< ";a=b;c" including the leading ';', or ""
  std::string_view headers;  ///< after '?', or ""
  std::string_view opaque;   ///< everything after "scheme:" for other schemes

  bool is_sip() const noexcept;  ///< sip or sips (case-insensitive)
  bool is_tel() const noexcept;
};

/// Parses a URI. Errors: bad_uri.
Result<Uri> parse_uri(std::string_view text);

/// name-addr / addr-spec with header parameters: From, To, Contact, Route,
/// Record-Route, Refer-To, P-Asserted-Identity, ... (RFC 3261 §20.10).
struct NameAddr {
  std::string_view display;  ///< display name without quotes (escapes kept), or ""
  bool quoted_display = false;
  bool bracketed = false;  ///< the URI was written inside <>
  Uri uri;
  std::string_view params;  ///< header parameters ";tag=..;..", or ""
  std::string_view tag;     ///< value of the tag parameter, or ""
};

/// The text of a quoted-string's inside with each quoted-pair ("\\x")
/// replaced by the character it stands for (RFC 3261 §25.1). Owning: for
/// values kept past the message, such as a display name.
std::string unescape_quoted_pairs(std::string_view inside);

/// Parses one name-addr or addr-spec (one element of a comma list). The
/// wildcard Contact "*" gives an empty Uri with text "*". Errors:
/// unterminated_quoted_string, bad_display_name, bad_name_addr, bad_addr_spec,
/// bad_uri.
Result<NameAddr> parse_name_addr(std::string_view text);

/// One Via value (RFC 3261 §20.42).
struct Via {
  std::string_view protocol;   ///< "SIP/2.0"
  std::string_view transport;  ///< "UDP", "TCP", "TLS", "SCTP", "WS", "WSS", ...
  std::string_view host;       ///< sent-by host (IPv6 without brackets)
  std::uint16_t port = 0;      ///< sent-by port, 0 when absent
  std::string_view params;     ///< ";branch=..;..", or ""
  std::string_view branch;
  std::string_view received;
  bool has_rport = false;
  std::string_view rport;  ///< "" when the flag form ";rport" is used
  std::string_view maddr;

  /// True when the branch starts with the RFC 3261 magic cookie "z9hG4bK".
  bool rfc3261_branch() const noexcept;
};

/// Parses one Via value. Errors: bad_via.
Result<Via> parse_via(std::string_view text);

struct CSeq {
  std::uint32_t number = 0;  ///< < 2^31 (RFC 3261 §8.1.1.5)
  std::string_view method;
};

/// Errors: bad_cseq.
Result<CSeq> parse_cseq(std::string_view text);

/// Reason header (RFC 3326): protocol ("SIP", "Q.850"), cause and text.
struct Reason {
  std::string_view protocol;
  int cause = 0;
  std::string_view text;  ///< unquoted, or ""
};
Result<Reason> parse_reason(std::string_view text);

/// type "/" subtype *(";" param), e.g. Content-Type.
struct MediaType {
  std::string_view type;
  std::string_view subtype;
  std::string_view params;
  bool is(std::string_view type, std::string_view subtype) const noexcept;
};
Result<MediaType> parse_media_type(std::string_view text);

/// A decimal number up to `max`, with nothing else around it but whitespace.
std::optional<std::uint64_t> parse_number(std::string_view text, std::uint64_t max);

/// The value of parameter `name` in ";a=b;c;d="q"" (name case-insensitive;
/// quotes removed). "" for a flag parameter; nullopt when absent.
std::optional<std::string_view> find_param(std::string_view params, std::string_view name);

/// One ";name[=value]" of a parameter list.
struct Param {
  std::string_view name;                  ///< trimmed, never empty
  std::optional<std::string_view> value;  ///< trimmed and unquoted; nullopt for a flag
};

/// Iterates the parameters of ";a=b;c;d="q"" in order (what comes before the
/// first ';' is not a parameter); a ';' inside quotes does not split.
/// Borrowed views into the text; allocates nothing.
class ParamList {
 public:
  explicit ParamList(std::string_view params) noexcept;
  /// The next parameter with a non-empty name, or nullopt at the end.
  std::optional<Param> next() noexcept;

 private:
  std::string_view params_;
  std::size_t semi_;  // the ';' that starts the next parameter, or npos
  bool quotes_;       // the list has a '"' somewhere: split the slow way
};

/// Splits a header value at top-level commas (outside quotes and <>), the
/// way multi-value headers are written (RFC 3261 §7.3.1). Empty elements
/// are skipped.
class CommaList {
 public:
  explicit CommaList(std::string_view text) noexcept : rest_(text) {}
  /// The next trimmed element, or nullopt at the end.
  std::optional<std::string_view> next() noexcept;

 private:
  std::string_view rest_;
};

/// The first element of a comma-separated value.
std::string_view first_element(std::string_view text) noexcept;

}  // namespace sipflow::decode
